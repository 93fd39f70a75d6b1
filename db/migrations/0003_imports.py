"""Roster imports: committed batches, rows held for review, merges of duplicate persons."""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = [
    (
        'CREATE TABLE "import_batch" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"file_name" VARCHAR(255) NOT NULL, "file_sha256" VARCHAR(64) NOT NULL, "encoding" VARCHAR(32) NOT NULL, '
        '"date_order" VARCHAR(16) NOT NULL, "skip_invalid" INTEGER NOT NULL, "rows_read" INTEGER NOT NULL, '
        '"added" INTEGER NOT NULL, "already_present" INTEGER NOT NULL, "held" INTEGER NOT NULL, '
        '"rejected" INTEGER NOT NULL, "user_id" INTEGER, "username" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "import_batch_uuid" ON "import_batch" ("uuid")',
    'CREATE INDEX "import_batch_file_sha256" ON "import_batch" ("file_sha256")',
    'CREATE INDEX "import_batch_user_id" ON "import_batch" ("user_id")',
    (
        'CREATE TABLE "held_row" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"batch_id" INTEGER NOT NULL, "row_number" INTEGER NOT NULL, "values" TEXT NOT NULL, '
        '"candidates" TEXT NOT NULL, "fingerprint" VARCHAR(64) NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('pending', 'same', 'new', 'discarded')), "
        '"decided_by_id" INTEGER, "decided_at" DATETIME, "trainee_id" INTEGER, '
        'FOREIGN KEY ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "held_row_uuid" ON "held_row" ("uuid")',
    'CREATE INDEX "held_row_batch_id" ON "held_row" ("batch_id")',
    'CREATE INDEX "held_row_fingerprint" ON "held_row" ("fingerprint")',
    'CREATE INDEX "held_row_status" ON "held_row" ("status")',
    'CREATE INDEX "held_row_decided_by_id" ON "held_row" ("decided_by_id")',
    'CREATE INDEX "held_row_trainee_id" ON "held_row" ("trainee_id")',
    (
        'CREATE TABLE "merge" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" TEXT NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "survivor_id" INTEGER NOT NULL, '
        '"merged_id" INTEGER NOT NULL, "user_id" INTEGER, "username" VARCHAR(255) NOT NULL, "reason" TEXT NOT NULL, '
        '"moved" TEXT NOT NULL, FOREIGN KEY ("survivor_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("merged_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "merge_uuid" ON "merge" ("uuid")',
    'CREATE INDEX "merge_survivor_id" ON "merge" ("survivor_id")',
    'CREATE UNIQUE INDEX "merge_merged_id" ON "merge" ("merged_id")',
    'CREATE INDEX "merge_user_id" ON "merge" ("user_id")',
]

POSTGRES = [
    (
        'CREATE TABLE "import_batch" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"file_name" VARCHAR(255) NOT NULL, "file_sha256" VARCHAR(64) NOT NULL, "encoding" VARCHAR(32) NOT NULL, '
        '"date_order" VARCHAR(16) NOT NULL, "skip_invalid" BOOLEAN NOT NULL, "rows_read" INTEGER NOT NULL, '
        '"added" INTEGER NOT NULL, "already_present" INTEGER NOT NULL, "held" INTEGER NOT NULL, '
        '"rejected" INTEGER NOT NULL, "user_id" INTEGER, "username" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "import_batch_uuid" ON "import_batch" ("uuid")',
    'CREATE INDEX "import_batch_file_sha256" ON "import_batch" ("file_sha256")',
    'CREATE INDEX "import_batch_user_id" ON "import_batch" ("user_id")',
    (
        'CREATE TABLE "held_row" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, '
        '"version" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, '
        '"batch_id" INTEGER NOT NULL, "row_number" INTEGER NOT NULL, "values" TEXT NOT NULL, '
        '"candidates" TEXT NOT NULL, "fingerprint" VARCHAR(64) NOT NULL, '
        "\"status\" VARCHAR(32) NOT NULL CHECK (\"status\" IN ('pending', 'same', 'new', 'discarded')), "
        '"decided_by_id" INTEGER, "decided_at" TIMESTAMP, "trainee_id" INTEGER, '
        'FOREIGN KEY ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "held_row_uuid" ON "held_row" ("uuid")',
    'CREATE INDEX "held_row_batch_id" ON "held_row" ("batch_id")',
    'CREATE INDEX "held_row_fingerprint" ON "held_row" ("fingerprint")',
    'CREATE INDEX "held_row_status" ON "held_row" ("status")',
    'CREATE INDEX "held_row_decided_by_id" ON "held_row" ("decided_by_id")',
    'CREATE INDEX "held_row_trainee_id" ON "held_row" ("trainee_id")',
    (
        'CREATE TABLE "merge" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" UUID NOT NULL, "version" INTEGER NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "survivor_id" INTEGER NOT NULL, '
        '"merged_id" INTEGER NOT NULL, "user_id" INTEGER, "username" VARCHAR(255) NOT NULL, "reason" TEXT NOT NULL, '
        '"moved" TEXT NOT NULL, FOREIGN KEY ("survivor_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("merged_id") REFERENCES "trainee" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE UNIQUE INDEX "merge_uuid" ON "merge" ("uuid")',
    'CREATE INDEX "merge_survivor_id" ON "merge" ("survivor_id")',
    'CREATE UNIQUE INDEX "merge_merged_id" ON "merge" ("merged_id")',
    'CREATE INDEX "merge_user_id" ON "merge" ("user_id")',
]


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
