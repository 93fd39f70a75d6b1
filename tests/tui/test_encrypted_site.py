"""The app on an encrypted site: first run with encryption (ticked by default), its recovery key
shown once, then a later start that signs in as a second user through the key file."""

from __future__ import annotations

import pytest

from db import cipher
from db.connection import database, sqlite_path
from screens.login import FirstRunScreen, LoginScreen
from screens.widgets.dialogs import InfoDialog
from tests.tui.conftest import PASSWORD, SIZE, new_app, settle, sign_in, text_of
from trainer.accounts import sealing, users


@pytest.fixture(autouse=True)
def own_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("TRAINER_AUDIT_KEY", "TRAINER_PSEUDONYM_KEY", "TRAINER_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sealing, "KDF", {"t": 1, "m": 1024, "p": 1})


def _process_ends() -> None:
    """A later start of the app is a new process: no connection and no keys carried over."""
    database.obj.close()
    database.obj.checkpointer.stop()
    sealing.hold(None)


async def test_first_run_encrypts_then_a_second_user_signs_in_through_the_key_file(tui_url):
    path = sqlite_path(tui_url)
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        assert app.screen.query_one("#encrypt").value
        await pilot.press(*PASSWORD, "enter", *PASSWORD, "enter")
        await settle(pilot, 5)
        assert isinstance(app.screen, InfoDialog)
        assert "Recovery key" in app.screen.text or "recovery key" in app.screen.text
        recovery = sealing.new_recovery_key()  # the shape of one
        shown = [w for w in app.screen.text.split() if len(w) == len(recovery) and w.count("-") == recovery.count("-")]
        assert len(shown) == 1
        await pilot.press("enter")
        assert app.actor.username == "admin"
        assert cipher.is_encrypted(path) and b"SQLite format 3" not in path.read_bytes()[:16]
        users.create_user(app.actor, "clerk", "auditor", "clerk's own password")
    sealing.unlock_with_recovery(cipher.key_file(path), shown[0])
    _process_ends()

    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)  # nothing read before a sign-in
        await sign_in(pilot, "clerk", "not clerk's password")
        assert text_of(app, "#login-error") == "unknown user or wrong password"
        assert sealing.current is None
        app.screen.query_one("#username").value = ""
        app.screen.query_one("#username").focus()
        await sign_in(pilot, "clerk", "clerk's own password")
        assert app.actor is not None and (app.actor.username, app.actor.role) == ("clerk", "auditor")
    _process_ends()


async def test_sign_in_while_an_import_holds_the_lock_of_an_encrypted_site(tui_url):
    """The app's sign-in during an import (trainer/accounts/app_sign_in.py) on an encrypted site:
    told at once, signed in when the lock frees, and its ledger beside the file shows no name."""
    import asyncio

    from screens.login import WAITING_FOR_IMPORT
    from screens.trainees import TraineesScreen
    from tests.tui.test_sign_in_during_import import until
    from trainer.accounts import sign_in_ledger

    path = sqlite_path(tui_url)
    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter", *PASSWORD, "enter")
        await settle(pilot, 5)
        await pilot.press("enter")
        assert app.actor.username == "admin"
    key = sealing.unlock(cipher.key_file(path), "admin", PASSWORD).db_key
    _process_ends()
    holder = cipher.connect(path, key, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
    ledger = path.with_name(path.name + sign_in_ledger.SUFFIX)
    app = new_app(tui_url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press(*"admin", "enter", *PASSWORD, "enter")
            assert await until(pilot, lambda: text_of(app, "#login-error") == WAITING_FOR_IMPORT, 8) < 7
            assert ledger.exists() and b"admin" not in ledger.read_bytes()
            holder.execute("ROLLBACK")
            holder.close()
            holder = None
            await until(pilot, lambda: isinstance(app.screen, TraineesScreen), 10)
            await asyncio.sleep(0)
            assert app.actor.username == "admin" and app.actor.session_id is not None
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
    assert b"admin" not in ledger.read_bytes()
