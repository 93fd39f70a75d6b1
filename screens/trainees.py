"""The registry: one list over every trainee, search as you type, filters, a detail pane."""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from screens.calls import ServiceCalls
from screens.detail import force_name, render
from screens.fresh import StyledOnce
from screens.trainee_filters import FILTERS, FilterDialog, summary
from screens.widgets.allowed import RoleGate, may
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field, SearchField, StatusLine
from screens.widgets.lazy_table import Column, LazyTable
from screens.widgets.text_pane import TextPane
from trainer.errors import TrainerError, readable
from trainer.registry import trainees
from trainer.registry.trainees import TraineeFilters, TraineeView

if TYPE_CHECKING:
    from textual.timer import Timer

FIRST_PAGE = 100
COUNT_CAP = 1_000  # a search counts its matches up to here ("1,000+ matches"): counting more costs time
REST = 0.12  # seconds keys must rest before the detail pane loads or a search is counted


class ListLoaded(Message, bubble=False):
    """A list worker's result for request `serial`: the first page (`counted` False when more may
    follow), then, in a second message, the same page with its count."""

    def __init__(self, serial: int, page: trainees.ListPage, counted: bool) -> None:
        super().__init__()
        self.serial, self.page, self.counted = serial, page, counted


class ListFinished(Message, bubble=False):
    def __init__(self, serial: int, error: TrainerError | None = None) -> None:
        super().__init__()
        self.serial, self.error = serial, error


COLUMNS = [  # on a narrow list the province, force, birth date, then ID make room for the names
    Column("Name", 0, lambda t: t.full_name, arabic=True),
    Column("Latin", 0, lambda t: t.latin_name),
    Column("Born", 10, lambda t: t.date_of_birth.isoformat(), drop=2),
    Column("National ID", 12, lambda t: t.national_id, drop=1),
    # Not active: the status in capitals instead of the force (the detail shows both), whole in nine
    # cells; "police (dismissed)" cut to "police (…" read the same as "police (deceased)".
    Column("Force", 9, lambda t: t.force if t.status == "active" else t.status.upper(), drop=3),
    Column("Pr.", 3, lambda t: t.province[3:], drop=4),
]


