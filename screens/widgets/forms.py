"""Small shared widgets: text fields that honour the app's cursor-blink switch, labelled rows."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Static

from screens.widgets import arabic


class Field(Input):
    """An Input whose cursor blinks unless the app says not to (snapshot tests).

    Enter typed before the app has the terminal (a password manager typing as the app starts)
    reaches it as a line feed, ctrl+j, because the terminal was still in line mode: it submits too."""

    BINDINGS = [Binding("ctrl+j", "submit", "Submit", show=False)]

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    @property
    def _value(self) -> Text:
        """The value as drawn: Arabic shaped and in visual order like every other place a name
        appears, except while the cursor is inside the text (editing there works on the logical
        string, so it is shown as typed). `value`, what is saved, is always what was typed."""
        value = self.value
        shown = (
            None if self.password else arabic.in_box(value, editing_inside=self.has_focus and not self.cursor_at_end)
        )
        if shown is None:
            return super()._value
        return Text(shown, no_wrap=True, overflow="ignore", end="")


class Tick(Checkbox):
    """A Checkbox whose box is empty when off: Textual draws an X either way and tells them apart
    by colour alone, which a monochrome or badly themed terminal (and a tmux capture) loses."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "  # on this instance; Textual reads it here only
        return super()._button


class SearchField(Field):
    """A one-line Field whose box never changes size (`width` set by CSS, one line tall): Input asks
    for a new layout of the whole screen on every keystroke (its virtual width grows with the text),
    which costs more than the search itself on a busy screen; a repaint of the field is enough."""

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        width = self.styles.width
        if layout and width is not None and not width.is_auto:
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


def show_field_problems(form: Widget, problems, touched: set[str], *, all_fields: bool = False) -> None:
    """Each field's problems (FieldProblem: field, reason) in its Problem line, joined; only for
    fields the user has touched, unless `all_fields` (a save that was refused shows them all)."""
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(p.field, []).append(p.reason)
    for line in form.query(Problem):
        field = (line.id or "").removeprefix("problem-")
        line.show("; ".join(by_field.get(field, [])) if all_fields or field in touched else "")


def form_row(label: str, control: Widget, problem: str | None = None) -> ComposeResult:
    """A form line: a label, then the control; under it the field's problem line (`problem`: the
    field's name), for compose() to `yield from`."""
    with Horizontal(classes="form-row"):
        yield Label(label)
        yield control
    if problem:
        yield Problem(problem)


def form_buttons() -> ComposeResult:
    """A record form's status line and its Save and Cancel buttons (screens.record_form handles them)."""
    yield Static("", id="form-status", classes="error")
    with Horizontal(classes="buttons"):
        yield Button("Save (ctrl+s)", id="save", variant="primary")
        yield Button("Cancel (esc)", id="cancel")


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


def set_scroll_range(view: ScrollView, size: Size) -> None:
    """A line-drawn view's scrollable size, without the layout of the whole screen that setting
    `virtual_size` asks for: for a view with overflow-y: scroll its box and gutter never depend on
    it, so new content is a repaint, not a re-layout. `_scroll_update` is Textual's own step for
    this (the version is pinned)."""
    if size != view.virtual_size:
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)
