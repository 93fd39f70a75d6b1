"""The reports screen: choose, preview in the lazy table, export in a worker with a progress bar."""

from __future__ import annotations

import asyncio
import csv
import threading

import pytest
from textual.widgets import Input, OptionList, ProgressBar, Select, Static

from screens.reports import ReportsScreen
from screens.widgets.lazy_table import LazyTable
from tests.tui.test_dashboard import Host, settle
from tests.unit.test_reports import build_small
from trainer.accounts.access import SYSTEM, Actor
from trainer.reporting import catalogue as reports

ANALYST = Actor(user_id=None, username="ana", role="analyst")


@pytest.fixture
def small_db(sqlite_url, monkeypatch):
    monkeypatch.setenv("TRAINER_PSEUDONYM_KEY", "k" * 40)
    build_small()
    return sqlite_url


def status(app) -> str:
    return str(app.screen.query_one("#report-status", Static).render())


async def pick(pilot, name: str) -> None:
    options = pilot.app.screen.query_one("#report-list", OptionList)
    options.focus()
    await pilot.press("home")
    for _ in range(list(reports.CATALOGUE).index(name)):
        await pilot.press("down")
    await pilot.pause()
    assert pilot.app.screen.report_name == name


async def test_choose_and_preview_reports(small_db):
    app = Host(ReportsScreen, ANALYST)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#report-preview", LazyTable)
        assert table.total == 6 and [c.label for c in table.columns][:4] == [
            "Force",
            "Name",
            "Name (Arabic)",
            "Trained",
        ]
        assert "Trained persons by force" in status(app)
        header = "".join(segment.text for segment in table.render_line(0))
        assert header.split() == " ".join(c.label for c in table.columns).split()  # every column drawn
        assert table.columns[2].arabic and not table.columns[1].arabic
        await pick(pilot, "pass-rates")
        await pilot.press("f5")
        await settle(pilot)
        assert table.total == 4 and table.row(0)[0] == "BB"
        # Parameters: a province narrows the preview.
        await pick(pilot, "trained-by-force")
        app.screen.query_one("#province", Select).value = "IQ-AN"
        await pilot.press("f5")
        await settle(pilot)
        assert {r[0]: r[3] for r in app.screen.result.rows}["police"] == 1


async def test_bad_parameters_are_shown_not_raised(small_db):
    app = Host(ReportsScreen, ANALYST)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.screen.query_one("#date-from", Input).focus()
        await pilot.press(*"2024-13-01")
        await pilot.press("f5")
        await settle(pilot)
        assert "'2024-13-01' is not a date" in status(app)
        await pick(pilot, "cohort-roster")
        app.screen.query_one("#date-from", Input).value = ""
        await pilot.press("f5")
        await settle(pilot)
        assert "cohort: give the cohort code" in status(app)


async def test_person_level_preview_is_pseudonymised_for_an_analyst(small_db):
    app = Host(ReportsScreen, ANALYST)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pick(pilot, "cohort-roster")
        app.screen.query_one("#cohort", Input).value = "BP-1"
        await pilot.press("f5")
        await settle(pilot)
        rows = app.screen.result.rows
        assert len(rows) == 5 and all(r[1].startswith("P-") for r in rows)


