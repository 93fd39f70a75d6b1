"""The app's sign-in while a long import holds SQLite's write lock (trainer/accounts/app_sign_in.py):
the password is checked at once, the user is told plainly an import is running, and the session
opens as soon as the lock is free. Never SQLite's 10 s wait followed by "busy"."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from db import models
from db.connection import database
from screens.login import WAITING_FOR_IMPORT, LoginScreen
from screens.trainees import TraineesScreen
from tests.tui.conftest import PASSWORD, SIZE, new_app, settle, text_of
from trainer.accounts import sign_in_ledger


def hold_write_lock(url: str) -> sqlite3.Connection:
    """What an import's one long transaction does to every other writer."""
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
    return holder


async def until(pilot, condition, seconds: float) -> float:
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < seconds, "not within the time allowed"
        await asyncio.sleep(0.05)
        await pilot.pause()
    return time.monotonic() - began


async def test_sign_in_while_an_import_holds_the_lock_says_so_at_once_and_proceeds_when_it_ends(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        holder = hold_write_lock(admin_url)
        try:
            # a wrong password is told at once, not after the import
            await pilot.press(*"admin", "enter", *"wrong password", "enter")
            waited = await until(pilot, lambda: text_of(app, "#login-error") == "unknown user or wrong password", 5)
            assert waited < 4
            await pilot.press(*PASSWORD, "enter")
            waited = await until(pilot, lambda: text_of(app, "#login-error") == WAITING_FOR_IMPORT, 5)
            assert waited < 4  # a short try at the lock, then the ledger: not the 10 s busy wait
            await asyncio.sleep(1.5)  # the import goes on: the sign-in waits for it, it is not refused
            await pilot.pause()
            assert isinstance(app.screen, LoginScreen) and text_of(app, "#login-error") == WAITING_FOR_IMPORT
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await until(pilot, lambda: isinstance(app.screen, TraineesScreen), 10)
        await settle(pilot)
        assert app.actor.username == "admin" and app.actor.session_id is not None
        with database.connection_context():
            session = models.UserSession.get_by_id(app.actor.session_id)
            assert session.client == "tui" and session.ended_at is None
            admin = models.User.get(models.User.username == "admin")
            # the ledger's two attempts are in the database now: the failure, then the success
            assert admin.last_login is not None and admin.failed_logins == 0
        assert not sign_in_ledger.waiting()
        assert Path(admin_url.removeprefix("sqlite:///") + sign_in_ledger.SUFFIX).exists()
