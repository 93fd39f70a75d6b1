"""Stands in for an area whose screen module is not in this build yet."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class PlaceholderScreen(Screen):
    def __init__(self, label: str, target: str) -> None:
        super().__init__()
        self.label, self.target = label, target

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"[b]{self.label}[/b] — placeholder\n\n"
                     f"This area's screen ({self.target}) is not part of this build yet.\n"
                     "Use the keys in the footer to go to another area.", classes="placeholder")
        yield Footer(compact=True)
