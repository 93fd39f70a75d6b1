"""PostgreSQL: whole words in id order for search (db.search_words._match); SQLite's FTS5 already has them.

A skeleton alternative ("abd" for "abdu") is a whole word. Through the head index a rare word
under a common head cost every entry of the head (57 ms for "abd" among 71,000 words beginning
"abd" at 250,000 trainees); a btree on (word, trainee_id) hands out its first ids at once.
A database made since has it from 0012 (db.search_words.CREATE_INDEXES).
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

POSTGRES = ('CREATE INDEX IF NOT EXISTS trainee_word_word ON "trainee_word" (word, trainee_id)',)


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    if is_postgres(db):
        for stmt in POSTGRES:
            db.execute_sql(stmt)
