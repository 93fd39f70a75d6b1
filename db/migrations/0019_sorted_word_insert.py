"""PostgreSQL: the word table's insert trigger adds a statement's words sorted as the head index
holds them (db.search_words.FUNCTIONS), so that a bulk insert (a sync import's COPY of a
thousand persons, 17,000 words) fills each index page at once rather than at random: the
trigger's share of an import halved (docs/sync.md "Figures"). Only the functions are replaced.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    if is_postgres(db):
        from db import search_words

        for stmt in search_words.FUNCTIONS:
            db.execute_sql(stmt)
