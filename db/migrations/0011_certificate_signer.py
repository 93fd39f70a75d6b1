"""Certificates name who signed them: the user who issued them, or the site's named signatory.

Before this, a certificate named only its issuing (qualified) instructor, and
the app reported that instructor as the signer even when an admin graduated
the cohort. Older certificates keep an empty signer: they show the instructor.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = ['ALTER TABLE "certificate" ADD COLUMN "signed_by" VARCHAR(255) NOT NULL DEFAULT \'\'']
POSTGRES = ['ALTER TABLE "certificate" ADD COLUMN "signed_by" VARCHAR(255) NOT NULL DEFAULT \'\'']


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
