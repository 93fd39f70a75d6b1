"""Encrypted SQLite files: SQLCipher through the sqlcipher3 driver.

An encrypted site's database, its WAL and SQLite's temporary files are all encrypted
with one 256-bit key, given to SQLCipher as raw bytes (`PRAGMA key = "x'…'"`), so
opening a connection costs no key derivation: the slow, password-based step happens
once per sign-in, in trainer.accounts.sealing, which unwraps this key from the key file
beside the database. This module only knows "a file and its key"; who may have the key
is the sealing module's business.

Whether a file is encrypted is told by its key file (`<db>.keys`), never by reading the
database ourselves: closing any descriptor of the file would drop this process's POSIX
locks on it (see db.connection._looks_like_sqlite).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from db.connection import KeptSqliteDatabase

KEY_SUFFIX = ".keys"
_HEX_KEY = re.compile(r"[0-9a-f]{64}")


class WrongKey(Exception):
    """The key does not open the file (or the file is not a database)."""


def key_file(path: Path | str) -> Path:
    """The key file beside database `path`: its presence marks the database as encrypted."""
    path = Path(path)
    return path.with_name(path.name + KEY_SUFFIX)


def is_encrypted(path: Path | str | None) -> bool:
    return path is not None and key_file(path).exists()


# Each page carries an HMAC, checked on every read. SQLCipher 4's default, HMAC-SHA512, is
# computed in software and doubled the cost of reading a large database (2.4x plain on a
# full table scan, 2.6x on a substring search at 250,000 trainees); HMAC-SHA256 runs on the
# CPU's SHA instructions (1.2x plain) and keeps a 256-bit tag. Files made before this
# choice (SHA512) still open: they are told apart on the first connection (LEGACY_HMAC).
HMAC = "HMAC_SHA256"
LEGACY_HMAC = "HMAC_SHA512"
_defaults_set = False
_legacy: set[tuple[str, int]] = set()  # files (path, inode) known to use LEGACY_HMAC
_known: set[tuple[str, int]] = set()  # files whose HMAC has been told apart


def _identity(path: str) -> tuple[str, int] | None:
    """A file as the HMAC caches know it: its path and inode (a file made anew at the same path
    is told apart again); None for a file not there yet (a new file is ours) or in memory."""
    try:
        return (str(Path(path).resolve()), Path(path).stat().st_ino) if path != ":memory:" else None
    except OSError:
        return None


def driver() -> Any:
    global _defaults_set
    try:
        from sqlcipher3 import dbapi2
    except ImportError:  # pragma: no cover - a dependency; the message says what to do
        raise WrongKey("this database is encrypted and needs SQLCipher: pip install sqlcipher3") from None
    if not _defaults_set:
        # Process-wide: every keyed connection, ATTACH (sqlcipher_export) and VACUUM INTO made
        # from here on writes HMAC pages; a legacy file's connection sets its own below.
        conn = dbapi2.connect(":memory:")
        try:
            conn.execute(f"PRAGMA cipher_default_hmac_algorithm = {HMAC}")
        finally:
            conn.close()
        _defaults_set = True
    return dbapi2


def _key_pragma(key: str) -> str:
    if not _HEX_KEY.fullmatch(key):
        raise ValueError("a database key is 64 lowercase hex digits")
    return f"PRAGMA key = \"x'{key}'\""


def apply_key(conn: Any, key: str, *, legacy: bool = False) -> None:
    """First statements on a new connection: quiet the library's own stderr log, then the key
    (and, for a file made with SQLCipher's own default, its HMAC)."""
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(_key_pragma(key))
    if legacy:
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {LEGACY_HMAC}")


def keyed(open_: Any, path: str, key: str) -> Any:
    """A connection from `open_()` keyed for file `path`. The first time a process opens a file,
    a read tells whether it is one of ours (HMAC) or older (LEGACY_HMAC); a key that opens
    neither gives the HMAC connection back, which then fails as a wrong key does."""
    name = _identity(path)
    conn = open_()
    try:
        apply_key(conn, key, legacy=name in _legacy)
        if name is None or name in _known:
            return conn
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except driver().DatabaseError as exc:
            if "not a database" not in str(exc):
                raise
            older = open_()
            try:
                apply_key(older, key, legacy=True)
                older.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except driver().DatabaseError:
                older.close()
                return conn  # a wrong key (or not a database): the caller's read says so
            conn.close()
            _legacy.add(name)
            conn = older
        _known.add(name)
        return conn
    except BaseException:
        conn.close()
        raise


def connect(path: Path | str, key: str | None, *, readonly: bool = False, **kw: Any) -> Any:
    """A DB-API connection to `path`: sqlite3 for a plain file, sqlcipher3 with `key` for an
    encrypted one. For the checkpointer, backups and conversions, which open files themselves."""
    target = f"file:{path}?mode=ro" if readonly else str(path)
    if key is None:
        return sqlite3.connect(target, uri=readonly, **kw)
    return keyed(lambda: driver().connect(target, uri=readonly, **kw), str(path), key)


def check_key(path: Path | str, key: str) -> None:
    """Raise WrongKey unless `key` opens `path` (a new, empty file opens with any key)."""
    conn = connect(path, key, timeout=10)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver().DatabaseError as exc:
        if "not a database" in str(exc):
            raise WrongKey(f"{path}: the key does not open this database") from None
        raise
    finally:
        conn.close()


def errors() -> tuple[type[BaseException], ...]:
    """The exception classes either driver raises, for code that talks to files directly."""
    classes: list[type[BaseException]] = [sqlite3.Error]
    try:
        classes.append(driver().Error)
    except WrongKey:
        pass
    return tuple(classes)


class CipherSqliteDatabase(KeptSqliteDatabase):
    """KeptSqliteDatabase on sqlcipher3: every connection is keyed before anything else runs
    (the pragmas the app relies on, WAL included, come after the key)."""

    def __init__(self, database: str, *, key: str, **kwargs: Any) -> None:
        self.cipher_key = key
        super().__init__(database, **kwargs)

    def _connect(self) -> Any:
        params = self.connect_params
        conn = keyed(
            lambda: driver().connect(self.database, isolation_level=None, **params), self.database, self.cipher_key
        )
        try:
            self._add_conn_hooks(conn)  # type: ignore[attr-defined]  # peewee's, unannotated
        except BaseException:
            conn.close()
            raise
        return conn


def rekey(path: Path | str, old: str, new: str, *, timeout: float = 2.0) -> None:
    """Re-encrypt `path` from key `old` to key `new`, in place.

    Refused (sqlite OperationalError "database is locked") while any other connection has
    the file open: leaving WAL mode needs the database to itself, and a reader still on the
    old key would otherwise read pages it can no longer decrypt. The caller closes its own."""
    conn = connect(path, old, isolation_level=None, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise driver().OperationalError("database is locked")
        conn.execute(f"PRAGMA rekey = \"x'{new}'\"" if _HEX_KEY.fullmatch(new) else "invalid")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    finally:
        conn.close()


def export_encrypted(plain: Path | str, target: Path | str, key: str) -> None:
    """Write an encrypted copy of plain database `plain` to new file `target` (sqlcipher_export)."""
    conn = driver().connect(str(plain), isolation_level=None, timeout=10)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(
            f"ATTACH DATABASE ? AS enc KEY \"x'{key}'\"" if _HEX_KEY.fullmatch(key) else "invalid", (str(target),)
        )
        conn.execute("SELECT sqlcipher_export('enc')").fetchone()
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()


# Keys of files other than the live database (a backup being checked or restored): the caller
# that unwrapped one (trainer.accounts.backup) says so here, and db.backup_files asks.
_file_keys: dict[str, str] = {}


def remember(path: Path | str, key: str) -> None:
    _file_keys[str(Path(path).resolve())] = key


def key_for(path: Path | str, live: Any = None) -> str | None:
    """The key of file `path`: one remembered for it, else the live database's (a backup made
    by VACUUM INTO from an encrypted database is encrypted with its key), else None (plain)."""
    found = _file_keys.get(str(Path(path).resolve()))
    if found is not None:
        return found
    return getattr(live, "cipher_key", None)


def site_file(url: str | None) -> Path | None:
    """The SQLite file a database URL names (resolved as open_database does), None for a server:
    only a file is encrypted by us."""
    from db.connection import resolve_url, sqlite_path

    return sqlite_path(resolve_url(url))
