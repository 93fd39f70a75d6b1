"""Signing in while another program holds SQLite's one write lock (a long import).

A sign-in writes: the attempt is counted before the password is checked (the throttle),
then last_login and an audit event. On SQLite a roster import holds the only write lock
for its whole transaction (imports are all-or-nothing), so a command that only reads
used to wait 10 s for it and fail "busy". A reader must never fail because a writer runs.

So a command's sign-in first tries the database with a short wait (`sign_in`). When the
lock is held, the attempt goes into a small ledger file beside the database
(`<file>-signin`, its own lock, held for milliseconds): counted there, atomically, on top
of the database's own count, so the lock-out holds exactly as before, and the password is
checked only after the count is committed. The ledger's events wait there; the next
writer of the database (every audit append, every counted sign-in) replays them into the
database in their order, with their own times (`drain`): the counts, last_login and the
audit events. A mark in the database (setting `signin.drained`, written in the same
transaction) names the last ledger row replayed, so none is replayed twice.

On an encrypted site the ledger is a SQLCipher file too, keyed from the database key (an
HKDF of it, so the two files never share a key): who signed in, and when, is no more readable
than the database. Only a process that unlocked the database has that key, and a sign-in
reaches the ledger after unwrapping it. A ledger its key no longer opens (the site was
rekeyed or converted since; both replay it first, being writers) is stale and started anew.

PostgreSQL locks rows, not the database: there is no ledger and nothing changes there.
"""

from __future__ import annotations

import datetime
import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import OperationalError

from db import cipher, models
from db.connection import database
from db.dialect import dialect
from db.models.security import LoginThrottle
from trainer.accounts import audit
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import DatabaseBusy, PermissionDenied

SUFFIX = "-signin"
MARK_SETTING = "signin.drained"
TRY_WRITE_FOR = 1.0  # seconds a sign-in waits for the database's write lock before using the ledger
PENDING_FOR = datetime.timedelta(seconds=60)  # an attempt still being checked; older: the process died

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,                 -- 'user:<id>', or 'name:<fingerprint>' for a name that matches none
    user_id INTEGER, username TEXT NOT NULL, role TEXT NOT NULL, uuid TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,             -- pending (counted, being checked), failed, ok, locked, disabled
    wait TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class Attempt:
    id: int
    key: str
    user_id: int | None
    username: str
    role: str
    uuid: str
    at: datetime.datetime
    outcome: str
    wait: str


def ledger_path() -> Path | None:
    return dialect().beside(SUFFIX)


def _key() -> str | None:
    """The ledger's SQLCipher key on an encrypted site (None: a plain site, a plain ledger)."""
    db_key = getattr(database.obj, "cipher_key", None)
    if db_key is None:
        return None
    from cryptography.hazmat.primitives import hashes  # here: a plain site (and the app's start) needs none
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trainer sign-in ledger")
    return hkdf.derive(bytes.fromhex(db_key)).hex()


