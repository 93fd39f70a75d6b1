"""The roster import wizard: pick a file, see what was read, dry run, then import.

Reading shows the encoding, the date order (and what settled it), the column
mapping and the first rows; a dry run checks every row against the registry
(already present, held for review, new); Import writes it all in one
transaction with a progress bar. Nothing is written before Import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Label, ProgressBar, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field, Tick
from trainer.accounts.access import Actor
from trainer.rosters import imports

PROBLEMS_SHOWN = 1_000  # the whole list goes to a CSV report (trainer import trainees --report)
PREVIEW_COLUMNS = (
    ("given_name", 14),
    ("father_name", 14),
    ("grandfather_name", 14),
    ("family_name", 14),
    ("date_of_birth", 12),
    ("national_id", 14),
    ("force", 14),
    ("province", 12),
    ("unit", 16),
)
STEPS = {
    "reading": "Reading the file",
    "checking": "Checking rows",
    "writing": "Writing",
    "indexing": "Rebuilding the search index",
    "summaries": "Updating report summaries",
    "done": "Done",
}


class ImportScreen(ServiceCalls, Screen):
    CSS = """
    ImportScreen #import-form { height: auto; padding: 0 1; }
    ImportScreen #import-form Horizontal { height: auto; }
    ImportScreen #path { width: 1fr; }
    ImportScreen #date-format { width: 36; }
    ImportScreen #file-info, ImportScreen #import-status { height: auto; padding: 0 1; }
    ImportScreen #import-progress { padding: 0 1; }
    ImportScreen #preview { height: 1fr; }
    ImportScreen #problems { height: 1fr; }
    /* Below 100 columns the buttons give their row to the checkbox: the key bar has the same keys. */
    ImportScreen.-narrow #read, ImportScreen.-narrow #dry-run, ImportScreen.-narrow #commit { display: none; }
    """
    BINDINGS = [
        Binding("ctrl+o", "pick", "File", id="import.pick"),
        Binding("ctrl+r", "read", "Read file", id="import.read"),
        Binding("ctrl+g", "dry_run", "Dry run", id="import.dry_run"),
        Binding("ctrl+s", "commit", "Import", id="import.commit"),
        Binding("f4", "review", "Review held rows", id="import.review"),
        Binding("escape", "back", "Back", id="import.back"),
    ]

    class Progress(Message):
        """A step of the running import (posted from its worker thread)."""

        def __init__(self, step: str, done: int, total: int) -> None:
            super().__init__()
            self.step, self.done, self.total = step, done, total

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self._given_actor = actor
        self.report: imports.ImportReport | None = None
        self.busy = False

    @property
    def actor(self):
        return self._given_actor or getattr(self.app, "actor", None)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="import-form"):
            yield Label("Import a roster (CSV UTF-8 / Windows-1256, or XLSX)", classes="card-title")
            with Horizontal():
                yield Field(placeholder="Path of the roster file, then Enter", id="path")
                yield Field(placeholder="Date format if asked: DD/MM/YYYY", id="date-format")
            with Horizontal():
                yield Tick("Write the valid rows and skip the invalid ones", id="skip-invalid")
                yield Button("Read [ctrl+r]", id="read")
                yield Button("Dry run [ctrl+g]", id="dry-run")
                yield Button("Import [ctrl+s]", id="commit", variant="primary")
        yield Static("Give a file and press Enter to read it. Nothing is written before Import.", id="file-info")
        yield ProgressBar(total=1, show_eta=False, id="import-progress")
        yield Static("", id="import-status")
        yield DataTable(id="preview", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        preview = self.query_one("#preview", DataTable)
        preview.add_columns("Row", "Status", *(f.replace("_", " ") for f, _ in PREVIEW_COLUMNS))
        problems = self.query_one("#problems", DataTable)
        problems.add_columns("Row", "Outcome", "Column", "Reason", "Value")
        self.query_one("#path", Field).focus()

    # --- what the clerk asks for ------------------------------------------------

    def _inputs(self) -> tuple[str, str | None, bool] | None:
        path = self.query_one("#path", Field).value.strip()
        if not path:
            self._status("Give the path of a roster file first.", error=True)
            return None
        fmt = self.query_one("#date-format", Field).value.strip() or None
        return str(Path(path).expanduser()), fmt, self.query_one("#skip-invalid", Checkbox).value

    def _start(self, token: str, fn, label: str) -> None:
        if self.busy:
            self._status("Wait for the running step to finish.", error=True)
            return
        given = self._inputs()
        if given is None or self.actor is None:
            if self.actor is None:
                self._status("Sign in first.", error=True)
            return
        path, fmt, skip = given
        self.busy = True
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self._status(f"{label} {Path(path).name} …")
        kwargs: dict[str, Any] = {"date_format": fmt}
        if token != "read":
            kwargs.update(skip_invalid=skip, progress=self._post_progress)
        self.call(token, fn, self.actor, path, **kwargs)

    def _post_progress(self, step: str, done: int, total: int) -> None:
        self.post_message(self.Progress(step, done, total))  # from the worker thread: messages only

    @on(Field.Submitted, "#path")
    @on(Field.Submitted, "#date-format")
    def _submitted(self) -> None:
        self.action_read()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"read": self.action_read, "dry-run": self.action_dry_run, "commit": self.action_commit}[
            event.button.id or ""
        ]()

    def action_pick(self) -> None:
        """To the file field, its text selected so typing replaces it."""
        field = self.query_one("#path", Field)
        if field.has_focus:
            field.select_all()
        else:
            field.focus()  # an Input selects its text when it gains focus

    def action_read(self) -> None:
        self._start("read", imports.inspect, "Reading")

    def action_dry_run(self) -> None:
        self._start("dry", imports.dry_run, "Dry run of")

    def action_commit(self) -> None:
        from screens.widgets.dialogs import ConfirmDialog

        given = self._inputs()
        if given is None or self.busy:
            return
        path, _, skip = given
        name = Path(path).name
        question = (
            f"Import the valid rows of {name} and skip the invalid ones?"
            if skip
            else f"Import {name}? If any row is invalid, nothing is written."
        )
        self.app.push_screen(ConfirmDialog(f"{question} It is written in one transaction."), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self._start("commit", imports.import_trainees, "Importing")

    def action_back(self) -> None:
        """Leave the wizard; a running import is not left behind unseen (it ends as one transaction)."""
        if self.busy:
            self._status("An import is running: wait for its result (it is written whole or not at all).", error=True)
            return
        self.app.pop_screen()

    def action_review(self) -> None:
        from screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self._given_actor))

    # --- results (on the UI thread) ---------------------------------------------

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        step = STEPS.get(message.step, message.step)
        if message.step in ("checking", "writing"):
            bar.update(total=max(message.total, 1), progress=message.done)
            self._status(f"{step}: {message.done:,} of {message.total:,}")
        else:  # a step of unknown length: the bar pulses
            bar.update(total=None)
            self._status(f"{step} …")

    def done_read(self, report: imports.ImportReport) -> None:
        self._show(
            report,
            f"Read {report.rows:,} rows: {report.valid:,} valid, "
            f"{len(report.invalid_rows):,} invalid. Dry run (ctrl+g) checks them against "
            "the registry; nothing is written yet.",
        )

    def done_dry(self, report: imports.ImportReport) -> None:
        verdict = (
            "an import would be REFUSED (invalid rows; tick 'skip the invalid ones' to write the rest)"
            if report.refused
            else "nothing written"
        )
        self._show(
            report,
            f"Dry run: {report.new:,} would be added, {len(report.already_present):,} already "
            f"present, {len(report.held):,} held for review, {len(report.already_held):,} already "
            f"held, {len(report.invalid_rows):,} rejected — {verdict}.",
        )

    def done_commit(self, report: imports.ImportReport) -> None:
        held = f"; {len(report.held):,} held for review (f4)" if report.held else ""
        self._show(
            report,
            f"Imported: {report.new:,} added, {len(report.already_present):,} already present, "
            f"{len(report.invalid_rows):,} rejected{held}. ({report.seconds:.1f} s, one transaction)",
        )

    def failed_read(self, error) -> None:
        self._failed(error)

    def failed_dry(self, error) -> None:
        self._failed(error)

    def failed_commit(self, error) -> None:
        self._failed(error)

    def _failed(self, error) -> None:
        self.busy = False
        report = getattr(error, "report", None)
        if report is not None:  # refused: every invalid row is listed
            self._show(
                report,
                f"Refused: {len(report.invalid_rows):,} of {report.rows:,} rows are invalid; "
                "nothing was written. Fix them, or tick 'skip the invalid ones'.",
                error=True,
            )
            return
        self.report = None
        self.query_one("#import-progress", ProgressBar).update(total=1, progress=0)  # stopped, not pulsing on
        self.query_one("#file-info", Static).update("")
        self.query_one("#preview", DataTable).clear()
        problems = self.query_one("#problems", DataTable)
        problems.clear()
        for p in getattr(error, "problems", []):
            problems.add_row(str(p.row or ""), "refused", p.field, p.reason, "")
        self._status(f"Refused: {error}", error=True)

    def _show(self, report: imports.ImportReport, status: str, *, error: bool = False) -> None:
        self.busy = False
        self.report = report
        self.query_one("#import-progress", ProgressBar).update(total=1, progress=1)
        order = report.date_order or "no dates"
        if report.date_order_source:
            order += " (from the values)" if report.date_order_source == "values" else f" ({report.date_order_source})"
        mapping = ", ".join(f"{arabic.display(h)} → {f}" for h, f in report.columns)
        self.query_one("#file-info", Static).update(
            f"File: {Path(report.file).name}   Encoding: {report.encoding}   Dates: {order}\nColumns: {mapping}"
        )
        preview = self.query_one("#preview", DataTable)
        preview.clear()
        for row in report.preview:
            values = dict(row.values)
            preview.add_row(
                str(row.row), row.status, *(arabic.display(values.get(f, ""), w) for f, w in PREVIEW_COLUMNS)
            )
        problems = self.query_one("#problems", DataTable)
        problems.clear()
        in_file = {field: header for header, field in report.columns}  # the clerk fixes the file: its own words
        lines = [(r.row, "rejected", in_file.get(r.column, r.column), r.reason, r.value) for r in report.rejected]
        lines += [
            (
                h.row,
                "held",
                "",
                "possibly " + "; ".join(f"{arabic.display(c.name, 40)} ({c.date_of_birth})" for c in h.candidates),
                h.name,
            )
            for h in report.held
        ]
        lines.sort(key=lambda x: x[0])
        for number, outcome, column, reason, value in lines[:PROBLEMS_SHOWN]:
            shown = reason if outcome == "held" else arabic.display(reason, 60)  # held: names shown already
            problems.add_row(str(number), outcome, arabic.display(column, 20), shown, arabic.display(value, 30))
        if len(lines) > PROBLEMS_SHOWN:
            status += f" (first {PROBLEMS_SHOWN:,} of {len(lines):,} listed; the CLI's --report writes all)"
        self._status(status, error=error)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#import-status", Static)
        status.update(text)
        status.set_class(error, "error")
