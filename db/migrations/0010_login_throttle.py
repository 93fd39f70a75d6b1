"""Sign-in throttling for names that match no account; the centre that registered a trainee.

A failed sign-in under an unknown name is counted and locked exactly as for
a real account (keyed by a fingerprint of the name, never the name, since
people type passwords into that box), so the answers and their timing do not
tell which usernames exist.

trainee.registered_centre: the registering registrar's centre, one half of a
registrar's scope (the other: the centres of the trainee's cohorts). Rows from
before this migration have none; the cohort half still applies to them.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = [
    'CREATE TABLE "login_throttle" ("name_key" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"failed_logins" INTEGER NOT NULL DEFAULT 0, "locked_until" DATETIME)',
    'ALTER TABLE "trainee" ADD COLUMN "registered_centre_id" INTEGER REFERENCES "centre" ("id") ON DELETE SET NULL',
    'CREATE INDEX "trainee_registered_centre_id" ON "trainee" ("registered_centre_id")',
]

POSTGRES = [
    'CREATE TABLE "login_throttle" ("name_key" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"failed_logins" INTEGER NOT NULL DEFAULT 0, "locked_until" TIMESTAMP)',
    'ALTER TABLE "trainee" ADD COLUMN "registered_centre_id" INTEGER REFERENCES "centre" ("id") ON DELETE SET NULL',
    'CREATE INDEX "trainee_registered_centre_id" ON "trainee" ("registered_centre_id")',
]


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
