"""Reports: choose one, set its parameters, preview it in a lazy table, export it with a progress bar.

Every service call (running the report, writing the file) runs in a thread
worker that posts messages; the screen stays responsive while a large export
is written. Aggregate exports are suppressed by the service (trainer.reporting.catalogue).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, ProgressBar, Select, Static
from textual.widgets.option_list import Option

from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.lazy_table import Column, LazyTable
from trainer.accounts import settings
from trainer.accounts.access import Actor
from trainer.errors import readable
from trainer.registry import reference
from trainer.registry.names import is_arabic
from trainer.reporting import catalogue as reports
from trainer.reporting.headings import headings

if TYPE_CHECKING:
    pass


EXPORT_FORMATS = ("csv", "xlsx", "json", "ndjson", "hxl")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def table_columns(result: reports.ReportResult) -> list[Column]:
    sample = result.rows[:50]
    columns = []
    for i, label in enumerate(headings(result.columns)):  # words, not field names
        values = [_cell(r[i]) for r in sample]
        width = min(max([len(label), *(len(v) for v in values)]), 28)

        def value(row: Sequence[Any], i: int = i) -> str:
            return _cell(row[i])

        columns.append(Column(label, width, value, arabic=any(is_arabic(v) for v in values)))
    return columns


class ReportsScreen(Screen):
    CSS_PATH = Path(__file__).with_name("reports.tcss")
    BINDINGS = [
        Binding("f5", "preview", "Preview", id="reports.preview", tooltip="Run the report and show it"),
        Binding("f6", "export", "Export", id="reports.export", tooltip="Write the report to a file"),
    ]

    class Previewed(Message):
        def __init__(self, result: reports.ReportResult) -> None:
            super().__init__()
            self.result = result

    class Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Exported(Message):
        def __init__(self, written: reports.Written) -> None:
            super().__init__()
            self.written = written

    class Failed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    @property
    def actor(self) -> Actor:
        return cast(Actor, getattr(self.app, "actor", None))  # set at sign-in, before any area opens

    def __init__(self) -> None:
        super().__init__()
        self.result: reports.ReportResult | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="reports-body"):
            yield OptionList(
                *(Option(f"{r.name}\n  [dim]{r.summary}[/dim]", id=r.name) for r in reports.CATALOGUE.values()),
                id="report-list",
            )
            with Vertical(id="report-side"):
                with Vertical(id="report-params"):
                    with Horizontal(classes="row"):
                        yield Input(placeholder="from YYYY-MM-DD", id="date-from")
                        yield Input(placeholder="to YYYY-MM-DD", id="date-to")
                        yield Input(placeholder="centre code", id="centre")
                        yield Input(placeholder="cohort code", id="cohort")
                    with Horizontal(classes="row"):
                        yield Select([(f.name_en, f.code) for f in reference.FORCES], prompt="any force", id="force")
                        yield Select(
                            [(p.name_en, p.code) for p in reference.PROVINCES], prompt="any province", id="province"
                        )
                        yield Button("Preview (F5)", id="preview", variant="primary")
                with Horizontal(id="report-export"):
                    yield Select([(f, f) for f in EXPORT_FORMATS], value="csv", allow_blank=False, id="format")
                    yield Input(placeholder="output file", id="output")
                    yield Button("Export (F6)", id="export")
                yield ProgressBar(total=1, show_eta=False, id="export-progress")
                yield Static("Choose a report on the left, then Preview.", id="report-status")
                yield LazyTable([Column("", 0, str)], empty="No rows", id="report-preview")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#report-list", OptionList).highlighted = 0
        self.query_one("#report-list", OptionList).focus()
        self._suggest_output()

    # --- parameters ---------------------------------------------------------

    @property
    def report_name(self) -> str:
        options = self.query_one("#report-list", OptionList)
        index = options.highlighted or 0
        return options.get_option_at_index(index).id or ""

    def _suggest_output(self) -> None:
        fmt = self.query_one("#format", Select).value
        ext = "csv" if fmt == "hxl" else fmt
        folder = settings.exports_folder_of(getattr(self.app, "prefs", {}))  # Admin > Site settings changes it
        self.query_one("#output", Input).value = str(folder / f"{self.report_name}.{ext}")

    @on(OptionList.OptionHighlighted, "#report-list")
    def report_changed(self) -> None:
        self._suggest_output()

    @on(Select.Changed, "#format")
    def format_changed(self) -> None:
        self._suggest_output()

    def params(self) -> reports.ReportParams | None:
        def text(selector: str) -> str | None:
            return self.query_one(selector, Input).value.strip() or None

        def choice(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return None if value is Select.NULL else str(value)

        dates = {}
        for key, selector in (("date_from", "#date-from"), ("date_to", "#date-to")):
            raw = text(selector)
            try:
                dates[key] = datetime.date.fromisoformat(raw) if raw else None
            except ValueError:
                self._status(f"{raw!r} is not a date: use YYYY-MM-DD", error=True)
                self.query_one(selector, Input).focus()
                return None
        return reports.ReportParams(
            force=choice("#force"),
            province=choice("#province"),
            centre=text("#centre"),
            cohort=text("#cohort"),
            date_from=dates["date_from"],
            date_to=dates["date_to"],
        )

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#report-status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- preview ------------------------------------------------------------

    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        params = self.params()
        if params is not None:
            self._status(f"Running {self.report_name}…")
            self.run_report(self.report_name, params)

    @work(thread=True, exclusive=True, group="report-run")
    def run_report(self, name: str, params: reports.ReportParams) -> None:
        try:
            self.post_message(self.Previewed(reports.run_report(self.actor, name, params)))
        except Exception as exc:  # noqa: BLE001  a dropped database must not close the app
            self.post_message(self.Failed(str(readable(exc))))

    @on(Previewed)
    def show(self, message: Previewed) -> None:
        self.result = result = message.result
        table = self.query_one("#report-preview", LazyTable)
        table.columns = table_columns(result)
        table.set_rows(result.rows)
        self._status("\n".join([f"{result.title}: {len(result.rows):,} rows", *result.notes]))

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self._status(message.reason, error=True)
        self.query_one("#export", Button).disabled = False

    # --- export ---------------------------------------------------------------

    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        params = self.params()
        output = self.query_one("#output", Input).value.strip()
        if params is None:
            return
        if not output:
            self._status("give the output file", error=True)
            return
        fmt = self.query_one("#format", Select).value
        current = (
            self.result
            if self.result is not None and self.result.name == self.report_name and self.result.params == params
            else None
        )
        self.query_one("#export-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#export", Button).disabled = True
        self._status(f"Exporting {self.report_name} as {fmt}…")
        self.export(self.report_name, params, fmt, output, current)

    @work(thread=True, exclusive=True, group="report-export")
    def export(self, name: str, params, fmt: str, output: str, result) -> None:
        try:
            if result is None:
                result = reports.run_report(self.actor, name, params)
            Path(output).expanduser().parent.mkdir(parents=True, exist_ok=True)  # the exports folder, first time

            def progress(done: int, total: int) -> None:
                self.post_message(self.Progressed(done, total))

            written = reports.write_result(result, fmt, output, progress=progress)
            self.post_message(self.Exported(written))
        except Exception as exc:  # noqa: BLE001  a dropped database or a full disk must not close the app
            self.post_message(self.Failed(str(readable(exc))))

    @on(Progressed)
    def progressed(self, message: Progressed) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(Exported)
    def exported(self, message: Exported) -> None:
        w = message.written
        self.query_one("#export", Button).disabled = False
        hidden = f"; {w.suppressed} cells suppressed" if w.suppressed else ""
        self._status(f"Wrote {w.rows:,} rows to {w.path}{hidden}")
        self.notify(f"Exported {w.rows:,} rows to {w.path}")
