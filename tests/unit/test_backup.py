"""Backups taken while clerks keep writing, checked, and restored only after verification."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from db import models
from db.connection import database
from tests.conftest import fresh_url
from trainer.accounts import audit, backup
from trainer.accounts.access import Actor
from trainer.errors import PermissionDenied
from trainer.setup import connect

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key-0123456789abcdef0123456789"

# Another process doing a clerk's work: one committed change per transaction
# (a setting row plus its audit event), printing each number once committed.
WRITER = textwrap.dedent("""
    import sys
    from db import models
    from db.connection import database
    from trainer.accounts import audit
    from trainer.accounts.access import SYSTEM
    from trainer.setup import connect
    connect(sys.argv[1])
    stop = sys.argv[2]
    import os
    with database.connection_context():
        for i in range(100_000):
            with database.atomic():
                models.Setting.create(key=f"w{i:06d}", value="1")
                audit.record(SYSTEM, "create", "setting", f"w{i:06d}")
            print(i, flush=True)
            if os.path.exists(stop) or i > 20_000:
                break
""")


@pytest.fixture(autouse=True)
def audit_key(monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", KEY)


def fill(n_rows: int, size: int) -> None:
    """Bulk that makes the copy take long enough for the writer to keep going during it."""
    with database.connection_context(), database.atomic():
        rows = [(f"bulk{i:06d}", "x" * size) for i in range(n_rows)]
        database.execute_sql("SELECT 1")
        for start in range(0, n_rows, 500):
            models.Setting.insert_many(
                rows[start : start + 500], fields=[models.Setting.key, models.Setting.value]
            ).execute()


def test_backup_during_continuous_writes_from_another_process(tmp_path):
    url = fresh_url("sqlite", tmp_path)
    connect(url)
    fill(4000, 8000)  # ~32 MB
    stop = tmp_path / "stop"
    env = {**os.environ, "TRAINER_AUDIT_KEY": KEY, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(stop)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        committed = -1
        while committed < 100:  # the writer is well under way
            committed = int(writer.stdout.readline())
        started = time.perf_counter()
        target, manifest = backup.backup(tmp_path / "backups" / "copy.db")
        took = time.perf_counter() - started
        during = int(writer.stdout.readline())  # it kept committing
    finally:
        stop.touch()
        # Through the text stream, not communicate(): readline() may already hold later lines in
        # its buffer, which communicate() (reading the pipe itself) would never see.
        rest = writer.stdout.read().split()
        writer.wait(timeout=60)
    final = int(rest[-1]) if rest else during
    assert writer.returncode == 0
    print(
        f"\nbackup of {target.stat().st_size / 1e6:.0f} MB took {took:.2f} s; writer at #{committed} "
        f"before, #{final} when stopped"
    )
    assert final > committed
    # Checked: integrity and the manifest.
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    in_copy = {r[0] for r in conn.execute("SELECT key FROM setting WHERE key LIKE 'w%'")}
    conn.close()
    assert {f"w{i:06d}" for i in range(committed + 1)} <= in_copy
    assert manifest.counts["setting"] == 4000 + len(in_copy) + 1  # + the audit key id
    assert manifest.sha256 == backup.sha256_file(target)
    assert json.loads(backup.manifest_path(target).read_text())["audit_head"] == manifest.audit_head
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    # Restored, it holds every change committed before the backup began, and its trail verifies.
    done = backup.restore(target)
    assert done.replaced is not None and done.replaced.exists()
    assert done.verification.ok, done.verification.problems
    with database.connection_context():
        restored = {
            k for (k,) in models.Setting.select(models.Setting.key).where(models.Setting.key.startswith("w")).tuples()
        }
    assert restored == in_copy
    assert audit.verify(manifest.head()).ok
    kept = sqlite3.connect(done.replaced)
    assert kept.execute("SELECT count(*) FROM setting WHERE key LIKE 'w%'").fetchone()[0] == final + 1
    kept.close()


def test_restore_refuses_a_bad_checksum_and_touches_nothing(sqlite_url, tmp_path):
    target, _ = backup.backup(tmp_path / "b.db")
    live = Path(database.obj.database)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    before = sorted(p.name for p in live.parent.iterdir())
    with pytest.raises(backup.BackupFailed, match="checksum mismatch"):
        backup.restore(target)
    assert sorted(p.name for p in live.parent.iterdir()) == before


def test_restore_refuses_an_edited_manifest(sqlite_url, tmp_path):
    target, _ = backup.backup(tmp_path / "b.db")
    mpath = backup.manifest_path(target)
    data = json.loads(mpath.read_text())
    data["audit_head"]["id"] = 1  # hide a later truncation
    mpath.write_text(json.dumps(data))
    with pytest.raises(backup.BackupFailed, match="signature does not match"):
        backup.restore(target)
    mpath.unlink()
    with pytest.raises(backup.BackupFailed, match="no manifest"):
        backup.restore(target)


def test_only_an_admin_backs_up_or_restores(sqlite_url, tmp_path):
    for role in ("registrar", "instructor", "analyst", "auditor"):
        with pytest.raises(PermissionDenied):
            backup.backup(tmp_path / f"{role}.db", Actor(None, role, role))
    assert [p.name for p in tmp_path.glob("*.db")] == ["trainer.db"]


def test_scheduled_backups_run_when_due_and_keep_the_newest(sqlite_url, tmp_path):
    import datetime

    from trainer.accounts.access import SYSTEM

    assert not backup.due()
    backup.set_schedule(SYSTEM, 24, str(tmp_path / "auto"), keep=2)
    assert backup.due()
    first = backup.run_if_due()
    assert first is not None and first.exists()
    assert backup.run_if_due() is None  # not due again for a day
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25)
    assert backup.due(later)


def test_postgres_backup_and_restore(tmp_path):
    url = fresh_url("postgres", tmp_path)  # skipped only when no PostgreSQL is configured
    connect(url)
    with database.connection_context(), database.atomic():
        models.Setting.create(key="before", value="1")
        audit.record(Actor(None, "clerk", "registrar"), "create", "setting", "before")
    target, manifest = backup.backup(tmp_path / "pg.dump")
    assert manifest.backend == "postgresql" and manifest.counts["setting"] >= 1
    with database.connection_context(), database.atomic():
        models.Setting.create(key="after", value="1")
    done = backup.restore(target)
    assert done.replaced.exists() and done.verification.ok
    with database.connection_context():
        keys = {s.key for s in models.Setting.select()}
        # The append-only triggers came back with the schema.
        with pytest.raises(Exception, match="append-only"), database.atomic():
            database.execute_sql("DELETE FROM audit_event")
    assert "before" in keys and "after" not in keys
