"""The course catalogue: create, edit with a version check, retire; validation."""

from __future__ import annotations

import pytest

from tests import clerk_data as make
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.training import courses
from trainer.training.courses import AssessmentSpec, CompetencySpec, CourseInput


def full_input(**overrides) -> CourseInput:
    values = dict(
        code="ilp-1",
        title_en="  Intelligence-led   policing ",
        title_ar="الشرطة المبنية على المعلومات",
        category="intelligence-led-policing",
        duration_days=10,
        curriculum_version="2.1",
        forces=("Local Police", "حرس الحدود"),
        prerequisites=("pol-basic",),
        competencies=(CompetencySpec("ilp-analysis", "Analysis", ("ILP", "evidence")),),
        assessments=(
            AssessmentSpec("exam", "Written exam", 50, 30, 2.0),
            AssessmentSpec("case", "Case study", 100, 50, 1.0),
        ),
        rule_min_attendance=90,
        rule_min_weighted=60,
        certificate_months=12,
    )
    values.update(overrides)
    return CourseInput(**values)


def test_create_stores_everything_normalised(db_url):
    make.course("POL-BASIC")
    view = courses.create_course(SYSTEM, full_input())
    assert view.code == "ILP-1" and view.title_en == "Intelligence-led policing"
    assert view.forces == ("border", "police")
    assert view.prerequisites == ("POL-BASIC",)
    assert view.competencies == (CompetencySpec("ilp-analysis", "Analysis", ("evidence", "ilp")),)
    assert [a.code for a in view.assessments] == ["EXAM", "CASE"]
    assert view.pass_rule == "every assessment passed, attendance ≥ 90 %, weighted score ≥ 60 %"
    assert view.validity == "12 months" and view.curriculum_version == "2.1"
    assert courses.find_course(SYSTEM, "ilp-1").id == view.id


def test_validation_names_every_problem_and_writes_nothing(db_url):
    bad = full_input(
        code="",
        title_en="",
        category="cooking",
        duration_days=0,
        forces=("navy",),
        assessments=(AssessmentSpec("A", "a", 10, 11), AssessmentSpec("A", "b", 0, 0)),
        rule_min_attendance=120,
        prerequisites=(),
    )
    with pytest.raises(ValidationFailed) as err:
        courses.create_course(SYSTEM, bad)
    fields = {p.field for p in err.value.problems}
    assert fields >= {"code", "title_en", "category", "duration_days", "forces", "assessments", "rule_min_attendance"}
    assert "pass mark between 0 and 10" in str(err.value)
    assert "appears twice" in str(err.value)
    assert courses.list_courses(SYSTEM) == []


def test_unknown_prerequisite_and_cycles_are_refused(db_url):
    with pytest.raises(ValidationFailed, match="no course NOPE"):
        courses.create_course(SYSTEM, full_input(prerequisites=("NOPE",)))
    assert courses.list_courses(SYSTEM) == []
    base = make.course("POL-BASIC")
    adv = courses.create_course(SYSTEM, full_input())
    edit = courses.CourseInput(**{**base.as_input().__dict__, "prerequisites": ("ILP-1",)})
    with pytest.raises(ValidationFailed, match="cycle"):
        courses.update_course(SYSTEM, base.id, base.version, edit)
    assert courses.get_course(SYSTEM, base.id).prerequisites == ()
    assert courses.get_course(SYSTEM, adv.id).prerequisites == ("POL-BASIC",)


def test_duplicate_code_is_a_field_problem(db_url):
    make.course("POL-BASIC")
    with pytest.raises(ValidationFailed, match="POL-BASIC is taken"):
        make.course("pol-basic")


def test_edit_with_stale_version_is_a_conflict(db_url):
    make.course("POL-BASIC")
    view = courses.create_course(SYSTEM, full_input())
    first = courses.update_course(SYSTEM, view.id, view.version, full_input(duration_days=12))
    with pytest.raises(Conflict) as err:
        courses.update_course(SYSTEM, view.id, view.version, full_input(duration_days=15))
    assert err.value.current.duration_days == 12
    assert courses.get_course(SYSTEM, view.id).duration_days == 12 == first.duration_days


def test_edit_syncs_assessments_by_code(db_url):
    make.course("POL-BASIC")
    view = courses.create_course(SYSTEM, full_input())
    edited = courses.update_course(
        SYSTEM,
        view.id,
        view.version,
        full_input(
            assessments=(AssessmentSpec("CASE", "Case study", 100, 70, 1.0), AssessmentSpec("ORAL", "Oral", 20, 10))
        ),
    )
    assert [(a.code, a.pass_mark) for a in edited.assessments] == [("CASE", 70), ("ORAL", 10)]
    assert edited.version == view.version + 1


def test_retire_keeps_history_and_stops_new_cohorts(db_url):
    make.centre()
    view = make.course("POL-BASIC")
    cohort = make.cohort()
    retired = courses.retire_course(SYSTEM, view.id, view.version)
    assert retired.status == "retired" and retired.cohorts == 1
    assert [c.code for c in courses.list_courses(SYSTEM, include_retired=False)] == []
    with pytest.raises(ValidationFailed, match="retired"):
        make.cohort()
    from trainer.training import cohorts

    assert cohorts.get_cohort(SYSTEM, cohort.id).course == "POL-BASIC"


def test_only_admins_write_the_catalogue(db_url):
    clerk = Actor(None, "clerk", "registrar")
    with pytest.raises(PermissionDenied):
        courses.create_course(clerk, full_input(prerequisites=()))
    assert courses.list_courses(clerk) == []
