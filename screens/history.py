"""A record's history: who changed what, when (from the audit trail)."""

from __future__ import annotations

from typing import cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from trainer.accounts import audit
from trainer.accounts.access import Actor
from trainer.errors import TrainerError
from trainer.reporting.headings import heading

ACTIONS = {"create": "Created", "update": "Changed", "merge": "Merged", "import": "Imported", "delete": "Removed"}
LABELS = {
    "given_name": "Given name",
    "father_name": "Father",
    "grandfather_name": "Grandfather",
    "family_name": "Family name",
    "mother_name": "Mother",
    "given_name_latin": "Given name (Latin)",
    "father_name_latin": "Father (Latin)",
    "grandfather_name_latin": "Grandfather (Latin)",
    "family_name_latin": "Family name (Latin)",
    "date_of_birth": "Born",
    "national_id": "National ID",
    "service_number": "Service no.",
    "start_date": "Start",
    "end_date": "End",
    "coalition_funded": "Coalition-funded",
    "case_ref": "Case",
    "decision_date": "Decided on",
}


def label(field: str) -> str:
    return LABELS.get(field) or heading(field)


def value(v) -> str:
    """A value as a person reads it: nothing shown as "none", lists joined, masked ones said so."""
    if v is None or v == "" or v == [] or v == ():
        return "none"
    if v == "***":
        return "(hidden)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    text = str(v)
    return text if len(text) <= 40 else text[:39] + "…"


def describe(e: audit.Entry) -> str:
    """Labels and values: "Born 1999-03-15" for what a new record was given, "Born 1999-03-14 → 1999-03-15"
    for a change; never a field name or an empty arrow."""
    if not e.changes:
        return e.note
    if all(c.before in (None, "", [], ()) for c in e.changes):
        return "; ".join(f"{label(c.field)} {value(c.after)}" for c in e.changes if c.after not in (None, "", [], ()))
    return "; ".join(f"{label(c.field)}: {value(c.before)} → {value(c.after)}" for c in e.changes)


class RecordHistoryScreen(ServiceCalls, ModalScreen[None]):
    """Every audit event about one record, oldest first. Escape closes it."""

    BINDINGS = [Binding("escape", "close", "Close", id="history.close")]
    DEFAULT_CSS = """
    RecordHistoryScreen { align: center middle; }
    RecordHistoryScreen #history { width: 90%; height: 80%; border: thick $primary; background: $surface; }
    RecordHistoryScreen DataTable { height: 1fr; }
    """

    def __init__(self, entity: str, uuid: str, title: str = "", actor: Actor | None = None) -> None:
        super().__init__()
        self.entity, self.uuid, self.title_text, self._actor = entity, str(uuid), title, actor

    @property
    def actor(self) -> Actor:
        return self._actor or cast(Actor, self.app.actor)

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Label(f"History of {arabic.display(self.title_text) or self.entity}", id="history-title")
            yield Static("Loading …", id="history-status")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When (UTC)", "Who", "What", "Changes")
        self.call("history", audit.history, self.actor, self.entity, self.uuid)

    def done_history(self, entries: list[audit.Entry]) -> None:
        table = self.query_one(DataTable)
        for e in entries:
            # Names in the changes pass through the one display path (shaped, in visual order).
            what = ACTIONS.get(e.action, e.action.replace("_", " ").capitalize())
            table.add_row(f"{e.at:%Y-%m-%d %H:%M}", e.username, what, arabic.display(describe(e)), key=str(e.id))
        self.query_one("#history-status", Static).update(
            f"{len(entries)} change(s)" if entries else "No recorded changes."
        )
        table.focus()

    def failed_history(self, error: TrainerError) -> None:
        self.query_one("#history-status", Static).update(str(error))

    def action_close(self) -> None:
        self.dismiss(None)
