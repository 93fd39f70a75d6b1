"""A record's history: who changed what, when (from the audit trail)."""

from __future__ import annotations

from typing import cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from screens.calls import ServiceCalls
from trainer.accounts import audit
from trainer.accounts.access import Actor
from trainer.errors import TrainerError


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
            yield Label(f"History of {self.title_text or self.entity}", id="history-title")
            yield Static("Loading …", id="history-status")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("when (UTC)", "who", "what", "changes")
        self.call("history", audit.history, self.actor, self.entity, self.uuid)

    def done_history(self, entries: list[audit.Entry]) -> None:
        table = self.query_one(DataTable)
        for e in entries:
            table.add_row(f"{e.at:%Y-%m-%d %H:%M}", e.username, e.action, e.summary(), key=str(e.id))
        self.query_one("#history-status", Static).update(
            f"{len(entries)} change(s)" if entries else "No recorded changes."
        )
        table.focus()

    def failed_history(self, error: TrainerError) -> None:
        self.query_one("#history-status", Static).update(str(error))

    def action_close(self) -> None:
        self.dismiss(None)
