"""Restore while another program writes (issue 14): no save the writer was told about is lost.

The writer is a real process saving a trainee every 50 ms through the services, as a
clerk's app would. A restore while it has the database open is refused, naming the open
sessions, and changes nothing; once it has gone the restore runs, the replaced database
(kept aside) holds every save, and a save made after the restore lands in the live file.
SQLite: PostgreSQL's restore replaces the schema in one transaction on the server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import models
from db.connection import database
from trainer.accounts import backup, users
from trainer.accounts.access import SYSTEM

ROOT = Path(__file__).resolve().parents[2]

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


def national_ids(path: Path) -> set[str]:
    import sqlite3

    con = sqlite3.connect(str(path))
    try:
        return {r[0] for r in con.execute("SELECT national_id FROM trainee WHERE national_id IS NOT NULL")}
    finally:
        con.close()


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "restore-race-key-0123456789abcdef0123456789")
    from trainer.setup import connect

    live = tmp_path / "live.db"
    url = f"sqlite:///{live}"
    connect(url)
    users.create_user(None, "admin", "admin", "correct horse")
    target, _ = backup.backup(tmp_path / "bk.db", SYSTEM)
    return url, live, target


def start_writer(url: str, first: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(first)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.readline(), proc.stderr.read()  # it has saved once: it holds the database
    return proc


def stop(proc: subprocess.Popen) -> set[str]:
    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    return {line for line in out.decode().split()}


@pytest.mark.parametrize("attempt", range(5))
def test_restore_refuses_while_a_program_writes_and_no_save_is_lost(site, attempt):
    url, live, target = site
    writer = start_writer(url, 20_000_000_000 + attempt * 1_000)
    time.sleep(0.3)
    with pytest.raises(backup.BackupFailed, match=r"in use by another program \(open sessions: admin \(tui"):
        backup.restore(target, SYSTEM)
    time.sleep(0.3)  # it goes on saving after the refusal
    told = stop(writer) | {f"{20_000_000_000 + attempt * 1_000}"}
    assert told and told <= national_ids(live)  # every acknowledged save is in the live database


def test_restore_runs_once_the_writer_has_gone_and_keeps_its_saves(site):
    url, live, target = site
    writer = start_writer(url, 30_000_000_000)
    time.sleep(0.5)
    told = stop(writer) | {"30000000000"}
    done = backup.restore(target, SYSTEM)
    assert done.replaced is not None and told <= national_ids(done.replaced)  # kept aside, whole
    assert national_ids(live) == set()  # the backup's state: taken before any of them
    assert not list(live.parent.glob("*.restoring"))
    later = start_writer(url, 40_000_000_000)  # the app opened again: it saves into the restored file
    after = stop(later) | {"40000000000"}
    assert after <= national_ids(live)
    with database.connection_context():
        assert models.AuditEvent.select().where(models.AuditEvent.action == "restore").count() == 1
