"""Pilot: sign-in, lockout, the idle lock and its unlock (injected clocks), an ended session."""

from __future__ import annotations

import datetime

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static

from db import models
from db.connection import database
from screens.lock import LockScreen, install_idle_lock
from trainer.accounts import users
from trainer.accounts.access import SYSTEM

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def audit_key(monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "tui-test-key-0123456789abcdef0123456789")


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


class Desk(Screen):
    """A screen with state the lock must not lose."""

    def compose(self) -> ComposeResult:
        yield Input(id="work")
        yield Static("", id="area")


class MiniApp(App):
    def __init__(self, actor=None):
        super().__init__()
        self.actor = actor
        self.area_opened = False

    def on_mount(self) -> None:
        self.push_screen(Desk())

    def signed_in(self, actor) -> None:
        self.actor = actor

    def action_area(self) -> None:
        self.area_opened = True


@pytest.fixture
def boss(sqlite_url):
    users.create_user(None, "boss", "admin", PASSWORD)
    return sqlite_url


async def test_sign_in_then_lockout(boss, monkeypatch):
    from screens.login import LoginScreen

    clock = Clock(datetime.datetime(2025, 3, 1, 8, 0))
    monkeypatch.setattr(users, "clock", clock)
    app = MiniApp()
    async with app.run_test() as pilot:
        app.push_screen(LoginScreen())
        await pilot.pause()
        for attempt in range(users.LOCK_AFTER):
            app.screen.query_one("#username", Input).value = "boss"
            app.screen.query_one("#password", Input).value = "wrong password"
            app.screen.query_one("#password").focus()
            await pilot.press("enter")  # submits from the password field
            await app.workers.wait_for_complete()
            await pilot.pause()
            clock.now += users.delay_after(attempt + 1)
        error = str(app.screen.query_one("#login-error", Static).render())
        assert "locked" in error and app.actor is None
        clock.now -= datetime.timedelta(minutes=1)  # still inside the 15 minutes
        app.screen.query_one("#username", Input).value = "boss"
        app.screen.query_one("#password", Input).value = PASSWORD
        app.screen.query_one("#password").focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.actor is None and "account locked: try again in 60 s" in str(
            app.screen.query_one("#login-error", Static).render()
        )
        clock.now += datetime.timedelta(minutes=1)
        app.screen.query_one("#password", Input).value = PASSWORD
        app.screen.query_one("#password").focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.actor is not None and app.actor.username == "boss"
    with database.connection_context():
        assert models.User.get().failed_logins == 0
        actions = [e.action for e in models.AuditEvent.select().order_by(models.AuditEvent.id)]
    assert actions.count("login-failed") == users.LOCK_AFTER and actions[-1] == "login"


async def test_idle_lock_keeps_the_screen_and_unlocks_with_the_password(boss):
    actor = users.authenticate("boss", PASSWORD, session="tui")
    idle = Clock(1000.0)
    app = MiniApp(actor)
    async with app.run_test() as pilot:
        lock = install_idle_lock(app, lambda: 10, clock=idle)
        await app.workers.wait_for_complete()
        app.screen.query_one("#work", Input).focus()
        await pilot.press("a", "b", "c")
        idle.now += 9 * 60
        lock.check()
        assert not isinstance(app.screen, LockScreen)
        await pilot.press("d")  # activity restarts the count
        idle.now += 9 * 60
        lock.check()
        assert not isinstance(app.screen, LockScreen)
        idle.now += 60
        lock.check()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert not await app.run_action("area")  # app actions refused while locked
        assert not app.area_opened
        app.screen.query_one("#lock-password", Input).value = "not it at all"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "wrong password" in str(app.screen.query_one("#lock-error", Static).render())
        app.screen.query_one("#lock-password", Input).value = PASSWORD
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, Desk) and not lock.locked
        assert app.screen.query_one("#work", Input).value == "abcd"  # nothing lost
    with database.connection_context():
        assert [e.action for e in models.AuditEvent.select().order_by(models.AuditEvent.id)][-2:] == [
            "login-failed",
            "unlock",
        ]


async def test_a_disabled_account_is_locked_out_of_its_running_app(boss):
    clerk = users.create_user(SYSTEM, "clerk", "analyst", PASSWORD)
    actor = users.authenticate("clerk", PASSWORD, session="tui")
    idle = Clock(0.0)
    app = MiniApp(actor)
    async with app.run_test() as pilot:
        lock = install_idle_lock(app, lambda: 10, clock=idle)
        users.set_disabled(SYSTEM, clerk.id, True)
        idle.now += lock.session_every
        lock.check()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen) and app.screen.ended
        assert "ended by an administrator" in str(app.screen.query_one("#lock-message", Static).render())
        assert not app.screen.query_one("#lock-password").display
