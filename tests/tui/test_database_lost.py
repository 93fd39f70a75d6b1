"""The database goes away in the middle of a session: the app stays, says so in one line,
keeps what was typed, and saves it once the database is back (issue 14)."""

from __future__ import annotations

import sqlite3

from db import models
from db.connection import database, sqlite_path
from screens.trainee_form import TraineeForm
from tests.tui.conftest import SIZE, new_app, settle, sign_in, text_of
from tests.tui.test_trainees_tui import fill_new_trainee


def _rename(url: str, old: str, new: str) -> None:
    """Another program changes the file under the app: every query on `old` now fails in the driver."""
    con = sqlite3.connect(str(sqlite_path(url)), timeout=10)
    try:
        con.execute(f"ALTER TABLE {old} RENAME TO {new}")
        con.commit()
    finally:
        con.close()


async def test_a_lost_database_keeps_the_form_and_its_input(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")
        await fill_new_trainee(pilot)
        _rename(admin_url, "trainee", "trainee_away")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, TraineeForm)
        status = text_of(app, "#form-status")
        assert "unavailable" in status and "try again" in status and "\n" not in status
        assert app.screen.query_one("#given_name").value == "علي"  # the unsaved input stays
        _rename(admin_url, "trainee_away", "trainee")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, TraineeForm)
    with database.connection_context():
        assert models.Trainee.select().where(models.Trainee.given_name == "علي").count() == 1


async def test_a_lost_database_on_a_list_is_a_message_not_an_exit(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        _rename(admin_url, "trainee", "trainee_away")
        await pilot.press("d", "t")  # areas reload their figures and lists from the database
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        _rename(admin_url, "trainee_away", "trainee")
