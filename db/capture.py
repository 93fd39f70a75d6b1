"""Change capture for the exchange (docs/sync.md): triggers that log every change to a shared table.

Every service already writes through one transaction; a trigger on each shared table
adds the change-log row (db.models.SyncChange) inside that same transaction, so a
change exists exactly when its log row does — whether it came from a form, a roster
import, a merge or the demo's bulk load — and no service has to remember a call.

Each row gets this database's next sequence number and a hybrid logical clock:
max(now in ms << 16, the largest clock logged so far + 1), so clocks only move forward
and pass every clock received from a peer. Writers are serialised (SQLite's write
lock; on PostgreSQL the audit trail's advisory lock, taken by the trigger), so
positions are handed out in commit order and a peer that acknowledged position n
has every change up to n.

An import applies peers' changes muted (its own transaction only): the triggers stay
silent and the import logs those changes under their origin. SQLite: a row in sync_mute.
PostgreSQL: the transaction-local setting `trainer.mute`, tested in each trigger's WHEN, so a
muted row costs no call of the trigger function (from migration 0017; 100,000 rows of an
import spent about a second of the server's time on calls that returned at once).

The SQLite triggers name each column; they are rebuilt from the live tables after
every migration (db.schema.upgrade), so a column added later is captured too.
PostgreSQL's one trigger function reads the whole row as JSON and needs no list.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from peewee import Database

from db import models
from db.connection import database, is_postgres

# Records that stay where they were made: accounts and sign-in, and what hangs on an account
# (an instructor's qualifications); an import's own batches and held rows (the imported
# records themselves travel).
LOCAL_TABLES = frozenset({"user", "instructor_qualification", "import_batch", "held_row"})
# Columns that are this database's own bookkeeping, never another's business.
LOCAL_COLUMNS = frozenset({"id", "version"})
WRITER_LOCK = 0x7472_6169_6E65  # the audit trail's lock (trainer.accounts.audit.ADVISORY_LOCK)
MUTE_SETTING = "trainer.mute"  # PostgreSQL: 'on' while an import writes (muted)


# Rows without an identity of their own (the course catalogue's links, a kit's manifest and its
# checks' lines, a cohort's delivery): a row is named by its key columns, a reference as the
# UUID of the record it points to ("<uuid>|police"). An edit in place (a kit item's condition,
# a cohort's program) is logged as the old key's deletion and the new row's insertion.
LINKS: dict[str, tuple[str, ...]] = {
    "course_force": ("course_id", "force_id"),
    "course_prerequisite": ("course_id", "requires_id"),
    "course_competency": ("course_id", "competency_id"),
    "competency_tag": ("competency_id", "tag"),
    "kit_item": ("kit_id", "item"),
    "inventory_line": ("check_id", "item"),
    "cohort_delivery": ("cohort_id", "cohort_id"),  # "<uuid>|<uuid>": a name apart from the cohort's own
    "cohort_nation": ("cohort_id", "nation"),
}
# Captured from migration 0014 on: their rows made before are logged once when it applies.
CAPTURED_SINCE_0014 = ("kit_item", "inventory_line", "cohort_delivery", "cohort_nation")
# A record from migration 0016 on (it had no UUID): its rows made before are logged once likewise.
CAPTURED_SINCE_0016 = ("kit_movement",)


@functools.cache
def record_tables() -> tuple[str, ...]:
    return tuple(
        m._meta.table_name
        for m in models.MODELS
        if issubclass(m, models.Record) and m._meta.table_name not in LOCAL_TABLES
    )


@functools.cache
def shared_tables() -> tuple[str, ...]:
    """The tables whose changes travel: every record people create but the local ones, and the links."""
    return record_tables() + tuple(LINKS)


def _parents(table: str) -> list[tuple[str, str | None]]:
    """Each key column of a link table with the record table it points to (None: a plain value)."""
    model = next(m for m in models.MODELS if m._meta.table_name == table)
    by_column = {f.column_name: f for f in model._meta.sorted_fields}
    out: list[tuple[str, str | None]] = []
    for col in LINKS[table]:
        rel = getattr(by_column[col], "rel_model", None)
        out.append((col, rel._meta.table_name if rel is not None and issubclass(rel, models.Record) else None))
    return out


@contextmanager
def muted() -> Iterator[None]:
    """Inside the caller's transaction: writes are not logged as this database's own."""
    _quiet(True)
    try:
        yield
    finally:
        _quiet(False)


@contextmanager
def unmuted() -> Iterator[None]:
    """Inside muted(): a write that is this database's own after all (headquarters' decision
    taken while it applies a peer's changes, as a unit's alias), logged as such."""
    _quiet(False)
    try:
        yield
    finally:
        _quiet(True)


def _quiet(on: bool) -> None:
    if is_postgres():  # local to the transaction: a commit or rollback ends it too
        database.execute_sql(f"SELECT set_config('{MUTE_SETTING}', '{'on' if on else ''}', true)")
    elif on:
        database.execute_sql('INSERT INTO "sync_mute" DEFAULT VALUES')
    else:
        database.execute_sql('DELETE FROM "sync_mute"')


def _present(db: Database, tables: tuple[str, ...]) -> list[str]:
    """Those of `tables` this database has as such (a table a later version adds, or makes a
    record by giving it a UUID as 0016 did kit_movement: not yet)."""
    have = set(db.get_tables())
    return [t for t in tables if t in have and (t in LINKS or any(c.name == "uuid" for c in db.get_columns(t)))]


def install(db: Database) -> None:
    """(Re)create the capture triggers on every shared table; idempotent."""
    if is_postgres(db):
        _install_postgres(db)
    else:
        _install_sqlite(db)


def backfill(db: Database, tables: tuple[str, ...] | None = None) -> int:
    """Log every row of the shared `tables` (default: all) as it stands — for a database from
    before their capture: one insert each, stamped now, so the rows made before still travel.
    Set-based: one statement per table. Returns how many were logged."""
    before = int(db.execute_sql('SELECT count(*) FROM "sync_change"').fetchone()[0])
    with db.atomic():
        for table in _present(db, tables or shared_tables()):
            order = f't."{LINKS[table][0]}"' if table in LINKS else 't."id"'  # a cohort's delivery has no id
            if is_postgres(db):
                key = _pg_key_sql(table) if table in LINKS else 't."uuid"::text'
                fields = "to_jsonb(t) - 'id'" + ("" if table in LINKS else " - 'version'")
                now = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint * 65536"
                larger = "greatest"
            else:
                cols = [c for c in _sqlite_columns(db, table) if c not in LOCAL_COLUMNS]
                key = _sqlite_link_key(table, "t")[0] if table in LINKS else 't."uuid"'
                fields = "json_object(" + ", ".join(f"'{c}', t.\"{c}\"" for c in cols) + ")"
                now, larger = _SQLITE_NOW, "max"
            db.execute_sql(
                'INSERT INTO "sync_change" ("origin", "seq", "hlc", "table_name", "record_uuid", "op", "fields") '
                f'SELECT \'\', (SELECT coalesce(max("seq"), 0) FROM "sync_change" WHERE "origin" = \'\') '
                f"+ row_number() OVER (ORDER BY {order}), "
                f'{larger}({now}, (SELECT coalesce(max("hlc"), 0) + 1 FROM "sync_change")) '
                f"+ row_number() OVER (ORDER BY {order}) - 1, '{table}', {key}, 'i', {fields} "
                f'FROM "{table}" t'
            )
    return int(db.execute_sql('SELECT count(*) FROM "sync_change"').fetchone()[0]) - before


def _pg_key_sql(table: str) -> str:
    parts = []
    for col, parent in _parents(table):
        if parent is None:
            parts.append(f't."{col}"::text')
        else:
            parts.append(f'(SELECT p."uuid"::text FROM "{parent}" p WHERE p."id" = t."{col}")')
    return " || '|' || ".join(parts)


# --- SQLite ------------------------------------------------------------------

_SQLITE_NOW = (
    "(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) "
    '+ coalesce((SELECT "offset_ms" FROM "sync_clock" LIMIT 1), 0)) * 65536'
)
_SQLITE_LOG = (
    'INSERT INTO "sync_change" ("origin", "seq", "hlc", "table_name", "record_uuid", "op", "fields") VALUES '
    '(\'\', (SELECT coalesce(max("seq"), 0) + 1 FROM "sync_change" WHERE "origin" = \'\'), '
    f'max({_SQLITE_NOW}, (SELECT coalesce(max("hlc"), 0) + 1 FROM "sync_change")), '
    "'{table}', {uuid}, '{op}', {fields});"
)
_SQLITE_QUIET = 'NOT EXISTS (SELECT 1 FROM "sync_mute")'


def _sqlite_columns(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()]


def _sqlite_link_key(table: str, row: str) -> tuple[str, str]:
    """(key expression, condition that every parent still exists) for a link row."""
    parts, conds = [], []
    for col, parent in _parents(table):
        if parent is None:
            parts.append(f'{row}."{col}"')
        else:
            parts.append(f'(SELECT "uuid" FROM "{parent}" WHERE "id" = {row}."{col}")')
            conds.append(f'EXISTS (SELECT 1 FROM "{parent}" WHERE "id" = {row}."{col}")')
    return " || '|' || ".join(parts), " AND ".join(conds) or "1"


def _install_sqlite_link(db: Database, table: str) -> None:
    cols = [c for c in _sqlite_columns(db, table) if c not in LOCAL_COLUMNS]
    everything = "json_object(" + ", ".join(f"'{c}', NEW.\"{c}\"" for c in cols) + ")"
    for suffix, when, row, op, fields in (
        ("ai", "INSERT", "NEW", "i", everything),
        ("ad", "DELETE", "OLD", "d", "'{}'"),
    ):
        key, parents_exist = _sqlite_link_key(table, row)
        db.execute_sql(f'DROP TRIGGER IF EXISTS "sync_{table}_{suffix}"')
        db.execute_sql(
            f'CREATE TRIGGER "sync_{table}_{suffix}" AFTER {when} ON "{table}" '
            f"WHEN {_SQLITE_QUIET} AND {parents_exist} BEGIN "
            + _SQLITE_LOG.format(table=table, uuid=key, op=op, fields=fields)
            + " END"
        )
    db.execute_sql(f'DROP TRIGGER IF EXISTS "sync_{table}_au"')
    db.execute_sql(  # a link row is not edited in place: a change is a delete and an insert
        f'CREATE TRIGGER "sync_{table}_au" AFTER UPDATE ON "{table}" WHEN {_SQLITE_QUIET} BEGIN '
        + _SQLITE_LOG.format(table=table, uuid=_sqlite_link_key(table, "OLD")[0], op="d", fields="'{}'")
        + " "
        + _SQLITE_LOG.format(table=table, uuid=_sqlite_link_key(table, "NEW")[0], op="i", fields=everything)
        + " END"
    )


def _install_sqlite(db: Database) -> None:
    for table in LINKS:
        _install_sqlite_link(db, table)
    for table in _present(db, record_tables()):
        cols = [c for c in _sqlite_columns(db, table) if c not in LOCAL_COLUMNS]
        everything = "json_object(" + ", ".join(f"'{c}', NEW.\"{c}\"" for c in cols) + ")"
        changed = (
            "(SELECT json_group_object(k, v) FROM ("
            + " UNION ALL ".join(f'SELECT \'{c}\' AS k, NEW."{c}" AS v WHERE OLD."{c}" IS NOT NEW."{c}"' for c in cols)
            + "))"
        )
        any_change = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in cols)
        for suffix in ("ai", "au", "ad"):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "sync_{table}_{suffix}"')
        db.execute_sql(
            f'CREATE TRIGGER "sync_{table}_ai" AFTER INSERT ON "{table}" WHEN {_SQLITE_QUIET} BEGIN '
            + _SQLITE_LOG.format(table=table, uuid='NEW."uuid"', op="i", fields=everything)
            + " END"
        )
        db.execute_sql(
            f'CREATE TRIGGER "sync_{table}_au" AFTER UPDATE ON "{table}" '
            f"WHEN {_SQLITE_QUIET} AND ({any_change}) BEGIN "
            + _SQLITE_LOG.format(table=table, uuid='NEW."uuid"', op="u", fields=changed)
            + " END"
        )
        db.execute_sql(
            f'CREATE TRIGGER "sync_{table}_ad" AFTER DELETE ON "{table}" WHEN {_SQLITE_QUIET} BEGIN '
            + _SQLITE_LOG.format(table=table, uuid='OLD."uuid"', op="d", fields="'{}'")
            + " END"
        )


# --- PostgreSQL ----------------------------------------------------------------

_PG_LINK_KEY = """
CREATE OR REPLACE FUNCTION sync_link_key(row_json jsonb, args text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    record_id text;
    part text;
    lo integer := array_lower(args, 1);  -- TG_ARGV counts from 0, keeping its bounds when passed
BEGIN
    -- a link row's name: its key columns, a reference as its record's UUID (db/capture.py LINKS);
    -- NULL when a parent is gone (being deleted: the parent's tombstone says it all)
    FOR i IN 0 .. array_length(args, 1) / 2 - 1 LOOP
        part := row_json ->> args[lo + 2 * i];
        IF args[lo + 2 * i + 1] <> '' THEN
            EXECUTE 'SELECT uuid::text FROM ' || quote_ident(args[lo + 2 * i + 1]) || ' WHERE id = $1' INTO part
                USING part::integer;
            IF part IS NULL THEN
                RETURN NULL;
            END IF;
        END IF;
        record_id := CASE WHEN record_id IS NULL THEN part ELSE record_id || '|' || part END;
    END LOOP;
    RETURN record_id;
END $$
"""

_PG_LOG = f"""
CREATE OR REPLACE FUNCTION sync_log(tbl text, record_id text, op text, changed jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({WRITER_LOCK});
    INSERT INTO sync_change (origin, seq, hlc, table_name, record_uuid, op, fields) VALUES (
        '',
        (SELECT coalesce(max(seq), 0) + 1 FROM sync_change WHERE origin = ''),
        greatest(((extract(epoch FROM clock_timestamp()) * 1000)::bigint
                  + coalesce((SELECT offset_ms FROM sync_clock LIMIT 1), 0)) * 65536,
                 (SELECT coalesce(max(hlc), 0) + 1 FROM sync_change)),
        tbl, record_id, op, changed::text);
END $$
"""

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sync_capture() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_json jsonb;
    old_json jsonb;
    changed jsonb;
    record_id text;
BEGIN
    -- muted (an import writing): the trigger's WHEN never calls this (trainer.mute)
    IF TG_NARGS > 0 THEN  -- a link row: an edit is the old key's deletion and the new row's insertion
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            record_id := sync_link_key(to_jsonb(OLD), TG_ARGV);
            IF record_id IS NOT NULL THEN
                PERFORM sync_log(TG_TABLE_NAME, record_id, 'd', '{}'::jsonb);
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            record_id := sync_link_key(to_jsonb(NEW), TG_ARGV);
            IF record_id IS NOT NULL THEN
                PERFORM sync_log(TG_TABLE_NAME, record_id, 'i', to_jsonb(NEW) - 'id');
            END IF;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        changed := '{}'::jsonb;
        record_id := OLD.uuid::text;
    ELSE
        row_json := to_jsonb(NEW) - 'id' - 'version';
        record_id := NEW.uuid::text;
        IF TG_OP = 'UPDATE' THEN
            old_json := to_jsonb(OLD);
            SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) INTO changed
              FROM jsonb_each(row_json) WHERE old_json -> key IS DISTINCT FROM value;
            IF changed = '{}'::jsonb THEN
                RETURN NULL;
            END IF;
        ELSE
            changed := row_json;
        END IF;
    END IF;
    PERFORM sync_log(TG_TABLE_NAME, record_id, lower(left(TG_OP, 1)), changed);
    RETURN NULL;
END $$
"""


# Evaluated by the server for each row before any call: a muted row costs a setting's look-up.
_PG_QUIET = f"WHEN (current_setting('{MUTE_SETTING}', true) IS DISTINCT FROM 'on')"


def _install_postgres(db: Database) -> None:
    for function in (_PG_LINK_KEY, _PG_LOG, _PG_FUNCTION):
        db.execute_sql(function)
    for table in LINKS:
        args = ", ".join(f"'{col}', '{parent or ''}'" for col, parent in _parents(table))
        db.execute_sql(f'DROP TRIGGER IF EXISTS "sync_{table}" ON "{table}"')
        db.execute_sql(
            f'CREATE TRIGGER "sync_{table}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW {_PG_QUIET} EXECUTE FUNCTION sync_capture({args})"
        )
    for table in _present(db, record_tables()):
        db.execute_sql(f'DROP TRIGGER IF EXISTS "sync_{table}" ON "{table}"')
        db.execute_sql(
            f'CREATE TRIGGER "sync_{table}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW {_PG_QUIET} EXECUTE FUNCTION sync_capture()"
        )
