"""One database per process, chosen at start-up from a URL.

`database` is a proxy so that models can be declared before the URL is known;
`open_database(url)` binds it. SQLite gets the pragmas the app relies on (WAL
for readers beside a writer, foreign keys, a busy timeout) and write
transactions that take the lock up front, which removes SQLITE_BUSY_SNAPSHOT
failures of read-then-write transactions.
"""

from __future__ import annotations

import sqlite3
import weakref
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from peewee import (
    Database,
    DatabaseProxy,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)
from peewee import (
    DatabaseError as PeeweeDatabaseError,
)

from db.checkpoint import Checkpointer
from db.urls import default_sqlite_path as default_sqlite_path  # the URL helpers live in db/urls.py (no peewee)
from db.urls import resolve_url as resolve_url
from db.urls import sqlite_path as sqlite_path


class _Proxy(DatabaseProxy):
    """The proxy lends connection_context() to the bound database, so that its own
    (SQLite: a kept connection) applies; peewee's proxy would close after each call."""

    def connection_context(self) -> Any:
        return self.obj.connection_context()


database = _Proxy()

SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 10_000),
    # FULL: a commit is on the disk when it returns. NORMAL (enough against a crash of the
    # app) can lose the last saves when a site's generator cuts out; FULL costs ~0.3 ms a save.
    ("synchronous", "full"),
    ("cache_size", -8_000),  # 8 MB a connection: exports stream, a big cache only costs memory
    # No checkpoint inside a COMMIT: a file database's Checkpointer thread does them (db/checkpoint.py).
    ("wal_autocheckpoint", 0),
)


