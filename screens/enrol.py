"""Enrol by searching and picking several trainees, then the outcome of each, with reasons."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.forms import Field
from trainer.registry import trainees
from trainer.registry.trainees import TraineeFilters, TraineeView
from trainer.training.cohorts import CohortView
from trainer.training.enrolments import EnrolReport

RESULTS = 40


def label(t: TraineeView) -> str:
    ids = t.national_id or t.service_number or "no ID"
    return (
        f"{arabic.fit(t.full_name, 30)} {arabic.crop(t.latin_name, 26):<26} "
        f"{t.date_of_birth.isoformat()} {t.force:<9} {ids}"
    )


class EnrolDialog(ServiceCalls, ModalScreen[list[int] | None]):
    """Search, tick with space, search again: the picks are kept; ctrl+s enrols them all."""

    BINDINGS = [
        Binding("ctrl+s", "enrol", "Enrol picked", id="enrol.enrol", priority=True),
        Binding("escape", "cancel", "Cancel", id="enrol.cancel"),
        Binding("down", "to_results", "To results", show=False, id="enrol.to_results"),
    ]

    def __init__(self, cohort: CohortView) -> None:
        super().__init__()
        self.cohort = cohort
        self.picked: dict[int, str] = {}
        self.shown: dict[int, TraineeView] = {}

    def compose(self) -> ComposeResult:
        c = self.cohort
        with Vertical(id="enrol", classes="dialog wide"):
            yield Label(
                f"Enrol into {c.code}: {c.seats_left} of {c.capacity} seats free"
                + (", coalition-funded (vetting checked)" if c.coalition_funded else ""),
                classes="card-title",
            )
            yield Field(
                placeholder="Search trainees: name (Arabic or Latin), national ID, service no.", id="enrol-search"
            )
            yield SelectionList(id="enrol-results")
            yield Static(
                "Nobody picked yet. Space ticks a trainee; ctrl+s enrols everyone picked.",
                id="enrol-picked",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Enrol picked (ctrl+s)", id="enrol-go", variant="primary")
                yield Button("Cancel (esc)", id="enrol-cancel")

    def on_mount(self) -> None:
        self.query_one("#enrol-search").focus()

    @on(Field.Changed, "#enrol-search")
    def _search(self, event: Field.Changed) -> None:
        if event.value.strip():
            self.call(
                "search",
                trainees.open_list,
                self.actor,
                TraineeFilters(text=event.value, status="active"),
                RESULTS,
                cap=RESULTS,
            )

    def done_search(self, page: trainees.ListPage) -> None:
        results = self.query_one("#enrol-results", SelectionList)
        self.shown = {t.id: t for t in page.rows}
        with self.prevent(SelectionList.SelectedChanged):
            results.clear_options()
            results.add_options((label(t), t.id, t.id in self.picked) for t in page.rows)

    @on(Field.Submitted, "#enrol-search")
    def action_to_results(self) -> None:
        results = self.query_one("#enrol-results", SelectionList)
        if results.option_count and results.highlighted is None:
            results.highlighted = 0
        results.focus()

    @on(SelectionList.SelectedChanged, "#enrol-results")
    def _picked(self) -> None:
        selected = set(self.query_one("#enrol-results", SelectionList).selected)
        for tid, t in self.shown.items():
            if tid in selected:
                self.picked[tid] = t.latin_name or t.full_name
            else:
                self.picked.pop(tid, None)
        names = ", ".join(arabic.display(n, 24) for n in list(self.picked.values())[:8])
        more = f" and {len(self.picked) - 8} more" if len(self.picked) > 8 else ""
        self.query_one("#enrol-picked", Static).update(
            f"Picked {len(self.picked)}: {names}{more}" if self.picked else "Nobody picked yet."
        )

    def action_enrol(self) -> None:
        if self.picked:
            self.dismiss(list(self.picked))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#enrol-go")
    def _go(self) -> None:
        self.action_enrol()

    @on(Button.Pressed, "#enrol-cancel")
    def _cancel(self) -> None:
        self.action_cancel()


STYLE = {"enrolled": "green", "waitlisted": "yellow", "refused": "bold red", "already": "dim"}


class EnrolReportDialog(ModalScreen[list[int] | None]):
    """Who got a seat, who waits (position), who was refused and exactly why. When vetting refused
    some, `k` leads to recording their decision (dismissing with their ids; the cohorts screen
    records it and enrols them again)."""

    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="enrol_report.close"),
        Binding("k", "vetting", "Record vetting", id="enrol_report.vetting"),
    ]

    def __init__(self, report: EnrolReport) -> None:
        super().__init__()
        self.report = report
        self.unvetted = [o.trainee_id for o in report.outcomes if o.status == "refused" and "vetting" in o.reason]

    def compose(self) -> ComposeResult:
        table = Table(expand=True)
        table.add_column("Trainee", no_wrap=True, max_width=26)
        table.add_column("Latin", no_wrap=True, max_width=26)
        table.add_column("Outcome", no_wrap=True)
        table.add_column("Why")
        for o in self.report.outcomes:
            table.add_row(
                arabic.display(o.name, 26),
                arabic.display(o.latin_name, 26),
                Text(o.status, style=STYLE.get(o.status, "")),
                o.reason,
            )
        counts = ", ".join(f"{len(self.report.with_status(s))} {s}" for s in STYLE if self.report.with_status(s))
        with Vertical(id="enrol-report", classes="dialog wide"):
            yield Label(f"Enrolment in {self.report.cohort_code}: {counts}", classes="card-title")
            with VerticalScroll():
                yield Static(table, id="enrol-report-table")
            hint = "Enter or Escape to close."
            if self.unvetted:
                hint = (
                    f"k: record a vetting decision for the {len(self.unvetted)} refused for vetting, then enrol them. "
                    + hint
                )
            yield Static(hint, classes="hint", id="enrol-report-hint")

    def action_close(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return bool(self.unvetted) if action == "vetting" else True  # offered only when vetting refused someone

    def action_vetting(self) -> None:
        if self.unvetted:
            self.dismiss(self.unvetted)
