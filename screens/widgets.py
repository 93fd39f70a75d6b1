"""Small shared widgets: text fields that honour the app's cursor-blink switch, labelled rows."""
from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Label, Static


class Field(Input):
    """An Input whose cursor blinks unless the app says not to (snapshot tests)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class SearchField(Field):
    """A one-line Field whose box never changes size (`width` set by CSS, one line tall): Input asks
    for a new layout of the whole screen on every keystroke (its virtual width grows with the text),
    which costs more than the search itself on a busy screen; a repaint of the field is enough."""

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if layout and not self.styles.width.is_auto:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class Problem(Static):
    """The inline message under a form field; empty when the field is fine."""

    DEFAULT_CSS = """
    Problem { color: $error; height: auto; padding-left: 22; }
    Problem.-empty { display: none; }
    """

    def __init__(self, field: str) -> None:
        super().__init__("", id=f"problem-{field}", classes="-empty")

    def show(self, text: str) -> None:
        self.update(text)
        self.set_class(not text, "-empty")


class Row(Horizontal):
    """A form row: a fixed-width label then the control."""

    DEFAULT_CSS = """
    Row { height: auto; }
    Row > Label { width: 22; padding: 1 1 0 0; text-align: right; }
    Row > Input, Row > Select, Row > Widget { width: 1fr; }
    """

    def __init__(self, label: str, control: Widget) -> None:
        super().__init__()
        self._label = label
        self._control = control

    def compose(self) -> ComposeResult:
        yield Label(self._label)
        yield self._control


class StatusLine(Widget):
    """One line of plain text (a count, a position) that changes with every cursor move: drawn
    directly, without the markup parsing and re-rendering Static.update costs (a third of a
    page-down on the registry)."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text

    def show(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> str:  # for tests and anything that asks for the content
        return self.text

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        if y:
            return Strip.blank(self.size.width, style)
        return Strip([Segment(self.text, style)]).crop_extend(0, self.size.width, style)