class _KeptConnection:
    """connection_context() that opens this thread's connection if needed and leaves it open."""

    __slots__ = ("db",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> None:
        if self.db.is_closed():
            self.db.connect()

    def __exit__(self, *exc: object) -> Literal[False]:
        return False


class KeptSqliteDatabase(SqliteDatabase):
    """SQLite whose per-thread connection outlives each service call.

    Services wrap every call in connection_context(). Closing the connection
    each time costs twice: a new connection re-reads the whole schema (1.5–2.5 ms
    here), and when the last connection to a WAL database closes SQLite
    checkpoints and deletes the WAL, so the next write recreates it with a sync
    (about 20 ms). A thread's connection is closed when the thread ends (its
    thread-local state is freed) or by close().
    """

    wal_keeper: sqlite3.Connection | None = None  # see _wal_keeper

    def connection_context(self) -> _KeptConnection:  # type: ignore[override]
        return _KeptConnection(self)


class DatabaseUnavailable(Exception):
    """The URL names no usable database; the message is one line for the user."""


def is_sqlite(db: Database | None = None) -> bool:
    db = db or database.obj
    return isinstance(db, SqliteDatabase)


def is_postgres(db: Database | None = None) -> bool:
    db = db or database.obj
    return isinstance(db, PostgresqlDatabase)


class EncryptedDatabase(DatabaseUnavailable):
    """The file is encrypted (db/cipher.py) and no key, or the wrong one, was given."""


def make_database(url: str, *, create: bool = True, key: str | None = None) -> Database:
    """Build (and test-connect) a database for `url` without binding the proxy.

    `key`: the SQLCipher key of an encrypted file (db/cipher.py); with one, a new file is
    created encrypted."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        if "?" in url or "#" in url:  # would otherwise become part of the file name
            raise DatabaseUnavailable(f"{url}: options after '?' are not supported; give sqlite:///PATH")
        path = sqlite_path(url)
        if path is not None:
            if not path.exists():
                if not create:
                    raise DatabaseUnavailable(f"no database at {path}")
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.is_file():  # a directory, /dev/null, a pipe: never a database
                raise DatabaseUnavailable(f"{path} is not a database file")
            elif key is None and _encrypted(path):
                raise EncryptedDatabase(f"{path} is encrypted: sign in (--user NAME) to open it")
            elif key is None and not _looks_like_sqlite(path):
                raise DatabaseUnavailable(f"{path} is not a trainer database (not an SQLite file)")
        # lock_type: every transaction BEGINs IMMEDIATE; timeout also covers that BEGIN.
        # check_same_thread off: connections stay per thread, but an import lends its
        # own to one writer thread while it prepares the next rows (trainer/rosters/writing.py).
        options: dict[str, Any] = dict(
            pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE", check_same_thread=False
        )
        if key is not None:
            from db.cipher import CipherSqliteDatabase

            db: Database = CipherSqliteDatabase(str(path) if path else ":memory:", key=key, **options)
        else:
            db = KeptSqliteDatabase(str(path) if path else ":memory:", **options)
    elif scheme in ("postgres", "postgresql", "postgresext", "postgresqlext"):
        # Pooled: every service call opens and closes a connection, and a
        # new PostgreSQL connection costs milliseconds; a pooled one does not.
        try:
            import psycopg  # noqa: F401  (the driver is the optional 'postgres' extra)
            import psycopg_pool  # noqa: F401
            from playhouse.db_url import parse as parse_url  # here: it imports every backend's module
        except ImportError:
            raise DatabaseUnavailable("PostgreSQL needs its driver: pip install 'trainer[postgres]'") from None
        try:
            params = parse_url(url)
        except ValueError as exc:  # a port that is not a number, say
            raise DatabaseUnavailable(f"{_redact(url)} is not a database URL: {exc}") from None
        if not params.get("database"):
            raise DatabaseUnavailable(f"{_redact(url)} names no database: postgresql://USER@HOST:PORT/NAME")
        from db import transport
        from db.postgres import PooledPsycopgDatabase

        try:
            transport.check(params)  # TLS to another machine, or an explicit --allow-plain
        except transport.PlainConnectionRefused as exc:
            raise DatabaseUnavailable(str(exc)) from None

        params.pop("max_connections", None)
        params.pop("stale_timeout", None)
        db = PooledPsycopgDatabase(params.pop("database"), **params)
    else:
        raise DatabaseUnavailable(
            f"unknown database URL scheme {scheme!r}: use sqlite:///PATH or postgresql://USER@HOST/NAME"
        )
    try:
        db.connect(reuse_if_open=True)
        if isinstance(db, SqliteDatabase):
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (OperationalError, PeeweeDatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        if key is not None and "not a database" in str(exc):
            raise EncryptedDatabase(f"{path}: the key does not open this database") from None
        raise DatabaseUnavailable(f"cannot open database {_redact(url)}: {_first_line(exc)}") from None
    except Exception as exc:  # driver-specific errors (psycopg.OperationalError, pool timeouts …)
        if not db.is_closed():
            db.close()
        raise DatabaseUnavailable(f"cannot open database {_redact(url)}: {_first_line(exc)}") from None
    db.close()
    from db.dialect import for_database

    db.dialect = for_database(db)  # type: ignore[attr-defined]  # what differs between the databases
    if isinstance(db, SqliteDatabase) and path is not None:
        attach_checkpointer(db, path)
    return db


def attach_checkpointer(db: Database, path: Path) -> None:
    """Checkpoints off the commit path, and the WAL kept in place while thread workers'
    connections come and go (db/checkpoint.py); the thread ends when `db` is dropped.
    Whoever moves the file away (a restore) stops db.checkpointer first and attaches anew."""
    checkpointer = Checkpointer(path, key=getattr(db, "cipher_key", None))
    db.checkpointer = checkpointer  # type: ignore[attr-defined]  # peewee's Database has no slot for it
    weakref.finalize(db, checkpointer.stop)


def open_database(url: str | None = None, *, create: bool = True, key: str | None = None) -> Database:
    """Bind the global proxy to the database at `url` (resolved) and return it."""
    db = make_database(resolve_url(url), create=create, key=key)
    database.initialize(db)
    return db


def _encrypted(path: Path) -> bool:
    from db.cipher import is_encrypted

    return is_encrypted(path)


def _looks_like_sqlite(path: Path) -> bool:
    """Asked of SQLite, never by opening the file ourselves: closing any descriptor of a file
    drops every POSIX lock this process holds on it, so a second open_database() in a process
    whose connections are live would let another process delete the WAL under them, and
    this process would then read a "malformed" database (tests/load caught it)."""
    if path.stat().st_size == 0:
        return True  # an empty file is a new SQLite database
    probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        return "not a database" not in str(exc)  # locked or busy: not ours to judge here
    finally:
        probe.close()
    return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0]


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
