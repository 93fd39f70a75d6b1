"""PostgreSQL through psycopg 3 and psycopg_pool: the maintained driver line and its own pool.

Peewee keeps a connection per thread and closes it after each service call; here
"close" hands it back to a psycopg_pool ConnectionPool, which checks a connection
before lending it again (a server restarted under a running app costs the next call a
fresh connection, not an error) and bounds how many one process holds: 50 clerks' apps
fit within PostgreSQL's default of 100 connections (docs/architecture.md).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from peewee import PostgresqlDatabase, _NoopLock

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

# One connection for the screen's calls, one for a second worker or an import's writer
# thread, one to spare; idle ones beyond the first are closed after a minute.
POOL_MIN, POOL_MAX = 1, int(os.environ.get("TRAINER_PG_POOL_MAX", "3"))
POOL_WAIT = 30.0  # seconds a call waits for a free connection before it is refused


def app_name() -> str:
    """What pg_stat_activity shows for this process's connections: an administrator (and a
    restore, which refuses while other programs are connected) can tell who is on the database."""
    import re
    import socket

    host = re.sub(r"[^A-Za-z0-9.-]", "", socket.gethostname())
    return f"trainer {os.getpid()}@{host}"[:63]


class PoolExhausted(Exception):
    """Every connection of this process stayed busy for POOL_WAIT seconds."""


class PooledPsycopgDatabase(PostgresqlDatabase):
    """peewee's PostgreSQL database over psycopg 3, its connections lent by psycopg_pool."""

    def __init__(self, database: str, **kwargs: Any) -> None:
        super().__init__(database, prefer_psycopg3=True, **kwargs)
        self._pool: ConnectionPool[Any] | None = None
        self._pool_lock = threading.Lock()
        # peewee guards connect/close with one lock for all threads, but each thread's
        # connection state is its own. A thread waiting here for a free connection would
        # hold that lock and stop every other thread from giving its connection back.
        self._lock = _NoopLock()

    def _make_pool(self) -> ConnectionPool[Any]:
        from psycopg_pool import ConnectionPool

        params = {"application_name": app_name(), **self.connect_params, "dbname": self.database, "autocommit": True}
        pool = ConnectionPool(
            kwargs=params,
            min_size=POOL_MIN,
            max_size=max(POOL_MIN, POOL_MAX),
            max_idle=60,
            check=ConnectionPool.check_connection,
            name="trainer",
            open=False,
        )
        pool.open(wait=True, timeout=10)
        return pool

    def _connect(self) -> Any:
        with self._pool_lock:
            if self._pool is None:
                self._pool = self._make_pool()
            pool = self._pool
        from psycopg_pool import PoolTimeout

        try:
            return pool.getconn(timeout=POOL_WAIT)
        except PoolTimeout:
            raise PoolExhausted(
                f"every database connection of this process stayed busy for {POOL_WAIT:.0f} s"
            ) from None

    def _close(self, conn: Any) -> None:
        with self._pool_lock:
            pool = self._pool
        if pool is None or pool.closed:
            conn.close()
        else:
            pool.putconn(conn)

    def close_all(self) -> None:
        """Close the pool (tests, and the end of a command): every connection goes."""
        if not self.is_closed():
            self.close()
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
