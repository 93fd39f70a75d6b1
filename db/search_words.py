"""PostgreSQL's word index for prefix search: one row per distinct word of each trainee's search text.

Why: the pg_trgm GIN index answers "which rows hold these trigrams" as a bitmap of every
match, and the first 50 in id order are then read from the table: a common prefix cost
thousands of row visits (113 ms p95 at 250,000 trainees). Here a btree on (head, trainee_id,
word), head being a word's first three characters, gives the trainees whose words begin with
a prefix in id order from the index alone (a whole-word alternative from a second btree, on
word). The queries are in db.search_walk. SQLite has FTS5 for all this (db.search); the
trigram index stays for substrings and one-character prefixes.

Kept in step by triggers: a statement-level one for inserts (a COPY or a multi-row INSERT
adds its words in one statement), a row-level one for the rare edit of a name (its WHEN
clause costs nothing to saves that leave the name alone), one for deletes. Size at 250,000
trainees: 4.25 million rows, about 350 MB with its index; built in 40 s by migration 0012.
"""

from __future__ import annotations

from peewee import Database

HEAD = 3  # characters of a word in the head column: shorter prefixes are not served here
TABLE = "trainee_word"
INDEXES = ("trainee_word_head", "trainee_word_word")

# The words of `rows`' search text: split on spaces, as the regular expressions before it did.
_WORDS = "SELECT DISTINCT left(w, {head}), r.id, w FROM {rows} r, string_to_table(r.search_text, ' ') w WHERE w <> ''"

CREATE_TABLE = (
    f'CREATE TABLE IF NOT EXISTS "{TABLE}" (head text NOT NULL, trainee_id integer NOT NULL, word text NOT NULL)'
)
# Whole-registry fallback for several words (db.search_walk.search_ids): GIN intersects the
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

# The distinct words that hold more than digits, with a trigram index: a substring's words
# (db.search_walk.substring_ids). Digits-only words (national IDs, a quarter of a million) are
# left to the trigram index on the search text. Never pruned: a word no one has any longer
# finds no one in the word table. Sorted on insert, so that two imports adding the same new
# words lock them in the same order.
VOCABULARY = "trainee_vocabulary"
_NEW_WORDS = "SELECT DISTINCT w FROM {rows} r, string_to_table(r.search_text, ' ') w WHERE w ~ '[^0-9]' ORDER BY 1"
CREATE_VOCABULARY = (
    f'CREATE TABLE IF NOT EXISTS "{VOCABULARY}" (word text PRIMARY KEY)',
    f'INSERT INTO "{VOCABULARY}" (word) {_NEW_WORDS.format(rows="trainee")} ON CONFLICT DO NOTHING',
    f'CREATE INDEX IF NOT EXISTS trainee_vocabulary_trgm ON "{VOCABULARY}" USING gin (word gin_trgm_ops)',
    f'ANALYZE "{VOCABULARY}"',
)

FUNCTIONS = (
    # In the head index's order: a batch's words (17 a person) then reach each index page
    # together instead of at random, which halved the insert (docs/sync.md "Figures"; 0019).
    f"""CREATE OR REPLACE FUNCTION trainee_word_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "{TABLE}" (head, trainee_id, word) {_WORDS.format(head=HEAD, rows="new_rows")} ORDER BY 1, 2, 3;
    INSERT INTO "{VOCABULARY}" (word) {_NEW_WORDS.format(rows="new_rows")} ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION trainee_word_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "{TABLE}" x USING (SELECT DISTINCT left(w, {HEAD}) AS h, w FROM string_to_table(OLD.search_text, ' ') w
        WHERE w <> '') d WHERE x.head = d.h AND x.trainee_id = OLD.id AND x.word = d.w;
    INSERT INTO "{TABLE}" (head, trainee_id, word)
        SELECT DISTINCT left(w, {HEAD}), NEW.id, w FROM string_to_table(NEW.search_text, ' ') w WHERE w <> '';
    INSERT INTO "{VOCABULARY}" (word) SELECT DISTINCT w FROM string_to_table(NEW.search_text, ' ') w
        WHERE w ~ '[^0-9]' ORDER BY 1 ON CONFLICT DO NOTHING;
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
    """The table, filled from the registry, its indexes, the vocabulary and the triggers
    (migration 0012; the vocabulary came with 0018, which adds it to older databases)."""
    db.execute_sql(CREATE_TABLE)
    db.execute_sql(FILL)
    for stmt in CREATE_INDEXES + (CREATE_TSVECTOR,) + CREATE_VOCABULARY + FUNCTIONS + TRIGGERS:
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
    db.execute_sql(CREATE_VOCABULARY[1])  # its insert trigger was off too
    for stmt in CREATE_INDEXES:
        db.execute_sql(stmt)
    db.execute_sql(f"ALTER TABLE trainee ENABLE TRIGGER {INSERT_TRIGGER}")


def word(text: str) -> str:
    # Terms are normalised words (letters and digits only); keep it that way for the queries.
    return "".join(c for c in text if c.isalnum())
