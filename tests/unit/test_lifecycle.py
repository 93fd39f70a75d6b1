"""Lifecycle: graduation before the end date needs a reason; an excused-only trainee gets a true
reason; a cohort's status follows its dates."""

from __future__ import annotations

import json

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.errors import ValidationFailed
from trainer.training import attendance, graduation, sessions

pytestmark = pytest.mark.usefixtures("private_config")


def test_graduating_before_the_end_date_needs_a_reason(db_url):
    w = build(trainees=2, start=D(2025, 3, 2), end=D(2025, 3, 13))
    with pytest.raises(ValidationFailed, match="BPC-01 ends on 2025-03-13: graduating before then needs a reason"):
        graduation.confirm(w.admin, w.cohort_id, today=D(2025, 3, 12))
    with database.connection_context():
        assert models.Enrolment.select().where(models.Enrolment.status == "enrolled").count() == 2
    assert graduation.preview(w.admin, w.cohort_id).early(D(2025, 3, 12))
    done = graduation.confirm(w.admin, w.cohort_id, early_reason="  unit redeployed  ", today=D(2025, 3, 12))
    assert done.cohort_status == "completed"
    with database.connection_context():
        event = models.AuditEvent.select().where(models.AuditEvent.action == "graduate").get()
    after = json.loads(event.detail)["after"]
    assert (after["early_reason"], after["ends_on"]) == ("unit redeployed", "2025-03-13")


def test_on_or_after_the_end_date_no_reason_is_asked(db_url):
    w = build(trainees=1, start=D(2025, 3, 2), end=D(2025, 3, 13))
    assert not graduation.preview(w.admin, w.cohort_id).early(D(2025, 3, 13))
    assert graduation.confirm(w.admin, w.cohort_id, today=D(2025, 3, 13)).cohort_status == "completed"


def test_excused_from_every_session_is_said_so(db_url):
    w = build(trainees=2, start=D(2025, 3, 2), end=D(2025, 3, 2))
    (day,) = sessions.generate_sessions(w.admin, w.cohort_id)
    attendance.mark(w.instructor, day.id, w.enrolments[0], "e", today=D(2025, 3, 3))
    attendance.mark(w.instructor, day.id, w.enrolments[1], "p", today=D(2025, 3, 3))
    reasons = {o.enrolment_id: o.reasons for o in graduation.preview(w.admin, w.cohort_id).outcomes}
    assert reasons[w.enrolments[0]][0] == "excused from all 1 session(s) held since enrolment: no attendance to count"
    assert not any("attendance" in r or "sessions" in r for r in reasons[w.enrolments[1]])


def test_the_graduation_preview_names_the_status_the_dates_give(db_url):
    """A cohort stored as planned (or running) whose dates have passed reads "ended" on the
    graduation screen, as it does in the cohort list."""
    w = build(trainees=1, start=D(2025, 3, 2), end=D(2025, 3, 13))  # stored "running", long over
    with database.connection_context():
        models.Cohort.update(status="planned").where(models.Cohort.id == w.cohort_id).execute()
    assert graduation.preview(w.admin, w.cohort_id).cohort_status == "ended"
