"""PostgreSQL: the distinct words of the search text, with a trigram index, for substrings
(db.search_words.VOCABULARY, db.search_walk.substring_ids); SQLite's trigram FTS5 table serves them.

A substring found through the trigram index on the search text read every match from the table
before keeping the first 50 in id order, and a scan in id order tested every row until the
50th; the words holding the substring are few, and each gives its first ids from the word index.
The word table's triggers add new words to it (their functions are replaced here).
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    if is_postgres(db):
        from db import search_words

        for stmt in search_words.CREATE_VOCABULARY + search_words.FUNCTIONS:
            db.execute_sql(stmt)
