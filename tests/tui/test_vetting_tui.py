"""Vetting by keys: the enrolment refusal leads to recording the decision, and the trainee is then
enrolled; a decision recorded from the registry shows in the trainee's detail."""

from __future__ import annotations

import datetime

from db import models
from db.connection import database
from screens.cohorts import CohortsScreen
from screens.enrol import EnrolReportDialog
from screens.trainees import TraineesScreen
from screens.vetting_form import VettingForm
from tests import clerk_data as make
from tests.tui.conftest import SIZE, new_app, settle, sign_in, text_of
from tests.tui.test_catalogue_tui import enrol_by_search


async def test_record_vetting_from_the_refusal_then_the_trainee_is_enrolled(admin_url):
    make.centre()
    make.course("POL-BASIC", forces=("police",))
    funded = make.cohort("POL-BASIC", capacity=5, coalition=True, start=datetime.date(2026, 4, 1))
    person = make.trainee("جاسم", family_name_latin="Vetgroup", given_name_latin="Jasim")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CohortsScreen) and app.screen.cohort.id == funded.id
        report = await enrol_by_search(pilot, "vetgroup", 1)
        (out,) = report.report.outcomes
        assert out.status == "refused" and "no vetting record" in out.reason
        assert "k: record a vetting decision for the 1 refused" in text_of(app, "#enrol-report-hint")
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, VettingForm)
        assert app.screen.query_one("#funder").value == "US"  # the cohort's funder, offered
        await pilot.press(*"lv-2026-77")  # focus starts in the case reference
        app.screen.query_one("#decision_date").focus()
        await pilot.press(*(["backspace"] * 10), *"2099-01-01", "ctrl+s")
        await settle(pilot)
        assert "is in the future" in text_of(app, "#problem-decision_date")
        await pilot.press(*(["backspace"] * 10), *"2026-03-02", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EnrolReportDialog)  # enrolled again at once
        assert [o.status for o in app.screen.report.outcomes] == ["enrolled"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CohortsScreen)
    with database.connection_context():
        v = models.VettingRecord.get(models.VettingRecord.trainee == person.id)
        assert (v.case_ref, v.result, v.decision_date, v.funder) == (
            "LV-2026-77",
            "approved",
            datetime.date(2026, 3, 2),
            "US",
        )
        e = models.Enrolment.get((models.Enrolment.trainee == person.id) & (models.Enrolment.cohort == funded.id))
        assert e.status == "enrolled"
        assert models.AuditEvent.select().where(models.AuditEvent.entity == "vetting_record").count() == 1


async def test_record_vetting_from_the_registry_shows_in_the_detail(admin_url):
    make.trainee("زيد", family_name_latin="Regvet", given_name_latin="Zaid")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        app.screen.query_one("#trainee-list").focus()
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, VettingForm)
        await pilot.press(*"LV-5", "tab", "enter", "down", "enter")  # result: pending
        app.screen.query_one("#decision_date").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        await settle(pilot)
        assert "pending  LV-5 pending (individual)" in app.screen.query_one("#trainee-detail").plain
    with database.connection_context():
        v = models.VettingRecord.get()
        assert (v.case_ref, v.result, v.decision_date) == ("LV-5", "pending", None)


async def test_record_a_unit_decision_by_keys(admin_url):
    person = make.trainee("سعد", family_name_latin="Unitvet", given_name_latin="Saad")
    with database.connection_context():
        unit = models.Unit.create(code="NI-POL-3", name="3rd Ninawa police battalion", force="police")
        models.UnitAssignment.create(trainee=person.id, unit=unit, start_date=datetime.date(2020, 1, 1))
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("t")
        await settle(pilot)
        app.screen.query_one("#trainee-list").focus()
        await pilot.press("K")
        await settle(pilot)
        assert isinstance(app.screen, VettingForm) and app.screen.focused.id == "unit"
        await pilot.press(*"ni-pol-9", "tab", *"LV-U-1", "ctrl+s")
        await settle(pilot)
        assert "no unit 'NI-POL-9'" in text_of(app, "#form-status")
        app.screen.query_one("#unit").value = "ni-pol-3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        await settle(pilot)
        assert "LV-U-1 approved (unit NI" in app.screen.query_one("#trainee-detail").plain  # cropped to the pane
    with database.connection_context():
        v = models.VettingRecord.get()
        assert (v.kind, v.unit_id, v.trainee_id, v.case_ref) == ("unit", unit.id, None, "LV-U-1")
