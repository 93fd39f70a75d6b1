"""Reports read the summary tables: the services that change outcomes must keep them current."""

from __future__ import annotations

from tests.instructor_fixtures import build
from trainer.reporting import catalogue as reports
from trainer.training import enrolments, graduation


def report(actor, name: str) -> dict:
    result = reports.run_report(actor, name, reports.ReportParams())
    return {row[0]: dict(zip(result.columns, row)) for row in result.rows}


def test_graduation_and_withdrawal_show_in_reports_at_once(db_url):
    w = build(trainees=3)
    assert report(w.admin, "pass-rates")["BPC"]["failed"] == 0
    enrolments.withdraw(w.admin, w.enrolments[0], "medical")
    graduation.confirm(w.admin, w.cohort_id)  # no sessions held, no results: both others fail
    assert report(w.admin, "pass-rates")["BPC"]["failed"] == 2
    attrition = report(w.admin, "attrition")["BPC"]
    assert (attrition["withdrawn"], attrition["reason: medical"]) == (1, 1)
