"""The file side of backups, per database: a consistent copy, its check, and replacing the live database.

SQLite: `VACUUM INTO` writes a consistent copy in one statement (a read transaction:
writers carry on through WAL), checked by `PRAGMA integrity_check`. PostgreSQL: `pg_dump`
of a snapshot exported from a REPEATABLE READ transaction, in which the caller's facts
(counts, audit head) are read too, checked by `pg_restore --list`. What a backup means
(manifest, signature, audit) is trainer.accounts.backup's; these functions only move bytes.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from db import cipher
from db.connection import attach_checkpointer, database

Execute = Callable[[str], list[Any]]  # runs a SELECT inside the copy's snapshot, returns its rows
Facts = Callable[[Execute], dict[str, Any]]


class CopyFailed(Exception):
    """A copy, check or restore step failed; the message is one line for the user."""


# --- SQLite ----------------------------------------------------------------------


def sqlite_copy(partial: Path, facts: Facts) -> dict[str, Any]:
    with database.connection_context():
        # One statement, one read transaction: every change committed before it began is in the copy.
        database.execute_sql("VACUUM INTO ?", (str(partial),))
    # An encrypted database's copy is encrypted with its key (SQLCipher's VACUUM INTO).
    conn = cipher.connect(partial, getattr(database.obj, "cipher_key", None))
    try:
        _integrity(conn, partial)
        return facts(lambda sql: conn.execute(sql).fetchall())
    finally:
        conn.close()


def sqlite_counts(file: Path, tables: Iterable[str]) -> dict[str, Any]:
    """Row counts of `tables` in a backup file, after its integrity check."""
    conn = cipher.connect(file, cipher.key_for(file, database.obj), readonly=True)
    try:
        _integrity(conn, file)
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection, path: Path) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        raise CopyFailed(f"{path} fails its integrity check: {'; '.join(rows[:3])}")


RESTORE_WAIT = 5  # seconds to wait for the database to be free before refusing


def sqlite_restore(file: Path, stamp: str) -> Path | None:
    """Copy the backup into the live file (never rename it away) while holding it exclusively.

    Renaming the file let open programs go on saving into the renamed file, told
    "saved" while the live database no longer had their work. Instead one
    connection takes SQLite's exclusive lock (no other connection may read or write
    until it closes), copies the current database aside, and copies the backup in,
    page by page, through SQLite's backup API. Any other program that has the
    database open holds it too: the restore is then refused, naming the open
    sign-in sessions, and nothing changes.
    """
    live = Path(database.obj.database)
    sessions = _open_sessions()
    database.obj.close()  # this process's own connections would hold the lock too
    checkpointer = getattr(database.obj, "checkpointer", None)
    if checkpointer is not None:
        checkpointer.stop()  # its connection would hold the lock too
    kept = live.with_name(f"{live.stem}.replaced-{stamp}{live.suffix}")
    live_key = getattr(database.obj, "cipher_key", None)  # an encrypted site: every copy keyed (db/cipher.py)
    lock = cipher.connect(live, live_key, timeout=RESTORE_WAIT, isolation_level=None)
    try:
        lock.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            lock.execute("BEGIN IMMEDIATE")  # the exclusive lock, kept after COMMIT in this mode
            lock.execute("COMMIT")
        except cipher.errors():
            who = f" (open sessions: {', '.join(sessions)})" if sessions else ""
            raise CopyFailed(
                f"the database is in use by another program{who}: close every app and command "
                "using it, then restore again; nothing was changed"
            ) from None
        aside = cipher.connect(kept, live_key)
        try:
            lock.backup(aside)
        finally:
            aside.close()
        os.chmod(kept, 0o600)
        incoming = cipher.connect(file, cipher.key_for(file, database.obj), readonly=True)
        try:
            incoming.backup(lock)
        finally:
            incoming.close()
    finally:
        lock.close()  # releases the lock: waiting programs now see the restored database
        if checkpointer is not None:
            attach_checkpointer(database.obj, live)
    return kept


def _open_sessions() -> list[str]:
    from db import models

    S, U = models.UserSession, models.User
    with database.connection_context():
        rows = (
            S.select(U.username, S.client, S.started_at)
            .join(U, on=(S.user == U.id))
            .where(S.ended_at.is_null())
            .order_by(S.started_at)
            .limit(10)
            .tuples()
        )
        return [f"{name} ({client or 'app'} since {started:%Y-%m-%d %H:%M})" for name, client, started in rows]


# --- PostgreSQL --------------------------------------------------------------------


def _pg_env() -> tuple[list[str], dict[str, Any]]:
    db = database.obj
    params = dict(db.connect_params)
    args = ["--dbname", db.database]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args += [flag, str(params[key])]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _run(cmd: list[str], env: dict[str, Any], what: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        raise CopyFailed(f"{cmd[0]} is not installed: install the PostgreSQL client tools") from None
    if done.returncode != 0:
        raise CopyFailed(f"{what} failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    return done


def pg_dump(partial: Path, facts: Facts) -> dict[str, Any]:
    args, env = _pg_env()
    with database.connection_context():
        conn = database.connection()
        old = conn.autocommit
        conn.autocommit = False
        try:
            with conn.cursor() as cur:
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]

                def execute(sql: str) -> list[Any]:
                    cur.execute(sql)
                    rows: list[Any] = cur.fetchall()
                    return rows

                found = facts(execute)
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot}",
                        "--file",
                        str(partial),
                        *args,
                    ],
                    env,
                    "pg_dump",
                )
            conn.rollback()
        finally:
            conn.autocommit = old
    _run(["pg_restore", "--list", str(partial)], env, "checking the dump (pg_restore --list)")
    return found


def pg_restore(file: Path, stamp: str) -> Path:
    args, env = _pg_env()
    kept = file.with_name(f"{database.obj.database}.replaced-{stamp}.dump")
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(kept), *args],
        env,
        "keeping the current database (pg_dump)",
    )
    sql = _run(["pg_restore", "--no-owner", "--file", "-", str(file)], env, "reading the backup").stdout
    if not database.obj.is_closed():
        database.obj.close()
    # One transaction: the old schema goes and the backup comes in together, or nothing changes.
    script = "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" + sql
    _run(
        ["psql", "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1", *args],
        env,
        "restoring (psql)",
        input=script,
    )
    return kept
