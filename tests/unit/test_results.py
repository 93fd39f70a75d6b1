"""Scores: validation, re-sits kept with who entered them, the result sheet import."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import build, private_config, user  # noqa: F401
from trainer.accounts.access import Actor
from trainer.errors import NotFound, PermissionDenied, ValidationFailed
from trainer.rosters.result_sheets import import_results
from trainer.training import results
from trainer.training.rules import AssessmentRule

pytestmark = pytest.mark.usefixtures("private_config")
WPN = AssessmentRule(1, "WPN", "Weapons", max_score=20, pass_mark=12, weight=1)


@pytest.mark.parametrize(
    "typed, score, passed",
    [
        ("15", 15, True),
        ("12", 12, True),
        ("11.5", 11.5, False),
        ("١٨", 18, True),
        ("9,5", 9.5, False),
        (" 20 ", 20, True),
        ("0", 0, False),
    ],
)
def test_typed_scores_are_judged_as_you_type(typed, score, passed):
    t = results.check_score(typed, WPN)
    assert (t.score, t.passed, t.problem) == (score, passed, None)


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("21", "21 is above the maximum 20"),
        ("-1", "-1 is below 0"),
        ("abc", "'abc' is not a number"),
        ("1e3", "'1e3' is not a number"),
        ("", "a score is required"),
        ("nan", "'nan' is not a number"),
    ],
)
def test_bad_scores_are_refused_with_a_reason(typed, problem):
    t = results.check_score(typed, WPN)
    assert t.score is None and t.problem == problem


def test_resit_keeps_the_history_with_who_entered_each(db_url):
    w = build(trainees=2)
    with database.connection_context():
        second_id, second = user("second", "instructor")
        models.CohortInstructor.create(cohort=w.cohort_id, user=second_id)  # a second teacher of the cohort
    first = results.enter_score(w.instructor, w.enrolments[0], w.assessments["WPN"], "9")
    assert (first.attempt, first.passed) == (1, False)
    with pytest.raises(ValidationFailed, match="WPN: 25 is above the maximum 20"):
        results.enter_score(w.instructor, w.enrolments[0], w.assessments["WPN"], "25")
    resit = results.enter_score(second, w.enrolments[0], w.assessments["WPN"], "14")
    assert (resit.attempt, resit.passed, resit.entered_by) == (2, True, "second")
    # The same score again adds no attempt.
    assert results.enter_score(second, w.enrolments[0], w.assessments["WPN"], "14").attempt == 2
    history = results.history(w.instructor, w.enrolments[0], w.assessments["WPN"])
    assert [(h.attempt, h.score, h.entered_by) for h in history] == [(1, 9, "instructor"), (2, 14, "second")]
    grid = results.grid(w.instructor, w.cohort_id)
    row = next(r for r in grid.rows if r.enrolment_id == w.enrolments[0])
    assert row.scores[w.assessments["WPN"]] == 14 and row.attempts[w.assessments["WPN"]] == 2
    assert row.judgement.reasons == ("no sessions held since enrolment", "LAW: no result")
    with pytest.raises(PermissionDenied):
        results.enter_score(Actor(None, "clerk", "registrar"), w.enrolments[0], w.assessments["WPN"], "10")
    with database.connection_context():
        _, outsider = user("elsewhere", "instructor")  # teaches another cohort
    with pytest.raises(PermissionDenied, match="does not teach this cohort"):
        results.enter_score(outsider, w.enrolments[0], w.assessments["WPN"], "10")


def test_scores_are_checked_against_the_rule_as_it_stood(db_url):
    w = build(trainees=1)
    results.enter_score(w.instructor, w.enrolments[0], w.assessments["WPN"], "18")  # freezes the rule
    with database.connection_context():
        models.Assessment.update(max_score=10, pass_mark=5).where(
            models.Assessment.id == w.assessments["WPN"]
        ).execute()
        extra = models.Assessment.create(course=w.course_id, code="NEW", title="added later", max_score=10, pass_mark=5)
    assert results.enter_score(w.instructor, w.enrolments[0], w.assessments["WPN"], "19").passed
    with pytest.raises(ValidationFailed, match="not an assessment of this cohort's course"):
        results.enter_score(w.instructor, w.enrolments[0], extra.id, "7")


def _sheet(tmp_path, text: str, encoding: str = "utf-8-sig"):
    path = tmp_path / "sheet.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _nid(w, i: int) -> str:
    with database.connection_context():
        return models.Trainee.get_by_id(w.trainees[i]).national_id


def test_import_all_or_nothing(db_url, tmp_path):
    w = build(trainees=3)
    a, b, c = (_nid(w, i) for i in range(3))
    bad = _sheet(
        tmp_path,
        f"national_id,name,WPN,LAW\n{a},Ali,15,30\n{b},Omar,twenty,30\n{c},Rebwar,15,51\n"
        f"{a},Ali again,1,1\n999999999999,Nobody,1,1\n",
    )
    with pytest.raises(ValidationFailed) as refused:
        import_results(w.instructor, bad, "BPC-01")
    assert [str(p) for p in refused.value.problems] == [
        "row 3, WPN: 'twenty' is not a number",
        "row 4, LAW: 51 is above the maximum 50",
        "row 5, national_id: duplicate of row 2",
        "row 6, national_id: 999999999999 is not enrolled in BPC-01",
    ]
    with database.connection_context():
        assert models.Result.select().count() == 0  # nothing written
    good = _sheet(tmp_path, f"الرقم الوطني;WPN;law\n{a};15;30\n{b};8;\n{c};١٢;25\n")
    report = import_results(w.instructor, good, "BPC-01")
    assert (report.rows, report.written, report.resits, report.unchanged) == (3, 5, 0, 0)
    # The same sheet again changes nothing; a corrected one adds re-sits.
    assert import_results(w.instructor, good, "BPC-01").written == 0
    again = import_results(w.instructor, _sheet(tmp_path, f"national_id,WPN\n{b},13\n", "cp1256"), "BPC-01")
    assert (again.written, again.resits) == (1, 1)
    assert str(again) == "BPC-01: 1 rows, 1 results saved (1 re-sits), 0 unchanged"


def test_import_refuses_a_sheet_it_cannot_read(db_url, tmp_path):
    w = build(trainees=1)
    with pytest.raises(ValidationFailed, match="unknown column.*needs a national_id"):
        import_results(w.instructor, _sheet(tmp_path, "who,WPN\nx,1\n"), "BPC-01")
    with pytest.raises(ValidationFailed, match="no assessment column"):
        import_results(w.instructor, _sheet(tmp_path, "national_id,name\n1,x\n"), "BPC-01")
    with pytest.raises(NotFound, match="no cohort 'NOPE'"):
        import_results(w.instructor, _sheet(tmp_path, "national_id,WPN\n1,1\n"), "NOPE")
