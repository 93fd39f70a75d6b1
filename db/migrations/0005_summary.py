"""Report summary tables (cohort × force × province, and one row per person).

Frozen copies of db/models/summary.py; trainer.reporting.summary fills them (an empty
summary over existing records is rebuilt on first use).
"""

from __future__ import annotations

from peewee import BooleanField, CharField, Database, DateField, IntegerField, Model
from playhouse.migrate import SchemaMigrator


def up(migrator: SchemaMigrator, db: Database) -> None:
    class CohortSummary(Model):
        cohort = IntegerField()
        course = IntegerField()
        centre = IntegerField()
        force = CharField(max_length=16)
        province = CharField(max_length=8)
        end_date = DateField()
        month = DateField()
        enrolled = IntegerField(default=0)
        withdrawn = IntegerField(default=0)
        graduated = IntegerField(default=0)
        failed = IntegerField(default=0)
        trained = IntegerField(default=0)
        results = IntegerField(default=0)
        results_passed = IntegerField(default=0)
        certificates = IntegerField(default=0)

        class Meta:
            database = db
            legacy_table_names = False
            indexes = (
                (("cohort", "force", "province"), True),
                (("month", "force", "province", "course", "enrolled", "trained", "results", "results_passed"), False),
            )

    class PersonSummary(Model):
        trainee = IntegerField(primary_key=True)
        force = CharField(max_length=16)
        province = CharField(max_length=8)
        active = BooleanField()
        first_seen = DateField(null=True)
        trained_on = DateField(null=True)
        trained_centre = IntegerField(null=True)
        ilp_on = DateField(null=True)

        class Meta:
            database = db
            legacy_table_names = False
            indexes = (
                (("force", "province"), False),
                (("trained_on",), False),
            )

    db.create_tables([CohortSummary, PersonSummary])
