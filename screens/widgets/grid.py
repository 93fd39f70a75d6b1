"""A cell grid drawn line by line: the attendance and results grids.

Textual's DataTable renders every cell through Rich and drops its whole
render cache when one cell changes, so a 60 × 20 grid took hundreds of
milliseconds to draw and again after every mark. This grid keeps each cell
as plain text and a style, draws a terminal line straight from segments
(Line API), and redraws just the changed line. The header (two lines) stays
on top and the first `fixed` columns stay put while the rest scroll
sideways. The cursor is a cell; moving it is the screen's business only
through `cursor`, `cell_key()` and the Selected message (Enter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.events import Key
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = tuple[str, str]  # text, Rich style ("" for none)
GAP = 1


@dataclass(frozen=True)
class Column:
    key: str
    label: tuple[str, ...]  # one string per header line
    width: int
    right: bool = False  # align right (numbers)


@lru_cache(maxsize=256)
def _style(spec: str) -> Style:
    return Style.parse(spec) if spec else Style()


def _fit(text: str, width: int, right: bool) -> str:
    if right and cell_len(text) < width:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


KEYS = {
    "up": ("move", -1, 0),
    "down": ("move", 1, 0),
    "left": ("move", 0, -1),
    "right": ("move", 0, 1),
    "pageup": ("page", -1),
    "pagedown": ("page", 1),
    "home": ("edge", -1),
    "end": ("edge", 1),
    "enter": ("select",),
}


class Grid(ScrollView, can_focus=True):
    """Keys are taken in `_on_key`, not through bindings: Textual checks bindings only once
    a key has bubbled up to the App, so a binding's action can run after keys that a widget
    or screen handled on the way, and a fast typist's burst (a mark, then an arrow) would be
    applied out of order. The screen's `key_handler` sees each key first, here, in order."""

    COMPONENT_CLASSES = {"grid--header", "grid--cursor", "grid--odd"}
    DEFAULT_CSS = """
    Grid { height: 1fr; }
    Grid > .grid--header { text-style: bold; background: $panel; }
    Grid > .grid--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    Grid:blur > .grid--cursor { background: $block-cursor-blurred-background; }
    Grid > .grid--odd { background: $surface-lighten-1; }
    """

    class Selected(Message):
        """Enter on a cell."""

        def __init__(self, grid: Grid, row_key: str, column_key: str) -> None:
            super().__init__()
            self.grid, self.row_key, self.column_key = grid, row_key, column_key

        @property
        def control(self) -> Grid:
            return self.grid

    def __init__(self, *, fixed: int = 0, header_height: int = 2, first_column: int = 0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fixed = fixed
        self.header_height = header_height
        self.first_column = first_column  # the leftmost column the cursor may reach
        self.columns: list[Column] = []
        self.row_keys: list[str] = []
        self.cells: dict[str, dict[str, Cell]] = {}
        self._row_index: dict[str, int] = {}
        self._col_index: dict[str, int] = {}
        self._x: list[int] = []  # each column's left edge
        self.cursor_row = 0
        self.cursor_column = first_column
        self._styles: dict[str, Style] = {}
        # Called with each key before the grid's own; returns True when it took the key.
        self.key_handler: Callable[[Key], bool] | None = None

    async def _on_key(self, event: Key) -> None:
        if self.key_handler is not None and self.key_handler(event):
            event.stop()
            event.prevent_default()
            return
        action = KEYS.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        getattr(self, f"action_{action[0]}")(*action[1:])

    # --- data ------------------------------------------------------------------------

    def set_data(self, columns: list[Column], rows: list[tuple[str, dict[str, Cell]]]) -> None:
        """Replace everything (the cursor stays where it was when it still fits)."""
        self.columns = list(columns)
        self.row_keys = [key for key, _ in rows]
        self.cells = {key: dict(cells) for key, cells in rows}
        self._row_index = {key: i for i, key in enumerate(self.row_keys)}
        self._col_index = {c.key: i for i, c in enumerate(self.columns)}
        x, self._x = 0, []
        for c in self.columns:
            self._x.append(x)
            x += c.width + GAP
        self.virtual_size = Size(x, self.header_height + len(self.row_keys))
        self.cursor_row = min(self.cursor_row, max(0, len(self.row_keys) - 1))
        self.cursor_column = min(max(self.cursor_column, self.first_column), max(0, len(self.columns) - 1))
        self.refresh()

    def set_cell(self, row_key: str, column_key: str, cell: Cell) -> None:
        row = self.cells.get(row_key)
        if row is None or column_key not in self._col_index:
            return
        row[column_key] = cell
        self._refresh_row(self._row_index[row_key])

    def get_cell(self, row_key: str, column_key: str) -> str:
        return self.cells[row_key].get(column_key, ("", ""))[0]

    @property
    def row_count(self) -> int:
        return len(self.row_keys)

    def cell_key(self) -> tuple[str, str] | None:
        if not self.row_keys or not self.columns:
            return None
        return self.row_keys[self.cursor_row], self.columns[self.cursor_column].key

    # --- the cursor --------------------------------------------------------------------

    def move_to(self, row: int | None = None, column: int | None = None) -> None:
        old = self.cursor_row
        if row is not None:
            self.cursor_row = max(0, min(row, len(self.row_keys) - 1))
        if column is not None:
            self.cursor_column = max(self.first_column, min(column, len(self.columns) - 1))
        self._refresh_row(old)
        self._refresh_row(self.cursor_row)
        self._keep_cursor_visible()

    def action_move(self, rows: int, columns: int) -> None:
        self.move_to(self.cursor_row + rows, self.cursor_column + columns)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor_row + direction * max(1, self.size.height - self.header_height - 1))

    def action_edge(self, direction: int) -> None:
        self.move_to(column=self.first_column if direction < 0 else len(self.columns) - 1)

    def action_select(self) -> None:
        key = self.cell_key()
        if key is not None:
            self.post_message(self.Selected(self, *key))

    def _keep_cursor_visible(self) -> None:
        visible_rows = max(1, self.size.height - self.header_height)
        y = self.scroll_offset.y
        if self.cursor_row < y:
            y = self.cursor_row
        elif self.cursor_row >= y + visible_rows:
            y = self.cursor_row - visible_rows + 1
        x = self.scroll_offset.x
        if self.cursor_column >= self.fixed and self.columns:
            fixed_width = self._x[self.fixed] if self.fixed < len(self._x) else 0
            left = self._x[self.cursor_column] - fixed_width
            right = left + self.columns[self.cursor_column].width
            room = max(1, self.size.width - fixed_width)
            if left < x:
                x = left
            elif right > x + room:
                x = right - room
        if (x, y) != tuple(self.scroll_offset):
            self.scroll_to(x, y, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        y = self.header_height + index - self.scroll_offset.y
        if self.header_height <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # --- drawing ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles.clear()  # a theme or CSS change: look the component styles up again
        super().notify_style_update()

    def _on_focus(self, event) -> None:
        self._styles.clear()
        self._refresh_row(self.cursor_row)

    def _on_blur(self, event) -> None:
        self._styles.clear()
        self._refresh_row(self.cursor_row)

    def _component(self, name: str) -> Style:
        """Component styles, looked up once per theme/focus (each lookup walks the CSS)."""
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            elif name == "grid--cursor" and not self.has_focus:
                style = self.get_component_rich_style(name, partial=True)
            else:
                style = self.get_component_rich_style(name)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width  # `size` walks the layout: read it once per line
        scroll_x, scroll_y = self.scroll_offset
        base = self._component("base")
        if y < self.header_height:
            header = base + self._component("grid--header")
            return self._line(lambda c: (c.label[y] if y < len(c.label) else "", ""), header, None, width, scroll_x)
        index = y - self.header_height + scroll_y
        if index >= len(self.row_keys):
            return Strip.blank(width, base)
        row = self.cells[self.row_keys[index]]
        stripe = base + self._component("grid--odd") if index % 2 else base
        cursor = self.cursor_column if index == self.cursor_row else None
        return self._line(lambda c: row.get(c.key, ("", "")), stripe, cursor, width, scroll_x)

    def _line(self, cell_of, base: Style, cursor: int | None, width: int, scroll_x: int) -> Strip:
        cursor_style = self._component("grid--cursor") if cursor is not None else None
        fixed: list[Segment] = []
        moving: list[Segment] = []
        gap = Segment(" " * GAP, base)
        for i, column in enumerate(self.columns):
            text, spec = cell_of(column)
            style = base + _style(spec) if spec else base
            if i == cursor:
                style = style + cursor_style
            out = fixed if i < self.fixed else moving
            out.append(Segment(_fit(text, column.width, column.right), style))
            out.append(gap)
        fixed_strip = Strip(fixed)
        room = max(0, width - fixed_strip.cell_length)
        moving_strip = Strip(moving).crop(scroll_x, scroll_x + room)
        line = Strip.join([fixed_strip, moving_strip]).crop(0, width)
        return line.extend_cell_length(width, base)
