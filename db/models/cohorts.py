"""Cohorts (one running of a course at a centre), their sessions and enrolments."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from db.fields import ChoiceField
from db.models.access import User
from db.models.base import BaseModel, Record
from db.models.courses import Course
from db.models.people import Trainee
from db.models.reference import Centre

COHORT_STATUSES = ("planned", "running", "completed", "cancelled")
SESSION_STATUSES = ("planned", "held", "cancelled")
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "withdrawn", "graduated", "failed")


class Cohort(Record):
    code = CharField(unique=True, max_length=48)
    course = ForeignKeyField(Course, backref="cohorts", on_delete="RESTRICT", index=True)
    course_id: int
    centre = ForeignKeyField(Centre, backref="cohorts", on_delete="RESTRICT", index=True)
    centre_id: int
    start_date = DateField(index=True)
    end_date = DateField()
    capacity = IntegerField(constraints=[Check("capacity > 0")])
    funder = CharField(default="")
    coalition_funded = BooleanField(default=False)
    status = ChoiceField(COHORT_STATUSES, default="planned")
    # The course's pass rule and assessments as they stood for this cohort
    # (JSON), frozen when the cohort starts so later course edits never
    # rewrite its outcomes.
    rules = TextField(default="")

    class Meta:
        constraints = [Check("end_date >= start_date")]


class CohortInstructor(BaseModel):
    id: AutoField[int]
    cohort = ForeignKeyField(Cohort, backref="instructors", on_delete="CASCADE")
    cohort_id: int
    user = ForeignKeyField(User, on_delete="RESTRICT")
    user_id: int

    class Meta:
        indexes = ((("cohort", "user"), True),)


class Session(Record):
    cohort = ForeignKeyField(Cohort, backref="sessions", on_delete="CASCADE")
    cohort_id: int
    day = DateField()
    status = ChoiceField(SESSION_STATUSES, default="planned")
    topic = CharField(default="")

    class Meta:
        indexes = ((("cohort", "day"), False),)


class Enrolment(Record):
    cohort = ForeignKeyField(Cohort, backref="enrolments", on_delete="RESTRICT")
    cohort_id: int
    trainee = ForeignKeyField(Trainee, backref="enrolments", on_delete="RESTRICT", index=True)
    trainee_id: int
    status = ChoiceField(ENROLMENT_STATUSES, default="enrolled")
    enrolled_on = DateField()
    waitlist_position = IntegerField(null=True)
    withdrawal_reason = CharField(default="")
    outcome_reason = TextField(default="")  # why graduation failed, in words
    decided_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("cohort", "trainee"), True),)
        constraints = [
            Check("status <> 'withdrawn' OR withdrawal_reason <> ''"),
            Check("status <> 'waitlisted' OR waitlist_position IS NOT NULL"),
        ]
