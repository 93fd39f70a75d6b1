"""PostgreSQL: search keys for several words (db.search_words.keys_condition); SQLite's FTS5 already has them.

The tsvector GIN index of 0012 answered `abd:* & azad:*` by OR-ing the posting list of every
word beginning "abd" before intersecting (about 10 ms for two common words rare together at
250,000 trainees). The keys hold each word's prefixes as lexemes of their own, so a prefix is
one posting list. Frozen DDL: the function as it was written for this migration.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

POSTGRES = (
    # One expression of built-in functions (the planner inlines it into the index): each word
    # becomes "=word" and its first 2 to 5 characters (a word of one character: "=a" and "a").
    r"""CREATE OR REPLACE FUNCTION trainee_search_keys(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_to_tsvector(array_remove(regexp_split_to_array(regexp_replace(t,
        '(\S)(\S)?(\S)?(\S)?(\S)?(\S*)', '=\1\2\3\4\5\6 \1\2 \1\2\3 \1\2\3\4 \1\2\3\4\5', 'g'), '\s+'), ''))
$$""",
    "CREATE INDEX IF NOT EXISTS trainee_search_keys ON trainee USING gin (trainee_search_keys(search_text))",
    # Whole words in id order (db.search_words._match); 0012 makes it too on a database made since.
    "CREATE INDEX IF NOT EXISTS trainee_word_word ON trainee_word (word, trainee_id)",
    "DROP INDEX IF EXISTS trainee_search_words",
    "ANALYZE trainee",
)


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    if is_postgres(db):
        for stmt in POSTGRES:
            db.execute_sql(stmt)
