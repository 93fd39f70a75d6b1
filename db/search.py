"""Full-text search over trainee.search_text.

SQLite: two external-content FTS5 tables over the trainee table, a word index
(prefix queries, `prefix='2 3'`) and a trigram index (substrings), kept in step
by triggers. A bulk load drops the triggers, inserts, then rebuilds both
indexes once, which is far cheaper than firing triggers per row.
PostgreSQL: a word table with its btrees (db.search_words, queried by db.search_walk) serves
word prefixes of two characters or more; a pg_trgm GIN index serves substrings and one-character
prefixes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import Database

from db import search_walk, search_words

_SQLITE_TABLES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS trainee_fts USING fts5("
    "search_text, content='trainee', content_rowid='id', "
    "tokenize=\"unicode61 remove_diacritics 2\", prefix='2 3')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS trainee_trgm USING fts5("
    "search_text, content='trainee', content_rowid='id', tokenize='trigram')",
)

_SQLITE_TRIGGERS = tuple(
    stmt
    for table in ("trainee_fts", "trainee_trgm")
    for stmt in (
        f"CREATE TRIGGER IF NOT EXISTS {table}_ai AFTER INSERT ON trainee BEGIN "
        f"INSERT INTO {table}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_ad AFTER DELETE ON trainee BEGIN "
        f"INSERT INTO {table}({table}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_au AFTER UPDATE OF search_text ON trainee BEGIN "
        f"INSERT INTO {table}({table}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {table}(rowid, search_text) VALUES (new.id, new.search_text); END",
    )
)

_TRIGGER_NAMES = [f"{t}_{s}" for t in ("trainee_fts", "trainee_trgm") for s in ("ai", "ad", "au")]

# Indexes the models do not declare (schema comparisons leave them out).
SEARCH_INDEXES = ("trainee_search_trgm", search_words.TSVECTOR_INDEX)

_POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS trainee_search_trgm ON trainee USING gin (search_text gin_trgm_ops)",
)


def create_search_index(db: Database, *, postgres: bool) -> None:
    if postgres:
        for stmt in _POSTGRES:
            db.execute_sql(stmt)
        return
    for stmt in _SQLITE_TABLES + _SQLITE_TRIGGERS:
        db.execute_sql(stmt)
    rebuild(db, postgres=False)


def rebuild(db: Database, *, postgres: bool) -> None:
    if postgres:
        db.execute_sql("ANALYZE trainee")
        return
    for table in ("trainee_fts", "trainee_trgm"):
        db.execute_sql(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


class BulkLoad:
    """A bulk load in progress (SQLite): which new rows are indexed already."""

    def __init__(self, before: int | None) -> None:
        self.before = self.indexed = before  # None: nothing to index as we go (PostgreSQL)

    def index(self, cursor: Any, upto: int) -> None:
        """Index the new rows with ids up to `upto` now, on `cursor` (any thread's), rather
        than as the load ends: while their pages are still cached, and on a writer thread
        while the caller prepares the next rows. An empty table is rebuilt at the end instead."""
        if not self.before or self.indexed is None or upto <= self.indexed:
            return
        for table in ("trainee_fts", "trainee_trgm"):
            cursor.execute(
                f"INSERT INTO {table}(rowid, search_text) SELECT id, search_text FROM trainee WHERE id > ? AND id <= ?",
                (self.indexed, upto),
            )
        self.indexed = upto


@contextmanager
def bulk_load(db: Database, *, postgres: bool) -> Iterator[BulkLoad]:
    """Inside one transaction, for INSERTs only: no per-row index upkeep.

    When the table was empty the indexes are rebuilt once; otherwise only the
    new rows (ids above the previous maximum) are indexed, so a roster import
    costs what it adds, not what the registry already holds. The loader may
    index them as it goes (BulkLoad.index); the rest are indexed as the block ends.
    """
    if postgres:  # the GIN index keeps itself current; the word index too, but one row at a time
        empty = db.execute_sql("SELECT NOT EXISTS (SELECT 1 FROM trainee)").fetchone()[0]
        if empty:
            search_words.begin_empty_load(db)
        yield BulkLoad(None)
        if empty:
            search_words.end_empty_load(db)
        rebuild(db, postgres=True)
        return
    before = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM trainee").fetchone()[0]
    for name in _TRIGGER_NAMES:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    merging = _automerge(db, _LOAD_AUTOMERGE) if before else {}
    load = BulkLoad(before)
    yield load
    for stmt in _SQLITE_TRIGGERS:
        db.execute_sql(stmt)
    if before == 0:
        rebuild(db, postgres=False)
        return
    for table in ("trainee_fts", "trainee_trgm"):
        db.execute_sql(
            f"INSERT INTO {table}(rowid, search_text) SELECT id, search_text FROM trainee WHERE id > ?", (load.indexed,)
        )
    for table, value in merging.items():
        db.execute_sql(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', ?)", (value,))


# FTS5 merges a level's segments once this many pile up (its default: 4). A bulk load
# writes one segment per statement; merging them every 4 cost a third of the indexing
# (1.0-1.3 s of 2.5-3.3 s per 100,000 rows). At 8 they are left for later writes, which
# merge a little at a time (in proportion to what they write) once 4 is restored.
_LOAD_AUTOMERGE = 8


def _automerge(db: Database, value: int) -> dict[str, int]:
    """Set both indexes' automerge to `value`; their previous settings."""
    previous = {}
    for table in ("trainee_fts", "trainee_trgm"):
        row = db.execute_sql(f"SELECT v FROM {table}_config WHERE k = 'automerge'").fetchone()
        previous[table] = int(row[0]) if row else 4
        db.execute_sql(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', ?)", (value,))
    return previous


def _fts_term(alternatives: tuple[str, ...]) -> str:
    """First alternative as a word prefix, the rest as whole tokens: ("moh"* OR "mhmd").
    An alternative ending in '*' is a prefix too (the skeleton of a word still being typed)."""
    first, *rest = alternatives
    parts = ['"{}"*'.format(first.replace('"', ""))] + [
        ('"{}"*'.format(a[:-1].replace('"', ""))) if a.endswith("*") else ('"{}"'.format(a.replace('"', "")))
        for a in rest
    ]
    return "(" + " OR ".join(parts) + ")"


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pg_word(text: str) -> str:
    # Terms are normalised words (letters and digits only); keep it that way for the regex.
    return "".join(c for c in text if c.isalnum())


def sqlite_fts(terms: list[tuple[str, ...]], *, substring: bool = False) -> tuple[str, str] | None:
    """The FTS5 table and MATCH expression for these terms on SQLite, or None when they need a
    LIKE scan (substrings shorter than a trigram). Joined as the outer loop in rowid order,
    FTS5 streams its matches, so `LIMIT` stops early instead of materialising every match."""
    terms = [t for t in terms if t and t[0]]
    if not terms:
        return None
    words = [t[0] for t in terms]
    if substring:
        if not all(len(w) >= 3 for w in words):
            return None
        return "trainee_trgm", " AND ".join('"{}"'.format(w.replace('"', "")) for w in words)
    return "trainee_fts", " AND ".join(_fts_term(t) for t in terms)


def id_subquery(
    db: Database, terms: list[tuple[str, ...]], *, postgres: bool, substring: bool = False
) -> tuple[str, list[Any]]:
    """SQL selecting the ids of trainees whose search text matches every term, and its
    parameters in `db`'s placeholder style: for `id IN (...)` beside other filters.

    A term is (word, *alternatives): the word matches as a word prefix (or, with
    `substring`, anywhere), an alternative (a consonant skeleton) as a whole token.
    """
    p = db.param
    terms = [t for t in terms if t and t[0]]
    if not terms:
        return "SELECT id FROM trainee WHERE 1 = 0", []
    if postgres:
        clauses, params = [], []
        for word, *alts in terms:
            if substring:
                # The word alone, as SQLite's trigram search: a skeleton alternative ORed in
                # (two letters, no trigram) kept the index from serving the query at all.
                ors, ps, alts = [f"search_text LIKE {p}"], ["%" + like_escape(word) + "%"], []
            else:
                ors, ps = [f"search_text ~ {p}"], ["(^| )" + _pg_word(word)]
            for alt in alts:
                ors.append(f"search_text ~ {p}")
                ps.append("(^| )" + _pg_word(alt) + ("" if alt.endswith("*") else "( |$)"))
            clauses.append("(" + " OR ".join(ors) + ")")
            params += ps
        return "SELECT id FROM trainee WHERE " + " AND ".join(clauses), params
    words = [t[0] for t in terms]
    if substring and all(len(w) >= 3 for w in words):
        match = " AND ".join('"{}"'.format(w.replace('"', "")) for w in words)
        return f"SELECT rowid FROM trainee_trgm WHERE trainee_trgm MATCH {p}", [match]
    if substring:
        # Trigrams need three characters; shorter substrings fall back to a scan.
        where = " AND ".join(f"search_text LIKE {p} ESCAPE '\\'" for _ in words)
        return f"SELECT id FROM trainee WHERE {where}", ["%" + like_escape(w) + "%" for w in words]
    match = " AND ".join(_fts_term(t) for t in terms)
    return f"SELECT rowid FROM trainee_fts WHERE trainee_fts MATCH {p}", [match]


def search_ids(
    db: Database, terms: list[tuple[str, ...]], *, postgres: bool, limit: int, offset: int = 0, substring: bool = False
) -> list[int]:
    """Trainee ids whose search text matches every term (see id_subquery), in id order."""
    terms = [t for t in terms if t and t[0]]
    if not terms:
        return []
    if postgres and not substring and search_walk.served(terms):
        return search_walk.search_ids(db, terms, limit=limit, offset=offset)
    if postgres and substring and len(terms) == 1 and search_walk.vocabulary_serves(terms[0][0]):
        pattern = "%" + like_escape(terms[0][0]) + "%"
        found = search_walk.substring_ids(db, pattern, limit=limit, offset=offset)
        if found is not None:
            return found
    sql, params = id_subquery(db, terms, postgres=postgres, substring=substring)
    p = db.param
    if postgres:
        return _pg_scan_then_index(db, sql, params, limit=limit, offset=offset)
    key = "id" if sql.startswith("SELECT id") else "rowid"
    sql += f" ORDER BY {key} LIMIT {p} OFFSET {p}"
    return [r[0] for r in db.execute_sql(sql, params + [limit, offset]).fetchall()]


# Rows of the primary key scanned before the trigram index takes over (PostgreSQL).
SCAN_FIRST = 1024
SCAN_MORE = 8192  # ids scanned further when the first ones promise the rest soon


def _pg_scan_then_index(db: Database, sql: str, params: list[Any], *, limit: int, offset: int) -> list[int]:
    """`sql` (SELECT id FROM trainee WHERE ...) in id order: the first SCAN_FIRST ids by the
    primary key, testing each row, then the rest through the trigram GIN index at once.

    A match common enough to fill the page among the first ids costs a short scan; the GIN
    index would read every match from the table first (a bitmap of thousands). One rare
    enough not to costs the index its few matches; a scan would test every row. `id + 0`
    keeps the planner off the primary key for the second query."""
    p = db.param
    want = limit + offset
    scan = f"{sql} AND id >= {p} AND id < {p} ORDER BY id LIMIT {p}"
    found = [r[0] for r in db.execute_sql(scan, params + [0, SCAN_FIRST, want])]
    low = SCAN_FIRST
    if 0 < len(found) < want:
        # Nearly there (at the density seen, the rest within SCAN_MORE ids): scan on, up to
        # SCAN_MORE ids (LIMIT stops it sooner); a common match costs the index thousands of rows.
        if (want - len(found)) * SCAN_FIRST / len(found) <= SCAN_MORE:
            found += [r[0] for r in db.execute_sql(scan, params + [low, low + SCAN_MORE, want - len(found)])]
            low += SCAN_MORE
    if len(found) < want:
        rest = f"{sql} AND id >= {p} ORDER BY id + 0 LIMIT {p}"
        found += [r[0] for r in db.execute_sql(rest, params + [low, want - len(found)])]
    return found[offset:want]
