"""First run (admin account, demo offer), login, the area keys, help and theme."""

from __future__ import annotations

from db import models
from db.connection import database
from screens.help import HelpScreen
from screens.login import FirstRunScreen, LoginScreen
from screens.trainees import TraineesScreen
from screens.widgets.dialogs import InfoDialog
from tests.tui.conftest import PASSWORD, SIZE, new_app, settle, sign_in, text_of
from trainer.accounts import settings


async def test_first_run_creates_the_admin_with_the_password_typed_twice(tui_url):
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        assert app.screen.query_one("#username").value == "admin"
        await pilot.press(*"secret-one", "enter", *"secret-two", "enter")
        await settle(pilot)
        assert "differ" in text_of(app, "#first-run-error")
        with database.connection_context():
            assert models.User.select().count() == 0
        await pilot.press(*"short", "enter", *"short", "enter")
        await settle(pilot)
        assert "at least 8 characters" in text_of(app, "#first-run-error")
        await pilot.press(*PASSWORD, "enter", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        assert app.actor.username == "admin" and app.actor.role == "admin"
    with database.connection_context():
        user = models.User.get()
        assert (user.username, user.role) == ("admin", "admin") and PASSWORD not in user.password_hash


async def test_first_run_loads_the_demo_data_in_a_worker_when_asked(tui_url, monkeypatch):
    from trainer.demo import build as demo

    calls = []

    class Summary:
        def describe(self):
            return "demo data loaded\n  their password, shown this once: XyZ"

    def fake_generate(actor, *, scale, progress, **kw):
        assert actor.role == "admin"  # the account just created loads it
        calls.append(scale)
        for done in (0, 50, 100):
            progress("trainees", done, 100)
        return Summary()

    monkeypatch.setattr(demo, "generate", fake_generate)
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#demo").focus()
        await pilot.press("space")
        app.screen.query_one("#password").focus()
        await pilot.press(*PASSWORD, "enter", *PASSWORD, "enter")
        await settle(pilot, 5)
        assert calls == ["default"]
        assert isinstance(app.screen, InfoDialog)
        assert "shown this once: XyZ" in app.screen.text
        await pilot.press("enter")
        assert isinstance(app.screen, TraineesScreen)


async def test_login_refuses_a_wrong_password_then_signs_in(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("t")  # area keys do nothing before signing in
        assert isinstance(app.screen, LoginScreen) and app.screen.query_one("#username").value == "t"
        app.screen.query_one("#username").value = ""
        await sign_in(pilot, password="wrong password")
        assert isinstance(app.screen, LoginScreen)
        assert text_of(app, "#login-error") == "unknown user or wrong password"
        assert app.actor is None
        assert app.focused.id == "password" and app.focused.value == ""
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen) and app.actor.username == "admin"
        assert app.sub_title == "admin (admin)"


async def test_area_keys_help_and_theme(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        seen = {}
        for key, mode in (
            ("c", "courses"),
            ("o", "cohorts"),
            ("a", "admin"),
            ("d", "dashboard"),
            ("e", "certificates"),
            ("r", "reports"),
            ("t", "trainees"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            seen[mode] = type(app.screen).__name__
        assert seen == {
            "courses": "CoursesScreen",
            "cohorts": "CohortsScreen",
            "admin": "AdminScreen",
            "dashboard": "DashboardScreen",
            "certificates": "CertificatesScreen",
            "reports": "ReportsScreen",
            "trainees": "TraineesScreen",
        }
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        help_text = " ".join(" ".join(row) for row in app.screen.rows())
        for words in ("New trainee", "Enrol trainees", "Withdraw", "Retire/restore", "Command palette"):
            assert words in help_text
        await pilot.press("escape")
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == "textual-light"
    assert settings.get_personal(app.actor, "theme") == "textual-light"
