"""Where SQLite and PostgreSQL differ, in one place: services read the same on both.

`dialect()` is the bound database's Dialect, chosen when it is opened
(db.connection.make_database). Services never ask which database they run on;
they ask the dialect for what differs: row locks, serialising writers, SQL
fragments for dates and booleans, search, bulk loading and id allocation,
statistics, and the file side of backups. See docs/architecture.md.
"""

from __future__ import annotations

import datetime
import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from peewee import Database, ModelSelect, PostgresqlDatabase

from db import backup_files, search, search_walk
from db.connection import database

# COPY's text format: tab-separated, \N for NULL, these four escaped.
_Q = TypeVar("_Q", bound="ModelSelect[Any]")  # a query, kept as its own type
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_STREAMS = itertools.count(1)  # names of server-side cursors, unique in the process
STREAM_CHUNK = 5000  # rows a round trip when streaming a result


class Dialect:
    """What differs between the databases; one instance per opened database."""

    name = ""  # "sqlite" or "postgresql": recorded in backup manifests
    backup_suffix = ""
    # Ids without gaps: a rolled-back insert gives its id back (SQLite), so a gap in the
    # audit trail means deleted events; PostgreSQL sequences skip ids on rollback.
    dense_ids = False
    # A file on this machine: whoever can read it holds all of it (no server decides who reads).
    local_file = False

    def __init__(self, db: Database) -> None:
        self.db = db
        self.param = db.param
        self._copy_sql: dict[tuple[str, tuple[str, ...]], str] = {}

    def marks(self, n: int) -> str:
        """n placeholders for `IN (...)` or `VALUES (...)`."""
        return ", ".join([self.param] * n)

    def one_of(self, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        """`column {one_of}` for many values: (the condition's right side, its parameters) for each
        chunk of `values`: `IN (…)`, at most 900 a statement (SQLite's oldest variable limit). On
        PostgreSQL one array parameter (`= ANY(%s)`) was measured slower: its plans scanned more."""
        for start in range(0, len(values), 900):
            chunk = list(values[start : start + 900])
            yield f"IN ({self.marks(len(chunk))})", chunk

    def keys_in(self, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        """As one_of, for look-ups by an indexed key in tables with statistics (a sync import's):
        PostgreSQL takes each chunk as one array (`= ANY(%s)`). A statement of 900 parameters is
        parsed again by the driver every time (it caches only short ones): about 1 ms of CPU each."""
        return self.one_of(values)

    # -- locking --------------------------------------------------------------
    def for_update(self, query: _Q) -> _Q:
        """`query` locking the rows it reads until the transaction ends."""
        return query

    def serialise_writers(self, key: int) -> None:
        """Inside a transaction: wait until no other transaction holds `key` (till commit)."""

    def writer_first(self) -> None:
        """At the start of a write transaction that races others on the same rows: take the
        writers' lock before any row lock. On PostgreSQL the change log's trigger takes that lock
        at the first logged write (db/capture.py); a transaction holding a row lock (a summary
        row, FOR UPDATE) while waiting for it, behind one that holds it and waits for the row,
        is a deadlock. SQLite's transactions already take its one write lock at BEGIN."""

    def lock_wait(self, seconds: float) -> AbstractContextManager[None]:
        """Within the block, this thread's writes wait at most `seconds` for another writer
        (SQLite's one write lock; a long import holds it) before failing "locked"."""
        return nullcontext()

    def beside(self, suffix: str) -> Path | None:
        """A file next to the database file, for what must not wait for its write lock
        (trainer/accounts/sign_in_ledger.py); None where there is no file (a server)."""
        return None

    # -- SQL fragments ----------------------------------------------------------
    def month_start(self, expr: str) -> str:
        raise NotImplementedError

    def date_of(self, expr: str) -> str:
        """The date part of a timestamp column."""
        raise NotImplementedError

    def months_before(self, expr: str, months: int, *, plus_days: int = 0) -> str:
        """The date `months` calendar months before date `expr`, plus `plus_days` days."""
        raise NotImplementedError

    def truthy(self, expr: str) -> str:
        """A boolean column as a condition."""
        raise NotImplementedError

    # -- reading big results ------------------------------------------------------
    def stream(self, sql: str, params: Iterable[Any] = (), *, size: int = STREAM_CHUNK) -> Iterator[list[Any]]:
        """The rows of a big SELECT, `size` at a time, holding no more than one chunk in this
        process whatever the result's size (exports, the audit walk). Call it inside a
        connection_context and consume it there."""
        cursor = self.db.execute_sql(sql, list(params))
        while chunk := cursor.fetchmany(size):
            yield chunk

    # -- statistics -----------------------------------------------------------
    def analyze(self, *tables: str) -> None:
        """Fresh planner statistics after a bulk change (outside a long transaction)."""

    def analyze_filled(self, tables: dict[str, tuple[str, ...]]) -> None:
        """Inside the caller's transaction: statistics for tables it has just filled, for the
        columns it looks rows up by (table -> columns). Without them PostgreSQL's planner guesses,
        and an `IN` of many keys scans the whole table instead of its index (an import's
        look-ups); SQLite's planner takes the index anyway."""

    # -- search (db.search) -----------------------------------------------------
    def search_ids(
        self, terms: list[tuple[str, ...]], *, limit: int, offset: int = 0, substring: bool = False
    ) -> list[int]:
        return search.search_ids(
            self.db, terms, postgres=self.name == "postgresql", limit=limit, offset=offset, substring=substring
        )

    def search_source(
        self,
        terms: list[tuple[str, ...]],
        *,
        substring: bool,
        after: int | None = None,
        before: int | None = None,
        narrowed: bool = False,
    ) -> tuple[str, str, list[str], list[Any]]:
        """(FROM clause, ordering key, conditions, parameters) restricting `trainee t` to the
        trainees whose search text matches every term, for a list beside other filters. `after`
        and `before` bound the ids a page may hold (the caller still applies them to the key):
        a source that reads several indexes in id order starts each one there. `narrowed`: the
        caller adds conditions of its own (filters, an instructor's scope)."""
        raise NotImplementedError

    def bulk_load(self) -> AbstractContextManager[search.BulkLoad]:
        """Context for INSERT-only bulk loads of trainees (db.search.bulk_load)."""
        return search.bulk_load(self.db, postgres=self.name == "postgresql")

    # -- bulk writing -------------------------------------------------------------
    def stamp(self, moment: datetime.datetime) -> datetime.datetime | str:
        """A timestamp as the driver would store it, converted once for many rows."""
        return moment

    def reserve_ids(self, cursor: Any, table: str, after: int, count: int) -> list[int]:
        """Ids for `count` new rows of `table` inside the caller's write transaction; `after`
        is the table's largest id plus those this transaction already gave out."""
        raise NotImplementedError

    def insert_rows(self, cursor: Any, table: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
        """INSERT every row on `cursor`, many rows a statement (safe from a writer thread)."""
        raise NotImplementedError

    def copy_rows(self, cursor: Any, table: str, cols: tuple[str, ...], rows: list[Any]) -> None:
        """The fastest load of many rows on this thread's own connection (demo data)."""
        raise NotImplementedError

    def load_cache(self, kib: int) -> AbstractContextManager[None]:
        """Context: a bigger page cache for one big load on this connection."""
        return nullcontext()

    def drop_secondary_indexes(self, tables: tuple[str, ...]) -> list[str]:
        """Drop the secondary indexes (and, where it pays, foreign keys) of `tables` inside the
        transaction; the statements that restore them, to run after the load."""
        raise NotImplementedError

    def reset_sequences(self, tables: Iterable[str]) -> None:
        """After rows were inserted with explicit ids: the next id follows the largest."""

    # -- backups (db.backup_files; they raise backup_files.CopyFailed) -------------
    def backup_copy(self, partial: Path, facts: backup_files.Facts) -> dict[str, Any]:
        raise NotImplementedError

    def backup_counts(self, file: Path, tables: Iterable[str]) -> dict[str, int] | None:
        """Row counts in a backup file, after its check; None where they cannot be read offline."""
        return None

    def restore(self, file: Path, stamp: str) -> Path | None:
        """Replace the live database with the backup `file`; where the replaced one is kept."""
        raise NotImplementedError


class SqliteDialect(Dialect):
    name = "sqlite"
    backup_suffix = ".db"
    dense_ids = True
    local_file = True

    # Locking: every transaction BEGINs IMMEDIATE (db.connection), holding the write lock.

    @contextmanager
    def lock_wait(self, seconds: float) -> Iterator[None]:
        from db.connection import SQLITE_PRAGMAS

        self.db.execute_sql(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            self.db.execute_sql(f"PRAGMA busy_timeout = {dict(SQLITE_PRAGMAS)['busy_timeout']}")

    def beside(self, suffix: str) -> Path | None:
        name = str(self.db.database)
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        path = Path(name)
        return path.with_name(path.name + suffix)

    def month_start(self, expr: str) -> str:
        return f"date({expr}, 'start of month')"

    def date_of(self, expr: str) -> str:
        return f"date({expr})"

    def months_before(self, expr: str, months: int, *, plus_days: int = 0) -> str:
        return f"date({expr}, '-{int(months)} months', '+{int(plus_days)} days')"

    def truthy(self, expr: str) -> str:
        return f"{expr} = 1"

    def search_source(
        self,
        terms: list[tuple[str, ...]],
        *,
        substring: bool,
        after: int | None = None,
        before: int | None = None,
        narrowed: bool = False,
    ) -> tuple[str, str, list[str], list[Any]]:
        p = self.param
        fts = search.sqlite_fts(terms, substring=substring)
        if fts is not None:
            table, match = fts
            return f"{table} f JOIN trainee t ON t.id = f.rowid", "f.rowid", [f"{table} MATCH {p}"], [match]
        # Substrings shorter than a trigram: a scan, as db.search does.
        conds = [f"t.search_text LIKE {p} ESCAPE '\\'" for _ in terms]
        return "trainee t", "t.id", conds, ["%" + search.like_escape(word) + "%" for word, *_ in terms]

    def stamp(self, moment: datetime.datetime) -> datetime.datetime | str:
        # SQLite's adapter writes isoformat(' '): done once here instead of per row by the driver.
        return moment.isoformat(" ")

    def reserve_ids(self, cursor: Any, table: str, after: int, count: int) -> list[int]:
        # The write lock is this transaction's: the next ids are free.
        return list(range(after + 1, after + count + 1))

    def insert_rows(self, cursor: Any, table: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
        # Not executemany: it steps once per row, and a writer thread takes the GIL back
        # after every step (each take can wait for the other thread's 5 ms switch interval).
        if not rows:
            return
        quoted = ", ".join(f'"{c}"' for c in cols)
        per = max(1, _variable_limit(cursor.connection) // len(cols))
        one = "(" + ", ".join("?" * len(cols)) + ")"
        for i in range(0, len(rows), per):
            part = rows[i : i + per]
            cursor.execute(
                f'INSERT INTO "{table}" ({quoted}) VALUES ' + ", ".join([one] * len(part)),
                list(chain.from_iterable(part)),
            )

    def copy_rows(self, cursor: Any, table: str, cols: tuple[str, ...], rows: list[Any]) -> None:
        if not rows:
            return
        sql = self._copy_sql.get((table, cols))
        if sql is None:
            names = ", ".join(f'"{c}"' for c in cols)
            sql = self._copy_sql[(table, cols)] = (
                f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
            )
        cursor.executemany(sql, rows)

    @contextmanager
    def load_cache(self, kib: int) -> Iterator[None]:
        # Fewer pages spilled to, and looked up in, the WAL during the load.
        cache = database.execute_sql("PRAGMA cache_size").fetchone()[0]
        database.execute_sql(f"PRAGMA cache_size = {-int(kib)}")
        try:
            yield
        finally:
            database.execute_sql(f"PRAGMA cache_size = {cache}")

    def drop_secondary_indexes(self, tables: tuple[str, ...]) -> list[str]:
        rows = self.db.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({self.marks(len(tables))}) ORDER BY name",
            tables,
        ).fetchall()
        for name, _sql in rows:
            self.db.execute_sql(f'DROP INDEX "{name}"')
        return [sql for _name, sql in rows]

    def backup_copy(self, partial: Path, facts: backup_files.Facts) -> dict[str, Any]:
        return backup_files.sqlite_copy(partial, facts)

    def backup_counts(self, file: Path, tables: Iterable[str]) -> dict[str, int] | None:
        return backup_files.sqlite_counts(file, tables)

    def restore(self, file: Path, stamp: str) -> Path | None:
        return backup_files.sqlite_restore(file, stamp)


class PostgresDialect(Dialect):
    name = "postgresql"
    backup_suffix = ".dump"

    def for_update(self, query: _Q) -> _Q:
        return query.for_update()

    def serialise_writers(self, key: int) -> None:
        self.db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))

    def writer_first(self) -> None:
        from db.capture import WRITER_LOCK

        self.serialise_writers(WRITER_LOCK)

    def month_start(self, expr: str) -> str:
        return f"CAST(date_trunc('month', {expr}) AS date)"

    def date_of(self, expr: str) -> str:
        return f"CAST({expr} AS date)"

    def months_before(self, expr: str, months: int, *, plus_days: int = 0) -> str:
        return f"CAST({expr} - INTERVAL '{int(months)} months' + INTERVAL '{int(plus_days)} days' AS date)"

    def truthy(self, expr: str) -> str:
        return expr

    def stream(self, sql: str, params: Iterable[Any] = (), *, size: int = STREAM_CHUNK) -> Iterator[list[Any]]:
        # psycopg's ordinary cursor takes the whole result into the client before the first row
        # (66 MB for the registry export at 250,000 trainees); a server-side (named) cursor
        # sends `size` rows a round trip. It lives in a transaction: peewee's, so that a
        # write the caller makes meanwhile nests in it rather than committing it and the cursor.
        with self.db.atomic():
            conn = self.db.connection()
            with conn.cursor(name=f"trainer_stream_{next(_STREAMS)}") as cursor:
                cursor.itersize = size
                cursor.execute(sql, list(params))
                while chunk := cursor.fetchmany(size):
                    yield chunk

    def analyze(self, *tables: str) -> None:
        with database.connection_context():
            database.execute_sql("ANALYZE " + ", ".join(tables))

    def keys_in(self, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        for start in range(0, len(values), 5000):
            yield f"= ANY({self.param})", [list(values[start : start + 5000])]

    def analyze_filled(self, tables: dict[str, tuple[str, ...]]) -> None:
        # ANALYZE samples the rows this transaction added too. Only the key columns: the row
        # count comes with any of them, and the others (a change's fields, the search text) were
        # most of its cost (docs/sync.md "Figures"); their statistics stay as they were.
        if tables:
            columns = {t: ", ".join(f'"{c}"' for c in cols) for t, cols in tables.items()}
            self.db.execute_sql("ANALYZE " + ", ".join(f'"{t}" ({cols})' for t, cols in columns.items()))

    def search_source(
        self,
        terms: list[tuple[str, ...]],
        *,
        substring: bool,
        after: int | None = None,
        before: int | None = None,
        narrowed: bool = False,
    ) -> tuple[str, str, list[str], list[Any]]:
        if not substring and (search_walk.served(terms) or (not narrowed and search_walk.walks(terms))):
            return search_walk.source(self.db, terms, after=after, before=before, narrowed=narrowed)
        sub, params = search.id_subquery(self.db, terms, postgres=True, substring=substring)
        return "trainee t", "t.id", [f"t.id IN ({sub})"], params

    def reserve_ids(self, cursor: Any, table: str, after: int, count: int) -> list[int]:
        if not count:
            return []
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", (count,))
        return [i for (i,) in cursor.fetchall()]

    def insert_rows(self, cursor: Any, table: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quoted = ", ".join(f'"{c}"' for c in cols)
        # COPY: the rows stream in one statement, parsed by the server's bulk path, instead of
        # 1,000-row INSERTs each planned and bound (and the word index's statement trigger
        # fires once for the lot). psycopg adapts each value as its parameters would be.
        with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def copy_rows(self, cursor: Any, table: str, cols: tuple[str, ...], rows: list[Any]) -> None:
        if not rows:
            return
        sql = self._copy_sql.get((table, cols))
        if sql is None:
            names = ", ".join(f'"{c}"' for c in cols)
            sql = self._copy_sql[(table, cols)] = f'COPY "{table}" ({names}) FROM STDIN'
        text = "".join(
            "\t".join("\\N" if v is None else v.translate(_COPY_ESCAPE) if isinstance(v, str) else str(v) for v in row)
            + "\n"
            for row in rows
        )
        with cursor.copy(sql) as copy:
            copy.write(text)

    def drop_secondary_indexes(self, tables: tuple[str, ...]) -> list[str]:
        marks = self.marks(len(tables))
        rows = self.db.execute_sql(
            f"SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            f"AND tablename IN ({marks}) AND NOT EXISTS "
            f"(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname",
            tables,
        ).fetchall()
        for name, _sql in rows:
            self.db.execute_sql(f'DROP INDEX "{name}"')
        restore = [sql for _name, sql in rows]
        # Foreign keys too: one join to validate each after the load beats a trigger per row.
        for table, name, definition in self.db.execute_sql(
            f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE contype = 'f' AND conrelid::regclass::text IN ({marks}) ORDER BY 1, 2",
            tables,
        ).fetchall():
            self.db.execute_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return restore

    def reset_sequences(self, tables: Iterable[str]) -> None:
        for table in tables:
            self.db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )

    def backup_copy(self, partial: Path, facts: backup_files.Facts) -> dict[str, Any]:
        return backup_files.pg_dump(partial, facts)

    def restore(self, file: Path, stamp: str) -> Path | None:
        return backup_files.pg_restore(file, stamp)


def for_database(db: Database) -> Dialect:
    """The dialect of a peewee database (db.connection attaches it when it opens one)."""
    return (PostgresDialect if isinstance(db, PostgresqlDatabase) else SqliteDialect)(db)


def dialect(db: Database | None = None) -> Dialect:
    """The dialect of `db`, by default the bound database."""
    db = db if db is not None else database.obj
    found = getattr(db, "dialect", None)
    if found is None:  # a database built outside make_database (a test's, say)
        found = db.dialect = for_database(db)  # type: ignore[union-attr]  # hung on the database it serves
    return found


def _variable_limit(connection: Any) -> int:
    """How many ? one statement may hold. sqlcipher3's connection (an encrypted site) has no
    getlimit(); its SQLite (3.32 and later) allows 32,766, the default we then assume."""
    getlimit = getattr(connection, "getlimit", None)
    return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if getlimit else 32_766
