"""What instructors and managers record: attendance, results, certificates, qualifications."""

from __future__ import annotations

from peewee import CharField, Check, DateField, DateTimeField, FloatField, ForeignKeyField, IntegerField, TextField

from db.fields import ChoiceField
from db.models.access import User
from db.models.base import Record, now
from db.models.cohorts import Enrolment, Session
from db.models.courses import Assessment, Course
from db.models.people import Trainee

ATTENDANCE_MARKS = ("present", "absent", "excused", "late")
CERTIFICATE_STATUSES = ("valid", "expired", "revoked", "superseded")


class Attendance(Record):
    session = ForeignKeyField(Session, backref="attendance", on_delete="CASCADE")
    session_id: int
    enrolment = ForeignKeyField(Enrolment, backref="attendance", on_delete="CASCADE")
    enrolment_id: int
    mark = ChoiceField(ATTENDANCE_MARKS)
    entered_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    entered_by_id: int | None

    class Meta:
        indexes = ((("session", "enrolment"), True),)


class Result(Record):
    """Append-only: a re-sit or a correction is a new attempt, the earlier one stays."""

    enrolment = ForeignKeyField(Enrolment, backref="results", on_delete="RESTRICT")
    enrolment_id: int
    assessment = ForeignKeyField(Assessment, on_delete="RESTRICT")
    assessment_id: int
    attempt = IntegerField(default=1, constraints=[Check("attempt >= 1")])
    score = FloatField(constraints=[Check("score >= 0")])
    entered_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    entered_by_id: int | None
    entered_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("enrolment", "assessment", "attempt"), True),)


class Certificate(Record):
    number = CharField(unique=True, max_length=32)  # with a check digit
    verification_code = CharField(unique=True, max_length=32)
    enrolment = ForeignKeyField(Enrolment, null=True, on_delete="RESTRICT")
    enrolment_id: int | None
    trainee = ForeignKeyField(Trainee, backref="certificates", on_delete="RESTRICT", index=True)
    trainee_id: int
    course = ForeignKeyField(Course, on_delete="RESTRICT")
    course_id: int
    issued_on = DateField()
    expires_on = DateField(null=True, index=True)
    status = ChoiceField(CERTIFICATE_STATUSES, default="valid")
    revoked_reason = TextField(default="")
    superseded_by = ForeignKeyField("self", null=True, on_delete="RESTRICT")
    superseded_by_id: int | None
    issued_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")  # the qualified instructor (the gate)
    issued_by_id: int | None
    signed_by = CharField(default="")  # who signed: the issuing user, or the site's named signatory

    class Meta:
        constraints = [
            Check("expires_on IS NULL OR expires_on > issued_on"),
            Check("status <> 'revoked' OR revoked_reason <> ''"),
        ]


class InstructorQualification(Record):
    """An instructor may teach and certify a course while this is valid."""

    user = ForeignKeyField(User, backref="qualifications", on_delete="CASCADE")
    user_id: int
    course = ForeignKeyField(Course, on_delete="CASCADE")
    course_id: int
    valid_from = DateField()
    valid_until = DateField(null=True)
    reference = CharField(default="")

    class Meta:
        constraints = [Check("valid_until IS NULL OR valid_until >= valid_from")]
