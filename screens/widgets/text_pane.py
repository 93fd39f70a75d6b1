"""A read-only pane of rich text that scrolls, drawn line by line.

A Static inside a VerticalScroll asks for a layout of the whole screen whenever its text changes
height (and the scrollbar comes or goes); on the registry screen that happened on most cursor moves.
This pane keeps its box: new text is rendered to lines once and only the pane is repainted.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets.forms import set_scroll_range


class TextPane(ScrollView):
    """No scrollbar (one more widget to redraw with every new text): when the text runs past the
    pane, its last line says so; the mouse wheel scrolls it."""

    DEFAULT_CSS = """
    TextPane { overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 0; }
    TextPane > .text-pane--more { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"text-pane--more"}
    MORE = "▼ more below"

    def __init__(self, text: Text | str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = Text(text) if isinstance(text, str) else text
        self._lines: list[Strip] = []
        self._width = -1

    @property
    def plain(self) -> str:
        return self.text.plain

    def show(self, text: Text | str) -> None:
        """Replace the text (back at its top) and repaint the pane."""
        self.text = Text(text) if isinstance(text, str) else text
        self._width = -1
        self.scroll_to(y=0, animate=False)
        self._render_text()
        self.refresh()

    def _render_text(self) -> None:
        width = self.size.width  # no scrollbar, so the whole content width
        if width <= 0 or width == self._width:
            return
        console = self.app.console
        lines = console.render_lines(self.text, console.options.update_width(width), pad=False)
        self._lines = [Strip(line) for line in lines]
        self._width = width
        set_scroll_range(self, Size(width, len(self._lines)))

    def on_resize(self) -> None:
        self._render_text()

    def render_line(self, y: int) -> Strip:
        self._render_text()
        width, style = self.size.width, self.rich_style
        index = int(self.scroll_offset.y) + y
        if index >= len(self._lines):
            return Strip.blank(width, style)
        if y == self.size.height - 1 and index < len(self._lines) - 1:
            more = self.get_component_rich_style("text-pane--more")
            return Strip([Segment(self.MORE.rjust(width), more)]).adjust_cell_length(width, style)
        return self._lines[index].apply_style(style).adjust_cell_length(width, style)
