"""Stations and kits (Police in a Box): every station, search as you type, a detail pane with the
kit's inventory, readiness and the officers posted there (docs/stations.md).

Keys: / search, f province filter, i inventory check of the station's kit (a keyboard
checklist), b a kit movement (receive, issue here, set up, transfer here), j post a cohort's
graduates here, h the station's history. The list reads one page at a time (screens.widgets.lazy_table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from screens.calls import ServiceCalls
from screens.fresh import StyledOnce
from screens.returning import ReloadOnReturn
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field, SearchField, StatusLine
from screens.widgets.lazy_table import Column, LazyTable
from screens.widgets.text_pane import TextPane
from trainer.stations import stations

if TYPE_CHECKING:
    from textual.timer import Timer

    from trainer.stations.detail import StationDetail

FIRST_PAGE = 100
FIRST_WAIT = 0.06  # seconds the screen waits for its first page before painting without it
REST = 0.12  # seconds the cursor must rest before the detail pane loads (one query per stop, not per key)
COLUMNS = [
    Column("Code", 11, lambda s: s.code),
    Column("Name", 0, lambda s: s.name_en),
    Column("Pr.", 3, lambda s: s.province[3:]),
    Column("Status", 7, lambda s: s.status),
    Column("Posted", 7, lambda s: f"{s.posted}/{s.authorised_strength}"),
    Column("Kit", 15, lambda s: f"{s.kit} {s.kit_state}" if s.kit else "—"),  # "BK-100 received"
]
CONDITION_STYLE = {"present": "green", "missing": "bold red", "damaged": "yellow", "unchecked": "dim"}


def first_page(actor, text: str, province: str | None) -> tuple[tuple, int | None, list]:
    """The first rows; their number only when they are all (else counted next, after the paint)."""
    rows = stations.list_stations(actor, text, province=province, limit=FIRST_PAGE)
    return (text, province), (len(rows) if len(rows) < FIRST_PAGE else None), rows


class StationsScreen(ServiceCalls, ReloadOnReturn, StyledOnce, Screen):
    BINDINGS = [
        Binding("slash", "search", "Search", id="stations.search", key_display="/"),
        Binding("f", "filter", "Province", id="stations.filter"),
        Binding("i", "inventory", "Check kit", id="stations.inventory"),
        Binding("b", "kit", "Kit move", id="stations.kit"),
        Binding("j", "post", "Post cohort", id="stations.post"),
        Binding("h", "history", "History", id="stations.history", show=False),
        Binding("f5", "reload", "Reload", id="stations.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.province: str | None = None
        self.detail: StationDetail | None = None  # of the highlighted station
        self.detail_timer: Timer | None = None
        self.after_detail: str | None = None  # an action waiting for the highlighted station's detail

    def compose(self) -> ComposeResult:
        # The first page is asked for before the widgets are mounted and styled, so that its rows
        # are there for the screen's first paint (asked for in on_mount, they came a frame later:
        # a paint without rows, then a whole second one; docs/speed.md).
        self.call_early("list", first_page, self.actor, "", self.province)
        yield TitleBar()
        yield SearchField(placeholder="Search stations: code, name or district", id="search")
        yield StatusLine("Loading …", id="station-count")
        yield LazyTable(COLUMNS, self._fetch, empty="No station matches.", id="station-list")
        yield TextPane(id="station-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#station-list", LazyTable).focus()
        self.take_early("list", wait=FIRST_WAIT)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        needs = {
            "inventory": "kit.check",
            "kit": "kit.move",
            "post": "posting.write",
            "history": "record.history",
        }.get(action)
        if needs:
            actor = getattr(self.app, "actor", None)
            return actor is not None and actor.may(needs)
        return True

    # --- the list ---------------------------------------------------------------

    def _fetch(self, query, offset: int, limit: int, hint: dict):
        text, province = query
        return stations.list_stations(self.actor, text, province=province, offset=offset, limit=limit)

    def reload(self) -> None:
        text = self.query_one("#search", Field).value.strip()
        self.call("list", first_page, self.actor, text, self.province)

    def done_list(self, result) -> None:
        query, total, rows = result
        table = self.query_one("#station-list", LazyTable)
        table.reset(query, len(rows) if total is None else total, rows, keep_cursor=query == table.query)
        if total is None:  # more than a page: drawn first, counted next
            self.call("count", lambda: (query, stations.count_stations(self.actor, query[0], province=query[1])))
            self._show_total(None)
        else:
            self._show_total(total)

    def done_count(self, result) -> None:
        query, total = result
        table = self.query_one("#station-list", LazyTable)
        if table.query == query:
            table.set_total(total)
            self._show_total(total)

    def _show_total(self, total: int | None) -> None:
        if total is None:
            self.query_one("#station-count", StatusLine).show(f"{FIRST_PAGE}+ stations, counting …")
            return
        where = f" in {self.province}" if self.province else ""
        self.query_one("#station-count", StatusLine).show(
            f"{total:,} station{'s' if total != 1 else ''}{where}" + (" (f: province)" if not where else "")
        )

    def action_reload(self) -> None:
        self.reload()
        self._load_detail()

    def returned(self) -> None:  # back from another area, where a cohort may have been posted here
        self.action_reload()

    @on(Field.Changed, "#search")
    def _changed(self) -> None:
        self.reload()

    @on(Field.Submitted, "#search")
    def _submitted(self) -> None:
        self.query_one("#station-list", LazyTable).focus()
        self.take_early("list", wait=FIRST_WAIT)

    def action_search(self) -> None:
        self.query_one("#search", Field).focus()

    def action_filter(self) -> None:
        from screens.station_forms import ProvinceDialog

        def chosen(code: str | None) -> None:
            if code is not None:
                self.province = code or None
                self.reload()

        self.app.push_screen(ProvinceDialog(self.province), chosen)

    # --- detail -------------------------------------------------------------------

    @on(LazyTable.Highlighted, "#station-list")
    def _highlighted(self, message: LazyTable.Highlighted) -> None:
        if self.detail_timer is not None:
            self.detail_timer.stop()
        if message.row is None:
            self.detail = None
            self.query_one("#station-detail", TextPane).show("")
            return
        # after the list is drawn, once the cursor rests: the list's first paint never waits for it
        self.detail_timer = self.set_timer(REST, self._load_detail)

    def _load_detail(self) -> None:
        self.detail_timer = None
        row = self.query_one("#station-list", LazyTable).current
        if row is not None:
            self.call("detail", load_detail, self.actor, row.id)

    def done_detail(self, detail) -> None:
        self.detail = detail
        self.query_one("#station-detail", TextPane).show(render_detail(detail))
        then, self.after_detail = self.after_detail, None
        if then is not None and detail.station.id == getattr(self._current(), "id", None):
            getattr(self, f"action_{then}")()

    def _current(self):
        return self.query_one("#station-list", LazyTable).current

    def _ready_for(self, action: str) -> bool:
        """True when the detail is the highlighted station's; else load it and run `action` then
        (a key typed right after moving the cursor must act on the station under it, not the last one)."""
        row = self._current()
        if row is None:
            return False
        if self.detail is not None and self.detail.station.id == row.id:
            return True
        if self.detail_timer is not None:
            self.detail_timer.stop()
        self.after_detail = action
        self._load_detail()
        return False

    # --- actions ------------------------------------------------------------------

    def _station(self, action: str):
        return self.detail.station if self._ready_for(action) and self.detail is not None else None

    def action_inventory(self) -> None:
        """Check the station's kit; a station without one asks for a serial (a kit at the centre)."""
        if not self._ready_for("inventory") or self.detail is None:
            return
        if self.detail.kit is not None:
            self.done_kit(self.detail.kit)
            return
        from screens.station_forms import SerialDialog

        def chosen(serial: str | None) -> None:
            if serial:
                from trainer.stations import kits

                self.call("kit", kits.get_kit, self.actor, serial)

        self.app.push_screen(SerialDialog(), chosen)

    def done_kit(self, kit) -> None:
        from screens.inventory_check import InventoryCheckScreen

        self.app.push_screen(InventoryCheckScreen(kit), lambda _done: self.action_reload())

    def action_kit(self) -> None:
        station = self._station("kit")
        if station is None:
            return
        from screens.station_forms import KitMoveDialog

        self.app.push_screen(
            KitMoveDialog(station, self.detail.kit if self.detail else None), lambda _done: self.action_reload()
        )

    def action_history(self) -> None:
        """The station's changes and its kit's movements and checks, from the audit trail."""
        station = self._station("history")
        if station is None:
            return
        from screens.history import RecordHistoryScreen

        self.app.push_screen(RecordHistoryScreen("station", station.uuid, f"{station.code} {station.name_en}"))

    def action_post(self) -> None:
        station = self._station("post")
        if station is None:
            return
        from screens.station_forms import PostCohortDialog

        self.app.push_screen(PostCohortDialog(station), lambda _done: self.action_reload())


