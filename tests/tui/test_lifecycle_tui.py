"""Graduating before the cohort's end date by keys: the question names the end date and wants a
reason; Escape leaves everything as it was, a reason confirms."""

from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from screens.graduation import GraduationScreen
from screens.widgets.dialogs import ReasonDialog
from tests.instructor_fixtures import build, private_config  # noqa: F401
from tests.tui.test_instructor import SIZE, Desk, settle, text

pytestmark = pytest.mark.usefixtures("private_config")


async def test_early_graduation_asks_for_a_reason(sqlite_url):
    today = datetime.date.today()
    w = build(trainees=2, start=today - datetime.timedelta(days=3), end=today + datetime.timedelta(days=4))
    app = Desk(w.admin, GraduationScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")  # graduate (docs/keys.md)
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        assert f"ends on {(today + datetime.timedelta(days=4)).isoformat()}" in app.screen.title_text
        await pilot.press("escape")
        await settle(pilot)
        with database.connection_context():
            assert models.Enrolment.select().where(models.Enrolment.status == "enrolled").count() == 2
        await pilot.press("g")  # graduate (docs/keys.md)
        await pilot.pause()
        await pilot.press(*"unit redeployed to Anbar", "enter")
        await settle(pilot)
        assert "failed 2" in text(app, "#status")
    with database.connection_context():
        assert models.Cohort.get_by_id(w.cohort_id).status == "completed"
        event = models.AuditEvent.select().where(models.AuditEvent.action == "graduate").get()
        assert "unit redeployed to Anbar" in event.detail
