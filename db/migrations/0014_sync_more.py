"""Each site's audit chain carried to headquarters (docs/sync.md, "Audit across sites"); and, with
no change of schema, the rows of the tables the change log captures from this version on (kit
items, inventory lines, a cohort's delivery and nations: db/capture.py CAPTURED_SINCE_0014) are
logged once as inserts by db.schema.upgrade, as 0013 logged the records made before it.

sync_audit_event holds, at headquarters, every audit event a site sent: the event as the
site wrote it (canonical JSON, its HMAC chain value included) and the public hash chain
over that site's events; sync_audit_head the heads the site signed with its Ed25519 key.
sync_peer gains, at a site, how far headquarters holds its trail (sent back in its bundles).
"""

from typing import Any

SQLITE = [
    'CREATE TABLE "sync_audit_event" ("id" INTEGER NOT NULL PRIMARY KEY, "origin" VARCHAR(16) NOT NULL, '
    '"event_id" INTEGER NOT NULL, "event" TEXT NOT NULL, "hash" VARCHAR(64) NOT NULL)',
    'CREATE UNIQUE INDEX "sync_audit_event_origin_event_id" ON "sync_audit_event" ("origin", "event_id")',
    'CREATE TABLE "sync_audit_head" ("id" INTEGER NOT NULL PRIMARY KEY, "origin" VARCHAR(16) NOT NULL, '
    '"event_id" INTEGER NOT NULL, "hash" VARCHAR(64) NOT NULL, "breaks" TEXT NOT NULL, '
    '"signature" VARCHAR(128) NOT NULL, "at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX "sync_audit_head_origin_event_id" ON "sync_audit_head" ("origin", "event_id")',
    'ALTER TABLE "sync_peer" ADD COLUMN "audit_acked" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "sync_peer" ADD COLUMN "audit_hash" VARCHAR(64) NOT NULL DEFAULT \'\'',
]

POSTGRES = [
    'CREATE TABLE "sync_audit_event" ("id" SERIAL NOT NULL PRIMARY KEY, "origin" VARCHAR(16) NOT NULL, '
    '"event_id" BIGINT NOT NULL, "event" TEXT NOT NULL, "hash" VARCHAR(64) NOT NULL)',
    'CREATE UNIQUE INDEX "sync_audit_event_origin_event_id" ON "sync_audit_event" ("origin", "event_id")',
    'CREATE TABLE "sync_audit_head" ("id" SERIAL NOT NULL PRIMARY KEY, "origin" VARCHAR(16) NOT NULL, '
    '"event_id" BIGINT NOT NULL, "hash" VARCHAR(64) NOT NULL, "breaks" TEXT NOT NULL, '
    '"signature" VARCHAR(128) NOT NULL, "at" TIMESTAMP NOT NULL)',
    'CREATE UNIQUE INDEX "sync_audit_head_origin_event_id" ON "sync_audit_head" ("origin", "event_id")',
    'ALTER TABLE "sync_peer" ADD COLUMN "audit_acked" BIGINT NOT NULL DEFAULT 0',
    'ALTER TABLE "sync_peer" ADD COLUMN "audit_hash" VARCHAR(64) NOT NULL DEFAULT \'\'',
]


def up(migrator: object, db: Any) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
