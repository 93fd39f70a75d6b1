"""Report summaries: derived tables that trainer.reporting.summary keeps current.

Nothing here is a record people edit; every row can be rebuilt from the
enrolments, results and certificates (trainer.reporting.summary.rebuild). Plain ids,
not foreign keys: a summary must never block a change to the records.
"""

from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, DateField, IntegerField

from db.models.base import BaseModel


class CohortSummary(BaseModel):
    """Per cohort and the trainees' force and province: what the aggregate reports sum."""

    id: AutoField[int]

    cohort = IntegerField()
    course = IntegerField()
    centre = IntegerField()
    force = CharField(max_length=16)
    province = CharField(max_length=8)
    end_date = DateField()
    month = DateField()  # first day of the month the cohort ended in
    enrolled = IntegerField(default=0)  # every enrolment but the waitlist
    withdrawn = IntegerField(default=0)
    graduated = IntegerField(default=0)
    failed = IntegerField(default=0)
    # Graduates of this course for the first time: sums over any set of
    # cohorts of one course count unique persons, never enrolments.
    trained = IntegerField(default=0)
    results = IntegerField(default=0)  # result rows (attempts)
    results_passed = IntegerField(default=0)
    certificates = IntegerField(default=0)

    class Meta:
        indexes = (
            (("cohort", "force", "province"), True),
            # Covers the force × province × course × month report: no table look-ups.
            (("month", "force", "province", "course", "enrolled", "trained", "results", "results_passed"), False),
        )


class PersonSummary(BaseModel):
    """One row per registered person (merged records excluded): when they became trained."""

    trainee = IntegerField(primary_key=True)
    force = CharField(max_length=16)
    province = CharField(max_length=8)
    active = BooleanField()
    first_seen = DateField(null=True)  # first enrolment, else registration
    # First graduation from a basic course open to the person's force.
    trained_on = DateField(null=True)
    trained_centre = IntegerField(null=True)
    # First graduation from a course building an ilp- or community-tagged competency.
    ilp_on = DateField(null=True)

    class Meta:
        indexes = (
            (("force", "province"), False),
            (("trained_on",), False),
        )
