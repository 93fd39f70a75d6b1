"""Security: sign-in sessions, an index for record histories, and an append-only audit trail.

Audit rows cannot be changed or removed through SQL: a trigger raises on
UPDATE and DELETE of audit_event (both dialects) and on TRUNCATE
(PostgreSQL, where TRUNCATE bypasses row triggers). On PostgreSQL the
UPDATE/DELETE/TRUNCATE privileges are also revoked from PUBLIC.

What that does and does not buy: the table's owner (the role that ran this
migration) can still drop the triggers. A server deployment should therefore
migrate as an owner role and run the app as a separate role granted only
SELECT, INSERT on audit_event (see trainer/accounts/audit.py); then the app's role can
neither edit the trail nor disable its triggers. Anyone who bypasses all this
(a superuser, or someone editing the SQLite file) is caught by the HMAC chain
that `trainer audit verify` checks.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

SQLITE = [
    (
        'CREATE TABLE "user_session" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, '
        '"client" VARCHAR(64) NOT NULL, "started_at" DATETIME NOT NULL, "ended_at" DATETIME, '
        '"end_reason" VARCHAR(32) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
    'CREATE INDEX "user_session_ended_at" ON "user_session" ("ended_at")',
    'CREATE INDEX "audit_event_entity_entity_uuid" ON "audit_event" ("entity", "entity_uuid")',
    'CREATE TRIGGER "audit_event_no_update" BEFORE UPDATE ON "audit_event" '
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    'CREATE TRIGGER "audit_event_no_delete" BEFORE DELETE ON "audit_event" '
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
]

POSTGRES = [
    (
        'CREATE TABLE "user_session" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, '
        '"client" VARCHAR(64) NOT NULL, "started_at" TIMESTAMP NOT NULL, "ended_at" TIMESTAMP, '
        '"end_reason" VARCHAR(32) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
    'CREATE INDEX "user_session_ended_at" ON "user_session" ("ended_at")',
    'CREATE INDEX "audit_event_entity_entity_uuid" ON "audit_event" ("entity", "entity_uuid")',
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$""",
    'CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON "audit_event" '
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    'CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON "audit_event" '
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    'REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event" FROM PUBLIC',
]


def up(migrator: SchemaMigrator, db: Database) -> None:
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
