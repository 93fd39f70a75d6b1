"""Graduation applies the rule as it stood for the cohort; outcomes never move afterwards."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.training import attendance, graduation, results, rules, sessions

pytestmark = pytest.mark.usefixtures("private_config")
LATER = D(2025, 4, 1)


def _run_cohort(w):
    """Ali passes; Omar fails WPN; Rebwar misses too many days; Saad has no LAW result."""
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    for s in days:
        attendance.mark_column(w.instructor, s.id, "p", today=LATER)
    for s in days[:3]:
        attendance.mark(w.instructor, s.id, w.enrolments[2], "a", today=LATER)
    scores = {0: ("15", "40"), 1: ("8", "30"), 2: ("19", "45"), 3: ("13", None)}
    for i, (wpn, law) in scores.items():
        results.enter_score(w.instructor, w.enrolments[i], w.assessments["WPN"], wpn)
        if law:
            results.enter_score(w.instructor, w.enrolments[i], w.assessments["LAW"], law)


def test_mixed_outcomes_with_reasons(db_url):
    w = build(trainees=4)
    _run_cohort(w)
    preview = graduation.preview(w.instructor, w.cohort_id)
    why = {o.latin_name.split()[0]: (o.passed, o.reasons) for o in preview.outcomes}
    assert why == {
        "Ali": (True, ()),
        "Omar": (False, ("WPN: 8/20 below pass mark 12",)),
        "Rebwar": (False, ("attendance 70% below 80%",)),
        "Saad": (False, ("LAW: no result",)),
    }
    with pytest.raises(PermissionDenied):
        graduation.confirm(w.instructor, w.cohort_id, preview.expected)
    done = graduation.confirm(w.admin, w.cohort_id, preview.expected)
    assert {o.latin_name.split()[0]: o.status for o in done.outcomes} == {
        "Ali": "graduated",
        "Omar": "failed",
        "Rebwar": "failed",
        "Saad": "failed",
    }
    assert done.cohort_status == "completed"
    with database.connection_context():
        omar = models.Enrolment.get_by_id(w.enrolments[1])
        assert omar.outcome_reason == "WPN: 8/20 below pass mark 12" and omar.decided_at is not None
    with pytest.raises(ValidationFailed, match="nobody in BPC-01 is waiting"):
        graduation.confirm(w.admin, w.cohort_id)
    with pytest.raises(ValidationFailed, match="already decided"):
        results.enter_score(w.instructor, w.enrolments[1], w.assessments["WPN"], "19")


def test_a_change_after_the_preview_is_caught(db_url):
    w = build(trainees=4)
    _run_cohort(w)
    preview = graduation.preview(w.admin, w.cohort_id)
    results.enter_score(w.instructor, w.enrolments[1], w.assessments["WPN"], "16")  # Omar's re-sit
    with pytest.raises(Conflict, match="review the outcomes again"):
        graduation.confirm(w.admin, w.cohort_id, preview.expected)
    fresh = graduation.preview(w.admin, w.cohort_id)
    assert graduation.confirm(w.admin, w.cohort_id, fresh.expected).outcomes


def test_editing_the_course_later_changes_no_outcome(db_url):
    w = build(trainees=4)
    _run_cohort(w)
    with database.connection_context():  # tightened before graduation, after the cohort started
        models.Course.update(rule_min_attendance=100, rule_min_weighted=90).where(
            models.Course.id == w.course_id
        ).execute()
        models.Assessment.update(pass_mark=18).where(models.Assessment.id == w.assessments["WPN"]).execute()
    frozen = rules.for_cohort(w.cohort_id)
    assert frozen.frozen and frozen.min_attendance == 80 and frozen.assessment(w.assessments["WPN"]).pass_mark == 12
    before = graduation.confirm(w.admin, w.cohort_id)
    with database.connection_context():  # and again after graduation: loosened this time
        models.Course.update(rule_min_attendance=0, rule_all_assessments=False, rule_min_weighted=0).where(
            models.Course.id == w.course_id
        ).execute()
    after = graduation.preview(w.admin, w.cohort_id)
    assert [(o.status, o.reasons) for o in after.outcomes] == [(o.status, o.reasons) for o in before.outcomes]
    assert sum(o.passed for o in after.outcomes) == 1


def test_a_cohort_with_neither_marks_nor_results_freezes_at_graduation(db_url):
    w = build(trainees=1)
    assert not rules.for_cohort(w.cohort_id).frozen
    done = graduation.confirm(w.admin, w.cohort_id)
    assert done.rules.frozen
    assert done.outcomes[0].reasons == ("no sessions held since enrolment", "WPN: no result", "LAW: no result")


def test_weighted_rule():
    rule = rules.CohortRules(
        "X",
        "1",
        all_assessments=False,
        min_attendance=0,
        min_weighted=60,
        grants_certificate=True,
        certificate_months=None,
        recert_window_days=90,
        assessments=(rules.AssessmentRule(1, "A", "A", 20, 10, 1), rules.AssessmentRule(2, "B", "B", 50, 25, 3)),
        frozen=True,
    )
    passing = rules.judge(rule, None, {1: 20, 2: 25})  # (1*1 + 3*0.5)/4 = 62.5%
    assert passing.passed and passing.weighted == pytest.approx(62.5)
    judged = rules.judge(rule, None, {1: 20, 2: 20})  # (1 + 3*0.4)/4 = 55%
    assert judged.reasons == ("weighted score 55% below 60%",) and judged.weighted == pytest.approx(55)


def test_a_short_frozen_rule_is_completed_from_the_course(db_url):
    """The demo data freezes only the pass rule and each assessment's code and marks."""
    import json

    w = build(trainees=1)
    short = {
        "all_assessments": True,
        "min_attendance": 50,
        "min_weighted": 0,
        "assessments": [
            {"code": "WPN", "max_score": 20, "pass_mark": 10, "weight": 1},
            {"code": "LAW", "max_score": 50, "pass_mark": 20, "weight": 1},
        ],
    }
    with database.connection_context():
        models.Cohort.update(rules=json.dumps(short)).where(models.Cohort.id == w.cohort_id).execute()
    frozen = rules.for_cohort(w.cohort_id)
    assert frozen.frozen and frozen.min_attendance == 50 and frozen.course_code == "BPC"
    assert [(a.id, a.title, a.pass_mark) for a in frozen.assessments] == [
        (w.assessments["WPN"], "Weapons handling", 10),
        (w.assessments["LAW"], "Law and human rights", 20),
    ]
    assert results.enter_score(w.instructor, w.enrolments[0], w.assessments["WPN"], "11").passed  # 11 >= 10, not 12
