"""Restore on PostgreSQL with other clients about (issue 14): refused by name, no acknowledged save lost.

The SQLite side is tests/unit/test_restore_race.py. Here the restore replaces the schema
in one server transaction: it must refuse while anyone else is connected, naming them,
and refuse when a save slipped in between the copy of the replaced database and the swap.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import backup_files, models
from db.connection import database
from tests.conftest import fresh_url
from trainer.accounts import audit, backup, users
from trainer.accounts.access import SYSTEM, Actor
from trainer.setup import connect

ROOT = Path(__file__).resolve().parents[2]
CLERK = Actor(None, "clerk", "registrar")

WRITER = r"""
import datetime, sys, time
from trainer.setup import connect
from trainer.accounts import users
from trainer.registry import trainees
connect(sys.argv[1])
actor = users.authenticate("admin", "correct horse", session="tui")
i = 0
while True:
    nid = f"{int(sys.argv[2]) + i}"
    data = trainees.TraineeInput("Ali", "Hassan", "Kadhim", datetime.date(1990, 1, 1), "police", "IQ-NI",
                                 national_id=nid)
    trainees.create_trainee(actor, data)
    print(nid, flush=True)  # acknowledged: the service returned
    i += 1
    time.sleep(0.05)
"""


@pytest.fixture
def pg(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "restore-pg-key-0123456789abcdef0123456789")
    url = fresh_url("postgres", tmp_path)  # skipped only when no PostgreSQL is configured
    connect(url)
    users.create_user(None, "admin", "admin", "correct horse")
    target, _ = backup.backup(tmp_path / "bk.dump", SYSTEM)
    with database.connection_context(), database.atomic():
        models.Setting.create(key="after-backup", value="1")
        audit.record(CLERK, "create", "setting", "after-backup")
    yield url, target
    database.obj.close_all()


def settings() -> set[str]:
    with database.connection_context():
        return {s.key for s in models.Setting.select()}


def national_ids() -> set[str]:
    T = models.Trainee
    with database.connection_context():
        return {n for (n,) in T.select(T.national_id).where(T.national_id.is_null(False)).tuples()}


def test_restore_refuses_while_another_client_is_connected_and_names_it(pg, tmp_path):
    import psycopg

    url, target = pg
    with psycopg.connect(url, application_name="clerk-laptop-7"):
        with pytest.raises(backup.BackupFailed, match=r"other clients are connected.*clerk-laptop-7"):
            backup.restore(target, SYSTEM)
    assert "after-backup" in settings()  # nothing changed
    assert not list(tmp_path.glob("*.replaced-*"))  # and no copy of a replacement that did not happen
    done = backup.restore(target, SYSTEM)  # once it has gone, the restore runs
    assert done.verification.ok and "after-backup" not in settings()


def test_restore_refuses_while_an_app_writes_and_no_save_is_lost(pg):
    url, target = pg
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, "40000000000"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert writer.stdout.readline(), writer.stderr.read()
        for _ in range(3):
            with pytest.raises(backup.BackupFailed, match=r"other clients are connected.*trainer"):
                backup.restore(target, SYSTEM)
            time.sleep(0.2)
    finally:
        writer.terminate()
        out, _ = writer.communicate(timeout=30)
    told = set(out.decode().split()) | {"40000000000"}
    assert told <= national_ids()  # every acknowledged save is in the live database
    done = backup.restore(target, SYSTEM)
    assert done.verification.ok and not national_ids()


def test_a_save_between_the_copy_and_the_swap_stops_the_restore(pg, monkeypatch):
    """The replaced database is dumped before the swap; a client that connects, saves and leaves
    in between would lose that save (it is in neither): the audit head tells, and nothing changes."""
    import psycopg

    url, target = pg
    real = backup_files._audit_head

    def head_then_a_save(args, env):
        head = real(args, env)
        with psycopg.connect(url, autocommit=True) as conn:  # in and out before the swap
            conn.execute("INSERT INTO setting (key, value) VALUES ('sneaked-in', '1')")
            conn.execute(
                "INSERT INTO audit_event (at, username, action, entity, entity_uuid, detail, chain) "
                "VALUES (now(), 'clerk', 'create', 'setting', 'sneaked-in', '{}', 'x')"
            )
        return head

    monkeypatch.setattr(backup_files, "_audit_head", head_then_a_save)
    with pytest.raises(backup.BackupFailed, match="changed while the restore was getting ready"):
        backup.restore(target, SYSTEM)
    assert {"after-backup", "sneaked-in"} <= settings()
