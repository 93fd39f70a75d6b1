"""Who delivered a cohort: its program of instruction and the coalition nation(s) (key y in Cohorts).

The same service as `trainer delivery COHORT --program … --nation …` (trainer/training/delivery.py);
outcomes-by-program groups by what is recorded here (docs/stations.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static

from screens.calls import ServiceCalls
from screens.widgets.forms import Field, form_row
from trainer.training import delivery
from trainer.training.cohorts import CohortView

NONE = ""  # the Select's value for "no program recorded"


@dataclass(frozen=True)
class Loaded:
    current: delivery.Delivery
    programs: list[delivery.ProgramView]  # the cohort's course's


def load(actor, cohort: CohortView) -> Loaded:
    """In the worker: what is recorded, and the programs the cohort's course has."""
    programs = [p for p in delivery.list_programs(actor) if p.course == cohort.course]
    return Loaded(delivery.delivery(actor, cohort.code), programs)


class DeliveryDialog(ServiceCalls, ModalScreen[bool]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="delivery.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="delivery.cancel"),
    ]

    def __init__(self, cohort: CohortView) -> None:
        super().__init__()
        self.cohort = cohort

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compact"):
            yield Label(f"Who delivered {self.cohort.code}", classes="card-title")
            yield from form_row("Program", Select([("(none recorded)", NONE)], value=NONE, allow_blank=False,
                                                  id="program"))  # fmt: skip
            yield from form_row("Nations", Field(placeholder="e.g. IT, IQ", id="nations"))
            yield Static("Nations: " + ", ".join(delivery.NATIONS), classes="hint")
            yield Static("", id="delivery-status", classes="error")
            yield Static("ctrl+s records it (replacing what was recorded), Escape cancels.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#nations", Field).focus()
        self.call("loaded", load, self.actor, self.cohort)

    def done_loaded(self, loaded: Loaded) -> None:
        choices = [("(none recorded)", NONE)] + [
            (f"{p.label} · {p.name}" + (f" ({p.nation})" if p.nation else ""), f"{p.code}@{p.revision}")
            for p in loaded.programs
        ]
        program = self.query_one("#program", Select)
        program.set_options(choices)
        now = loaded.current.program
        program.value = f"{now.code}@{now.revision}" if now else NONE
        self.query_one("#nations", Field).value = ", ".join(loaded.current.nations)
        if not loaded.programs:
            self._say(f"No program of instruction for {self.cohort.course} yet (trainer program add).")

    def failed_loaded(self, error) -> None:
        self._say(f"Cannot read it: {error}")

    def action_save(self) -> None:
        program = cast(str, self.query_one("#program", Select).value) or None
        nations = tuple(n.strip() for n in self.query_one("#nations", Field).value.split(",") if n.strip())
        self.call("saved", delivery.set_delivery, self.actor, self.cohort.code, program, nations)

    def done_saved(self, done: delivery.Delivery) -> None:
        program = done.program.label if done.program else "no program"
        self.app.notify(f"{done.cohort}: {program}, delivered by {', '.join(done.nations) or 'no nation recorded'}.")
        self.dismiss(True)

    def failed_saved(self, error) -> None:
        self._say(f"Refused: {error}")
        self.app.bell()

    def _say(self, text: str) -> None:
        self.query_one("#delivery-status", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(False)
