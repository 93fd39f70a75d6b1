"""The Textual application: one mode per area of the work."""
from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from screens.home import HomeScreen


class TrainerApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "trainer"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit")]

    def __init__(self, database_url: str):
        super().__init__()
        self.database_url = database_url

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())


def make_app(database_url: str) -> TrainerApp:
    """Build the app on a database that trainer.setup.connect() has already opened."""
    return TrainerApp(database_url)
