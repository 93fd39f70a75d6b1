"""Courses and cohorts by keys: create a course, create a cohort, enrol with every refusal
reason, the waitlist, and a withdrawal that promotes the first waitlisted trainee."""

from __future__ import annotations

import datetime

from db import models
from db.connection import database
from screens.cohort_form import CohortForm
from screens.cohorts import CohortsScreen
from screens.course_form import CourseForm
from screens.courses import CoursesScreen
from screens.enrol import EnrolDialog, EnrolReportDialog
from screens.widgets.dialogs import ReasonDialog
from screens.widgets.lazy_table import LazyTable
from tests import clerk_data as make
from tests.tui.conftest import SIZE, choose, new_app, settle, sign_in, text_of
from trainer.accounts import users
from trainer.accounts.access import SYSTEM
from trainer.training import cohorts, courses


async def test_create_a_course_by_keys(admin_url):
    make.course("POL-BASIC")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CoursesScreen) and text_of(app, "#course-count") == "1 courses (1 active)"
        await pilot.press("n")
        assert isinstance(app.screen, CourseForm)
        await pilot.press(*"ilp 1")
        assert "letters, digits" in text_of(app, "#problem-code")
        await pilot.press("backspace", "backspace", *"-1")
        assert text_of(app, "#problem-code") == ""
        await pilot.press("tab", *"Intelligence-led policing", "tab", "tab")
        await pilot.press("enter", *(["down"] * 5), "enter")  # intelligence-led-policing
        await pilot.press("tab", *"10", "tab", "tab", *"pol-basic", "tab", *"ilp-analysis: ilp, evidence", "tab")
        await pilot.press("space", "down", "space")  # Local Police, Border Guards
        await pilot.press("tab", *"EXAM | Written exam | 50 | 30 | 2", "enter", *"CASE | Case study | 100 | 50 | 1")
        app.screen.query_one("#certificate_months").focus()
        await pilot.press(*"12", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CoursesScreen)
        assert text_of(app, "#course-count") == "2 courses (2 active)"
        assert app.screen.query_one("#course-list", LazyTable).current.code == "ILP-1"
    made = courses.find_course(SYSTEM, "ILP-1")
    assert made.category == "intelligence-led-policing" and made.duration_days == 10
    assert made.forces == ("border", "police") and made.prerequisites == ("POL-BASIC",)
    assert [(a.code, a.max_score, a.pass_mark, a.weight) for a in made.assessments] == [
        ("EXAM", 50, 30, 2),
        ("CASE", 100, 50, 1),
    ]
    assert made.competencies[0].tags == ("evidence", "ilp") and made.certificate_months == 12


async def test_retire_a_course_by_keys(admin_url):
    make.course("POL-BASIC")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("x", "y")
        await settle(pilot)
        assert app.screen.query_one("#course-list", LazyTable).current.status == "retired"
    assert courses.find_course(SYSTEM, "POL-BASIC").status == "retired"


async def test_a_field_site_is_told_the_catalogue_is_headquarters(admin_url, tmp_path, monkeypatch):
    """At a field site the retire key shows the service's refusal and its reason; nothing changes
    (docs/sync.md, "Settings headquarters owns")."""
    import shutil

    from trainer.accounts import keys
    from trainer.sync import identity

    make.course("POL-BASIC")
    held = keys.config_dir() / "audit.key"  # the trail's key goes along; the site's keys are made here
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    keys.config_dir().mkdir(parents=True)
    if held.exists():  # else the key comes from TRAINER_AUDIT_KEY, which stays set
        shutil.copy(held, keys.config_dir() / "audit.key")
    identity.init(SYSTEM, "ERBIL", "Erbil", block=3)
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("x", "y")
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("headquarters owns the catalogue" in m for m in shown), shown
    assert courses.find_course(SYSTEM, "POL-BASIC").status == "active"


async def test_create_a_cohort_by_keys(admin_url):
    make.centre()
    make.course()
    users.create_user(SYSTEM, "teacher", "instructor", "correct horse")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CohortsScreen) and text_of(app, "#cohort-count") == "0 cohorts"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CohortForm)
        await choose(pilot, "#course", 1)
        await choose(pilot, "#centre", 1)
        await pilot.press("tab", *"2026-03-01")
        assert app.screen.query_one("#end_date").value == "2026-03-20"  # from the course's 20 days
        await pilot.press("tab", "tab", *"0")
        assert text_of(app, "#problem-capacity") == ""  # service rule: shown on save
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#problem-capacity") == "a whole number above 0"
        await pilot.press("backspace", *"25", "tab", "end", "space", "tab", *"US", "tab", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CohortsScreen)
        assert text_of(app, "#cohort-count") == "1 cohort"
        assert "0/25 seats" in text_of(app, "#roster-title")
    made = cohorts.find_cohort(SYSTEM, "POL-BASIC-MOSUL-1-260301")
    assert (made.capacity, made.instructors, made.funder, made.coalition_funded) == (25, ("teacher",), "US", True)
    assert made.end_date == datetime.date(2026, 3, 20)


