"""Rows held for review: each beside the registered person(s) it may be; the clerk decides.

s: same person (the row's new facts are added to the chosen candidate),
n: new person (registered from the row), x: discard the row.
[ and ] choose among several candidates. Nothing is decided without a confirmation.
"""

from __future__ import annotations

from dataclasses import asdict

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.dialogs import COMPARED, ConfirmDialog, same, shown
from trainer.accounts.access import Actor
from trainer.rosters import merges

PAGE = 200


class ReviewScreen(ServiceCalls, Screen):
    CSS = """
    ReviewScreen #review-body { height: 1fr; }
    ReviewScreen #held { width: 68; }
    ReviewScreen #compare-pane { width: 1fr; padding: 0 1; }
    ReviewScreen #review-status { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("s", "decide('same')", "Same person", id="review.same"),
        Binding("n", "decide('new')", "New person", id="review.new"),
        Binding("x", "decide('discard')", "Discard", id="review.discard"),
        Binding("right_square_bracket", "candidate(1)", "Next candidate", id="review.next", key_display="]"),
        Binding(
            "left_square_bracket",
            "candidate(-1)",
            "Previous candidate",
            id="review.previous",
            key_display="[",
            show=False,
        ),
        Binding("f5", "reload", "Reload", id="review.reload"),
        Binding("escape", "back", "Back", id="review.back"),
    ]

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self._given_actor = actor
        self.rows: list[merges.HeldView] = []
        self.chosen = 0  # index of the candidate a "same person" decision joins
        self.compared: Table | None = None  # what the comparison pane shows

    @property
    def actor(self):
        return self._given_actor or getattr(self.app, "actor", None)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading rows held for review …", id="review-status")
        with Horizontal(id="review-body"):
            yield DataTable(id="held", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="compare-pane"):
                yield Static("", id="compare")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#held", DataTable).add_columns("Row", "File", "Name", "Born", "Cand.")
        self.action_reload()

    def action_reload(self) -> None:
        if self.actor is None:
            self._status("Sign in first.")
            return
        self.call("load", merges.list_held, self.actor, limit=PAGE)

    def done_load(self, rows: list[merges.HeldView]) -> None:
        self.rows = rows
        table = self.query_one("#held", DataTable)
        keep = table.cursor_row
        table.clear()
        for h in rows:
            table.add_row(
                str(h.row),
                arabic.display(h.file, 16),
                arabic.display(h.name, 26),
                str(h.data.date_of_birth or ""),
                str(len(h.candidates)),
                key=str(h.id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
            table.focus()
        self._status(
            f"{len(rows)} row(s) held for review"
            + (" (first page)" if len(rows) == PAGE else "")
            + ". s same person · n new person · x discard · ] next candidate"
            if rows
            else "No rows are held for review."
        )
        self._compare()

    @property
    def current(self) -> merges.HeldView | None:
        table = self.query_one("#held", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#held")
    def _highlighted(self) -> None:
        self.chosen = 0
        self._compare()

    def action_candidate(self, step: int) -> None:
        held = self.current
        if held and held.candidates:
            self.chosen = (self.chosen + step) % len(held.candidates)
            self._compare()

    def _compare(self) -> None:
        held = self.current
        pane = self.query_one("#compare", Static)
        if held is None:
            self.compared = None
            pane.update("")
            return
        table = Table(expand=True, title=f"Row {held.row} of {held.file} beside the registered person(s)")
        table.add_column("", style="dim", no_wrap=True, width=14)
        table.add_column("This row", no_wrap=True)
        for n, c in enumerate(held.candidates):
            mark = "▶ " if n == self.chosen else ""
            table.add_column(f"{mark}#{c.id} ({c.status})", no_wrap=True, style="bold" if mark else "")
        mine = asdict(held.data)
        for label, field in COMPARED + (("Unit", "unit"),):
            value = held.unit if field == "unit" else mine.get(field)
            cells: list[str | Text] = [label, arabic.display(shown(field, value), 22)]
            for n, c in enumerate(held.candidates):
                theirs = (
                    (held.candidate_units[n] if n < len(held.candidate_units) else "")
                    if field == "unit"
                    else getattr(c, field, "")
                )
                style = "yellow" if same(field, value, theirs) else ""
                cells.append(Text(arabic.display(shown(field, theirs), 22), style=style))
            table.add_row(*cells)
        self.compared = table
        pane.update(table)

    def action_decide(self, what: str) -> None:
        held = self.current
        if held is None:
            return
        if what == "same":
            if not held.candidates:
                return
            c = held.candidates[self.chosen]
            question = f"Row {held.row} is {c.full_name} (#{c.id}): add the row's new facts to that record?"
        elif what == "new":
            question = f"Row {held.row} is someone new: register {held.name}?"
        else:
            question = f"Discard row {held.row} ({held.name})? It is not imported."
        self.app.push_screen(ConfirmDialog(question), lambda yes: self._decided(yes, what, held))

    def _decided(self, yes: bool | None, what: str, held: merges.HeldView) -> None:
        if not yes:
            return
        if what == "same":
            self.call(
                "decision", merges.same_person, self.actor, held.id, held.version, held.candidates[self.chosen].id
            )
        elif what == "new":
            self.call("decision", merges.new_person, self.actor, held.id, held.version)
        else:
            self.call("decision", merges.discard, self.actor, held.id, held.version)

    def done_decision(self, decision: merges.Decision) -> None:
        text = {
            "same": "Added to the registered record",
            "new": "Registered as a new person",
            "discarded": "Discarded",
        }[decision.status]
        if decision.added:
            text += f" ({', '.join(decision.added)})"
        if decision.kept:
            text += "; kept the record's " + ", ".join(f"{f} ({have} — row: {new})" for f, have, new in decision.kept)
        self.app.notify(text, timeout=6)
        self.action_reload()

    def failed_decision(self, error) -> None:
        self.app.notify(str(error), severity="error", timeout=8)
        self.action_reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def _status(self, text: str) -> None:
        self.query_one("#review-status", Static).update(text)
