"""Sessions from the cohort's dates on the working week minus holidays; add, move, cancel."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.accounts import settings
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.training import sessions

pytestmark = pytest.mark.usefixtures("private_config")


def test_generated_on_the_iraqi_working_week_minus_holidays(db_url):
    w = build(start=D(2025, 3, 27), end=D(2025, 4, 10))  # Thu 27 Mar .. Thu 10 Apr
    sessions.add_holiday(SYSTEM, D(2025, 3, 31), "Eid al-Fitr", "عيد الفطر")
    days = [s.day for s in sessions.generate_sessions(w.admin, w.cohort_id)]
    assert days == [
        D(2025, 3, 27),
        D(2025, 3, 30),
        D(2025, 4, 1),
        D(2025, 4, 2),
        D(2025, 4, 3),
        D(2025, 4, 6),
        D(2025, 4, 7),
        D(2025, 4, 8),
        D(2025, 4, 9),
        D(2025, 4, 10),
    ]
    assert all(d.weekday() not in (4, 5) for d in days)  # never Friday or Saturday
    # Idempotent: generating again adds nothing.
    assert [s.day for s in sessions.generate_sessions(w.instructor, w.cohort_id)] == days


def test_the_working_week_is_a_setting(db_url):
    settings.set(SYSTEM, sessions.WORKING_WEEK_SETTING, ["sat", "sun", "mon", "tue", "wed"])
    w = build(start=D(2025, 3, 1), end=D(2025, 3, 7))
    days = [s.day.strftime("%a") for s in sessions.generate_sessions(w.admin, w.cohort_id)]
    assert days == ["Sat", "Sun", "Mon", "Tue", "Wed"]


def test_add_move_cancel(db_url):
    w = build()
    generated = sessions.generate_sessions(w.admin, w.cohort_id)
    extra = sessions.add_session(w.instructor, w.cohort_id, D(2025, 3, 7), "make-up: first aid")  # a Friday
    assert extra.topic == "make-up: first aid"
    with pytest.raises(ValidationFailed, match="already has a session on 2025-03-07"):
        sessions.add_session(w.instructor, w.cohort_id, D(2025, 3, 7))
    with pytest.raises(ValidationFailed, match="outside the cohort's dates"):
        sessions.add_session(w.instructor, w.cohort_id, D(2025, 4, 1))
    moved = sessions.move_session(w.instructor, generated[0].id, generated[0].version, D(2025, 3, 8))
    assert moved.day == D(2025, 3, 8) and moved.version == generated[0].version + 1
    with pytest.raises(Conflict):  # stale version
        sessions.move_session(w.instructor, generated[0].id, generated[0].version, D(2025, 3, 1))
    cancelled = sessions.cancel_session(w.instructor, generated[1].id, generated[1].version, "power cut")
    assert cancelled.status == "cancelled"
    listed = [s.day for s in sessions.list_sessions(w.instructor, w.cohort_id)]
    assert generated[1].day not in listed and D(2025, 3, 8) in listed
    # Generating again does not bring the cancelled day back.
    assert generated[1].day not in [s.day for s in sessions.generate_sessions(w.admin, w.cohort_id)]
    with database.connection_context():
        assert models.AuditEvent.select().where(models.AuditEvent.entity == "session").count() >= 4


def test_a_marked_session_stays_put(db_url):
    from trainer.training import attendance

    w = build()
    first = sessions.generate_sessions(w.admin, w.cohort_id)[0]
    attendance.mark(w.instructor, first.id, w.enrolments[0], "p", today=D(2025, 3, 20))
    current = sessions.list_sessions(w.admin, w.cohort_id)[0]
    with pytest.raises(ValidationFailed, match="attendance is already marked"):
        sessions.move_session(w.instructor, current.id, current.version, D(2025, 3, 8))
    with pytest.raises(ValidationFailed, match="attendance is already marked"):
        sessions.cancel_session(w.instructor, current.id, current.version)


def test_roles(db_url):
    w = build()
    analyst = Actor(None, "ana", "analyst")
    with pytest.raises(PermissionDenied):
        sessions.generate_sessions(analyst, w.cohort_id)
    with pytest.raises(PermissionDenied):
        sessions.add_holiday(w.instructor, D(2025, 6, 6), "Eid al-Adha")
    sessions.add_holiday(w.admin, D(2025, 6, 6), "Eid al-Adha")
    with pytest.raises(ValidationFailed, match="already a holiday"):
        sessions.add_holiday(w.admin, D(2025, 6, 6))
    assert [h.day for h in sessions.list_holidays(D(2025, 1, 1), D(2025, 12, 31))] == [D(2025, 6, 6)]
