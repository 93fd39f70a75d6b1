"""The course catalogue: courses, prerequisites, competencies and assessments."""

from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, Check, FloatField, ForeignKeyField, IntegerField

from db.fields import ChoiceField
from db.models.base import BaseModel, Record
from db.models.reference import Force

COURSE_CATEGORIES = (
    "basic",
    "specialist",
    "leadership",
    "train-the-trainer",
    "intelligence-led-policing",
    "community-policing",
)
COURSE_STATUSES = ("active", "retired")


class Competency(Record):
    code = CharField(unique=True, max_length=64)
    name_en = CharField()
    name_ar = CharField(default="")


class CompetencyTag(BaseModel):
    """Tags (ilp, community, human-rights, evidence, first-aid …) that reports group by."""

    id: AutoField[int]

    competency = ForeignKeyField(Competency, backref="tags", on_delete="CASCADE")
    competency_id: int
    tag = CharField(max_length=32)

    class Meta:
        indexes = ((("competency", "tag"), True),)


class Course(Record):
    code = CharField(unique=True, max_length=32)
    title_en = CharField()
    title_ar = CharField(default="")
    category = ChoiceField(COURSE_CATEGORIES)
    duration_days = IntegerField(constraints=[Check("duration_days > 0")])
    curriculum_version = CharField(default="1")
    # Pass rule: every assessment passed (if set), attendance at least this
    # percentage, weighted score at least this percentage.
    rule_all_assessments = BooleanField(default=True)
    rule_min_attendance = IntegerField(default=80, constraints=[Check("rule_min_attendance BETWEEN 0 AND 100")])
    rule_min_weighted = IntegerField(default=0, constraints=[Check("rule_min_weighted BETWEEN 0 AND 100")])
    grants_certificate = BooleanField(default=True)
    # None: the certificate never expires.
    certificate_months = IntegerField(
        null=True, constraints=[Check("certificate_months IS NULL OR certificate_months > 0")]
    )
    recert_window_days = IntegerField(default=90)
    status = ChoiceField(COURSE_STATUSES, default="active")


class CourseForce(BaseModel):
    id: AutoField[int]
    """The forces a course is open to."""

    course = ForeignKeyField(Course, backref="forces", on_delete="CASCADE")
    course_id: int
    force = ForeignKeyField(Force, on_delete="RESTRICT")
    force_id: str

    class Meta:
        indexes = ((("course", "force"), True),)


class CoursePrerequisite(BaseModel):
    id: AutoField[int]
    course = ForeignKeyField(Course, backref="prerequisites", on_delete="CASCADE")
    course_id: int
    requires = ForeignKeyField(Course, on_delete="RESTRICT")
    requires_id: int

    class Meta:
        indexes = ((("course", "requires"), True),)
        constraints = [Check("course_id <> requires_id")]


class CourseCompetency(BaseModel):
    id: AutoField[int]
    course = ForeignKeyField(Course, backref="competencies", on_delete="CASCADE")
    course_id: int
    competency = ForeignKeyField(Competency, on_delete="RESTRICT")
    competency_id: int

    class Meta:
        indexes = ((("course", "competency"), True),)


class Assessment(Record):
    course = ForeignKeyField(Course, backref="assessments", on_delete="CASCADE")
    course_id: int
    code = CharField(max_length=32)
    title = CharField()
    max_score = FloatField(constraints=[Check("max_score > 0")])
    pass_mark = FloatField()
    weight = FloatField(default=1.0, constraints=[Check("weight >= 0")])
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("course", "code"), True),)
        constraints = [Check("pass_mark >= 0 AND pass_mark <= max_score")]