def _open(path: Path, *, create: bool) -> Any:
    """A connection to the ledger (sqlite3, or sqlcipher3 with the ledger's key). Raises
    sqlite3.Error for any failure of either driver, so callers handle one class."""
    key = _key()
    if not create and not path.exists():
        raise sqlite3.OperationalError("no ledger yet")
    try:
        conn = cipher.connect(path, key, timeout=10, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            conn.close()
            raise
    except cipher.errors() as exc:
        if "not a database" in str(exc) and create:
            # Stale: written under a key this site no longer has (rekey, conversion), whose
            # writer replayed it first. Started anew, never left readable beside the database.
            path.unlink(missing_ok=True)
            for extra in ("-journal", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
            return cipher.connect(path, key, timeout=10, isolation_level=None)
        raise sqlite3.OperationalError(str(exc)) from None
    return conn


@contextmanager
def _ledger(path: Path, *, write: bool) -> Iterator[Any]:
    """The ledger, in one transaction (IMMEDIATE when `write`: attempts are counted one at a time)."""
    conn = _open(path, create=write)
    try:
        if write:
            conn.executescript(_SCHEMA)
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)  # who signed in when: as private as the database
            conn.execute("INSERT OR IGNORE INTO meta (k, v) VALUES ('generation', ?)", (secrets.token_hex(8),))
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except cipher.errors() as exc:
        if isinstance(exc, sqlite3.Error):
            raise
        raise sqlite3.OperationalError(str(exc)) from None
    finally:
        conn.close()


def _mark(value: str | None) -> tuple[str, int]:
    try:
        found = json.loads(value or "{}")
        return str(found["generation"]), int(found["id"])
    except (ValueError, KeyError, TypeError):
        return "", 0


def _since(conn: Any, mark: tuple[str, int], key: str | None = None) -> list[Attempt]:
    """Ledger rows not yet in the database, oldest first (all of them if the ledger is not the marked one)."""
    generation = conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()
    after = mark[1] if generation and generation[0] == mark[0] else 0
    sql = "SELECT id, key, user_id, username, role, uuid, at, outcome, wait FROM attempt WHERE id > ?"
    args: tuple[Any, ...] = (after,)
    if key is not None:
        sql, args = sql + " AND key = ?", (after, key)
    rows = conn.execute(sql + " ORDER BY id", args).fetchall()
    return [
        Attempt(r[0], r[1], r[2], r[3], r[4], r[5], datetime.datetime.fromisoformat(r[6]), r[7], r[8]) for r in rows
    ]


def replay(
    failures: int, until: datetime.datetime | None, attempts: Iterable[Attempt]
) -> tuple[int, datetime.datetime | None]:
    """The throttle after these attempts, as users._reserve would have counted them one by one."""
    from trainer.accounts.users import delay_after

    for a in attempts:
        if a.outcome == "ok":
            failures, until = 0, None
        elif a.outcome in ("pending", "failed"):
            failures += 1
            delay = delay_after(failures)
            until = a.at + delay if delay else None
    return failures, until


# --- signing in ---------------------------------------------------------------


def sign_in(username: str, password: str) -> Actor:
    """A command's sign-in: the database's own, or the ledger's while another writer holds the lock."""
    from trainer.accounts import users

    path = ledger_path()
    if path is None:
        return users.authenticate(username, password)
    with database.connection_context():
        try:
            with dialect().lock_wait(TRY_WRITE_FOR):
                return users.authenticate(username, password)
        except OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
    try:
        return _ledger_sign_in(path, username.strip(), password)
    except sqlite3.Error as exc:  # the folder is read-only, or the ledger itself is damaged
        raise DatabaseBusy(f"busy: another program is writing to the database, and {path.name}: {exc}") from None


def _ledger_sign_in(path: Path, username: str, password: str) -> Actor:
    from trainer.accounts import users

    now = users.clock()
    U, S, T = models.User, models.Setting, LoginThrottle
    mark_q = S.select(S.value).where(S.key == MARK_SETTING)
    who: tuple[int | None, str, str, str]
    counted: Any  # a select of (failures, locked until, the ledger mark) on User or LoginThrottle
    with database.connection_context():
        user = U.get_or_none(U.username == username)
        if user is not None:
            key, who = f"user:{user.id}", (user.id, user.username, user.role, str(user.uuid))
            counted = U.select(U.failed_logins, U.locked_until, mark_q.alias("m")).where(U.id == user.id)
        else:
            fingerprint = users._fingerprint(username)
            key, who = f"name:{fingerprint}", (None, "", "", fingerprint[:12])
            counted = T.select(T.failed_logins, T.locked_until, mark_q.alias("m")).where(T.name_key == fingerprint)
        with _ledger(path, write=True) as conn:
            # One statement, one snapshot of the database: its count and how much of the ledger it holds.
            failures, until, mark = counted.tuples().first() or (0, None, mark_q.scalar())
            failures, until = replay(failures, until, _since(conn, _mark(mark), key))
            locked = until is not None and until > now
            if locked:
                assert until is not None
                _add(conn, key, who, now, "locked", users._wait_text(until - now))
            else:
                failures += 1
                row = _add(conn, key, who, now, "pending")
    if locked:  # refused unchecked, as users._check_password does; the refusal is in the ledger
        assert until is not None
        raise users._refused(failures, until, now)
    if user is None:
        users._verify(users._decoy_hash(), password)
        _settle(path, row, "failed")
        raise users._failed(failures, now)
    matches, _legacy = users._verify(user.password_hash, password)  # rehashed at a later sign-in
    if not matches:
        _settle(path, row, "failed")
        raise users._failed(failures, now)
    if user.disabled:
        _settle(path, row, "disabled")
        raise PermissionDenied("this account is disabled: ask an administrator")
    _settle(path, row, "ok")
    with database.connection_context():
        return users._actor_for(user, None)


def _add(conn: Any, key: str, who: tuple[Any, ...], at: datetime.datetime, outcome: str, wait: str = "") -> int:
    cur = conn.execute(
        "INSERT INTO attempt (key, user_id, username, role, uuid, at, outcome, wait) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (key, *who, at.isoformat(), outcome, wait),
    )
    return int(cur.lastrowid or 0)


def _settle(path: Path, row: int, outcome: str) -> None:
    with _ledger(path, write=True) as conn:
        conn.execute("UPDATE attempt SET outcome = ? WHERE id = ?", (outcome, row))


# --- writing the ledger into the database ------------------------------------------


def drain() -> list[tuple[Actor, datetime.datetime, audit.Pending]]:
    """Inside a write transaction of the database: apply the ledger's attempts (counts,
    last_login) and return their audit events for the caller to chain, oldest first.
    Rows still being checked stop the replay there; they are taken by a later writer."""
    path = ledger_path()
    if path is None or not path.exists():
        return []
    S = models.Setting
    mark = _mark(S.select(S.value).where(S.key == MARK_SETTING).scalar())
    try:
        with closing(_open(path, create=False)) as conn:
            found = conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()
            attempts = _since(conn, mark) if found else []
    except cipher.errors():
        return []  # no ledger yet, or unreadable: the sign-ins it would hold were refused "busy"
    now = models.now()
    ready = []
    for a in attempts:
        if a.outcome == "pending" and now - a.at < PENDING_FOR:
            break
        ready.append(a)
    if not ready:
        return []
    events = []
    for key in dict.fromkeys(a.key for a in ready):
        mine = [a for a in ready if a.key == key]
        _apply(key, mine)
        events += [_event(a) for a in mine]
    done = ready[-1].id
    S.insert(key=MARK_SETTING, value=json.dumps({"generation": found[0], "id": done})).on_conflict(
        conflict_target=[S.key], update={S.value: json.dumps({"generation": found[0], "id": done})}
    ).execute()
    database.after_commit(lambda: _forget(path, done))
    return events


def _apply(key: str, attempts: list[Attempt]) -> None:
    U, T = models.User, LoginThrottle
    if key.startswith("user:"):
        where = U.id == int(key[5:])
        current = U.select(U.failed_logins, U.locked_until).where(where).tuples().first()
        if current is None:
            return  # the account was deleted since
        failures, until = replay(current[0], current[1], attempts)
        values: dict[Any, Any] = {U.failed_logins: failures, U.locked_until: until}
        logins = [a.at for a in attempts if a.outcome == "ok"]
        if logins:
            values[U.last_login] = max(logins)
        U.update(values).where(where).execute()
    else:
        name_key = key[5:]
        T.insert(name_key=name_key).on_conflict_ignore().execute()
        current = T.select(T.failed_logins, T.locked_until).where(T.name_key == name_key).tuples().get()
        failures, until = replay(current[0], current[1], attempts)
        T.update(failed_logins=failures, locked_until=until).where(T.name_key == name_key).execute()


def _event(a: Attempt) -> tuple[Actor, datetime.datetime, audit.Pending]:
    note = {"while_busy": True}
    if a.user_id is None:
        return (
            SYSTEM,
            a.at,
            audit.Pending(
                "login-failed", "user", "", extra={"reason": "unknown user", "name_fingerprint": a.uuid, **note}
            ),
        )
    actor = Actor(a.user_id, a.username, a.role)
    if a.outcome == "ok":
        return actor, a.at, audit.Pending("login", "user", a.uuid, extra={"client": "cli", **note})
    if a.outcome == "locked":
        return (
            actor,
            a.at,
            audit.Pending("login-refused", "user", a.uuid, extra={"reason": "locked", "wait": a.wait, **note}),
        )
    if a.outcome == "disabled":
        return actor, a.at, audit.Pending("login-refused", "user", a.uuid, extra={"reason": "disabled", **note})
    reason = "wrong password" if a.outcome == "failed" else "not finished (the process ended)"
    return actor, a.at, audit.Pending("login-failed", "user", a.uuid, extra={"reason": reason, **note})


def _forget(path: Path, done: int) -> None:
    """After the database committed the replay: the ledger's copies are no longer needed."""
    try:
        with _ledger(path, write=True) as conn:
            conn.execute("DELETE FROM attempt WHERE id <= ?", (done,))
    except sqlite3.Error:
        pass  # the mark in the database already keeps them from being replayed twice


def waiting() -> bool:
    """Are there ledger rows the database does not hold yet?"""
    path = ledger_path()
    if path is None or not path.exists():
        return False
    S = models.Setting
    with database.connection_context():
        mark = _mark(S.select(S.value).where(S.key == MARK_SETTING).scalar())
    try:
        with closing(_open(path, create=False)) as conn:
            return bool(_since(conn, mark))
    except cipher.errors():
        return False


def flush() -> None:
    """At the end of a command that signed in through the ledger: write it into the database
    now if the lock is free; else the next writer will."""
    if not waiting():
        return
    with database.connection_context():
        try:
            with dialect().lock_wait(0.2), database.atomic():
                audit.record_many(SYSTEM, [])
        except OperationalError:
            pass
