"""The training calendar: holidays, which sessions are never generated on."""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = [
    (
        'CREATE TABLE "holiday" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"day" DATE NOT NULL, "name_en" VARCHAR(255) NOT NULL, "name_ar" VARCHAR(255) NOT NULL)'
    ),
    'CREATE UNIQUE INDEX "holiday_uuid" ON "holiday" ("uuid")',
    'CREATE UNIQUE INDEX "holiday_day" ON "holiday" ("day")',
]

POSTGRES = [
    (
        'CREATE TABLE "holiday" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "day" DATE NOT NULL, '
        '"name_en" VARCHAR(255) NOT NULL, "name_ar" VARCHAR(255) NOT NULL)'
    ),
    'CREATE UNIQUE INDEX "holiday_uuid" ON "holiday" ("uuid")',
    'CREATE UNIQUE INDEX "holiday_day" ON "holiday" ("day")',
]


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