class TraineesScreen(RoleGate, ServiceCalls, StyledOnce, Screen):
    NEEDS = {
        "new": "trainee.write",
        "edit": "trainee.write",
        "import_roster": "import.run",
        "review": "import.run",
        "history": "record.history",
    }
    BINDINGS = [
        Binding("n", "new", "New trainee", id="trainees.new"),
        Binding("enter", "edit", "Edit", id="trainees.edit", show=False),
        Binding("slash", "search", "Search", id="trainees.search", key_display="/"),
        Binding("f", "filter", "Filter", id="trainees.filter"),
        Binding("i", "import_roster", "Import", id="trainees.import"),
        Binding("v", "review", "Review held", id="trainees.review"),
        Binding("h", "history", "History", id="trainees.history"),
        Binding("k", "vetting", "Vetting", id="trainees.vetting"),
        Binding("K", "unit_vetting", "Unit vetting", id="trainees.unit_vetting", show=False),
        Binding("escape", "to_list", "To the list", id="trainees.to_list", key_display="esc/↓"),
        Binding("down", "to_list", "To the list", id="trainees.down_to_list", show=False),
        Binding("f5", "reload", "Reload", id="trainees.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        # A screen created for its mode is styled by the current stylesheet as its widgets mount, so
        # Textual's refresh_css on the first switch to the mode (a reparse of every CSS source and a
        # restyle of every screen, ~0.1 s) has nothing to change: mark this screen as up to date.
        self._css_update_count = self.app._css_update_count
        self.typed_at: float | None = None  # when the last search/filter change happened
        self.last_latency: float | None = None  # seconds from that change to results drawn
        self.drawn_at: float | None = None  # perf_counter() when the last result was drawn
        self.exact_total: int | None = None  # the list's size when not capped
        self.detail_busy = False  # one detail load at a time; the latest wins
        self.detail_wanted: int | None = None
        self.chosen: dict[str, Any] = {name: "" for name in FILTERS}  # force, province, status, vetting ("" = any)
        self.count_text = ""  # the count line without the cursor's row
        self.detail_timer: Timer | None = None  # the pending load while the cursor moves
        self.moved_at = 0.0  # perf_counter() of the last cursor move
        self.list_serial = 0  # the latest list request
        self.list_running = 0  # the request a worker is running (0: none)
        self.list_wanted: TraineeFilters | None = None

    def compose(self) -> ComposeResult:
        # The first page is asked for now, so that the worker runs while the widgets are mounted and
        # styled: its rows are then usually there for the screen's first paint. (Its message is
        # handled after on_mount: the screen's queue runs once composing and mounting are done.)
        self.request_list(TraineeFilters(**self.chosen))
        yield TitleBar()
        # A grid (app.tcss): search, count and list on the left, the detail pane over all three rows.
        yield SearchField(placeholder="Search: name (Arabic or Latin), national ID, service no.", id="search")
        yield TextPane(id="trainee-detail")
        yield StatusLine("Loading …", id="trainee-count")
        # A role that may not read national IDs gets none from the service: no empty column either.
        columns = [c for c in COLUMNS if c.label != "National ID" or may(self, "trainee.identify")]
        yield LazyTable(columns, self._fetch, empty="No trainee matches.", id="trainee-list")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#trainee-list", LazyTable)
        table.focus()
        # The row number follows the cursor in the same repaint as the list (a Highlighted message
        # arrives a frame later often enough to cost a second repaint of the screen).
        self.watch(table, "cursor_row", self._show_count, init=False)

    # --- the list -----------------------------------------------------------

    def filters(self) -> TraineeFilters:
        return TraineeFilters(text=self.query_one("#search", Field).value, **self.chosen)

    def _fetch(self, query: TraineeFilters, offset: int, limit: int, hint: dict) -> list[TraineeView]:
        """Runs in the table's thread worker: continue from a neighbouring row when there is one."""
        if "after" in hint:
            return trainees.page(self.actor, query, offset, limit, after_id=hint["after"].id)
        if "before" in hint:
            return trainees.page(self.actor, query, offset, limit, before_id=hint["before"].id)
        return trainees.page(self.actor, query, offset, limit, total=self.exact_total)

    def reload(self) -> None:
        self.request_list(self.filters())

    def request_list(self, filters: TraineeFilters) -> None:
        """Keys typed while a list query runs are coalesced: when it ends, only the latest text runs
        (no fixed delay, so a single keystroke is answered at once)."""
        self.typed_at = time.perf_counter()
        self.list_serial += 1
        self.list_wanted = filters
        if not self.list_running:
            self._start_list()

    def _start_list(self) -> None:
        serial, filters, actor = self.list_serial, self.list_wanted, self.actor
        assert filters is not None  # a list was asked for
        self.list_running, self.list_wanted = serial, None

        def job() -> None:
            error = None
            try:
                first = trainees.first_page(actor, filters, FIRST_PAGE)
                self.post_message(ListLoaded(serial, first, counted=not first.capped))
            except Exception as exc:  # noqa: BLE001  a dropped database must not close the app
                error = readable(exc)
            finally:  # always: the next queued request must be able to run
                self.post_message(ListFinished(serial, error))

        self.run_worker(job, thread=True, group="trainee-list", name="trainee-list")

    @on(ListFinished)
    def _list_finished(self, message: ListFinished) -> None:
        self.list_running = 0
        if message.error is not None and message.serial == self.list_serial:
            # Said where the count would be, never left at "Loading …" (a refusal, a lost database).
            self.count_text = ""
            self.query_one("#trainee-count", StatusLine).show(f"Not shown: {message.error}")
            self.app.notify(str(message.error), severity="error", timeout=8)
        if self.list_wanted is not None:
            self._start_list()

    @on(ListLoaded)
    def _list_loaded(self, message: ListLoaded) -> None:
        if message.serial != self.list_serial:
            return  # the text changed since: the newer request is queued
        page, table = message.page, self.query_one("#trainee-list", LazyTable)
        if message.counted and table.query is page.filters:
            table.set_total(page.total)  # the rows are drawn already: only the count was missing
        else:
            table.reset(page.filters, page.total, page.rows)
            if self.typed_at is not None:
                self.call_after_refresh(self._drawn, self.typed_at)
            if not message.counted:  # counted once typing rests: a count per keystroke would delay the next
                self.set_timer(REST, partial(self._count, message.serial, page))
        self.exact_total = page.total if message.counted and not page.capped else None
        one = page.total == 1 and not page.capped
        what = ("trainee" if one else "trainees") if page.filters.empty else ("match" if one else "matches")
        more = "+" if page.capped else ""
        how = " (substring)" if page.filters.substring else ""
        counting = "" if message.counted else ", counting …"
        chosen = summary(self.chosen)
        where = f" · filtered: {chosen} (f to change)" if chosen else ""
        self.count_text = f"{page.total:,}{more} {what}{how}{counting}{where}"
        self._show_count(table.cursor_row if table.total else None)

    def _count(self, serial: int, page: trainees.ListPage) -> None:
        if serial == self.list_serial:
            self.call("count", trainees.count_page, self.actor, page, FIRST_PAGE, cap=COUNT_CAP)

    def done_count(self, page: trainees.ListPage) -> None:
        table = self.query_one("#trainee-list", LazyTable)
        if table.query is page.filters:  # still the result shown
            self.post_message(ListLoaded(self.list_serial, page, counted=True))

    def _show_count(self, index: int | None) -> None:
        """The result's size, filters and the cursor's row (the list has no scrollbar)."""
        at = f" · row {index + 1:,}" if index is not None and self.count_text else ""
        self.query_one("#trainee-count", StatusLine).show(self.count_text + at)

    def _drawn(self, started: float) -> None:
        self.drawn_at = time.perf_counter()
        self.last_latency = self.drawn_at - started

    @on(Field.Changed, "#search")
    def _filters_changed(self) -> None:
        self.reload()

    @on(Field.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one("#trainee-list").focus()

    # --- detail -------------------------------------------------------------

    @on(LazyTable.Highlighted, "#trainee-list")
    def _highlighted(self, message: LazyTable.Highlighted) -> None:
        if self.detail_timer is not None:
            self.detail_timer.stop()
            self.detail_timer = None
        if message.row is None:
            self.detail_wanted = None
            self.query_one("#trainee-detail", TextPane).show("")
            return
        # A key after a rest shows its record at once; while keys repeat (moving, or typing a
        # search), only the row the cursor rests on is loaded.
        now = time.perf_counter()
        if message.moved:
            resting, self.moved_at = now - self.moved_at >= REST, now
        else:
            resting = self.typed_at is None or now - self.typed_at >= REST
        if resting:
            self.load_detail(message.row.id)
        else:
            self.detail_timer = self.set_timer(REST, partial(self._rested, message.row.id))

    def _rested(self, trainee_id: int) -> None:
        self.detail_timer = None
        self.load_detail(trainee_id)

    def load_detail(self, trainee_id: int) -> None:
        """While the cursor runs down the list, load only the record it rests on."""
        self.detail_wanted = trainee_id
        if not self.detail_busy:
            self.detail_busy = True
            self.call("detail", trainees.detail, self.actor, trainee_id)

    def done_detail(self, detail) -> None:
        self.detail_busy = False
        if self.detail_wanted is not None and self.detail_wanted != detail.trainee.id:
            self.load_detail(self.detail_wanted)
            return
        pane = self.query_one("#trainee-detail", TextPane)
        pane.show(render(detail, pane.scrollable_content_region.width))

    def failed_detail(self, error) -> None:
        self.detail_busy = False
        self.app.notify(str(error), severity="error")

    def show_trainee(self, trainee_id: int) -> None:
        """Jump here (command palette): list that trainee and show the record."""
        self.call("jump", trainees.get_trainee, self.actor, trainee_id)

    def done_jump(self, view: TraineeView) -> None:
        self.chosen = {name: "" for name in FILTERS}
        self.query_one("#search", Field).value = view.national_id or view.service_number or view.full_name
        self.query_one("#trainee-list").focus()
        self.load_detail(view.id)

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        in_box = self.focused is not None and self.focused.id == "search"
        if action == "to_list":  # offered (and needed) only while typing in the search box
            return in_box
        if action == "search":
            return not in_box
        return self.offered(action, parameters)

    def action_search(self) -> None:
        self.query_one("#search").focus()

    def action_filter(self) -> None:
        self.app.push_screen(FilterDialog(self.chosen), self._filtered)

    def _filtered(self, chosen: dict[str, str] | None) -> None:
        if chosen is not None and chosen != self.chosen:
            self.chosen = chosen
            self.reload()

    def action_to_list(self) -> None:
        self.query_one("#trainee-list").focus()

    def action_reload(self) -> None:
        self.reload()

    def action_import_roster(self) -> None:
        from screens.imports import ImportScreen

        self.app.push_screen(ImportScreen())

    def action_review(self) -> None:
        from screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_history(self) -> None:
        row = self.query_one("#trainee-list", LazyTable).current
        if row is None:
            return
        from screens.history import RecordHistoryScreen

        self.app.push_screen(RecordHistoryScreen("trainee", str(row.uuid), row.latin_name or row.full_name))

    def action_vetting(self) -> None:
        """Record a vetting decision for the highlighted trainee (docs/vetting.md)."""
        row = self.query_one("#trainee-list", LazyTable).current
        if row is None:
            self.app.notify("Put the cursor on a trainee first.", severity="warning")
            return
        from screens.vetting_form import VettingForm

        self.app.push_screen(
            VettingForm([row.id], row.full_name, latin=row.latin_name), lambda n: self._vetted(n, row.id)
        )

    def action_unit_vetting(self) -> None:
        """A unit's decision: it covers everyone serving in the unit on a cohort's start date."""
        from screens.vetting_form import VettingForm

        row = self.query_one("#trainee-list", LazyTable).current
        self.app.push_screen(VettingForm([], "a unit"), lambda n: self._vetted(n, row.id if row else None))

    def _vetted(self, covered: int | None, trainee_id: int | None) -> None:
        if covered is None:
            return
        self.app.notify(f"Vetting decision recorded ({covered} person(s) covered).", title="Vetting")
        if trainee_id is not None:
            self.load_detail(trainee_id)

    def action_new(self) -> None:
        from screens.trainee_form import TraineeForm

        self.app.push_screen(TraineeForm(None), self._saved)

    @on(LazyTable.Selected, "#trainee-list")
    def action_edit(self) -> None:
        row = self.query_one("#trainee-list", LazyTable).current
        if row is None or not self.offered("edit"):  # Enter on a row comes here directly too
            return
        from screens.trainee_form import TraineeForm

        self.app.push_screen(TraineeForm(row), self._saved)

    def _saved(self, view: TraineeView | None) -> None:
        if view is None:
            return
        self.app.notify(f"Saved {view.latin_name or view.full_name} ({force_name(view.force)})", title="Trainee")
        table = self.query_one("#trainee-list", LazyTable)
        self.request_list(table.query or self.filters())
        self.load_detail(view.id)
