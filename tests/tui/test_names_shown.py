"""Names with Kurdish letters shown through the one display path: the trainee form's preview line,
the enrolment refusals (both scripts), a record's history, text boxes and dialogs."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Static

from db import models
from db.connection import database
from screens.enrol import EnrolReportDialog
from screens.trainee_form import TraineeForm
from screens.trainees import TraineesScreen
from screens.widgets import arabic
from screens.widgets.dialogs import ConfirmDialog
from tests.tui.conftest import SIZE, new_app, settle, sign_in, text_of
from trainer.training.enrolments import EnrolOutcome, EnrolReport

KURDISH = ("پێشڕەو", "هێڤی", "کۆچەر")  # given, father, grandfather: letters ێ ڕ ە ڤ ۆ چ پ


async def test_the_form_shows_a_kurdish_name_joined_as_the_lists_will(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TraineeForm)
        for field, part in zip(("#given_name", "#father_name", "#grandfather_name"), KURDISH):
            app.screen.query_one(field).focus()
            await pilot.pause()
            await pilot.press(*part)
        await pilot.pause()
        shown = text_of(app, "#name-shown")
        assert shown == "Shown as: " + arabic.display(" ".join(KURDISH))
        assert "\ufeb8" in shown  # ش joined (medial) beside ێ and ڕ
        await pilot.press("escape")  # a filled form: Escape asks before dropping it
        assert isinstance(app.screen, ConfirmDialog) and "“New trainee”" in app.screen.question
        await pilot.press("n")
        assert isinstance(app.screen, TraineeForm)
        await pilot.press("escape", "y")
        assert isinstance(app.screen, TraineesScreen)
    with database.connection_context():
        assert models.Trainee.select().count() == 0


async def test_enrolment_refusals_name_the_trainee_in_both_scripts(admin_url):
    report = EnrolReport(
        1,
        "BPC-01",
        (EnrolOutcome(7, " ".join(KURDISH), "refused", "vetting expired", None, "Peshraw Hevi Kocher"),),
    )
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        app.push_screen(EnrolReportDialog(report))
        await pilot.pause()
        console = Console(width=120, record=True)
        console.print(app.screen.query_one("#enrol-report-table").content)  # the table as drawn
        out = console.export_text()
        assert "Peshraw Hevi Kocher" in out and arabic.display(" ".join(KURDISH), 26) in out
        assert "vetting expired" in out


def drawn(field) -> str:
    """A text box's line as the terminal gets it."""
    return "".join(segment.text for segment in field.render_line(0)).rstrip()


async def test_a_kurdish_name_in_a_text_box_is_shown_joined_and_saved_as_typed(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        given = app.screen.query_one("#given_name")
        given.focus()
        await pilot.pause()
        await pilot.press(*KURDISH[0])
        await pilot.pause()
        assert given.value == KURDISH[0]  # what is saved: the letters as typed, logical order
        assert drawn(given) == arabic.display(KURDISH[0])  # typing on at the end: shown joined
        await pilot.press("left", "left")
        await pilot.pause()
        assert drawn(given) == KURDISH[0]  # the cursor inside: the string it edits, as typed
        await pilot.press("tab")
        await pilot.pause()
        assert drawn(given) == arabic.display(KURDISH[0])  # left: joined again


async def test_dialogs_show_a_kurdish_name_joined(admin_url):
    from screens.widgets.dialogs import ReasonDialog

    name = " ".join(KURDISH)
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        app.push_screen(ConfirmDialog(f"Recertify IQTC-0000001005 ({name})? A new certificate replaces it."))
        await pilot.pause()
        question = str(app.screen.query(Static).first().render())
        assert f"({arabic.display(name)})?" in question and "\ufeb8" in question
        await pilot.press("n")
        app.push_screen(ReasonDialog(f"Withdraw {name} from BPC-01", "Why?"))
        await pilot.pause()
        assert arabic.display(name) in str(app.screen.query_one(".card-title").render())
