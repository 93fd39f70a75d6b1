"""PostgreSQL's word index for prefix search: one row per distinct word of each trainee's search text.

Why: the pg_trgm GIN index answers "which rows hold these trigrams" as a bitmap of every
match, and the first 50 in id order are then read from the table: a common prefix cost
thousands of row visits (113 ms p95 at 250,000 trainees). Here a btree on (head, trainee_id,
word), head being a word's first three characters, gives the trainees whose words begin with
a prefix in id order from the index alone: one word is one query, each alternative's first
rows merged (a whole-word alternative from a second btree, on word). Several words are
intersected in id windows while they prove common together; when the first window shows them
rare together, the rest comes from a tsvector GIN index. SQLite has FTS5 for all this (db.search); the
trigram index stays for substrings and prefixes under three characters.

Kept in step by triggers: a statement-level one for inserts (a COPY or a multi-row INSERT
adds its words in one statement), a row-level one for the rare edit of a name (its WHEN
clause costs nothing to saves that leave the name alone), one for deletes. Size at 250,000
trainees: 4.25 million rows, about 350 MB with its index; built in 40 s by migration 0012.
"""

from __future__ import annotations

from typing import Any

from peewee import Database

HEAD = 3  # characters of a word in the head column: shorter prefixes are not served here
TABLE = "trainee_word"
INDEXES = ("trainee_word_head", "trainee_word_word")

# The words of `rows`' search text: split on spaces, as the regular expressions before it did.
_WORDS = "SELECT DISTINCT left(w, {head}), r.id, w FROM {rows} r, string_to_table(r.search_text, ' ') w WHERE w <> ''"

CREATE_TABLE = (
    f'CREATE TABLE IF NOT EXISTS "{TABLE}" (head text NOT NULL, trainee_id integer NOT NULL, word text NOT NULL)'
)
# Whole-registry fallback for several words (db.search_words.search_ids): GIN intersects the
# posting lists of every word a prefix begins, exactly (no recheck), so a rare combination of
# two common words costs its few matches rather than every entry of both words.
TSVECTOR_INDEX = "trainee_search_words"
CREATE_TSVECTOR = (
    f"CREATE INDEX IF NOT EXISTS {TSVECTOR_INDEX} ON trainee USING gin (to_tsvector('simple', search_text))"
)
CREATE_INDEXES = (
    # Prefix look-ups in id order, index-only (word is in the key, for the test on it). The
    # triggers delete a trainee's rows through it too, by the old words: a second index on
    # trainee_id cost a third of what an import of 100,000 trainees spends on this table.
    f'CREATE INDEX IF NOT EXISTS trainee_word_head ON "{TABLE}" (head, trainee_id, word)',
    # Whole words (a skeleton alternative) in id order: through the head index a rare word
    # whose head is common ("abd" among 71,000 "abd…") cost every entry of the head (57 ms).
    f'CREATE INDEX IF NOT EXISTS trainee_word_word ON "{TABLE}" (word, trainee_id)',
)
FILL = f'INSERT INTO "{TABLE}" (head, trainee_id, word) ' + _WORDS.format(head=HEAD, rows="trainee")

FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION trainee_word_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "{TABLE}" (head, trainee_id, word) {_WORDS.format(head=HEAD, rows="new_rows")};
    RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION trainee_word_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "{TABLE}" x USING (SELECT DISTINCT left(w, {HEAD}) AS h, w FROM string_to_table(OLD.search_text, ' ') w
        WHERE w <> '') d WHERE x.head = d.h AND x.trainee_id = OLD.id AND x.word = d.w;
    INSERT INTO "{TABLE}" (head, trainee_id, word)
        SELECT DISTINCT left(w, {HEAD}), NEW.id, w FROM string_to_table(NEW.search_text, ' ') w WHERE w <> '';
    RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION trainee_word_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "{TABLE}" x USING ({_WORDS.format(head=HEAD, rows="old_rows")}) d (h, id, w)
        WHERE x.head = d.h AND x.trainee_id = d.id AND x.word = d.w;
    RETURN NULL;
