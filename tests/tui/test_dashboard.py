"""The dashboard on a real database file: figures and bars loaded by a thread worker."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Static

from screens.dashboard import DashboardScreen
from tests.unit.test_reports import build_small
from trainer.accounts.access import Actor

ANALYST = Actor(user_id=None, username="ana", role="analyst")


class Host(App):
    """The smallest app that carries a signed-in actor, as TrainerApp does."""

    def __init__(self, screen_factory, actor: Actor):
        super().__init__()
        self.actor = actor
        self.screen_factory = screen_factory

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory())


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def small_db(sqlite_url, monkeypatch):
    monkeypatch.setenv("TRAINER_PSEUDONYM_KEY", "k" * 40)
    build_small()
    return sqlite_url


async def test_dashboard_shows_headline_figures_and_bars(small_db):
    app = Host(DashboardScreen, ANALYST)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        head = str(screen.query_one("#headline", Static).render())
        assert "Trained, all forces               5   police 4, border 1" in head
        figures = screen.figures
        assert (figures.trained_police, figures.trained_border, figures.trained_total) == (4, 1, 5)
        # Requirements: Ninawa police 10 (3 trained), Ninawa border 5 (1), Anbar police 8 (1).
        assert (figures.required, figures.gap) == (23, 18)
        # The headline requirement on its own line, with its own trained and certified counts
        # (p1's weapons certificate has expired by today).
        assert "Nīnawá, Local Police:\n  required 10, trained 3, certified 0, gap 7" in head
        # Every figure is defined on screen, one line each, none wider than the panel at 80 columns.
        assert "Gap: required minus trained in required cells" in head
        assert max(len(line) for line in head.splitlines()) <= 66
        # It reconciles with the requirement-gap report's totals.
        from trainer.reporting.base import ReportParams
        from trainer.reporting.catalogue import run_report

        gap_rows = run_report(ANALYST, "requirement-gap", ReportParams()).rows
        assert sum(r[4] for r in gap_rows) == figures.trained_against_required
        assert sum(r[3] for r in gap_rows) - sum(r[4] for r in gap_rows) == figures.gap
        assert all(r[5] <= r[4] for r in gap_rows)  # certified never exceeds trained
        force_chart = str(screen.query_one("#by-force", Static).render())
        lines = {line.split()[0]: line for line in force_chart.splitlines()[1:] if line.strip()}
        assert lines["Local"].count("█") > lines["Border"].count("█") > 0
        assert "Iraqi Army" in force_chart
        province_chart = str(screen.query_one("#by-province", Static).render())
        top = figures.by_province[0]
        assert (top.code, top.value) == ("IQ-NI", 4) and top.label in province_chart
        assert [b.code for b in figures.by_province] == ["IQ-NI", "IQ-AN"]


async def test_dashboard_refreshes_on_f5_after_a_change(small_db):
    from db import models
    from db.connection import database
    from trainer.reporting import summary

    app = Host(DashboardScreen, ANALYST)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.figures.trained_border == 1
        with database.connection_context(), database.atomic():
            b2 = models.Trainee.get(models.Trainee.given_name_latin == "b2")
            cohort = models.Cohort.get(models.Cohort.code == "BB-1")
            models.Enrolment.update(status="graduated").where(
                (models.Enrolment.trainee == b2) & (models.Enrolment.cohort == cohort)
            ).execute()
            summary.refresh_cohort(cohort.id)
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.figures.trained_border == 2
