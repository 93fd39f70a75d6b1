"""Sign-in throttling for names that match no account.

A failed sign-in under an unknown name is counted and locked exactly as for
a real account (keyed by a fingerprint of the name, never the name, since
people type passwords into that box), so the answers and their timing do not
tell which usernames exist.
"""

SQLITE = [
    'CREATE TABLE "login_throttle" ("name_key" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"failed_logins" INTEGER NOT NULL DEFAULT 0, "locked_until" DATETIME)',
]

POSTGRES = [
    'CREATE TABLE "login_throttle" ("name_key" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"failed_logins" INTEGER NOT NULL DEFAULT 0, "locked_until" TIMESTAMP)',
]


def up(migrator, db):
    from db.connection import is_postgres

    for statement in POSTGRES if is_postgres(db) else SQLITE:
        db.execute_sql(statement)
