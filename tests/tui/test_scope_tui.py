"""Who sees what, driven by keys: a role is offered only its areas and actions, a refusal is
shown (never an endless "Loading …"), an instructor's registry is their own cohorts' trainees."""

from __future__ import annotations

import datetime

import tests.instructor_fixtures as fx
from db import models
from db.connection import database
from screens.admin import AdminScreen
from screens.dashboard import DashboardScreen
from screens.trainees import TraineesScreen
from screens.widgets.chrome import KeyBar
from tests.tui.conftest import SIZE, new_app, settle, sign_in, text_of
from trainer.accounts import users
from trainer.accounts.access import SYSTEM
from trainer.certification.numbers import format_number

PASSWORD = "a long enough password"


def keys_offered(app) -> dict[str, str]:
    return {key: what for key, _, what, _ in app.screen.query_one(KeyBar).shown()}


async def test_an_analyst_is_offered_neither_the_registry_nor_its_forms(tui_url):
    users.create_user(SYSTEM, "ana", "analyst", PASSWORD)
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "ana", PASSWORD)
        assert isinstance(app.screen, DashboardScreen)
        offered = keys_offered(app)
        assert "t" not in offered and "o" not in offered and "e" not in offered
        assert offered["r"] == "Reports" and offered["d"] == "Dash"
        await pilot.press("t")  # not offered: one line says why, and no screen stuck on "Loading …"
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        said = [n.message for n in app._notifications]
        assert said == ["Trainees (t) is not open to the analyst role: it holds trainees' names and records."]
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert not app.screen.query("#user-name") and not app.screen.query("#centre-code")
        assert not app.screen.query("#centre-list")  # nothing offered that would only say "refused"
        assert "u" not in keys_offered(app)


async def test_a_refused_registry_says_so_where_the_count_would_be(tui_url, monkeypatch):
    from trainer.errors import PermissionDenied
    from trainer.registry import trainees

    users.create_user(SYSTEM, "reg", "registrar", PASSWORD)

    def refuse(*args, **kwargs):
        raise PermissionDenied("reg (registrar) may not read trainees")

    monkeypatch.setattr(trainees, "first_page", refuse)
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "reg", PASSWORD)
        await settle(pilot, 5)
        assert isinstance(app.screen, TraineesScreen)
        assert text_of(app, "#trainee-count") == "Not shown: reg (registrar) may not read trainees"


async def test_an_instructor_sees_only_their_trainees_and_no_registry_forms(tui_url):
    ours = fx.build(trainees=3)
    fx.build(trainees=2, code="BPC-02", course_code="BPC2", prefix="b-")
    theirs = fx.build(trainees=2, code="BPC-03", course_code="BPC3", prefix="c-")
    users.create_user(SYSTEM, "teacher", "instructor", PASSWORD)
    with database.connection_context():
        teacher = models.User.get(models.User.username == "teacher")
        models.CohortInstructor.create(cohort=ours.cohort_id, user=teacher.id)
        for n, (course, tid) in enumerate(
            [(ours.course_id, t) for t in ours.trainees[:2]] + [(theirs.course_id, theirs.trainees[0])]
        ):
            models.Certificate.create(
                number=format_number(2000 + n),
                verification_code=f"SCOPE{n}X",
                trainee=tid,
                course=course,
                issued_on=datetime.date(2025, 3, 14),
            )
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "teacher", PASSWORD)
        await pilot.press("t")
        await settle(pilot, 5)
        screen = app.screen
        assert isinstance(screen, TraineesScreen)
        assert text_of(app, "#trainee-count").startswith("3 trainees")
        table = screen.query_one("#trainee-list")
        assert sorted(table.row(i).id for i in range(3)) == sorted(ours.trainees)
        assert all(table.row(i).national_id == "" for i in range(3))
        assert "National ID" not in [c.label for c in table.columns]  # not even an empty column
        offered = keys_offered(app)
        assert "n" not in offered and "i" not in offered and "v" not in offered and "h" not in offered
        await pilot.press("n", "enter")  # neither the new-trainee form nor the edit form opens
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("e")  # certificates: only those of the trainees of cohorts they teach
        await settle(pilot, 5)
        shown = app.screen.shown
        assert sorted(c.trainee_id for c in shown) == sorted(ours.trainees[:2])
        assert text_of(app, "#title").endswith("of the trainees of the cohorts you teach")
