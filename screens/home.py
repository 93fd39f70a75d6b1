"""The home screen: what database is open and what it holds."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from trainer import overview


class HomeScreen(Screen):
    class Loaded(Message):
        def __init__(self, figures: overview.Overview) -> None:
            super().__init__()
            self.figures = figures

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="overview")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="home")
    def load(self) -> None:
        self.post_message(self.Loaded(overview.overview()))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        f = message.figures
        self.query_one("#overview", Static).update(
            f"Database: {f.backend} (schema {f.schema_version})\n\n"
            f"Trainees      {f.trainees:>10,}\n"
            f"Courses       {f.courses:>10,}\n"
            f"Cohorts       {f.cohorts:>10,}\n"
            f"Certificates  {f.certificates:>10,}\n"
            f"Users         {f.users:>10,}\n")
