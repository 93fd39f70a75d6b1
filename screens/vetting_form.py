"""Record a vetting decision: for one trainee, for several at once (the refused of an enrolment),
or for a unit. Opened with `k` (`K` for a unit) on Trainees and from the enrolment refusals
(docs/vetting.md)."""

from __future__ import annotations

import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.forms import Field, Problem, form_buttons, form_row
from trainer.errors import FieldProblem, TrainerError, ValidationFailed
from trainer.registry import vetting_decisions as vd

RESULT_CHOICES = [("approved", "approved"), ("pending", "pending"), ("denied", "denied"), ("suspended", "suspended")]
FIELDS = ("unit", "case_ref", "result", "decision_date", "funder", "note")


class VettingForm(ServiceCalls, ModalScreen[int | None]):
    """Dismisses with the number of persons the decision covers, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="vetting_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="vetting_form.cancel"),
    ]

    def __init__(self, trainee_ids: list[int], who: str, *, latin: str = "", funder: str = "") -> None:
        """`trainee_ids` empty: a unit decision (the form asks for the unit). `who` in Arabic (or words),
        `latin` the same name in Latin letters: both scripts are shown."""
        super().__init__()
        self.trainee_ids = list(trainee_ids)
        self.who, self.latin = who, latin
        self.funder = funder

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="vetting-form", classes="dialog"):
            yield Label("Record a vetting decision", classes="card-title")
            yield Static(
                f"For: {arabic.display(self.who, 36)}" + (f" · {self.latin}" if self.latin else ""), id="vetting-who"
            )
            if not self.trainee_ids:
                yield from form_row("Unit code *", Field(placeholder="e.g. NI-POL-3", id="unit"), "unit")
            yield from form_row(
                "Case ref. *", Field(placeholder="the funder's case reference", id="case_ref"), "case_ref"
            )
            yield from form_row("Result *", Select(RESULT_CHOICES, allow_blank=False, id="result"), "result")
            yield from form_row(
                "Decided on *",
                Field(datetime.date.today().isoformat(), placeholder="YYYY-MM-DD", id="decision_date"),
                "decision_date",
            )
            yield from form_row("Funder", Field(self.funder, placeholder="e.g. US, UK", id="funder"), "funder")
            yield from form_row("Note", Field(placeholder="optional", id="note"), "note")
            yield from form_buttons()

    def on_mount(self) -> None:
        self.query_one("#unit" if not self.trainee_ids else "#case_ref").focus()

    def collect(self) -> tuple[vd.DecisionInput, list[FieldProblem]]:
        problems: list[FieldProblem] = []

        def text(name: str) -> str:
            return self.query_one(f"#{name}", Field).value

        date = None
        if text("decision_date").strip():
            try:
                date = datetime.date.fromisoformat(text("decision_date").strip())
            except ValueError:
                problems.append(FieldProblem("decision_date", "write the date as YYYY-MM-DD"))
        data = vd.DecisionInput(
            text("case_ref"),
            str(self.query_one("#result", Select).value),
            date,
            text("funder"),
            text("note"),
            self.trainee_ids[0] if self.trainee_ids else None,
            "" if self.trainee_ids else text("unit"),
        )
        if not problems:
            problems = vd.problems_of(data)
        return data, problems

    def show_problems(self, problems: list[FieldProblem]) -> None:
        by_field = {p.field: p.reason for p in problems}
        for name in FIELDS:
            for widget in self.query(f"#problem-{name}"):
                if isinstance(widget, Problem):
                    widget.show(by_field.get(name, ""))

    def action_save(self) -> None:
        data, problems = self.collect()
        status = self.query_one("#form-status", Static)
        self.show_problems(problems)
        if problems:
            status.update(f"{len(problems)} problem(s): see the fields marked.")
            return
        status.update("Saving …")
        self.call("save", vd.record_batch, self.actor, data, self.trainee_ids)

    def done_save(self, covered: int) -> None:
        self.dismiss(covered)

    def failed_save(self, error: TrainerError) -> None:
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems)
        self.query_one("#form-status", Static).update(str(error))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
