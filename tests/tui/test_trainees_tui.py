"""The registry screen by keys: add with inline validation, edit, search as you type, filters,
the duplicate warning and the edit conflict between two app instances."""

from __future__ import annotations

import datetime

from db import models
from db.connection import database
from screens.trainee_form import TraineeForm
from screens.trainees import TraineesScreen
from screens.widgets.dialogs import ConflictDialog, DuplicateDialog
from screens.widgets.lazy_table import LazyTable
from tests import clerk_data as make
from tests.tui.conftest import SIZE, choose, new_app, settle, sign_in, text_of
from trainer.accounts.access import SYSTEM
from trainer.registry import trainees


def rows_shown(app) -> list:
    table = app.screen.query_one("#trainee-list", LazyTable)
    return [table.row(i) for i in range(table.total)]


async def fill_new_trainee(pilot, *, dob: str = "1996-04-02") -> None:
    """Tab through the form from the first field, as a clerk would."""
    await pilot.press(
        *"علي",
        "tab",
        *"Ali",
        "tab",
        *"حسن",
        "tab",
        *"Hassan",
        "tab",
        *"كاظم",
        "tab",
        "tab",
        "tab",
        "tab",
        "tab",
        *dob,
        "tab",
        *"٢٠١٩٠١٠١٥٥٥",
    )
    await choose(pilot, "#force", 1)  # Local Police
    await choose(pilot, "#province", 1)  # Al Anbar (IQ-AN)


async def test_add_a_trainee_with_inline_validation(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert text_of(app, "#trainee-count") == "0 trainees"
        await pilot.press("n")
        assert isinstance(app.screen, TraineeForm)
        await fill_new_trainee(pilot, dob="1996-14-02")
        assert text_of(app, "#problem-date_of_birth") == "write the date as YYYY-MM-DD"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TraineeForm)
        assert "1 field(s) need attention" in text_of(app, "#form-status")
        assert app.focused.id == "date_of_birth"
        await pilot.press(*(["backspace"] * 10), *"2020-01-01")
        assert text_of(app, "#problem-date_of_birth").startswith("age 6 is outside")
        await pilot.press(*(["backspace"] * 10), *"1996-04-02")
        assert text_of(app, "#problem-date_of_birth") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        assert text_of(app, "#trainee-count") == "1 trainee · row 1"
        (row,) = rows_shown(app)
        assert row.full_name == "علي حسن كاظم" and row.latin_name == "Ali Hassan"
    with database.connection_context():
        saved = models.Trainee.get()
        assert (saved.national_id, saved.force_id, saved.province_id) == ("20190101555", "police", "IQ-AN")
        assert saved.date_of_birth == datetime.date(1996, 4, 2)
        assert models.AuditEvent.select().where(models.AuditEvent.entity == "trainee").count() == 1


async def test_edit_a_trainee_from_the_list(admin_url):
    person = make.trainee(rank="Private")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert app.focused.id == "trainee-list"
        await pilot.press("enter")
        assert isinstance(app.screen, TraineeForm)
        form = app.screen
        assert form.query_one("#given_name").value == "علي" and form.query_one("#rank").value == "Private"
        form.query_one("#rank").focus()
        await pilot.press(*(["backspace"] * 7), *"Sergeant", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        assert "Sergeant" in app.screen.query_one("#trainee-detail").plain
    saved = trainees.get_trainee(SYSTEM, person.id)
    assert (saved.rank, saved.version) == ("Sergeant", 2)


async def test_search_as_you_type_across_scripts_and_filters(admin_url):
    ar = make.trainee("محمد", "جاسم", "عباس", force="border", province="IQ-AN")
    lat = make.trainee("Mohammed", "Salih", "Abbas", force="police", province="IQ-NI", service_number="PB-77")
    make.trainee("عمر", "خالد", "سعيد")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert text_of(app, "#trainee-count") == "3 trainees · row 1"
        await pilot.press("slash", *"moh")
        await settle(pilot)
        assert {r.id for r in rows_shown(app)} == {ar.id, lat.id}
        assert text_of(app, "#trainee-count") == "2 matches · row 1"
        await pilot.press(*"ammed")
        await settle(pilot)
        assert {r.id for r in rows_shown(app)} == {ar.id, lat.id}
        await pilot.press("escape", "f")  # the filters dialog, from the list
        await choose(pilot, "#force", 2)  # Border Guards
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [r.id for r in rows_shown(app)] == [ar.id]
        assert app.screen.last_latency is not None
        detail = app.screen.query_one("#trainee-detail").plain
        assert "Border Guards" in detail
        assert "filtered: Border Guards" in text_of(app, "#trainee-count")
        await pilot.press("f", "ctrl+r")  # clear all
        await settle(pilot)
        assert "filtered" not in text_of(app, "#trainee-count")
        app.screen.query_one("#search").focus()
        await pilot.press(*(["backspace"] * 8), *"pb-77")
        await settle(pilot)
        assert [r.id for r in rows_shown(app)] == [lat.id]
        await pilot.press(*(["backspace"] * 5), *"zzzz")
        await settle(pilot)
        assert rows_shown(app) == [] and text_of(app, "#trainee-count") == "0 matches (substring)"


async def test_a_possible_duplicate_is_shown_side_by_side_and_the_clerk_decides(admin_url):
    known = make.trainee("علي", "حسن", "كاظم", dob=datetime.date(1996, 4, 2), province="IQ-AN")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")
        await fill_new_trainee(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateDialog)
        assert [c.id for c in app.screen.candidates] == [known.id]
        await pilot.press("escape")  # back to the form: nothing written
        assert isinstance(app.screen, TraineeForm)
        assert trainees.count(SYSTEM) == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateDialog)
        await pilot.press("s")  # the clerk decides: a different person
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
    assert trainees.count(SYSTEM) == 2
    with database.connection_context():
        assert models.Trainee.select().where(models.Trainee.status == "merged").count() == 0


