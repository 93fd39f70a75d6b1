"""Pilot tests: the roster import wizard and the review of held rows, on a real SQLite file."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import Checkbox, DataTable, ProgressBar, Static

from db import models
from db.connection import database
from screens.imports import ImportScreen
from screens.review import ReviewScreen
from screens.widgets import arabic
from trainer.accounts.access import SYSTEM, Actor
from trainer.registry import trainees
from trainer.rosters import imports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"
# A registrar of the first centre (id 1 in every fresh database; made by clerk_centre below).
CLERK = Actor(user_id=None, username="clerk", role="registrar", centre_ids=frozenset({1}))


@pytest.fixture(autouse=True)
def clerk_centre(sqlite_url):
    from tests import clerk_data

    clerk_data.centre()


class Host(App):
    """A bare app holding one screen, signed in as a registrar."""

    def __init__(self, make) -> None:
        super().__init__()
        self.actor = CLERK
        self.cursor_blink = False
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())


async def settle(pilot, rounds: int = 4) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def compared(app) -> str:
    """The comparison pane as plain text (a rich Table)."""
    console = Console(width=170, record=True, file=io.StringIO())
    console.print(app.screen.compared)
    return console.export_text()


def persons() -> int:
    with database.connection_context():
        return models.Trainee.select().count()


async def type_path(pilot, path: Path) -> None:
    """Put a path in the file field (as a paste would) and press Enter."""
    field = pilot.app.screen.query_one("#path")
    field.focus()
    field.value = str(path)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def test_the_wizard_reads_checks_refuses_then_imports_with_progress(sqlite_url):
    app = Host(ImportScreen)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await type_path(pilot, FIXTURES / "roster.csv")
        info = text(app, "#file-info")
        assert "Encoding: UTF-8 with BOM" in info and "Dates: day-first (from the values)" in info
        assert "→ given_name" in info and "→ phone" in info
        preview = app.screen.query_one("#preview", DataTable)
        problems = app.screen.query_one("#problems", DataTable)
        assert preview.row_count == 20 and problems.row_count == 6
        assert [problems.get_row_at(i)[:3] for i in (0, 4)] == [  # the column as the file names it
            ["17", "rejected", arabic.display("اسم الاب")],
            ["36", "rejected", arabic.display("الرقم الوطني")],
        ]
        assert "Read 36 rows: 30 valid, 6 invalid" in text(app, "#import-status")

        await pilot.press("ctrl+g")  # dry run
        await settle(pilot)
        assert "Dry run: 30 would be added" in text(app, "#import-status")
        assert "REFUSED" in text(app, "#import-status") and persons() == 0

        await pilot.press("ctrl+s", "y")  # all or nothing: refused
        await settle(pilot)
        assert text(app, "#import-status").startswith("Refused: 6 of 36 rows are invalid")
        assert persons() == 0

        app.screen.query_one("#skip-invalid", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("n")  # a second thought: nothing happens
        await settle(pilot)
        assert persons() == 0
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert "Imported: 30 added" in text(app, "#import-status") and persons() == 30
        bar = app.screen.query_one("#import-progress", ProgressBar)
        assert bar.total and bar.progress == bar.total


async def test_the_wizard_shows_a_refused_file_and_the_held_rows(sqlite_url, tmp_path):
    imports.import_trainees(CLERK, FIXTURES / "roster.csv", skip_invalid=True)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00garbage")
    app = Host(ImportScreen)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await type_path(pilot, bad)
        assert "Refused: file: binary data" in text(app, "#import-status")
        assert app.screen.query_one("#import-progress", ProgressBar).total == 1  # stopped, not pulsing on
        await type_path(pilot, FIXTURES / "roster_followup.csv")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert "5 added" in text(app, "#import-status") and "10 held for review" in text(app, "#import-status")
        problems = app.screen.query_one("#problems", DataTable)
        assert problems.row_count == 10 and problems.get_row_at(0)[1] == "held"
        await pilot.press("f4")  # on to the review
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.query_one("#held", DataTable).row_count == 10
        await pilot.press("escape")  # Escape leaves the review, then the wizard itself
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ImportScreen)


@pytest.fixture
def held_rows(sqlite_url):
    imports.import_trainees(CLERK, FIXTURES / "roster.csv", skip_invalid=True)
    # A second registered Haider, born the same day: row 2 of the follow-up has two candidates.
    other = trainees.create_trainee(
        SYSTEM,
        trainees.TraineeInput(
            given_name="Hayder",
            father_name="Hasan",
            grandfather_name="Kadhim",
            date_of_birth=datetime.date(1992, 4, 22),
            force="army",
            province="IQ-AN",
            national_id="999888777666",
        ),
    )
    imports.import_trainees(CLERK, FIXTURES / "roster_followup.csv")
    return other


def statuses() -> dict[str, int]:
    with database.connection_context():
        H = models.HeldRow
        return {s: H.select().where(H.status == s).count() for s in ("pending", "same", "new", "discarded")}


async def test_review_same_person_new_person_and_discard(held_rows):
    app = Host(ReviewScreen)
    async with app.run_test(size=(170, 50)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#held", DataTable)
        assert table.row_count == 10 and "10 row(s) held for review" in text(app, "#review-status")
        compare = compared(app)
        assert "This row" in compare and "Al-Dulaimi" in compare and f"#{held_rows.id}" in compare
        first = app.screen.rows[0]
        assert [c.id for c in first.candidates][1] == held_rows.id
        await pilot.press("right_square_bracket")  # choose the second candidate, then back
        assert app.screen.chosen == 1
        await pilot.press("left_square_bracket")
        haider = first.candidates[0]
        await pilot.press("s", "y")
        await settle(pilot)
        assert statuses() == {"pending": 9, "same": 1, "new": 0, "discarded": 0}
        assert trainees.get_trainee(CLERK, haider.id).given_name == "حيدر"
        assert table.row_count == 9

        count = len(app.screen.rows)
        await pilot.press("n", "y")
        await settle(pilot)
        assert statuses()["new"] == 1 and len(app.screen.rows) == count - 1
        with database.connection_context():
            assert models.Trainee.select().count() == 30 + 1 + 5 + 1
        await pilot.press("x", "n")  # asked, declined: nothing changes
        await settle(pilot)
        assert statuses()["discarded"] == 0
        await pilot.press("x", "y")
        await settle(pilot)
        assert statuses() == {"pending": 7, "same": 1, "new": 1, "discarded": 1}
        assert "7 row(s) held for review" in text(app, "#review-status")


async def test_review_with_nothing_held_says_so(sqlite_url):
    app = Host(ReviewScreen)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert text(app, "#review-status") == "No rows are held for review."
        await pilot.press("s", "n", "x")
        await settle(pilot)
        assert statuses() == {"pending": 0, "same": 0, "new": 0, "discarded": 0}