def load_detail(actor, station_id: int):
    """In the worker: the detail service is imported on first use (it brings readiness and kits)."""
    from trainer.stations.detail import station_detail

    return station_detail(actor, station_id)


def render_detail(d) -> Text:
    s, r = d.station, d.readiness
    text = Text()
    text.append(f"{s.code} {s.name_en}", style="bold")
    text.append(f" · {s.kind} · {s.province_name} {s.district} · {s.status} · centre {s.centre or '—'}\n")
    verdict = ("READY", "bold green") if r.ready else (f"not ready: {r.reason}", "bold yellow")
    text.append(verdict[0], style=verdict[1])
    text.append(f" · posted {r.posted}, qualified {r.qualified}/{s.authorised_strength}, ILP/community {r.ilp}\n")
    if d.kit is None:
        text.append("Kit: none\n")
    else:
        k = d.kit
        text.append(f"Kit {k.serial} ({k.kind}) {k.state}, received {k.received_on} by {k.received_by}\n")
        for item in k.items:
            text.append(f"  {item.item:<11}{item.quantity:>3} ")
            text.append(f"{item.condition:<9}", style=CONDITION_STYLE.get(item.condition, ""))
            text.append(f" {item.note}\n" if item.note else "\n")
        for m in k.movements:
            text.append(f"  {m.day} {m.action:<8} {m.place:<13} signed by {m.signed_by}\n", style="dim")
    if d.officers_shown:
        text.append(f"Officers posted ({len(d.officers)}):\n", style="bold")
        for o in d.officers:
            text.append(f"  {o.latin_name or o.name}  since {o.start_date}\n")
    return text
