"""Units made at two sites (docs/sync.md): unit_alias, a unit's second UUID pointing at the unit
headquarters kept under the same code. A shared record: its capture trigger is installed by
db.schema.upgrade like every other's.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = (
    'CREATE TABLE "unit_alias" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
    '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "unit_id" INTEGER NOT NULL, '
    '"code" VARCHAR(64) NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT)',
)
POSTGRES = (
    'CREATE TABLE "unit_alias" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
    '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "unit_id" INTEGER NOT NULL, '
    '"code" VARCHAR(64) NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE RESTRICT)',
)
BOTH = (
    'CREATE UNIQUE INDEX "unit_alias_uuid" ON "unit_alias" ("uuid")',
    'CREATE INDEX "unit_alias_unit_id" ON "unit_alias" ("unit_id")',
)


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for stmt in (POSTGRES if is_postgres(db) else SQLITE) + BOTH:
        db.execute_sql(stmt)
