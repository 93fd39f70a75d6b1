"""The title line and the key line every screen shows: one widget each.

Textual's Header is three widgets and its Footer one widget per key, re-composed whenever the focus
moves; on the registry screen they cost more styling and layout than the list itself. These draw
the same information as a single line of text, so opening a screen or moving the focus repaints one
line instead of mounting and styling a dozen widgets.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.keys import key_to_character
from textual.widget import Widget


class TitleBar(Widget):
    """The app's title, the screen's title and the signed-in user, centred on one line."""

    DEFAULT_CSS = """
    TitleBar { dock: top; width: 100%; height: 1; background: $panel; color: $foreground; }
    """

    def on_mount(self) -> None:
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self._changed, init=False)
            self.watch(owner, "sub_title", self._changed, init=False)

    def _changed(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title).center(self.size.width)


class KeyBar(Widget):
    """The keys that work here (the screen's active bindings with `show`), like Textual's Footer:
    key in the accent colour, then what it does. A click on a key presses it.

    No key is ever cut off: when the screen's keys and the app's (areas, help) do not fit on one
    line, each group wraps onto lines of its own and the bar grows (docs/keys.md). When the focus
    is in a text box, the bar starts by saying so: letters typed there are text, not commands."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; width: 100%; height: auto; max-height: 4; background: $footer-background; }
    KeyBar > .key-bar--key { color: $footer-key-foreground; background: $footer-key-background;
                             text-style: bold; }
    KeyBar > .key-bar--label { color: $footer-description-foreground; }
    KeyBar > .key-bar--disabled { color: $text-disabled; }
    KeyBar > .key-bar--focus { color: $text-warning; text-style: bold; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--label", "key-bar--disabled", "key-bar--focus"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, int, str]] = []  # (line, start x, end x, key) of the last render

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            # A new layout of the screen only when the bar's height changes (a repaint is cheap).
            grow = self.size.width and len(self._layout(self.size.width)) != self.size.height
            self.refresh(layout=bool(grow))

    def shown(self) -> list[tuple[str, str, str, bool]]:
        """(key, key as shown, description, enabled) of each key on the line, one per action."""
        return [item for group in self.groups() for item in group]

    def groups(self) -> list[list[tuple[str, str, str, bool]]]:
        """The screen's own keys, then the app's (areas, help): each group wraps on its own."""
        own: list[tuple[str, str, str, bool]] = []
        app_wide: list[tuple[str, str, str, bool]] = []
        actions = set()
        focused = self.screen.focused
        for key, (node, binding, enabled, _) in self.screen.active_bindings.items():
            if focused is not None and node is not focused and focused.check_consume_key(key, key_to_character(key)):
                continue  # typed into the focused box, not a command: not offered
            if node is self.app and not getattr(self.app, "offers", lambda _: True)(binding.action):
                continue  # an area this role may not open (its key says so when pressed)
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                item = (binding.key, self.app.get_key_display(binding), binding.description, enabled)
                (app_wide if node is self.app else own).append(item)
        return [group for group in (own, app_wide) if group]

    def typing_in(self) -> str | None:
        """The text box the focus is in, if any: its placeholder's first words."""
        from textual.widgets import Input

        focused = self.screen.focused
        if not isinstance(focused, Input):
            return None
        placeholder = focused.placeholder or ""
        if ":" in placeholder:  # "Search: name, …", "Search cohorts: code, …"
            words = placeholder.split(":")[0]
        elif "search" in (focused.id or ""):
            words = "the search box"
        else:
            words = placeholder or "a text box"
        return words if len(words) <= 24 else words[:23] + "…"

    def _pieces(self) -> list[list[tuple[Content, str | None]]]:
        key_style = self.get_visual_style("key-bar--key")
        label_style = self.get_visual_style("key-bar--label")
        off_style = self.get_visual_style("key-bar--disabled")
        out: list[list[tuple[Content, str | None]]] = []
        where = self.typing_in()
        if where is not None:
            badge = Content.assemble((f" typing in {where} ", self.get_visual_style("key-bar--focus")))
            out.append([(badge, None)])
        for group in self.groups():
            pieces: list[tuple[Content, str | None]] = []
            for key, shown, description, enabled in group:
                piece = Content.assemble(
                    (f" {shown} ", key_style if enabled else off_style),
                    (f"{description} ", label_style if enabled else off_style),
                )
                pieces.append((piece, key))
            out.append(pieces)
        return out

    def _layout(self, width: int) -> list[list[tuple[Content, str | None]]]:
        """Lines of pieces: one line when all fit, else each group from a new line, wrapped."""
        groups = self._pieces()
        flat = [p for group in groups for p in group]
        if sum(piece.cell_length for piece, _ in flat) <= width:
            return [flat]
        lines: list[list[tuple[Content, str | None]]] = []
        badge = groups[0] if groups and groups[0][0][1] is None else []
        rest = groups[1:] if badge else groups
        for n, group in enumerate(rest):
            line, used = (list(badge), sum(p.cell_length for p, _ in badge)) if n == 0 else ([], 0)
            for piece, key in group:
                if line and used + piece.cell_length > width:
                    lines.append(line)
                    line, used = [], 0
                line.append((piece, key))
                used += piece.cell_length
            lines.append(line)
        return lines or [[]]

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._layout(width))

    def render(self) -> Content:
        spans, rendered = [], []
        for y, line in enumerate(self._layout(self.size.width or 80)):
            x = 0
            for piece, key in line:
                if key is not None:
                    spans.append((y, x, x + piece.cell_length, key))
                x += piece.cell_length
            rendered.append(Content("").join(piece for piece, _ in line))
        self._spans = spans
        return Content("\n").join(rendered)

    def on_click(self, event: events.Click) -> None:
        for line, start, end, key in self._spans:
            if line == event.y and start <= event.x < end:
                self.app.simulate_key(key)
                return
