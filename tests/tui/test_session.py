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
        assert app.screen.query_one("#encrypt").value  # offered, ticked, for a new SQLite file
        app.screen.query_one("#encrypt").value = False  # this test: the plain path (tests/tui/test_encrypted_site.py)
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


def burst(app, *keys: str) -> None:
    """Keys as a password manager types them: all queued at once, none waiting for the last."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, {"tab": "\t", "enter": "\r"}.get(key, key)))


async def test_sign_in_typed_as_the_screen_appears_loses_no_key(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, *"admin", "tab", *PASSWORD, "enter")  # before the login screen exists
        await settle(pilot, 5)
        assert app.actor is not None and app.actor.username == "admin"
        assert isinstance(app.screen, TraineesScreen)


async def test_sign_in_typed_at_once_on_the_login_screen_keeps_each_key_in_its_field(admin_url):
    from trainer.accounts import users
    from trainer.accounts.access import SYSTEM

    users.create_user(SYSTEM, "clerk2", "registrar", "another password")
    for between in ("tab", "enter"):
        app = new_app(admin_url)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            burst(app, *"clerk2", between, *"another password", "enter")
            await settle(pilot, 5)
            assert app.actor is not None and app.actor.username == "clerk2", between


async def test_sign_out_then_another_user_signs_in_and_sees_nothing_of_the_first(admin_url):
    from trainer.accounts import users
    from trainer.accounts.access import SYSTEM

    users.create_user(SYSTEM, "analyst1", "analyst", "another password")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        first = app.actor
        assert isinstance(app.screen, TraineesScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Sign out" in titles and "Switch user" in titles  # in the palette too
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.actor is None
        assert not users.session_open(first)
        await pilot.press("t")  # no area opens before someone signs in
        assert isinstance(app.screen, LoginScreen)
        app.screen.query_one("#username").value = ""
        await sign_in(pilot, "analyst1", "another password")
        assert app.actor.username == "analyst1"
        assert app.current_mode == "dashboard"
        assert all(not isinstance(s, TraineesScreen) for s in app.screen_stack)


async def test_the_idle_lock_lets_someone_else_sign_in(admin_url):
    from screens.lock import LockScreen

    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        app.idle_lock.lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("t")  # typed into the password box: no area opens under the lock
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.actor is None and not app.idle_lock.locked
        await sign_in(pilot)
        assert isinstance(app.screen, TraineesScreen)


async def test_users_counted_before_the_start_open_the_first_screen_at_once(admin_url):
    """`trainer tui` hands the app the number of users it counted when it opened the database:
    the sign-in screen is the first screen, on an empty start screen, with no worker to wait for;
    the sign-in then works as ever."""
    from screens.app import make_app
    from screens.login import StartScreen

    app = make_app(admin_url, users=1, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert [type(s) for s in app.screen_stack] == [StartScreen, LoginScreen]
        assert not app.screen_stack[0].children  # no "Opening …" under it
        assert not [w for w in app.workers if w.name == "users"]
        await sign_in(pilot)
        assert isinstance(app.screen, TraineesScreen)


async def test_no_users_counted_before_the_start_open_the_first_run_screen(tui_url):
    from screens.app import make_app

    app = make_app(tui_url, users=0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
