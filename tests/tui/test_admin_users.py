"""Pilot: user management, a record's history, and what non-admins are refused or never shown."""

from __future__ import annotations

import datetime

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Select, Static

from db import models
from db.connection import database
from screens.admin_users import AdminUsersScreen, UserForm
from screens.history import RecordHistoryScreen
from screens.widgets.dialogs import ConfirmDialog
from trainer.accounts import users
from trainer.accounts.access import SYSTEM, Actor, require_cohort
from trainer.errors import PermissionDenied

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def audit_key(monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "tui-test-key-0123456789abcdef0123456789")


class MiniApp(App):
    def __init__(self, actor, screen):
        super().__init__()
        self.actor, self.first = actor, screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


async def settle(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table_text(screen) -> str:
    table = screen.query_one(DataTable)
    return "\n".join(" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count))


@pytest.fixture
def admin(sqlite_url):
    with database.connection_context():
        models.Centre.create(code="MOSUL", name_en="Mosul", province="IQ-NI")
    users.create_user(None, "boss", "admin", PASSWORD)
    return users.authenticate("boss", PASSWORD, session="tui")


async def test_admin_adds_disables_and_changes_a_role(admin):
    clerk_actor = None
    app = MiniApp(admin, AdminUsersScreen())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, UserForm)
        form.query_one("#username", Input).value = "clerk"
        form.query_one("#role", Select).value = "registrar"
        form.query_one("#centres", Input).value = "MOSUL"
        form.query_one("#password", Input).value = PASSWORD
        form.query_one("#password2", Input).value = PASSWORD
        form.query_one("#password2").focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert "clerk | registrar | MOSUL | active" in table_text(screen)
        clerk_actor = users.authenticate("clerk", PASSWORD, session="tui")
        screen.query_one(DataTable).move_cursor(row=1)  # boss, clerk
        await pilot.press("x")  # asks first, naming the account and what happens
        assert isinstance(app.screen, ConfirmDialog)
        assert "Disable clerk (registrar)?" in app.screen.question and "signed out" in app.screen.question
        await pilot.press("escape")
        await settle(pilot)
        assert "clerk | registrar | MOSUL | active" in table_text(screen)
        await pilot.press("x", "y")
        await settle(pilot)
        assert "clerk | registrar | MOSUL | disabled" in table_text(screen)
        assert not users.session_open(clerk_actor)
        await pilot.press("x", "y")  # enable again
        await settle(pilot)
        assert "clerk | registrar | MOSUL | active" in table_text(screen)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#role", Select).value = "analyst"
        app.screen.query_one("#centres", Input).value = ""
        app.screen.query_one("#centres").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "clerk | analyst |  | active" in table_text(app.screen)
        await pilot.press("h")  # the account's history
        await settle(pilot)
        assert isinstance(app.screen, RecordHistoryScreen)
        history = table_text(app.screen)
        assert "boss | Created" in history
        assert "Disable" in history and "Role: registrar → analyst" in history
        assert PASSWORD not in history
    with database.connection_context():
        assert models.User.get(models.User.username == "clerk").role == "analyst"


async def test_a_registrar_is_refused_user_management(admin):
    users.create_user(SYSTEM, "clerk", "registrar", PASSWORD, ("MOSUL",))
    clerk = users.authenticate("clerk", PASSWORD, session="tui")
    app = MiniApp(clerk, AdminUsersScreen())
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "may not user manage" in str(app.screen.query_one("#users-status", Static).render())
        assert app.screen.query_one(DataTable).row_count == 0


async def test_an_analyst_sees_no_names_in_a_record_history(admin):
    from trainer.registry import trainees

    person = trainees.create_trainee(
        admin,
        trainees.TraineeInput(
            given_name="علي",
            father_name="حسن",
            grandfather_name="كاظم",
            date_of_birth=datetime.date(1990, 1, 2),
            force="police",
            province="IQ-NI",
            given_name_latin="Ali",
            national_id="123456789012",
        ),
    )
    users.create_user(SYSTEM, "ana", "analyst", PASSWORD)
    analyst = users.authenticate("ana", PASSWORD, session="tui")
    app = MiniApp(analyst, RecordHistoryScreen("trainee", person.uuid, "a trainee"))
    async with app.run_test() as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#history-status", Static).render())
        assert "may not record history" in status
        assert app.screen.query_one(DataTable).row_count == 0
        shown = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert "علي" not in shown and "Ali" not in shown and "123456789012" not in shown
    # The same history, for the admin, names the change but never the national ID.
    app = MiniApp(admin, RecordHistoryScreen("trainee", person.uuid, "a trainee"))
    async with app.run_test() as pilot:
        await settle(pilot)
        text = table_text(app.screen)
        assert "boss | Created" in text and "123456789012" not in text
        # Labels and values, not field names and empty arrows.
        assert "Born 1990-01-02" in text and "date_of_birth" not in text and ":  →" not in text


def test_a_registrar_is_refused_another_centres_cohort(admin):
    """Service level: no cohort screen exists in this tree yet to drive with Pilot."""
    with database.connection_context():
        course = models.Course.create(code="BPC", title_en="Basic", category="basic", duration_days=5)
        basra = models.Centre.create(code="BASRA", name_en="Basra", province="IQ-BA")
        mosul = models.Centre.get(models.Centre.code == "MOSUL")
        theirs = models.Cohort.create(
            code="BPC-B",
            course=course,
            centre=basra,
            start_date=datetime.date(2025, 1, 5),
            end_date=datetime.date(2025, 1, 9),
            capacity=5,
        )
        ours = models.Cohort.create(
            code="BPC-M",
            course=course,
            centre=mosul,
            start_date=datetime.date(2025, 1, 5),
            end_date=datetime.date(2025, 1, 9),
            capacity=5,
        )
    users.create_user(SYSTEM, "clerk", "registrar", PASSWORD, ("MOSUL",))
    clerk = users.authenticate("clerk", PASSWORD)
    require_cohort(clerk, ours.id, "cohort.write")
    with pytest.raises(PermissionDenied, match="does not work at this centre"):
        require_cohort(clerk, theirs.id, "cohort.write")
    require_cohort(SYSTEM, theirs.id, "cohort.write")  # an admin works everywhere
    teacher = Actor(None, "t", "instructor")
    with pytest.raises(PermissionDenied, match="does not teach this cohort"):
        require_cohort(teacher, ours.id, "attendance.write")


async def test_escape_on_a_changed_form_asks_before_dropping_it(admin):
    app = MiniApp(admin, AdminUsersScreen())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, UserForm)
        await pilot.press("escape")  # nothing typed: closes at once
        assert isinstance(app.screen, AdminUsersScreen)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#username").focus()
        await pilot.press(*"clerk")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Discard your changes to “Add a user”?" in app.screen.question
        await pilot.press("n")  # no: back in the form, the text kept
        assert isinstance(app.screen, UserForm) and app.screen.query_one("#username", Input).value == "clerk"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, AdminUsersScreen)
    with database.connection_context():
        assert not models.User.select().where(models.User.username == "clerk").exists()
