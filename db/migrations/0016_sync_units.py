"""Units made at two sites, and a kit's movements travelling (docs/sync.md).

unit_alias: a unit's second UUID pointing at the unit headquarters kept under the same code.
kit_movement becomes a record (a UUID, a version, its times): before, two alike on one day could
not be told apart, so the rows could not travel. Each existing row gets its own UUID here, and
db.schema.upgrade logs them once as inserts (db/capture.py CAPTURED_SINCE_0016). Both are shared
records: their capture triggers are installed by db.schema.upgrade like every other's.
"""

from __future__ import annotations

import datetime

from peewee import Database
from playhouse.migrate import SchemaMigrator

from db.fields import uuid7

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
MOVEMENT_SQLITE = (
    'ALTER TABLE "kit_movement" ADD COLUMN "uuid" TEXT NOT NULL DEFAULT \'\'',
    'ALTER TABLE "kit_movement" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    # SQLite adds a column to rows only with a constant default: the time of the upgrade, as text.
    'ALTER TABLE "kit_movement" ADD COLUMN "created_at" DATETIME NOT NULL DEFAULT \'{now}\'',
    'ALTER TABLE "kit_movement" ADD COLUMN "updated_at" DATETIME NOT NULL DEFAULT \'{now}\'',
)
MOVEMENT_POSTGRES = (
    'ALTER TABLE "kit_movement" ADD COLUMN "uuid" UUID',
    'ALTER TABLE "kit_movement" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'ALTER TABLE "kit_movement" ADD COLUMN "created_at" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE \'utc\')',
    'ALTER TABLE "kit_movement" ADD COLUMN "updated_at" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE \'utc\')',
)


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    pg = is_postgres(db)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    for stmt in (POSTGRES if pg else SQLITE) + BOTH + (MOVEMENT_POSTGRES if pg else MOVEMENT_SQLITE):
        db.execute_sql(stmt.replace("{now}", now))
    ids = [i for (i,) in db.execute_sql('SELECT "id" FROM "kit_movement" ORDER BY "id"').fetchall()]
    mark = "%s" if pg else "?"
    for i in ids:  # a few rows per kit: one statement each is fine
        value = uuid7()
        db.execute_sql(
            f'UPDATE "kit_movement" SET "uuid" = {mark} WHERE "id" = {mark}', (str(value) if pg else value.hex, i)
        )
    if pg:
        db.execute_sql('ALTER TABLE "kit_movement" ALTER COLUMN "uuid" SET NOT NULL')
    db.execute_sql('CREATE UNIQUE INDEX "kit_movement_uuid" ON "kit_movement" ("uuid")')
