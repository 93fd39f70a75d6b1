"""The exchange between field sites and headquarters (docs/sync.md).

sync_change is the change log (outbox and what peers sent); sync_clock corrects
the clock stamps of a database whose clock is known wrong; sync_mute silences
the capture while an import applies a peer's changes; sync_peer keeps each
peer's positions; sync_review keeps values last-writer-wins would have dropped.
The capture triggers themselves are derived from the tables' current columns
and (re)installed by db.schema.upgrade after every migration (db/capture.py).
"""

from typing import Any

SQLITE = [
    'CREATE TABLE "sync_change" ("id" INTEGER NOT NULL PRIMARY KEY, "origin" VARCHAR(16) NOT NULL DEFAULT \'\', '
    '"seq" INTEGER NOT NULL, "hlc" INTEGER NOT NULL, "table_name" VARCHAR(64) NOT NULL, '
    '"record_uuid" VARCHAR(100) NOT NULL, "op" VARCHAR(1) NOT NULL, "fields" TEXT NOT NULL DEFAULT \'{}\')',
    'CREATE INDEX "sync_change_hlc" ON "sync_change" ("hlc")',
    'CREATE INDEX "sync_change_record_uuid" ON "sync_change" ("record_uuid")',
    'CREATE UNIQUE INDEX "sync_change_origin_seq" ON "sync_change" ("origin", "seq")',
    'CREATE TABLE "sync_mute" ("id" INTEGER NOT NULL PRIMARY KEY)',
    'CREATE TABLE "sync_clock" ("id" INTEGER NOT NULL PRIMARY KEY, "offset_ms" INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE "sync_peer" ("code" VARCHAR(16) NOT NULL PRIMARY KEY, "acked" INTEGER NOT NULL DEFAULT 0, '
    '"received" INTEGER NOT NULL DEFAULT 0, "last_export_at" DATETIME, "last_import_at" DATETIME, '
    '"exports" INTEGER NOT NULL DEFAULT 0, "imports" INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE "sync_review" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, '
    '"table_name" VARCHAR(64) NOT NULL, "record_uuid" VARCHAR(100) NOT NULL, "field" VARCHAR(64) NOT NULL, '
    '"kept" TEXT NOT NULL, "held" TEXT NOT NULL, "origin" VARCHAR(16) NOT NULL, "reason" VARCHAR(64) NOT NULL, '
    '"status" VARCHAR(16) NOT NULL)',
]

POSTGRES = [
    'CREATE TABLE "sync_change" ("id" SERIAL NOT NULL PRIMARY KEY, "origin" VARCHAR(16) NOT NULL DEFAULT \'\', '
    '"seq" BIGINT NOT NULL, "hlc" BIGINT NOT NULL, "table_name" VARCHAR(64) NOT NULL, '
    '"record_uuid" VARCHAR(100) NOT NULL, "op" VARCHAR(1) NOT NULL, "fields" TEXT NOT NULL DEFAULT \'{}\')',
    'CREATE INDEX "sync_change_hlc" ON "sync_change" ("hlc")',
    'CREATE INDEX "sync_change_record_uuid" ON "sync_change" ("record_uuid")',
    'CREATE UNIQUE INDEX "sync_change_origin_seq" ON "sync_change" ("origin", "seq")',
    'CREATE TABLE "sync_mute" ("id" SERIAL NOT NULL PRIMARY KEY)',
    'CREATE TABLE "sync_clock" ("id" SERIAL NOT NULL PRIMARY KEY, "offset_ms" BIGINT NOT NULL DEFAULT 0)',
    'CREATE TABLE "sync_peer" ("code" VARCHAR(16) NOT NULL PRIMARY KEY, "acked" BIGINT NOT NULL DEFAULT 0, '
    '"received" BIGINT NOT NULL DEFAULT 0, "last_export_at" TIMESTAMP, "last_import_at" TIMESTAMP, '
    '"exports" INTEGER NOT NULL DEFAULT 0, "imports" INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE "sync_review" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT NULL, '
    '"table_name" VARCHAR(64) NOT NULL, "record_uuid" VARCHAR(100) NOT NULL, "field" VARCHAR(64) NOT NULL, '
    '"kept" TEXT NOT NULL, "held" TEXT NOT NULL, "origin" VARCHAR(16) NOT NULL, "reason" VARCHAR(64) NOT NULL, '
    '"status" VARCHAR(16) NOT NULL)',
]


def up(migrator: object, db: Any) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
