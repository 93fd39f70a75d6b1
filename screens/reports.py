"""Reports: choose one, set its parameters, preview it in a lazy table, export it with a progress bar.

Every service call (running the report, writing the file) runs in a thread
worker that posts messages; the screen stays responsive while a large export
is written. Aggregate exports are suppressed by the service (trainer.reporting.catalogue).
"""

from __future__ import annotations

import datetime
import re
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
    """One column per field. A column of numbers is as wide as its numbers (its heading cut to fit,
    down to 10 cells), so that more columns fit; columns that still do not fit go from the right,
    whole (never a number cut at the edge), and the status line says how many (hidden_columns)."""
    sample = result.rows[:50]
    columns = []
    for i, label in enumerate(headings(result.columns)):  # words, not field names
        values = [_cell(r[i]) for r in sample]
        widest = max([0, *(len(v) for v in values)])
        numeric = bool(values) and all(_NUMBER.fullmatch(v) for v in values if v)
        heading = min(len(label), 10) if numeric else len(label)
        width = min(max(heading, widest), 28)

        def value(row: Sequence[Any], i: int = i) -> str:
            return _cell(row[i])

        columns.append(Column(label, width, value, arabic=any(is_arabic(v) for v in values), drop=i))
    return columns


_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?%?")


class ReportsScreen(Screen):
    CSS_PATH = Path(__file__).with_name("reports.tcss")
    BINDINGS = [
        Binding("f5", "preview", "Preview", id="reports.preview", tooltip="Run the report and show it"),
        Binding("f6", "export", "Export", id="reports.export", tooltip="Write the report to a file"),
        # Out of a parameter box back to the catalogue, where letters are area keys again (in a box
        # they are text: "t" typed there went into the date).
        Binding("escape", "to_list", "To the list", id="reports.to_list"),
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
                    # A report's own options (CLI --days, --by), shown only for the reports that take them.
                    with Horizontal(classes="row", id="report-options"):
                        yield Input(placeholder="within N days", id="days", type="integer")
                        yield Select([], prompt="grouped by", id="by")
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
        self._show_options()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "to_list":  # offered only where it moves something
            return self.focused is not self.query_one("#report-list")
        return True

    def action_to_list(self) -> None:
        self.query_one("#report-list", OptionList).focus()

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
        self._show_options()

    def _show_options(self) -> None:
        """The days and grouping boxes, for the reports that take them (named with their default)."""
        report = reports.get(self.report_name)
        days, by = self.query_one("#days", Input), self.query_one("#by", Select)
        days.display = "days" in report.uses
        by.display = "by" in report.uses
        self.query_one("#report-options").display = days.display or by.display
        if days.display:
            default = f" (default {report.days_default})" if report.days_default is not None else ""
            days.placeholder = f"within N days{default}"
        if by.display and getattr(by, "choices_of", None) != report.name:
            by.set_options([(choice, choice) for choice in report.by_choices])
            by.prompt = f"grouped by {report.by_choices[0]}" if report.by_choices else "grouped by"
            by.choices_of = report.name  # type: ignore[attr-defined]  # set_options once per report

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
        uses = reports.get(self.report_name).uses
        days = text("#days") if "days" in uses else None
        return reports.ReportParams(
            force=choice("#force"),
            province=choice("#province"),
            centre=text("#centre"),
            cohort=text("#cohort"),
            days=int(days) if days else None,  # the box takes digits only
            by=choice("#by") if "by" in uses else None,
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
        hidden = table.hidden_columns()
        more = (
            f" · {len(hidden)} more column{'s' if len(hidden) > 1 else ''} ({', '.join(hidden)}) in the export"
            " or a wider terminal"
            if hidden
            else ""
        )
        self._status("\n".join([f"{result.title}: {len(result.rows):,} rows{more}", *result.notes]))

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
        report = reports.CATALOGUE.get(self.report_name)
        if report is not None and not report.aggregate:  # names leave the encrypted database with this file
            from trainer.reporting.protected import WARNING

            self.notify(f"Person-level file: {WARNING.split(' (or')[0]}", severity="warning", timeout=15)
