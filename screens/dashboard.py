"""The dashboard: headline figures and bar charts by force and province, loaded in a thread worker."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from screens.widgets.chrome import KeyBar, TitleBar
from trainer.errors import readable
from trainer.reporting.dashboard import Bar, Dashboard, dashboard


def bar_chart(title: str, bars: tuple[Bar, ...], width: int = 72) -> Text:
    """Horizontal bars scaled to the largest value, fitted to `width` cells (English labels: no shaping)."""
    text = Text(f"{title}\n", style="bold", no_wrap=True, overflow="crop")
    if not bars:
        return text.append("(nobody trained yet)\n", style="dim")
    top = max(b.value for b in bars)
    label_w = min(max(len(b.label) for b in bars), 20)
    room = max(8, width - label_w - 12)
    for b in bars:
        filled = round(room * b.value / top) if top else 0
        label = b.label if len(b.label) <= label_w else b.label[: label_w - 1] + "…"
        text.append(f"{label:<{label_w}} ")
        text.append("█" * filled, style="bold cyan")
        text.append(" " * (room - filled) + f" {b.value:>9,}\n")
    return text


def headline(d: Dashboard) -> str:
    progress = f"{d.progress_pct:.1f} %" if d.progress_pct is not None else "no requirement set"
    return (
        f"Trained police          {d.trained_police:>10,}\n"
        f"Trained border guards   {d.trained_border:>10,}\n"
        f"Trained, all forces     {d.trained_total:>10,}\n"
        f"Required (all provinces){d.required:>10,}\n"
        f"Gap against requirement {d.gap:>10,}   ({progress} met)\n"
        f"Cohorts running         {d.cohorts_running:>10,}\n"
        f"Certificates expiring   {d.expiring_30:>10,} in 30 days, {d.expiring_90:,} in 90 days\n"
        f"Certificates expired    {d.expired:>10,}\n"
    )


class DashboardScreen(Screen):
    CSS_PATH = Path(__file__).with_name("reports.tcss")
    BINDINGS = [Binding("f5", "reload", "Refresh", id="dashboard.reload", tooltip="Reload the figures")]

    class Loaded(Message):
        def __init__(self, figures: Dashboard) -> None:
            super().__init__()
            self.figures = figures

    class Failed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="dashboard"):
            yield Static("Loading the figures…", id="headline", classes="panel")
            with Horizontal(id="charts"):
                yield Static("", id="by-force", classes="panel chart")
                yield Static("", id="by-province", classes="panel chart")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.query_one("#headline", Static).update("Loading the figures…")
        self.load()

    @work(thread=True, exclusive=True, group="dashboard")
    def load(self) -> None:
        actor = getattr(self.app, "actor", None)
        try:
            self.post_message(self.Loaded(dashboard(actor)))
        except Exception as exc:  # noqa: BLE001  a dropped database must not close the app
            self.post_message(self.Failed(str(readable(exc))))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        d = message.figures
        self.figures = d
        self.query_one("#headline", Static).update(headline(d))
        self.draw_charts()

    def on_resize(self) -> None:
        self.draw_charts()

    def draw_charts(self) -> None:
        d = getattr(self, "figures", None)
        if d is None:
            return
        for selector, title, bars in (
            ("#by-force", "Trained persons by force", d.by_force),
            ("#by-province", "Trained persons by province", d.by_province),
        ):
            chart = self.query_one(selector, Static)
            chart.update(bar_chart(title, bars, chart.content_size.width or 60))

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self.query_one("#headline", Static).update(f"Cannot load the figures: {message.reason}")