async def enrol_by_search(pilot, text: str, picks: int) -> EnrolReportDialog:
    """p, search, Enter to the results, tick the first `picks` with space, ctrl+s."""
    await pilot.press("p")
    assert isinstance(pilot.app.screen, EnrolDialog)
    await pilot.press(*text)
    await settle(pilot)
    await pilot.press("enter")
    for _n in range(picks):
        await pilot.press("space", "down")
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EnrolReportDialog)
    return pilot.app.screen


async def test_enrol_with_each_refusal_reason_then_waitlist_promotion(admin_url):
    make.centre()
    make.course("POL-BASIC", forces=("police",))
    make.course("POL-ADV", forces=("police", "border"), prerequisites=("POL-BASIC",))
    done = make.cohort("POL-BASIC", start=datetime.date(2025, 9, 1))
    adv = make.cohort("POL-ADV", capacity=5, coalition=True, start=datetime.date(2026, 4, 1))
    basic = make.cohort("POL-BASIC", capacity=2, start=datetime.date(2026, 5, 3))
    one, two, three = (
        make.trainee(g, family_name_latin="Basicgroup", given_name_latin=f"B{i}", national_id=f"1000000000{i}")
        for i, g in enumerate(("علي", "عمر", "زيد"))
    )
    guard = make.trainee("سعد", force="border", family_name_latin="Basicgroup", given_name_latin="B9")
    ready = make.trainee("حيدر", family_name_latin="Advgroup", given_name_latin="A1")
    green = make.trainee("كريم", family_name_latin="Advgroup", given_name_latin="A2")
    unvetted = make.trainee("جاسم", family_name_latin="Advgroup", given_name_latin="A3")
    for person in (ready, unvetted):
        make.graduate(person.id, done.id)
    for person in (ready, green):
        make.vetting(person.id, decided=datetime.date(2026, 2, 1))
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("slash", *basic.code, "enter")
        await settle(pilot)
        assert app.screen.cohort.id == basic.id
        report = await enrol_by_search(pilot, "basicgroup", 4)
        outcome = {o.trainee_id: o for o in report.report.outcomes}
        assert [outcome[p.id].status for p in (one, two, three, guard)] == [
            "enrolled",
            "enrolled",
            "waitlisted",
            "refused",
        ]
        assert outcome[three.id].reason == f"{basic.code} is full: waitlist position 1"
        assert outcome[guard.id].reason == "POL-BASIC is not open to Border Guards (open to: Local Police)"
        await pilot.press("escape")
        await settle(pilot)
        roster = app.screen.query_one("#roster", LazyTable)
        assert [(r.trainee_id, r.status) for r in (roster.row(i) for i in range(roster.total))] == [
            (one.id, "enrolled"),
            (two.id, "enrolled"),
            (three.id, "waitlisted"),
        ]

        # Withdraw the first seat: the waitlisted trainee is promoted.
        await pilot.press("tab")
        assert app.focused is roster and roster.current.trainee_id == one.id
        await pilot.press("w")
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")
        assert text_of(app, "#reason-error") == "A reason is required."
        await pilot.press(*"posted to Basra", "enter")
        await settle(pilot)
        lines = {r.trainee_id: r for r in cohorts.roster(SYSTEM, basic.id)}
        assert (lines[one.id].status, lines[one.id].withdrawal_reason) == ("withdrawn", "posted to Basra")
        assert lines[three.id].status == "enrolled" and lines[three.id].waitlist_position is None
        assert "2/2 seats" in text_of(app, "#roster-title")

        # The coalition-funded advanced cohort: prerequisite and vetting refusals.
        app.screen.query_one("#cohort-search").focus()
        await pilot.press(*(["backspace"] * len(basic.code)), *adv.code, "enter")
        await settle(pilot)
        assert app.screen.cohort.id == adv.id
        report = await enrol_by_search(pilot, "advgroup", 3)
        outcome = {o.trainee_id: o for o in report.report.outcomes}
        assert outcome[ready.id].status == "enrolled"
        assert outcome[green.id].reason == "missing prerequisite POL-BASIC (POL-BASIC course): no graduated enrolment"
        assert outcome[unvetted.id].reason == (
            "coalition-funded cohort: no vetting record: a coalition-funded cohort needs an approved vetting decision"
        )
        await pilot.press("escape")
        await settle(pilot)
    with database.connection_context():
        E = models.Enrolment
        assert E.select().where(E.cohort == adv.id).count() == 1
        assert E.select().where((E.cohort == basic.id) & (E.status == "enrolled")).count() == 2


async def test_edit_a_cohort_by_keys(admin_url):
    make.centre()
    make.course()
    c = make.cohort(capacity=20, start=datetime.date.today() + datetime.timedelta(days=10))
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.cohort.id == c.id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CohortForm) and app.screen.query_one("#capacity").value == "20"
        assert "Status: planned" in text_of(app, "#cohort-status")
        app.screen.query_one("#capacity").focus()
        await pilot.press("backspace", "backspace", *"30")
        app.screen.query_one("#cancelled").focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CohortsScreen)
    edited = cohorts.get_cohort(SYSTEM, c.id)
    assert (edited.capacity, edited.status, edited.version) == (30, "cancelled", c.version + 1)