END $$""",
)
INSERT_TRIGGER = "trainee_word_ai"
TRIGGERS = (
    f"CREATE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON trainee REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION trainee_word_inserted()",
    "CREATE TRIGGER trainee_word_au AFTER UPDATE OF search_text ON trainee FOR EACH ROW "
    "WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION trainee_word_renamed()",
    "CREATE TRIGGER trainee_word_ad AFTER DELETE ON trainee REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION trainee_word_deleted()",
)


def create(db: Database) -> None:
    """The table, filled from the registry, its indexes and triggers (migration 0012)."""
    db.execute_sql(CREATE_TABLE)
    db.execute_sql(FILL)
    for stmt in CREATE_INDEXES + (CREATE_TSVECTOR,) + FUNCTIONS + TRIGGERS:
        db.execute_sql(stmt)
    db.execute_sql(f'ANALYZE "{TABLE}"')


def begin_empty_load(db: Database) -> None:
    """Before a bulk load into an empty registry (the demo): no per-statement upkeep and no
    index to maintain row by row; end_empty_load fills and indexes once."""
    db.execute_sql(f"ALTER TABLE trainee DISABLE TRIGGER {INSERT_TRIGGER}")
    for name in INDEXES:
        db.execute_sql(f"DROP INDEX IF EXISTS {name}")
    db.execute_sql(f'TRUNCATE "{TABLE}"')


def end_empty_load(db: Database) -> None:
    db.execute_sql(FILL)
    for stmt in CREATE_INDEXES:
        db.execute_sql(stmt)
    db.execute_sql(f"ALTER TABLE trainee ENABLE TRIGGER {INSERT_TRIGGER}")


def word(text: str) -> str:
    # Terms are normalised words (letters and digits only); keep it that way for LIKE.
    return "".join(c for c in text if c.isalnum())


def _match(p: str, alias: str, text: str, *, prefix: bool) -> tuple[str, list[Any]]:
    """Condition on trainee_word `alias`: its word begins with (or, not `prefix`, is) `text`.

    The prefix test is a function call, not an operator: the planner takes a function's result
    as true a third of the time, close to the truth once the head matched. As `LIKE` it
    multiplied two selectivities of the same fact (head and word) into a row estimate of 1,
    and chose a sort of every match over a merge of index scans already in order. A whole
    word is one range of the word index (trainee_word_word), in id order."""
    if not prefix:
        return f"({alias}.word = {p})", [text]
    return f"({alias}.head = {p} AND starts_with({alias}.word, {p}))", [text[:HEAD], text]


def served(terms: list[tuple[str, ...]]) -> bool:
    """Whether every term can be answered from the word index: each prefix three characters
    or more (a shorter one spans many heads and so comes out of id order)."""
    for first, *alts in terms:
        if len(word(first)) < HEAD:
            return False
        if any(a.endswith("*") and len(word(a)) < HEAD for a in alts):
            return False
    return True


def _alternatives(p: str, alias: str, term: tuple[str, ...]) -> list[tuple[str, list[Any]]]:
    first, *alts = term
    return [_match(p, alias, word(first), prefix=True)] + [
        _match(p, alias, word(a), prefix=a.endswith("*")) for a in alts
    ]


def id_subquery(p: str, terms: list[tuple[str, ...]], window: tuple[int, int] | None = None) -> tuple[str, list[Any]]:
    """SQL for the ids (column `id`) of trainees having, for every term, a word beginning with
    its first element or matching an alternative (whole, or ending in '*': a prefix); with
    `window` (low, high), only ids from low up to, not including, high.

    Each alternative is one range of the head index; several terms are intersected
    (INTERSECT: a hashed set operation, linear in the entries read). As joins the planner,
    misjudging how many words share a head and a prefix, chose nested loops over whole ranges
    (55 s for "azad abd" at 250,000 trainees); as look-ups per candidate each cost 9 µs."""
    params: list[Any] = []
    bound = f" AND w.trainee_id >= {p} AND w.trainee_id < {p}" if window else ""
    sets = []
    for term in terms:
        arms = []
        for cond, ps in _alternatives(p, "w", term):
            arms.append(f'SELECT w.trainee_id AS id FROM "{TABLE}" w WHERE {cond}{bound}')
            params += ps + (list(window) if window else [])
        sets.append("(" + " UNION ALL ".join(arms) + ")")
    if len(sets) == 1:
        return f"SELECT DISTINCT d.id FROM {sets[0]} d", params
    return f"SELECT d.id FROM ({' INTERSECT '.join(sets)}) d", params


# Several words are intersected among the first FIRST_WINDOW ids through the word index. While
# DENSE or more have matched, the next window is read the same way (the GIN index would visit
# every match: 40 ms for 2,000); fewer, and the GIN index serves the rest of the registry.
FIRST_WINDOW, DENSE = 4096, 2


def _tsquery(terms: list[tuple[str, ...]]) -> str:
    """The terms as a tsquery: each an OR of its word as a prefix and its alternatives."""
    groups = []
    for first, *alts in terms:
        parts = [word(first) + ":*"] + [word(a) + (":*" if a.endswith("*") else "") for a in alts if word(a)]
        groups.append("(" + " | ".join(parts) + ")")
    return " & ".join(groups)


def _first_of_term(p: str, term: tuple[str, ...], want: int) -> tuple[str, list[Any]]:
    """SQL for the first `want` ids, in id order, of the trainees matching one term: each
    alternative's first `want` distinct ids (an index-only scan of one head, in id order,
    stopped by its LIMIT), merged. One round trip, however rare the word."""
    arms, params = [], []
    for cond, ps in _alternatives(p, "w", term):
        arms.append(f'(SELECT DISTINCT w.trainee_id AS id FROM "{TABLE}" w WHERE {cond} ORDER BY 1 LIMIT {p})')
        params += ps + [want]
    if len(arms) == 1:
        return arms[0][1:-1], params
    return f"SELECT DISTINCT d.id FROM ({' UNION ALL '.join(arms)}) d ORDER BY 1 LIMIT {p}", params + [want]


def search_ids(db: Database, terms: list[tuple[str, ...]], *, limit: int, offset: int = 0) -> list[int]:
    """The first `limit` ids after `offset` of the trainees matching every term, in id order.

    One word: one query (`_first_of_term`). Several: id windows, intersected, while they match
    densely; else the rest of the registry through the tsvector GIN index at once (its cost
    is the words' matches together, not each word's)."""
    p = db.param
    want = limit + offset
    if len(terms) == 1:
        sql, params = _first_of_term(p, terms[0], want)
        return [r[0] for r in db.execute_sql(sql, params).fetchall()][offset:want]
    found: list[int] = []
    low, high, top = 0, FIRST_WINDOW, 0
    while True:
        sql, params = id_subquery(p, terms, (low, high))
        # The largest id comes with the rows (no round trip of its own): past it, no window is left.
        rows = db.execute_sql(
            f"SELECT m.id, (SELECT MAX(id) FROM trainee) FROM ({sql}) m ORDER BY m.id LIMIT {p}",
            params + [want - len(found)],
        ).fetchall()
        found += [r[0] for r in rows]
        top = rows[0][1] if rows else top
        if len(found) >= want or len(found) < DENSE:
            break
        if high > top:
            return found[offset:want]
        # Common together: the rest lies within the ids that the density seen so far promises;
        # the next window is a quarter more than that (an INTERSECT reads its whole window),
        # and another follows if it falls short (the GIN index would visit every match: 130 ms
        # for "hassa has").
        low, high = high, high + max(FIRST_WINDOW, 5 * (want - len(found)) * high // (4 * len(found)))
    if len(found) < want:
        # Rare together: the GIN index's cost is their matches (a few hundred at most) and the
        # posting lists of the words each prefix begins. `id + 0`: ordered by id, the planner
        # would walk the primary key testing every row.
        rest = (
            f"SELECT id FROM trainee WHERE id >= {p} AND to_tsvector('simple', search_text) "
            f"@@ to_tsquery('simple', {p}) ORDER BY id + 0 LIMIT {p}"
        )
        found += [r[0] for r in db.execute_sql(rest, [high, _tsquery(terms), want - len(found)]).fetchall()]
    return found[offset:want]
