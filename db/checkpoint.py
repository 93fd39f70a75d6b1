"""WAL checkpoints off the commit path, for SQLite files.

By default SQLite checkpoints inside the COMMIT that takes the WAL past 1,000 pages: that save
then copies the WAL into the database file and syncs both (10-40 ms, the p95 of a one-record
save). The app's connections turn that off (PRAGMA wal_autocheckpoint = 0, db/connection.py)
and this thread does it instead, on a connection of its own: a PASSIVE checkpoint, which never
waits for a reader or a writer and never blocks one (writers keep appending to the WAL while it
copies), about every second after the WAL has changed. Durability is unchanged: a commit is in
the WAL when it returns, exactly as before; the checkpoint only moves it into the main file.

The connection also keeps the WAL in place while the app's per-thread connections come and go
(when the last connection to a WAL database closes, SQLite checkpoints and deletes the WAL, and
the next writer recreates it with a sync, about 20 ms a save).
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import weakref
from pathlib import Path

INTERVAL_S = 1.0
_live: weakref.WeakSet[Checkpointer] = weakref.WeakSet()


class Checkpointer:
    """A daemon thread checkpointing one database file; stop() ends it and closes its connection."""

    def __init__(self, path: Path, interval: float = INTERVAL_S, *, key: str | None = None) -> None:
        self.path = Path(path)
        self.wal = Path(f"{path}-wal")
        self.interval = interval
        self.checkpoints = 0  # PASSIVE checkpoints run (tests and the benchmark read it)
        self._stop = threading.Event()
        # timeout 0: no checkpoint here ever waits (PASSIVE does not; the last one, TRUNCATE, gives up).
        # An encrypted file (db/cipher.py) is opened with its key, through SQLCipher's driver.
        from db.cipher import connect, errors

        self._errors = errors() if key is not None else (sqlite3.Error,)  # no SQLCipher import for a plain file
        self._conn = connect(path, key, check_same_thread=False, isolation_level=None, timeout=0)
        # Having read once, the connection holds the WAL index: the WAL stays while it is open.
        self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        self._seen = self._signature()
        self._thread = threading.Thread(target=self._run, name=f"wal-checkpoint {self.path.name}", daemon=True)
        self._thread.start()
        _live.add(self)

    def _signature(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.wal)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._if_written()

    def _if_written(self) -> None:
        now = self._signature()
        if now is not None and now != self._seen:  # else no WAL, or nothing written since the last look
            self.checkpoint()
            self._seen = now

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, WAL frames, frames checkpointed), None if it could not run."""
        try:
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except self._errors:
            return None  # the file went away or is locked by a backup: try again next time
        self.checkpoints += 1
        return (int(row[0]), int(row[1]), int(row[2])) if row else None

    def stop(self) -> None:
        """End the thread after a last checkpoint that also empties the WAL file when nobody else
        is using it: the next process to open the database would otherwise read the whole WAL
        (1.2 GB after the full-scale demo) to rebuild its index before its first query."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            self.checkpoints += 1
        except self._errors:
            self._if_written()  # another process is in the middle of something: copy what we can
        try:
            self._conn.close()
        except self._errors:
            pass


@atexit.register
def _stop_all() -> None:
    for checkpointer in list(_live):
        checkpointer.stop()
