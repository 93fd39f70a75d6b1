"""PostgreSQL: an import mutes the change log's triggers through a transaction-local setting
(`trainer.mute`) tested in each trigger's WHEN clause, instead of a row in sync_mute that the
trigger function looked up for every row (db/capture.py, docs/sync.md "Figures"). No change of
schema: db.schema.upgrade installs the capture triggers again after every migration, and this
version's have the WHEN clause. SQLite keeps sync_mute (its triggers' WHEN already tests it
without a call).
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator


def up(migrator: SchemaMigrator, db: Database) -> None:
    """Nothing here: the triggers are installed by db.schema.upgrade once migrations have run."""
