"""Pilot fixtures: a real SQLite file per test, an admin to sign in as, helpers to wait and read."""

from __future__ import annotations

import pytest

from screens.app import TrainerApp, make_app

PASSWORD = "correct horse"
SIZE = (120, 35)


@pytest.fixture
def tui_url(tmp_path) -> str:
    """A migrated database file (workers need a file, never :memory:)."""
    from trainer.setup import connect

    url = f"sqlite:///{tmp_path / 'clerk.db'}"
    connect(url)
    return url


@pytest.fixture
def admin_url(tui_url) -> str:
    from trainer.accounts import users

    users.create_user(None, "admin", "admin", PASSWORD)
    return tui_url


def new_app(url: str) -> TrainerApp:
    return make_app(url, cursor_blink=False)


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages be handled (no fixed sleeps)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def sign_in(pilot, username: str = "admin", password: str = PASSWORD) -> None:
    await settle(pilot)
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def type_into(pilot, selector: str, text: str) -> None:
    """Focus a field of the current screen and type (keys, as a clerk would)."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def choose(pilot, selector: str, downs: int) -> None:
    """Open a Select with Enter, move down `downs` options past the prompt, pick with Enter."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press("enter", *(["down"] * downs), "enter")
    await pilot.pause()
