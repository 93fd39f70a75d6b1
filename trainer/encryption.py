"""Encrypted sites, in order: unwrap the key, open the database with it, then sign in as usual.

On an encrypted SQLite file nothing can be read before the key is unwrapped, so the app's
sign-in and the CLI's `--user` first unlock the key file (trainer.accounts.sealing), then
open the database with the key (db.cipher), then call the normal authenticate() with its
throttle and audit. Also here: creating an encrypted database (`init --encrypt`),
converting a plain one (`encrypt`) and changing the key (`rekey`). See docs/encryption.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db import cipher
from db.connection import EncryptedDatabase, database
from trainer.accounts import sealing
from trainer.accounts.access import Actor, require
from trainer.errors import DatabaseError, FieldProblem, PermissionDenied, TrainerError, ValidationFailed

if TYPE_CHECKING:
    from trainer.accounts.keys import KeySpec
    from trainer.setup import Opened

RECOVERY_ENV = "TRAINER_RECOVERY_KEY"


def site_path(url: str | None) -> Path | None:
    """The SQLite file `url` names (resolved as connect() does), None for a server."""
    return cipher.site_file(url)


def is_encrypted(url: str | None) -> bool:
    return cipher.is_encrypted(site_path(url))


def locked(url: str | None) -> bool:
    """An encrypted site whose keys this process does not hold yet (the app then shows its sign-in)."""
    return sealing.current is None and is_encrypted(url)


def unlock(url: str | None, username: str, password: str) -> sealing.Unlocked:
    """Unwrap this site's keys for a user and hold them in this process; Locked (one line,
    "unknown user or wrong password") otherwise, with nothing changed."""
    path = site_path(url)
    if path is None or not cipher.is_encrypted(path):
        raise DatabaseError("this database is not encrypted")
    keys = sealing.unlock(cipher.key_file(path), username, password)
    sealing.hold(keys)
    return keys


def open_key(keys: sealing.Unlocked, path: Path) -> str:
    """The key that opens `path`: the recorded one, or, after a rekey cut short between its two
    steps, the pending one (which then becomes the key)."""
    if keys.next_key is None:
        return keys.db_key
    try:
        cipher.check_key(path, keys.db_key)
    except cipher.WrongKey:
        sealing.finish_rekey(keys, done=True)
        return keys.db_key
    sealing.finish_rekey(keys, done=False)
    return keys.db_key


def connect_signed_in(url: str | None, username: str, password: str, *, create: bool = False) -> Opened:
    """Unlock, then open (trainer.setup.connect with the key); the caller then authenticates."""
    from trainer.setup import connect

    keys = unlock(url, username, password)
    path = site_path(url)
    assert path is not None
    try:
        return connect(url, create=create, key=open_key(keys, path))
    except DatabaseError:
        sealing.hold(None)
        raise


# --- creating and converting ----------------------------------------------------------


@dataclass(frozen=True)
class Created:
    path: Path
    recovery_key: str  # shown once; the only copy is what the person writes down


def init_encrypted(url: str | None, admin: str, password: str) -> Created:
    """A new encrypted database with its first administrator (and the recovery key)."""
    from trainer.accounts.users import MIN_PASSWORD, create_user
    from trainer.setup import connect

    path = site_path(url)
    if path is None:
        raise DatabaseError("only a SQLite database is encrypted by trainer; PostgreSQL encrypts on its server")
    if cipher.is_encrypted(path):
        raise DatabaseError(f"{path} is already encrypted")
    if path.exists() and path.stat().st_size > 0:
        raise DatabaseError(f"{path} exists and is not encrypted: use `trainer encrypt` to convert it")
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed([FieldProblem("password", f"at least {MIN_PASSWORD} characters")])
    path.parent.mkdir(parents=True, exist_ok=True)
    keys, recovery = sealing.create(cipher.key_file(path), admin, password)
    sealing.hold(keys)
    try:
        connect(url, create=True, key=keys.db_key)
        create_user(None, admin, "admin", password)
    except BaseException:
        sealing.hold(None)
        cipher.key_file(path).unlink(missing_ok=True)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)
    return Created(path, recovery)


# The key files that become sealed secrets when a plain site is converted (trainer.accounts.keys).
def _key_specs() -> tuple[KeySpec, ...]:
    from trainer.accounts.audit import AUDIT_KEY
    from trainer.certification.signing import SIGNING_KEY
    from trainer.reporting.pseudonyms import PSEUDONYM_KEY

    return (AUDIT_KEY, PSEUDONYM_KEY, SIGNING_KEY)


@dataclass(frozen=True)
class Converted:
    path: Path
    plain_copy: Path | None
    recovery_key: str
    sealed: tuple[str, ...]  # key files moved into the key file (and removed)


def encrypt_existing(url: str | None, actor: Actor, password: str, *, keep_plain: bool = False) -> Converted:
    """Convert the open plain database at `url` into an encrypted one, in place.

    The acting admin's password becomes the first wrap; other users get theirs when an admin
    sets their passwords (their old password cannot be learnt from its hash). The plain file
    is removed unless `keep_plain` (then renamed aside: the caller warns)."""
    from trainer.accounts import keys as key_files
    from trainer.accounts.users import authenticate

    require(actor, "user.manage")
    path = site_path(url)
    if path is None:
        raise DatabaseError("only a SQLite database is encrypted by trainer; PostgreSQL encrypts on its server")
    if cipher.is_encrypted(path):
        raise DatabaseError(f"{path} is already encrypted")
    authenticate(actor.username, password)  # the password that will open it is checked now, not after
    secrets_found = {}
    for spec in _key_specs():
        if os.environ.get(spec.env):
            continue  # an operator-managed key: stays where the operator keeps it
        file = key_files.default_path(spec)
        if file.exists():
            secrets_found[spec.file] = (file, key_files.load(spec, create=False))
    checkpointer = getattr(database.obj, "checkpointer", None)
    database.obj.close()
    if checkpointer is not None:
        checkpointer.stop()  # also empties the WAL into the file: the export reads one file
    target = path.with_name(path.name + ".encrypting")
    target.unlink(missing_ok=True)
    keyfile = cipher.key_file(path)
    staged_keys = keyfile.with_name(keyfile.name + ".new")
    staged_keys.unlink(missing_ok=True)
    keys, recovery = sealing.create(staged_keys, actor.username, password)
    try:
        _lock_or_refuse(path)
        cipher.export_encrypted(path, target, keys.db_key)
        _check(target, keys.db_key)
        os.chmod(target, 0o600)
    except BaseException:
        target.unlink(missing_ok=True)
        staged_keys.unlink(missing_ok=True)
        raise
    plain_copy = path.with_name(f"{path.stem}.plain{path.suffix}") if keep_plain else None
    keys.path = keyfile
    os.replace(staged_keys, keyfile)
    sealing.hold(keys)
    for name, (_, text) in secrets_found.items():
        sealing.seal_secret(keys, name, text)
    if plain_copy is not None:
        os.replace(path, plain_copy)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(target, path)
    for _, (file, _) in secrets_found.items():
        file.unlink()
    from trainer.setup import connect

    connect(url, create=False, key=keys.db_key)
    _audit(actor, "encrypt", sealed=sorted(secrets_found), plain_copy=str(plain_copy or ""))
    return Converted(path, plain_copy, recovery, tuple(secrets_found))


def _lock_or_refuse(path: Path) -> None:
    """Refuse while another program has the database open (its later writes would be lost)."""
    import sqlite3

    conn = sqlite3.connect(str(path), timeout=1, isolation_level=None)
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise sqlite3.OperationalError("database is locked")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    except sqlite3.OperationalError:
        raise TrainerError(
            "the database is open in another program: close it, then try again; nothing changed"
        ) from None
    finally:
        conn.close()


def _check(path: Path, key: str) -> None:
    conn = cipher.connect(path, key)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    finally:
        conn.close()
    if rows != ["ok"]:
        raise TrainerError(f"the encrypted copy fails its integrity check ({'; '.join(rows[:3])}); nothing changed")


# --- rekey ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rekeyed:
    recovery_key: str | None  # a new one when the master key was replaced


def rekey(actor: Actor, password: str, *, new_master: bool = False) -> Rekeyed:
    """A new database key (after a suspected loss); every user's wrap stays valid. With
    `new_master` also a new master key: only the acting admin's wrap (and a new recovery key)
    remain; the others get theirs when an admin re-sets their passwords."""
    from trainer.accounts.users import authenticate
    from trainer.setup import connect

    require(actor, "user.manage")
    keys = sealing.current
    if keys is None or keys.username is None:
        raise DatabaseError("this database is not encrypted, or was opened without a sign-in")
    authenticate(actor.username, password)
    path = Path(database.obj.database)
    checkpointer = getattr(database.obj, "checkpointer", None)
    database.obj.close()
    if checkpointer is not None:
        checkpointer.stop()
    new = sealing.begin_rekey(keys)
    try:
        cipher.rekey(path, keys.db_key, new)
    except cipher.errors() as exc:
        sealing.finish_rekey(keys, done=False)
        connect(f"sqlite:///{path}", create=False, key=keys.db_key)
        if "locked" in str(exc) or "busy" in str(exc):
            raise TrainerError(
                "the database is open in another program: close every app and command using it, "
                "then rekey again; nothing changed"
            ) from None
        raise
    sealing.finish_rekey(keys, done=True)
    recovery = sealing.new_master(keys, password) if new_master else None
    connect(f"sqlite:///{path}", create=False, key=keys.db_key)
    _audit(actor, "rekey", new_master=new_master)
    return Rekeyed(recovery)


def _audit(actor: Actor, action: str, **details: Any) -> None:
    from trainer.accounts import audit

    with database.connection_context(), database.atomic():
        audit.record(actor, action, "database", "", **details)


def refuse_locked(exc: sealing.Locked) -> PermissionDenied:
    return PermissionDenied(str(exc))


__all__ = ["EncryptedDatabase"]


# --- the app's sign-in and first run ----------------------------------------------------------


def sign_in(
    url: str, username: str, password: str, *, session: str = "tui", waiting: Callable[[], None] | None = None
) -> Actor:
    """The app's sign-in on an encrypted site: the key file first (nothing is read before it
    opens), then the database if this process has not opened it yet, then the sign-in
    (trainer/accounts/app_sign_in.py: never a hang while an import holds the lock)."""
    from trainer.accounts import app_sign_in

    try:
        keys = unlock(url, username, password)
    except sealing.Locked as exc:
        raise PermissionDenied(str(exc)) from None
    open_db = database.obj
    if open_db is None or getattr(open_db, "cipher_key", None) not in (keys.db_key, keys.next_key):
        path = site_path(url)
        assert path is not None
        from trainer.setup import connect

        connect(url, create=False, key=open_key(keys, path))
    # as the app signs in on a plain file: through the ledger while an import holds the lock
    return app_sign_in.sign_in(username, password, session=session, waiting=waiting)


def _holds_records() -> bool:
    """Anything beyond the schema and reference data: then the file is not "new" and is never removed."""
    from db import models

    with database.connection_context():
        return any(m.select().exists() for m in (models.Trainee, models.Course, models.Cohort, models.Centre))


def first_run_encrypted(url: str, username: str, password: str) -> Created:
    """The app's first run with "encrypt" ticked: the new, still empty plain database that
    start-up made is replaced by an encrypted one with this administrator."""
    from trainer.accounts.users import MIN_PASSWORD, count_users

    path = site_path(url)
    if path is None:
        raise DatabaseError("only a SQLite database is encrypted by trainer")
    if len(password) < MIN_PASSWORD:  # refused before the plain file goes
        raise ValidationFailed([FieldProblem("password", f"at least {MIN_PASSWORD} characters")])
    if not username.strip():
        raise ValidationFailed([FieldProblem("username", "give a user name")])
    if database.obj is not None and path.exists() and not cipher.is_encrypted(path):
        if count_users() or _holds_records():
            raise DatabaseError("this database already holds records: use `trainer encrypt` to convert it")
        checkpointer = getattr(database.obj, "checkpointer", None)
        database.obj.close()
        if checkpointer is not None:
            checkpointer.stop()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    return init_encrypted(url, username, password)