async def test_export_with_progress_while_the_ui_stays_responsive(small_db, tmp_path, monkeypatch):
    """The export blocks half-way (a test gate); meanwhile the screen still takes keys."""
    started, release = threading.Event(), threading.Event()
    calls = []
    real = reports.write_result

    def gated(result, fmt, out=None, *, progress=None, bom=False, with_totals=False):
        def progress_then_wait(done, total):
            calls.append((done, total))
            progress(done, total)
            if len(calls) == 3:
                started.set()
                assert release.wait(20), "the test never released the export"

        return real(result, fmt, out, progress=progress_then_wait, bom=bom, with_totals=with_totals)

    monkeypatch.setattr(reports, "write_result", gated)
    out = tmp_path / "by-province.csv"
    app = Host(ReportsScreen, ANALYST)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pick(pilot, "trained-by-province")
        app.screen.query_one("#output", Input).value = str(out)
        await pilot.press("f6")
        assert await asyncio.to_thread(started.wait, 20)
        await pilot.pause()
        bar = app.screen.query_one("#export-progress", ProgressBar)
        assert bar.total == 19 and 0 < bar.progress < 19  # 19 provinces (the totals go to the metadata)
        # The UI thread is free: typing into a field works while the worker waits.
        app.screen.query_one("#cohort", Input).focus()
        await pilot.press(*"XY")
        await pilot.pause()
        assert app.screen.query_one("#cohort", Input).value == "XY"
        assert not out.exists() or "Small-count" not in out.read_text(encoding="utf-8-sig")
        release.set()
        await settle(pilot)
        assert bar.progress == bar.total == 19
        assert calls[-1] == (19, 19) and len(calls) >= 19
        assert "Wrote 19 rows" in status(app) and "cells suppressed" in status(app)
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["province", "name_en", "name_ar"] and rows[0][-1] == "suppressed"
    meta = (tmp_path / "by-province.csv-metadata.json").read_text(encoding="utf-8")
    assert "Small-count suppression applied" in meta
    body = rows[1:]
    assert len(body) == 19 and any(r[-1] for r in body)
    for r in body:
        for v in r[3:-1]:
            assert v == "" or v == "0" or int(v) >= 5


async def test_export_xlsx_from_the_screen(small_db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "rates.xlsx"
    app = Host(ReportsScreen, SYSTEM)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pick(pilot, "pass-rates")
        app.screen.query_one("#format", Select).value = "xlsx"
        await pilot.pause()
        assert app.screen.query_one("#output", Input).value.endswith("pass-rates.xlsx")
        app.screen.query_one("#output", Input).value = str(out)
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen.query_one("#export-progress", ProgressBar).progress == 4
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["course", "title", "category"]
    assert sheet.freeze_panes == "A2"


async def test_a_reports_own_options_are_offered_only_where_it_takes_them(small_db):
    """--days and --by of the command line: a days box and a grouping choice, for those reports."""
    app = Host(ReportsScreen, Actor(user_id=None, username="root", role="admin"))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#report-options").display  # trained-by-force takes neither
        await pick(pilot, "deployment-leakage")
        days, by = app.screen.query_one("#days", Input), app.screen.query_one("#by", Select)
        assert app.screen.query_one("#report-options").display and days.display and by.display
        assert days.placeholder == "within N days (default 90)"
        days.focus()
        await pilot.press(*"30x")  # digits only: the x is not taken
        by.value = "province"
        await pilot.press("f5")
        await settle(pilot)
        assert days.value == "30"
        assert app.screen.result.params.days == 30 and app.screen.result.params.by == "province"
        await pick(pilot, "station-readiness")
        assert not days.display and by.display
        assert [str(o[0]) for o in by._options[1:]] == ["station", "province"]
        await pick(pilot, "pass-rates")
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.result.params.days is None and app.screen.result.params.by is None


async def test_escape_leaves_a_parameter_box_for_the_list(small_db):
    """Letters in a box are text; Escape goes back to the catalogue, where they are keys again."""
    from screens.widgets.chrome import KeyBar

    app = Host(ReportsScreen, ANALYST)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one("#report-list", OptionList)
        assert app.screen.focused is listing
        assert "escape" not in [key for key, *_ in app.screen.query_one(KeyBar).shown()]
        app.screen.query_one("#centre", Input).focus()
        await pilot.pause()
        assert "escape" in [key for key, *_ in app.screen.query_one(KeyBar).shown()]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.focused is listing


async def test_columns_that_do_not_fit_go_whole_and_are_named(small_db):
    """A wide report (deployment-leakage has a dozen columns): numbers' columns as wide as their
    numbers, the rest dropped from the right, whole, and named in the status line."""
    app = Host(ReportsScreen, Actor(user_id=None, username="root", role="admin"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pick(pilot, "deployment-leakage")
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#report-preview", LazyTable)
        hidden = table.hidden_columns()
        assert hidden and hidden == [c.label for c in table.columns][-len(hidden) :]  # from the right
        assert f"{len(hidden)} more columns ({', '.join(hidden)}) in the export" in status(app)
        widths = [w for w in table._widths(table.size.width) if w]
        assert sum(widths) + len(widths) - 1 <= table.size.width  # nothing cut at the edge
