"""Every key binding of the app, by where it works."""

from __future__ import annotations

import importlib

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from screens import keymap

# (section title, module, class) whose BINDINGS are listed, in this order.
SECTIONS = (
    ("Everywhere", "screens.app", "TrainerApp"),
    ("Lists", "screens.widgets.lazy_table", "LazyTable"),
    ("Trainees", "screens.trainees", "TraineesScreen"),
    ("Trainee form", "screens.trainee_form", "TraineeForm"),
    ("Courses", "screens.courses", "CoursesScreen"),
    ("Course form", "screens.course_form", "CourseForm"),
    ("Cohorts", "screens.cohorts", "CohortsScreen"),
    ("Cohort form", "screens.cohort_form", "CohortForm"),
    ("Enrol trainees", "screens.enrol", "EnrolDialog"),
    ("Attendance", "screens.attendance", "AttendanceScreen"),
    ("Results", "screens.results", "ResultsScreen"),
    ("Graduation", "screens.graduation", "GraduationScreen"),
    ("Import a roster", "screens.imports", "ImportScreen"),
    ("Held rows", "screens.review", "ReviewScreen"),
    ("Admin", "screens.admin", "AdminScreen"),
    ("Manage users", "screens.admin_users", "AdminUsersScreen"),
    ("Locked screen", "screens.lock", "LockScreen"),
    ("Dashboard", "screens.dashboard", "DashboardScreen"),
    ("Reports", "screens.reports", "ReportsScreen"),
    ("Certificates", "screens.certificates", "CertificatesScreen"),
)
EXTRA = (
    ("Everywhere", "ctrl+p", "Command palette: jump to a trainee, cohort or certificate"),
    ("Everywhere", "escape", "Back: close a dialog or screen (a form with changes asks first)"),
)


def bindings_of(module: str, cls: str) -> list[Binding]:
    return keymap.bindings_of(getattr(importlib.import_module(module), cls))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,f1,question_mark", "dismiss", "Close")]

    def rows(self) -> list[tuple[str, str, str]]:
        """(where, keys, what it does) for every binding."""
        out = list(EXTRA)
        for title, module, cls in SECTIONS:
            for binding in bindings_of(module, cls):
                keys = " / ".join(
                    self.app.get_key_display(Binding(k.strip(), binding.action)) for k in binding.key.split(",")
                )
                out.append((title, keys, binding.tooltip or binding.description or binding.action))
        return out

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, show_edge=False)
        table.add_column("Where", style="bold", no_wrap=True)
        table.add_column("Key", style="bold cyan", no_wrap=True)
        table.add_column("Does")
        for row in self.rows():
            table.add_row(*row)
        with VerticalScroll(id="help"):
            yield Static(table)
            yield Static("Press Escape to close.", classes="hint")

    def action_dismiss(self) -> None:  # type: ignore[override]  # a plain dismissal, nothing to await
        self.dismiss(None)
