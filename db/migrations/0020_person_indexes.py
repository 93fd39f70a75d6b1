"""The registry list counts persons, not merged records (trainer.registry.listing.PERSONS):
partial indexes over the rows that are not merged (declared beside db.models.people.Trainee), so that
its counts read one index and no table rows (all persons, by force, by province), a count
joined by id (the vetting filter's) reads the one on id as it read the primary key, and a
jump deep into the list skips rows in that index (docs/speed.md "Merged records").
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator

# Frozen here as the models declare them; both databases take a partial index when the query
# repeats its WHERE as written.
STATEMENTS = (
    'CREATE INDEX IF NOT EXISTS "trainee_person" ON "trainee" ("id") WHERE status <> \'merged\'',
    'CREATE INDEX IF NOT EXISTS "trainee_person_force" ON "trainee" ("force_id") WHERE status <> \'merged\'',
    'CREATE INDEX IF NOT EXISTS "trainee_person_province" ON "trainee" ("province_id") WHERE status <> \'merged\'',
)


def up(migrator: SchemaMigrator, db: Database) -> None:
    for stmt in STATEMENTS:
        db.execute_sql(stmt)
