"""The title line and the key line every screen shows: one widget each.

Textual's Header is three widgets and its Footer one widget per key, re-composed whenever the focus
moves; on the registry screen they cost more styling and layout than the list itself. These draw
the same information as a single line of text, so opening a screen or moving the focus repaints one
line instead of mounting and styling a dozen widgets.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
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
    key in the accent colour, then what it does. A click on a key presses it."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; width: 100%; height: 1; background: $footer-background; }
    KeyBar > .key-bar--key { color: $footer-key-foreground; background: $footer-key-background;
                             text-style: bold; }
    KeyBar > .key-bar--label { color: $footer-description-foreground; }
    KeyBar > .key-bar--disabled { color: $text-disabled; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--label", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (start x, end x, key) of the last render

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def shown(self) -> list[tuple[str, str, str, bool]]:
        """(key, key as shown, description, enabled) of each key on the line, one per action."""
        out, actions = [], set()
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                out.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        return out

    def render(self) -> Content:
        key_style = self.get_visual_style("key-bar--key")
        label_style = self.get_visual_style("key-bar--label")
        off_style = self.get_visual_style("key-bar--disabled")
        parts, spans, x = [], [], 0
        for key, shown, description, enabled in self.shown():
            piece = Content.assemble(
                (f" {shown} ", key_style if enabled else off_style),
                (f"{description} ", label_style if enabled else off_style),
            )
            spans.append((x, x + piece.cell_length, key))
            x += piece.cell_length
            parts.append(piece)
        self._spans = spans
        return Content("").join(parts)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
