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


# Other sessions on the database: (who, where, since) of every client backend but the caller's own.
_OTHERS_SQL = """
SELECT string_agg(format('%s (%s, pid %s, %s since %s)', coalesce(nullif(application_name, ''), 'unnamed client'),
                         usename, pid, coalesce(host(client_addr), 'local'), to_char(backend_start, 'HH24:MI')),
                  ', ' ORDER BY backend_start)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND application_name <> '{me}'
"""
_HEAD_SQL = "SELECT coalesce((SELECT id || ':' || chain FROM public.audit_event ORDER BY id DESC LIMIT 1), '0:')"
_MARK = "trainer-restore: "
LOCK_WAIT = "10s"  # how long the restore waits for running transactions to end before refusing


def _others_sql() -> str:
    """Every client backend but this process's own (closed first; an earlier pool of this process
    that is still open is not another program) and the asking one."""
    from db.postgres import app_name

    return _OTHERS_SQL.replace("{me}", app_name().replace("'", ""))


def _psql_value(sql: str, args: list[str], env: dict[str, Any]) -> str:
    cmd = ["psql", "--quiet", "--no-psqlrc", "--tuples-only", "--no-align", "-v", "ON_ERROR_STOP=1", *args]
    return _run([*cmd, "--command", sql], env, "asking the server (psql)").stdout.strip()


def _audit_head(args: list[str], env: dict[str, Any]) -> str:
    exists = _psql_value("SELECT to_regclass('public.audit_event') IS NOT NULL", args, env)
    return _psql_value(_HEAD_SQL, args, env) if exists == "t" else "0:"


def _guard(head: str) -> str:
    """SQL run first in the restore's transaction: lock every table (new statements from other
    clients wait, and then see the restored tables), refuse if anyone else is connected, and
    refuse if the audit head moved since the replaced database was dumped (a save made in
    between would be in neither the dump nor the restored database)."""
    if not head.replace(":", "").isalnum():
        raise CopyFailed(f"unexpected audit head {head!r}")
    return f"""SET lock_timeout = '{LOCK_WAIT}';
DO $trainer$
DECLARE t record; others text; now_head text := '0:';
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', t.tablename);
  END LOOP;
  {_others_sql().strip()} INTO others;
  IF others IS NOT NULL THEN
    RAISE EXCEPTION '{_MARK}other clients are connected to this database: %; close them, then restore again', others;
  END IF;
  IF to_regclass('public.audit_event') IS NOT NULL THEN
    EXECUTE $h${_HEAD_SQL}$h$ INTO now_head;
  END IF;
  IF now_head <> '{head}' THEN
    RAISE EXCEPTION '{_MARK}the database changed while the restore was getting ready; restore again';
  END IF;
END $trainer$;
"""


def pg_restore(file: Path, stamp: str) -> Path:
    """Replace the database's schema with the backup's, in one transaction, with nobody else on it.

    Other sessions (an app left open, a command running) are refused by name before
    anything is copied, and again inside the restore's own transaction once every table
    is locked: a save can then be neither lost between the copy of the replaced database
    and the swap, nor acknowledged into tables that are about to go.
    """
    args, env = _pg_env()
    kept = file.with_name(f"{database.obj.database}.replaced-{stamp}.dump")
    close_all = getattr(database.obj, "close_all", None)
    if close_all is not None:
        close_all()  # this process's own pooled connections are not "other clients"
    elif not database.obj.is_closed():
        database.obj.close()
    others = _psql_value(_others_sql(), args, env)
    if others:
        raise CopyFailed(
            f"other clients are connected to this database: {others}; close them, then restore again; "
            "nothing was changed"
        )
    head = _audit_head(args, env)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(kept), *args],
        env,
        "keeping the current database (pg_dump)",
    )
    sql = _run(["pg_restore", "--no-owner", "--file", "-", str(file)], env, "reading the backup").stdout
    # One transaction: the old schema goes and the backup comes in together, or nothing changes.
    script = _guard(head) + "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" + sql
    cmd = ["psql", "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1", *args]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, input=script)
    except FileNotFoundError:
        raise CopyFailed("psql is not installed: install the PostgreSQL client tools") from None
    if done.returncode != 0:
        kept.unlink(missing_ok=True)  # nothing was replaced: nothing to keep
        said = (done.stderr or done.stdout).strip().splitlines()
        mine = [line.split(_MARK, 1)[1] for line in said if _MARK in line]
        if mine:
            raise CopyFailed(f"{mine[0]}; nothing was changed")
        errors = [line.split("ERROR:", 1)[1].strip() for line in said if "ERROR:" in line] or said[-1:]
        if errors and "lock timeout" in errors[0]:
            raise CopyFailed(
                f"the database stayed busy for {LOCK_WAIT}: another program is writing; nothing was changed"
            )
        raise CopyFailed(f"restoring (psql) failed: {errors[0] if errors else 'no reason given'}; nothing was changed")
    return kept
