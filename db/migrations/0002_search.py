"""Trainee search indexes: FTS5 word + trigram on SQLite, pg_trgm on PostgreSQL.

Both cover trainee.search_text (normalised name words, consonant skeletons,
national ID, service number), which the services keep current.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres
    from db.search import create_search_index

    create_search_index(db, postgres=is_postgres(db))
