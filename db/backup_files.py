"""The file side of backups, per database: a consistent copy, its check, and replacing the live database.

SQLite: `VACUUM INTO` writes a consistent copy in one statement (a read transaction:
writers carry on through WAL), checked by `PRAGMA integrity_check`. PostgreSQL: `pg_dump`
of a snapshot exported from a REPEATABLE READ transaction, in which the caller's facts
(counts, audit head) are read too, checked by `pg_restore --list`. What a backup means
(manifest, signature, audit) is trainer.accounts.backup's; these functions only move bytes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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
    conn = sqlite3.connect(partial)
    try:
        _integrity(conn, partial)
        return facts(lambda sql: conn.execute(sql).fetchall())
    finally:
        conn.close()


def sqlite_counts(file: Path, tables: Iterable[str]) -> dict[str, Any]:
    """Row counts of `tables` in a backup file, after its integrity check."""
    conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        _integrity(conn, file)
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection, path: Path) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        raise CopyFailed(f"{path} fails its integrity check: {'; '.join(rows[:3])}")


def sqlite_restore(file: Path, stamp: str) -> Path | None:
    live = Path(database.obj.database)
    if not database.obj.is_closed():
        database.obj.close()
    checkpointer = getattr(database.obj, "checkpointer", None)
    if checkpointer is not None:
        checkpointer.stop()  # a last checkpoint; its connection must not follow the file aside
    kept = None
    if live.exists():
        kept = live.with_name(f"{live.stem}.replaced-{stamp}{live.suffix}")
        # The database and its WAL move together, so the kept copy is whole.
        for suffix in ("", "-wal", "-shm"):
            side = Path(str(live) + suffix)
            if side.exists():
                os.replace(side, Path(str(kept) + suffix))
    incoming = live.with_name(live.name + ".restoring")
    shutil.copyfile(file, incoming)
    os.replace(incoming, live)
    if checkpointer is not None:
        attach_checkpointer(database.obj, live)
    return kept


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
