"""PostgreSQL: a word index for prefix search (db.search_words); SQLite's FTS5 tables already are one.

At 250,000 trainees the trigram index answered a common prefix by reading every match from
the table (113 ms p95); the word index hands out the first 50 in id order from the index alone.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    if is_postgres(db):
        from db import search_words

        search_words.create(db)
