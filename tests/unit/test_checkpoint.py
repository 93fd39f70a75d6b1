"""WAL checkpoints off the commit path (db/checkpoint.py): SQLite files only (PostgreSQL has its own
checkpointer process)."""

from __future__ import annotations

import time
from pathlib import Path

from db.checkpoint import Checkpointer
from db.connection import database
from trainer.setup import connect

# About 2,000 WAL pages in all: past the 1,000-page point where a COMMIT would checkpoint by default.
ROWS, PAYLOAD = 40, "x" * 200_000


def _write(db, rows: int = ROWS) -> None:
    with database.connection_context():
        db.execute_sql("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)")
        for _ in range(rows):
            with database.atomic():  # one commit each, as saves are
                db.execute_sql("INSERT INTO filler (body) VALUES (?)", (PAYLOAD,))


def _file_mb(path) -> float:
    """The main database file: pages reach it only by a checkpoint (until then they are in the WAL)."""
    return path.stat().st_size / 2**20


def test_commits_never_checkpoint_and_the_thread_does(tmp_path):
    path = tmp_path / "trainer.db"
    connect(f"sqlite:///{path}")
    db = database.obj
    with database.connection_context():
        assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL: a save survives a power cut
    db.checkpointer.stop()  # no background checkpoints: what reaches the file is what commits copied
    before = _file_mb(path)
    _write(db)
    assert Path(f"{path}-wal").stat().st_size > 7 * 2**20
    assert _file_mb(path) - before < 1, "a commit checkpointed the WAL into the file"

    checkpointer = Checkpointer(path, interval=0.05)
    try:
        _write(db, 1)  # the WAL changes: the thread sees it and checkpoints
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints >= 1
        assert _file_mb(path) - before >= 7
    finally:
        checkpointer.stop()
    with database.connection_context():
        assert db.execute_sql("SELECT COUNT(*) FROM filler").fetchone()[0] == ROWS + 1


def test_stop_leaves_no_wal_to_replay(tmp_path):
    """The last checkpoint at stop copies what was written since the thread last looked, and
    empties the WAL file while the app's own connection is open but idle."""
    path = tmp_path / "trainer.db"
    connect(f"sqlite:///{path}")
    db = database.obj
    db.checkpointer.stop()
    checkpointer = Checkpointer(path, interval=3600)  # its thread will not look by itself
    before = _file_mb(path)
    _write(db, 10)
    assert _file_mb(path) - before < 1
    checkpointer.stop()
    assert checkpointer.checkpoints == 1
    assert _file_mb(path) - before >= 1.8
    assert Path(f"{path}-wal").stat().st_size == 0  # emptied: the next process has nothing to replay
    with database.connection_context():
        assert db.execute_sql("SELECT COUNT(*) FROM filler").fetchone()[0] == 10


WRITER = """
import sys
from trainer.setup import connect
from db.connection import database
db = connect(sys.argv[1]) and database.obj
with database.connection_context():
    for i in range(300):
        with database.atomic():
            db.execute_sql("INSERT INTO filler (body) VALUES (?)", ("y" * 4000,))
"""


def test_opening_the_file_again_keeps_this_process_locks(tmp_path):
    """A second connect() in a process with live connections, then other processes that
    write and exit: this process still reads a sound database. (Reading the file's header
    with open()/close() once dropped every POSIX lock the process held, so the last writer
    to leave deleted the WAL under it: "database disk image is malformed".)"""
    import os
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "twice.db"
    url = f"sqlite:///{path}"
    connect(url)
    _write(database.obj, rows=2)
    connect(url)  # the same file again, as the load harness and a restore do
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url], env=env) for _ in range(3)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    with database.connection_context():
        assert database.obj.execute_sql("SELECT count(*) FROM filler").fetchone() == (902,)
    fresh = sqlite3.connect(str(path))
    try:
        assert fresh.execute("PRAGMA quick_check").fetchone() == ("ok",)
    finally:
        fresh.close()
