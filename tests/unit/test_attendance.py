"""Attendance marks, whole-column marking and the late joiner's percentage."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.accounts.access import Actor
from trainer.errors import PermissionDenied, ValidationFailed
from trainer.training import attendance, sessions

pytestmark = pytest.mark.usefixtures("private_config")
LATER = D(2025, 4, 1)


def test_percentage_counts_held_sessions_since_enrolment():
    held = [(1, D(2025, 3, 2)), (2, D(2025, 3, 3)), (3, D(2025, 3, 4)), (4, D(2025, 3, 5))]
    assert attendance.percentage(held, D(2025, 3, 2), {1: "present", 2: "late", 3: "absent", 4: "present"}) == 75
    # Excused sessions are left out of the count; unmarked held sessions count as missed.
    assert attendance.percentage(held, D(2025, 3, 2), {1: "present", 2: "excused"}) == pytest.approx(100 / 3)
    # A late joiner is not marked down for the days before they arrived.
    assert attendance.percentage(held, D(2025, 3, 4), {3: "present", 4: "present"}) == 100
    assert attendance.percentage(held, D(2025, 3, 6), {}) is None


def test_mark_a_day_then_the_exceptions(db_url):
    w = build(trainees=4)
    day = sessions.generate_sessions(w.admin, w.cohort_id)[0]
    done = attendance.mark_column(w.instructor, day.id, "p", today=LATER)
    assert len(done) == 4 and all(c.percentage == 100 for c in done)
    cell = attendance.mark(w.instructor, day.id, w.enrolments[1], "a", today=LATER)
    assert cell.mark == "absent" and cell.percentage == 0
    # Filling the column again leaves the marks already typed alone.
    assert attendance.mark_column(w.instructor, day.id, "late", today=LATER) == []
    grid = attendance.grid(w.instructor, w.cohort_id)
    marks = {r.enrolment_id: r.marks.get(day.id) for r in grid.rows}
    assert marks == {
        w.enrolments[0]: "present",
        w.enrolments[1]: "absent",
        w.enrolments[2]: "present",
        w.enrolments[3]: "present",
    }
    assert [s.status for s in grid.sessions][:2] == ["held", "planned"]
    with database.connection_context():
        cohort = models.Cohort.get_by_id(w.cohort_id)
        assert '"WPN"' in cohort.rules  # the first mark froze the cohort's rule
        events = models.AuditEvent.select().where(models.AuditEvent.entity == "attendance")
        assert events.count() == 5 and {e.username for e in events} == {"instructor"}
        row = models.Attendance.get(models.Attendance.enrolment == w.enrolments[1])
        assert row.entered_by_id == w.instructor_id and row.version == 2


def test_late_joiner(db_url):
    w = build(trainees=2)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    with database.connection_context():
        models.Enrolment.update(enrolled_on=days[5].day).where(models.Enrolment.id == w.enrolments[1]).execute()
    for s in days:
        attendance.mark_column(w.instructor, s.id, "present", today=LATER)
    attendance.mark(w.instructor, days[9].id, w.enrolments[1], "absent", today=LATER)
    with pytest.raises(ValidationFailed, match="enrolled on 2025-03-09, after the session of 2025-03-02"):
        attendance.mark(w.instructor, days[0].id, w.enrolments[1], "p", today=LATER)
    rows = {r.enrolment_id: r for r in attendance.grid(w.instructor, w.cohort_id).rows}
    assert rows[w.enrolments[0]].percentage == 100
    assert rows[w.enrolments[1]].percentage == 80  # 4 of the 5 sessions since joining
    assert days[0].id not in rows[w.enrolments[1]].marks  # whole-column marking skipped the days before
    assert attendance.percentages(w.cohort_id)[w.enrolments[1]] == 80


def test_refusals(db_url):
    w = build(trainees=3)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    with pytest.raises(ValidationFailed, match="has not happened yet"):
        attendance.mark(w.instructor, days[3].id, w.enrolments[0], "p", today=days[2].day)
    with pytest.raises(ValidationFailed, match="not one of present, absent, excused, late"):
        attendance.mark(w.instructor, days[0].id, w.enrolments[0], "x", today=LATER)
    with database.connection_context():
        models.Enrolment.update(status="withdrawn", withdrawal_reason="posted away").where(
            models.Enrolment.id == w.enrolments[2]
        ).execute()
    with pytest.raises(ValidationFailed, match="withdrawn, not enrolled"):
        attendance.mark(w.instructor, days[0].id, w.enrolments[2], "p", today=LATER)
    cancelled = sessions.cancel_session(w.admin, days[1].id, days[1].version, "curfew")
    with pytest.raises(ValidationFailed, match="cancelled"):
        attendance.mark(w.instructor, cancelled.id, w.enrolments[0], "p", today=LATER)
    with pytest.raises(PermissionDenied):
        attendance.mark(Actor(None, "clerk", "registrar"), days[0].id, w.enrolments[0], "p", today=LATER)
    other = build(trainees=1, code="BPC-02", course_code="BPC2", prefix="b")
    with pytest.raises(ValidationFailed, match="not enrolled in this session's cohort"):
        attendance.mark(w.instructor, days[0].id, other.enrolments[0], "p", today=LATER)
    # The withdrawn trainee has left the grid; nothing was written by the refusals.
    grid = attendance.grid(w.instructor, w.cohort_id)
    assert len(grid.rows) == 2 and all(not r.marks for r in grid.rows)


def test_clear_a_mistake(db_url):
    w = build(trainees=1)
    day = sessions.generate_sessions(w.admin, w.cohort_id)[0]
    attendance.mark(w.instructor, day.id, w.enrolments[0], "a", today=LATER)
    cleared = attendance.clear(w.instructor, day.id, w.enrolments[0], today=LATER)
    assert cleared.mark is None and cleared.percentage is None
    assert sessions.list_sessions(w.admin, w.cohort_id)[0].status == "planned"