async def test_the_second_save_of_two_clerks_is_a_conflict_with_reload(admin_url):
    person = make.trainee(rank="Private")
    first, second = new_app(admin_url), new_app(admin_url)
    async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
        await sign_in(one)
        await sign_in(two)
        for pilot in (one, two):
            await pilot.press("enter")
            assert isinstance(pilot.app.screen, TraineeForm)
            pilot.app.screen.query_one("#rank").focus()
            await pilot.press(*(["backspace"] * 7))
        await one.press(*"Corporal", "ctrl+s")
        await settle(one)
        assert isinstance(first.screen, TraineesScreen)
        await two.press(*"Captain", "ctrl+s")
        await settle(two)
        assert isinstance(second.screen, ConflictDialog)
        assert second.screen.theirs.rank == "Corporal" and second.screen.mine.rank == "Captain"
        assert trainees.get_trainee(SYSTEM, person.id).rank == "Corporal"  # nothing overwritten
        await two.press("l")
        assert isinstance(second.screen, TraineeForm)
        assert second.screen.query_one("#rank").value == "Corporal"
        assert "Reloaded version 2" in text_of(second, "#form-status")
        second.screen.query_one("#phone").focus()
        await two.press(*"+9647700000000", "ctrl+s")
        await settle(two)
        assert isinstance(second.screen, TraineesScreen)
    saved = trainees.get_trainee(SYSTEM, person.id)
    assert (saved.rank, saved.phone, saved.version) == ("Corporal", "+9647700000000", 3)


def test_the_force_column_names_a_status_whole():
    """Not active: the status in capitals, whole in the column (a cut "police (…" hid which)."""
    from types import SimpleNamespace

    from screens.trainees import COLUMNS

    force = next(c for c in COLUMNS if c.label == "Force")
    shown = {
        status: force.value(SimpleNamespace(force="peshmerga", status=status))
        for status in ("active", "inactive", "dismissed", "deceased", "merged")
    }
    assert shown == {
        "active": "peshmerga",
        "inactive": "INACTIVE",
        "dismissed": "DISMISSED",
        "deceased": "DECEASED",
        "merged": "MERGED",
    }
    assert all(len(v) <= force.width for v in shown.values())


async def test_the_trainees_area_opens_without_a_whole_screen_restyle(admin_url):
    """The admin lands on Trainees: its opening's two ScreenResume events restyle nothing
    (screens/fresh.py StyledOnce, docs/speed.md); coming back from another area restyles it."""
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        styled: list[str] = []
        update_styles = app.update_styles

        def restyle(node, animate: bool = True) -> None:
            if node.__class__.__name__.endswith("Screen"):
                styled.append(node.__class__.__name__)
            update_styles(node, animate=animate)

        app.update_styles = restyle
        await sign_in(pilot)
        assert isinstance(app.screen, TraineesScreen)
        assert "TraineesScreen" not in styled
        await pilot.press("q")  # away (Stations) and back: the resume restyles, as Textual's does
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        assert "TraineesScreen" in styled


async def test_the_count_shown_is_the_persons_after_a_merge(admin_url):
    from trainer.rosters import merges

    kept = make.trainee("سلمان", "حسن", "كاظم", family_name="التميمي")
    gone = make.trainee("نوري", "حسن", "كاظم", family_name="العبيدي")
    other = make.trainee("عمر", "خالد", "سعيد")
    merges.merge_trainees(SYSTEM, kept.id, gone.id, reason="same person")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert text_of(app, "#trainee-count") == "2 trainees · row 1"
        assert [r.id for r in rows_shown(app)] == [kept.id, other.id]
        await pilot.press("f")
        await choose(pilot, "#status", 5)  # merged: the old record is still found
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [r.id for r in rows_shown(app)] == [gone.id]
        assert text_of(app, "#trainee-count") == "1 match · filtered: merged (f to change) · row 1"
