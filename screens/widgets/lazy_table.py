"""A table that draws only the visible rows and asks for them a page at a time.

The Line API (`render_line`) draws one terminal line; a row that is not yet
in the page cache is drawn as a dim placeholder while a thread worker fetches
its page through the `fetch(query, offset, limit, hint)` callable the screen
gave (a service call; `hint` holds the row just before the page, "after", or
just after it, "before", when that page is loaded, for keyset paging). Memory
stays bounded: only the pages around the cursor are kept. `reset(query, total,
first_rows)` starts a new result (new search or filters) without any database
call on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets import arabic
from screens.widgets.forms import set_scroll_range
from trainer.errors import readable

PAGE = 100
KEEP_PAGES = 12  # ~1,200 rows around the cursor; the rest are dropped


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # cells; 0 = take the remaining width
    value: Callable[[Any], str]
    arabic: bool = False  # shape and reorder through screens.widgets.arabic
    # On a narrow list, columns with the highest `drop` go first (0: never dropped), so that the
    # rest keep their full width: a number is never cut, a name keeps `least` cells.
    drop: int = 0
    least: int = 10  # the narrowest a width-0 column may become before others are dropped
    middle: bool = False  # cut in the middle ("BASIC-P…-003"): codes that share a prefix stay apart


class LazyTable(ScrollView, can_focus=True):
    """Rows by index; the first line is a fixed header."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES = {"lazy-table--header", "lazy-table--cursor", "lazy-table--pending"}
    DEFAULT_CSS = """
    LazyTable { height: 1fr; overflow-x: hidden; overflow-y: scroll; }
    LazyTable > .lazy-table--header { text-style: bold; background: $panel; }
    LazyTable > .lazy-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    LazyTable:blur > .lazy-table--cursor { background: $block-cursor-blurred-background; }
    LazyTable > .lazy-table--pending { color: $text-muted; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=False, init=False)

    class Highlighted(Message):
        def __init__(self, table: LazyTable, index: int, row: Any, moved: bool = False) -> None:
            super().__init__()
            self.table, self.index, self.row = table, index, row
            self.moved = moved  # the cursor moved (a key), rather than a new result shown

        @property
        def control(self) -> LazyTable:
            return self.table

    class Selected(Highlighted):
        pass

    class PageLoaded(Message, bubble=False):
        def __init__(self, generation: int, page: int, rows: Sequence[Any]) -> None:
            super().__init__()
            self.generation, self.page, self.rows = generation, page, rows

    def __init__(
        self,
        columns: list[Column],
        fetch: Callable[[Any, int, int, dict], Sequence[Any]] | None = None,
        *,
        empty: str = "Nothing to show",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._strips: dict[tuple[int, bool], Strip] = {}  # drawn rows by (index, under the cursor)
        self.columns = columns
        self._content_width = 0  # inside the scrollbar, measured once per render pass
        self.fetch = fetch
        self.empty = empty
        self.query: Any = None
        self.total = 0
        self._generation = 0
        self._pages: dict[int, Sequence[Any]] = {}
        self._pending: set[int] = set()
        self._styles: tuple = ()  # this render pass's styles (render_lines)

    @property
    def columns(self) -> list[Column]:
        return self._columns

    @columns.setter
    def columns(self, columns: list[Column]) -> None:
        """New columns (a report's preview): widths worked out again and rows drawn anew (a width
        cache kept for the old columns showed only as many columns as there were before)."""
        self._columns = columns
        self._width_cache: tuple[int, list[int]] = (-1, [])  # (list width, column widths)
        self._strips.clear()
        if self.is_attached:
            self.refresh()

    # --- data ---------------------------------------------------------------

    def reset(self, query: Any, total: int, first_rows: Sequence[Any] = (), *, keep_cursor: bool = False) -> None:
        """A new result: `total` rows, the first of which are `first_rows`."""
        self._generation += 1
        self.query, self.total = query, total
        self._pages = {}
        self._pending = set()
        self._strips.clear()
        for start in range(0, len(first_rows), PAGE):
            self._pages[start // PAGE] = list(first_rows[start : start + PAGE])
        self._set_range(total)
        cursor = min(self.cursor_row, max(0, total - 1)) if keep_cursor else 0
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        self.cursor_row = cursor
        self._announce(self.cursor_row)
        self.refresh()

    def set_total(self, total: int) -> None:
        """The same result, now counted: keep the pages and the cursor, only resize the scroll range."""
        self.total = total
        self.cursor_row = min(self.cursor_row, max(0, total - 1))
        self._set_range(total)
        self.refresh()

    def set_rows(self, rows: Sequence[Any], *, keep_cursor: bool = False) -> None:
        """A small result held whole (courses, a roster)."""
        self.reset(None, len(rows), rows, keep_cursor=keep_cursor)

    def row(self, index: int) -> Any | None:
        page = self._pages.get(index // PAGE)
        if page is None or index % PAGE >= len(page):
            return None
        return page[index % PAGE]

    @property
    def current(self) -> Any | None:
        return self.row(self.cursor_row) if self.total else None

    def _request(self, page: int) -> None:
        if page in self._pending or page in self._pages or self.fetch is None:
            return
        self._pending.add(page)
        generation, query, fetch = self._generation, self.query, self.fetch
        # A neighbouring page lets the service continue from a row (keyset) instead of counting rows.
        hint = {}
        if len(self._pages.get(page - 1, ())) == PAGE:
            hint["after"] = self._pages[page - 1][-1]
        elif self._pages.get(page + 1):
            hint["before"] = self._pages[page + 1][0]

        def job() -> None:
            try:
                rows = fetch(query, page * PAGE, PAGE, hint)
            except Exception as exc:  # noqa: BLE001  a dropped database must not close the app
                self.app.call_from_thread(self.app.notify, str(readable(exc)), severity="error")
                rows = []
            self.post_message(self.PageLoaded(generation, page, rows))

        # Not exclusive: a stale page (an older result) is dropped by its generation, and cancelling
        # a thread worker cannot stop it, only make waiting for it raise.
        self.run_worker(job, thread=True, group=f"page-{page}")

    def on_lazy_table_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return
        self._pending.discard(message.page)
        self._pages[message.page] = list(message.rows)
        keep = self.cursor_row // PAGE
        for page in sorted(self._pages, key=lambda p: abs(p - keep))[KEEP_PAGES:]:
            del self._pages[page]
        if keep == message.page:
            self._announce(self.cursor_row, moved=True)
        # Redraw only the rows of this page that are on screen (drawn as "…" until now, never kept):
        # a page fetched ahead of the cursor costs no drawing at all.
        top = int(self.scroll_offset.y)
        first = max(message.page * PAGE, top)
        last = min(message.page * PAGE + len(message.rows), top + self._visible_rows())
        if first < last:
            self.refresh_lines(first + 1, last - first)  # line 0 is the header

    def _prefetch(self) -> None:
        """Ask for the page a screen below (or above) the visible rows before a key needs it."""
        if self.fetch is None or not self.total:
            return
        top, rows = int(self.scroll_offset.y), self._visible_rows()
        for index in (top + 2 * rows, top - rows):
            if 0 <= index < self.total:
                self._request(index // PAGE)

    # --- drawing ------------------------------------------------------------

    def on_resize(self) -> None:
        self._strips.clear()
        self._set_range(self.total)

    def _set_range(self, total: int) -> None:
        """The scroll range for `total` rows (and the header): a new search result is a repaint."""
        set_scroll_range(self, Size(self.size.width, total + 1))

    def _widths(self, width: int) -> list[int]:
        """Each column's width for a list `width` cells wide; 0 for a column dropped to make room."""
        width = min(width, self._content_width or width)  # a scrollbar takes its part
        if self._width_cache[0] == width:
            return self._width_cache[1]
        shown = list(self.columns)
        while True:
            fixed = sum(c.width + 1 for c in shown if c.width)
            flexible = [c for c in shown if not c.width]
            need = fixed + sum(c.least + 1 for c in flexible) - 1
            droppable = [c for c in shown if c.drop]
            if need <= width or not droppable:
                break
            shown.remove(max(droppable, key=lambda c: c.drop))
        rest = max(8, width - fixed - len(flexible) + 1) // max(1, len(flexible))
        widths = [(c.width or rest) if c in shown else 0 for c in self.columns]
        self._width_cache = (width, widths)
        return widths

    def hidden_columns(self) -> list[str]:
        """The labels of the columns dropped to fit the list's present width."""
        widths = self._widths(self.size.width) if self.size.width else [1] * len(self.columns)
        return [c.label for c, w in zip(self.columns, widths, strict=True) if not w]

    def _line(self, cells: list[str], widths: list[int]) -> str:
        return " ".join(
            cells[i] + " " * max(0, widths[i] - arabic.cells(cells[i])) for i in range(len(cells)) if widths[i]
        )

    def _cell(self, column: Column, value: str, width: int) -> str:
        if column.arabic:
            return arabic.display(value, width)
        if column.middle and arabic.cells(value) > width >= 5:
            tail = (width - 1) // 2
            return value[: width - 1 - tail] + arabic.ELLIPSIS + value[-tail:]
        return arabic.crop(value, width)

    def render_lines(self, crop):
        """Styles once per render pass (Textual computes a widget's style by walking its ancestors:
        once per line was a third of a page-down); drawn rows are kept until the styles (or the
        way Arabic is shown) change."""
        styles = (
            self.rich_style,
            self.get_component_rich_style("lazy-table--header"),
            self.get_component_rich_style("lazy-table--cursor"),
            self.get_component_rich_style("lazy-table--pending"),
            arabic.reordering(),
        )
        if styles != self._styles:
            self._styles = styles
            self._strips.clear()
        content_width = self.scrollable_content_region.width
        if content_width != self._content_width:  # a scrollbar came or went: lines drawn anew
            self._content_width = content_width
            self._strips.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base, header, cursor, pending = self._styles[:4] if self._styles else (self.rich_style,) * 4
        if y == 0:
            widths = self._widths(width)
            text = self._line([arabic.crop(c.label, w) for c, w in zip(self.columns, widths)], widths)
            return Strip([Segment(text, header)]).adjust_cell_length(width, header)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.total:
            if self.total == 0 and y == 1 and self._generation:  # "empty" only once a result came
                return Strip([Segment(" " + self.empty, pending)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        key = (index, index == self.cursor_row)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        row = self.row(index)
        if row is None:
            self._request(index // PAGE)
            return Strip([Segment(" …", pending)]).adjust_cell_length(width, pending)
        widths = self._widths(width)
        cells = [self._cell(c, (c.value(row) or "") if w else "", w) for c, w in zip(self.columns, widths)]
        style = cursor if key[1] else base
        # Every cell is cropped and padded to its column: the line's width is known (measuring
        # it again would walk the Arabic a character at a time).
        line = self._line(cells, widths)
        drawn = [w for w in widths if w]
        strip = Strip([Segment(line, style)], sum(drawn) + len(drawn) - 1).adjust_cell_length(width, style)
        if len(self._strips) > 4 * PAGE:  # bounded: a few screens' worth
            self._strips.clear()
        self._strips[key] = strip
        return strip

    # --- cursor ---------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = int(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + self._visible_rows():
            self.scroll_to(y=new - self._visible_rows() + 1, animate=False)
        else:  # no scroll: redraw only the two rows whose highlight changed (line y = row + 1)
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)
        self._announce(new, moved=True)
        self.call_after_refresh(self._prefetch)  # after this key's rows are drawn: no cost to the key

    def _announce(self, index: int, *, moved: bool = False) -> None:
        row = self.row(index) if self.total else None
        if row is not None or not self.total:
            self.post_message(self.Highlighted(self, index, row, moved))

    def _move_to(self, index: int) -> None:
        if self.total:
            self.cursor_row = max(0, min(self.total - 1, index))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor_row + direction * self._visible_rows())

    def action_jump(self, where: int) -> None:
        self._move_to(self.total - 1 if where < 0 else where)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, self.cursor_row, row))

    def move_to_key(self, predicate: Callable[[Any], bool]) -> bool:
        """Put the cursor on the first loaded row matching `predicate`."""
        for page_no in sorted(self._pages):
            for i, row in enumerate(self._pages[page_no]):
                if predicate(row):
                    self._move_to(page_no * PAGE + i)
                    return True
        return False
