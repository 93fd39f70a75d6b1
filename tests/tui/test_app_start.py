"""`trainer` draws its first screen before it opens the database (docs/speed.md): the opening
runs in a worker afterwards; a sign-in typed meanwhile waits for it, a wrong guess of the first
screen is put right, and a database that cannot be opened is one line on a screen and exit 1."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from db.connection import database
from screens.app import TrainerApp, make_app
from screens.login import FirstRunScreen, LoginScreen, OpenFailedScreen
from screens.trainees import TraineesScreen
from tests.tui.conftest import PASSWORD, SIZE, settle, sign_in, text_of
from trainer import encryption
from trainer.accounts import sealing, users
from trainer.cli import main
from trainer.commands.common import AppStart, app_opening


def gated_app(url: str) -> tuple[TrainerApp, threading.Event]:
    """The app as `trainer --db URL` makes it, its opening held until the event is set."""
    gate = threading.Event()
    opening = app_opening(url)
    real = opening.open

    def held():
        assert gate.wait(30), "the test never let the database open"
        return real()

    return make_app(opening.url, opening=dataclasses.replace(opening, open=held), cursor_blink=False), gate


async def test_the_sign_in_is_drawn_first_and_a_sign_in_typed_ahead_waits_for_the_database(db_url):
    users.create_user(None, "admin", "admin", PASSWORD)
    app, gate = gated_app(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and not app.opened.is_set()
        await pilot.press(*"admin", "enter", *PASSWORD, "enter")
        await pilot.pause()
        assert app.actor is None and text_of(app, "#login-error") == "Checking …"
        gate.set()
        await settle(pilot, 5)
        assert app.opened.is_set() and app.open_error is None
        assert isinstance(app.screen, TraineesScreen) and app.actor.username == "admin"
        assert app.screen.styles.layout.name == "grid"  # desk.tcss, read after the first paint


async def test_a_database_without_users_turns_the_sign_in_into_the_first_run(db_url):
    app, gate = gated_app(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)  # guessed from the URL: the database exists
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        assert len(app.screen_stack) == 2  # replaced, not stacked over the sign-in


async def test_a_new_file_opens_on_the_first_run_and_is_made_by_the_worker(tmp_path):
    path = tmp_path / "new" / "site.db"
    app, gate = gated_app(f"sqlite:///{path}")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen) and not path.exists()
        assert app.screen.query_one("#encrypt").display  # a file: encrypting it is offered
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen) and path.exists() and app.open_error is None


async def test_a_file_that_is_not_a_database_is_one_line_on_a_screen_and_leaving_exits_1(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    app, gate = gated_app(f"sqlite:///{path}")
    gate.set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OpenFailedScreen) and len(app.screen_stack) == 2
        reason = text_of(app, "#open-error")
        assert "not a trainer database" in reason and "\n" not in reason
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 1 and "not a trainer database" in str(app.open_error)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_the_command_prints_the_refusal_after_the_app_and_exits_1(tmp_path, monkeypatch, capsys):
    """`trainer --db URL` itself: the app (headless here) shows the refusal; once left, the same
    line is on stderr, as every command's refusal is, and the exit status is 1."""
    path = tmp_path / "a-folder"
    path.mkdir()
    run = TrainerApp.run

    async def leave(pilot) -> None:
        await settle(pilot)
        assert isinstance(pilot.app.screen, OpenFailedScreen)
        await pilot.press("enter")

    monkeypatch.setattr(TrainerApp, "run", lambda self: run(self, headless=True, size=SIZE, auto_pilot=leave))
    code = main(["--db", f"sqlite:///{path}"])  # a directory: never a database
    err = capsys.readouterr().err
    assert code == 1 and err == f"trainer: {path} is not a database file\n"


async def test_an_upgrade_is_announced_in_the_app_and_kept_for_the_exit(admin_url, tmp_path):
    backup = tmp_path / "before-upgrade.db"
    opening = dataclasses.replace(app_opening(admin_url), open=lambda: AppStart(users=1, backup=backup))
    app = make_app(opening.url, opening=opening, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert [n.title for n in app._notifications] == ["Database upgraded"]
        assert app.upgrade_note == f"upgraded the database; the previous version is kept at {backup}"


@pytest.fixture
def own_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("TRAINER_AUDIT_KEY", "TRAINER_PSEUDONYM_KEY", "TRAINER_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sealing, "KDF", {"t": 1, "m": 1024, "p": 1})


async def test_an_encrypted_site_is_left_closed_by_the_opening_and_opened_by_the_sign_in(tui_url, own_keys):
    encryption.first_run_encrypted(tui_url, "admin", PASSWORD)
    database.obj.close()  # a later start of the app is a new process: no connection, no keys
    database.obj.checkpointer.stop()
    sealing.hold(None)
    app, gate = gated_app(tui_url)
    gate.set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.open_error is None and sealing.current is None
        await sign_in(pilot)
        assert isinstance(app.screen, TraineesScreen) and app.actor.username == "admin"
