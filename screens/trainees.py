"""The registry: one list over every trainee, search as you type, filters, a detail pane."""
from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Select, Static

from screens.calls import ServiceCalls
from screens.detail import force_name, render
from screens.lazy_table import Column, LazyTable
from screens.widgets import Field
from trainer import reference, trainees
from trainer.trainees import TraineeFilters, TraineeView

FIRST_PAGE = 100
COLUMNS = [
    Column("Name", 0, lambda t: t.full_name, arabic=True),
    Column("Latin", 0, lambda t: t.latin_name),
    Column("Born", 10, lambda t: t.date_of_birth.isoformat()),
    Column("National ID", 12, lambda t: t.national_id),
    Column("Force", 9, lambda t: t.force if t.status == "active" else f"{t.force} ({t.status})"),
    Column("Pr.", 3, lambda t: t.province[3:]),
]


class TraineesScreen(ServiceCalls, Screen):
    BINDINGS = [
        Binding("n", "new", "New trainee", id="trainees.new"),
        Binding("enter", "edit", "Edit", id="trainees.edit", show=False),
        Binding("slash", "search", "Search", id="trainees.search", key_display="/"),
        Binding("i", "import_roster", "Import", id="trainees.import"),
        Binding("v", "review", "Review held", id="trainees.review"),
        Binding("h", "history", "History", id="trainees.history"),
        Binding("escape", "to_list", "To list", id="trainees.to_list", show=False),
        Binding("f5", "reload", "Reload", id="trainees.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.typed_at: float | None = None  # when the last search/filter change happened
        self.last_latency: float | None = None  # seconds from that change to results drawn
        self.drawn_at: float | None = None       # perf_counter() when the last result was drawn
        self.exact_total: int | None = None      # the list's size when not capped
        self.detail_busy = False                 # one detail load at a time; the latest wins
        self.detail_wanted: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="trainee-filters"):
            yield Field(placeholder="Search: name (Arabic or Latin), national ID, service no.", id="search")
            yield Select([(f.name_en, f.code) for f in reference.FORCES], prompt="Force", id="force")
            yield Select([(p.name_en, p.code) for p in reference.PROVINCES], prompt="Province", id="province")
            yield Select([(s, s) for s in ("active", "inactive", "dismissed", "deceased", "merged")],
                         prompt="Status", id="status")
            yield Select([(s, s) for s in trainees.VETTING_STATES], prompt="Vetting", id="vetting")
        yield Static("Loading …", id="trainee-count")
        with Horizontal(id="trainee-body"):
            yield LazyTable(COLUMNS, self._fetch, empty="No trainee matches.", id="trainee-list")
            with VerticalScroll(id="trainee-detail"):
                yield Static("", id="detail-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#trainee-list").focus()
        self.reload()

    # --- the list -----------------------------------------------------------

    def filters(self) -> TraineeFilters:
        def chosen(selector: str) -> str:
            value = self.query_one(selector, Select).value
            return "" if value is Select.NULL else str(value)

        return TraineeFilters(text=self.query_one("#search", Field).value, force=chosen("#force"),
                              province=chosen("#province"), status=chosen("#status"), vetting=chosen("#vetting"))

    def _fetch(self, query: TraineeFilters, offset: int, limit: int, hint: dict) -> list[TraineeView]:
        """Runs in the table's thread worker: continue from a neighbouring row when there is one."""
        if "after" in hint:
            return trainees.page(self.actor, query, offset, limit, after_id=hint["after"].id)
        if "before" in hint:
            return trainees.page(self.actor, query, offset, limit, before_id=hint["before"].id)
        return trainees.page(self.actor, query, offset, limit, total=self.exact_total)

    def reload(self) -> None:
        self.typed_at = time.perf_counter()
        self.call("list", trainees.open_list, self.actor, self.filters(), FIRST_PAGE)

    def done_list(self, page: trainees.ListPage) -> None:
        table = self.query_one("#trainee-list", LazyTable)
        self.exact_total = None if page.capped else page.total
        table.reset(page.filters, page.total, page.rows)
        what = "trainees" if page.filters.empty else "matches"
        more = "+" if page.capped else ""
        how = " (substring)" if page.filters.substring else ""
        self.query_one("#trainee-count", Static).update(f"{page.total:,}{more} {what}{how}", layout=False)
        if self.typed_at is not None:
            self.call_after_refresh(self._drawn, self.typed_at)

    def _drawn(self, started: float) -> None:
        self.drawn_at = time.perf_counter()
        self.last_latency = self.drawn_at - started

    @on(Field.Changed, "#search")
    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self.reload()

    @on(Field.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one("#trainee-list").focus()

    # --- detail -------------------------------------------------------------

    @on(LazyTable.Highlighted, "#trainee-list")
    def _highlighted(self, message: LazyTable.Highlighted) -> None:
        if message.row is None:
            self.detail_wanted = None
            self.query_one("#detail-text", Static).update("")
            return
        self.load_detail(message.row.id)

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
        pane = self.query_one("#trainee-detail")
        text = render(detail, pane.size.width - 2)
        lines = text.plain.count("\n")
        # A new layout only when the pane's height changes: scrolling the list stays cheap.
        self.query_one("#detail-text", Static).update(text, layout=lines != getattr(self, "detail_lines", -1))
        self.detail_lines = lines

    def failed_detail(self, error) -> None:
        self.detail_busy = False
        self.app.notify(str(error), severity="error")

    def show_trainee(self, trainee_id: int) -> None:
        """Jump here (command palette): list that trainee and show the record."""
        self.call("jump", trainees.get_trainee, self.actor, trainee_id)

    def done_jump(self, view: TraineeView) -> None:
        for selector in ("#force", "#province", "#status", "#vetting"):
            self.query_one(selector, Select).clear()
        self.query_one("#search", Field).value = view.national_id or view.service_number or view.full_name
        self.query_one("#trainee-list").focus()
        self.load_detail(view.id)

    # --- actions ------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search").focus()

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

    def action_new(self) -> None:
        from screens.trainee_form import TraineeForm
        self.app.push_screen(TraineeForm(None), self._saved)

    @on(LazyTable.Selected, "#trainee-list")
    def action_edit(self) -> None:
        row = self.query_one("#trainee-list", LazyTable).current
        if row is None:
            return
        from screens.trainee_form import TraineeForm
        self.app.push_screen(TraineeForm(row), self._saved)

    def _saved(self, view: TraineeView | None) -> None:
        if view is None:
            return
        self.app.notify(f"Saved {view.latin_name or view.full_name} ({force_name(view.force)})", title="Trainee")
        table = self.query_one("#trainee-list", LazyTable)
        self.call("list", trainees.open_list, self.actor, table.query or self.filters(), FIRST_PAGE)
        self.load_detail(view.id)
