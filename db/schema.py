"""Schema versions: numbered scripts in db/migrations run by playhouse.migrations."""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from peewee import Database
from playhouse.migrations import Runner

from db import capture
from db.connection import is_sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HISTORY_TABLE = "schema_migration"


class SchemaTooNew(Exception):
    """The database was written by a newer trainer; this code must not touch it."""


@dataclass(frozen=True)
class SchemaStatus:
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]  # applied here but no such script: a newer version wrote it

    @property
    def version(self) -> int:
        return max((int(n[:4]) for n in self.applied if n[:4].isdigit()), default=0)

    @property
    def latest(self) -> int:
        return max((int(n[:4]) for n in self.applied + self.pending if n[:4].isdigit()), default=0)


def runner(db: Database) -> Runner:
    return Runner(db, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE)


def status(db: Database) -> SchemaStatus:
    rows = runner(db).status()
    return SchemaStatus(
        applied=tuple(m.name for m in rows if m.applied and m.path),
        pending=tuple(m.name for m in rows if not m.applied),
        unknown=tuple(m.name for m in rows if m.applied and not m.path),
    )


def check_not_newer(state: SchemaStatus) -> None:
    if state.unknown:
        raise SchemaTooNew(
            f"this database was written by a newer trainer (schema {', '.join(state.unknown)}); "
            "upgrade trainer before opening it"
        )


def upgrade(db: Database, *, target: str | None = None, backup: bool = True) -> tuple[list[str], Path | None]:
    """Apply pending migrations; an existing SQLite database is copied aside first.

    Returns the applied names and the backup path (if one was written).
    """
    state = status(db)
    check_not_newer(state)
    if not state.pending:
        return [], None
    backup_path = None
    if backup and state.applied and is_sqlite(db) and db.database != ":memory:":
        backup_path = backup_sqlite(db, f"pre-v{state.latest:04d}")
    applied = runner(db).up(target)
    if "0013_sync" in status(db).applied:
        capture.install(db)  # the triggers follow the tables' columns (db/capture.py)
    if "0013_sync" in applied:
        capture.backfill(db)  # records made before the change log existed: logged once, as inserts
    else:  # the tables captured from a later version on, likewise
        later = ("0014_sync_more", capture.CAPTURED_SINCE_0014), ("0016_sync_units", capture.CAPTURED_SINCE_0016)
        tables = tuple(t for name, group in later if name in applied for t in group)
        if tables:
            capture.backfill(db, tables)
    return applied, backup_path


def backup_sqlite(db: Database, tag: str) -> Path:
    """A consistent copy beside the database file, through SQLite's backup API."""
    source = Path(db.database)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"{source.stem}.{tag}.{stamp}.bak{source.suffix}")
    conn = db.connection()
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target
