"""The registry's filters (force, province, status, vetting state) in a dialog behind one key.

Four dropdowns on the list screen itself cost most of its styling and every re-layout; behind `f`
they cost nothing until the clerk asks for them. The list screen shows the chosen filters in its
count line.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select

from screens.widgets.forms import form_row
from trainer.registry import reference, trainees

FILTERS = ("force", "province", "status", "vetting")
STATUSES = ("active", "inactive", "dismissed", "deceased", "merged")


def options(name: str) -> list[tuple[str, str]]:
    if name == "force":
        return [(f.name_en, f.code) for f in reference.FORCES]
    if name == "province":
        return [(p.name_en, p.code) for p in reference.PROVINCES]
    return [(s, s) for s in (STATUSES if name == "status" else trainees.VETTING_STATES)]


def summary(chosen: dict[str, str]) -> str:
    """The chosen filters as the count line shows them: "Border Guards, Ninawa, active"."""
    shown = []
    for name in FILTERS:
        value = chosen.get(name, "")
        if value:
            shown.append(next((label for label, code in options(name) if code == value), value))
    return ", ".join(shown)


class FilterDialog(ModalScreen[dict[str, str] | None]):
    """Dismisses the chosen filters ("" for any), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
        Binding("ctrl+r", "clear", "Clear all", id="filters.clear"),
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
    ]

    def __init__(self, chosen: dict[str, str]) -> None:
        super().__init__()
        self.chosen = {name: chosen.get(name, "") for name in FILTERS}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Filter the registry", classes="card-title")
            for name in FILTERS:
                value = self.chosen[name] or Select.NULL
                yield from form_row(name.capitalize(), Select(options(name), prompt="Any", value=value, id=name))
            with Horizontal(classes="buttons"):
                yield Button("Apply (ctrl+s)", variant="primary", id="apply")
                yield Button("Clear all (ctrl+r)", id="clear")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#force", Select).focus()

    def values(self) -> dict[str, str]:
        out = {}
        for name in FILTERS:
            value = self.query_one(f"#{name}", Select).value
            out[name] = "" if value is Select.NULL else str(value)
        return out

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        self.dismiss(self.values())

    @on(Button.Pressed, "#clear")
    def action_clear(self) -> None:
        self.dismiss({name: "" for name in FILTERS})

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
