"""The dashboard: headline figures and bar charts by force and province, loaded in a thread worker."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from screens.returning import ReloadOnReturn
from screens.widgets.chrome import KeyBar, TitleBar
from trainer.accounts.access import Actor
from trainer.errors import readable
from trainer.reporting.dashboard import DEFINITIONS, Bar, Dashboard, dashboard


def bar_chart(title: str, bars: tuple[Bar, ...], width: int = 72) -> Text:
    """Horizontal bars scaled to the largest value, fitted to `width` cells (English labels: no shaping)."""
    text = Text(f"{title}\n", style="bold", no_wrap=True, overflow="crop")
    if not bars:
        return text.append("(nobody trained yet)\n", style="dim")
    top = max(b.value for b in bars)
    number_w = max(len(f"{b.value:,}") for b in bars)
    # Label, bar, number on one line: the bar gives way first, then the label; the number never
    # does (a wrapped figure reads as the next row's).
    label_w = max(4, min(max(len(b.label) for b in bars), 20, width - number_w - 6))
    room = max(1, width - label_w - number_w - 2)
    for b in bars:
        filled = round(room * b.value / top) if top else 0
        label = b.label if len(b.label) <= label_w else b.label[: label_w - 1] + "…"
        text.append(f"{label:<{label_w}} ")
        text.append("█" * filled, style="bold cyan")
        text.append(" " * (room - filled) + f" {b.value:>{number_w},}\n")
    return text


class Chart(Static):
    """A bar chart drawn for the width it has when painted (a scrollbar appearing narrows it after
    the figures arrive: drawn earlier, the numbers wrapped onto lines of their own)."""

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.title_text = title
        self.bars: tuple[Bar, ...] | None = None

    def show(self, bars: tuple[Bar, ...]) -> None:
        self.bars = bars
        self.refresh(layout=True)

    def render(self) -> Text:
        if self.bars is None:
            return Text("")
        return bar_chart(self.title_text, self.bars, self.content_size.width or 60)


def headline(d: Dashboard) -> str:
    """The figures, then what each means (one line each); every line fits 80 columns."""
    met = f"{100.0 * d.trained_against_required / d.required:.1f} % of required" if d.required else "no requirement set"
    lines = [
        f"Trained, all forces       {d.trained_total:>9,}   police {d.trained_police:,}, border {d.trained_border:,}",
        f"  in required cells       {d.trained_against_required:>9,}",
        f"Required                  {d.required:>9,}",
        f"Gap                       {d.gap:>9,}   ({met} trained)",
    ]
    h = d.headline
    if h is not None:
        lines += [
            f"{h.province_name}, {h.force_name}:",
            f"  required {h.required:,}, trained {h.trained:,}, certified {h.certified:,}, gap {h.gap:,}",
        ]
    lines += [
        f"Cohorts running           {d.cohorts_running:>9,}",
        f"Certificates expiring     {d.expiring_30:>9,}   in 30 days ({d.expiring_90:,} in 90 days)",
        f"Certificates expired      {d.expired:>9,}",
        *(box_lines(d.box) if d.box else ()),
        "",
        *(f"{name}: {meaning}" for name, meaning in DEFINITIONS),
    ]
    return "\n".join(lines) + "\n"


def box_lines(b) -> tuple[str, ...]:
    """Police in a Box: kits, ready stations, Ninawa's police posted against required."""
    met = f"{100.0 * b.ninawa_posted / b.ninawa_required:.1f} %" if b.ninawa_required else "no requirement set"
    return (
        f"Kits received             {b.kits_received:>9,}   "
        f"{b.kits_at_stations:,} at stations, {b.kits_set_up:,} set up",
        f"Stations ready            {b.stations_ready:>9,}   of {b.stations:,}",
        f"Ninawa police posted      {b.ninawa_posted:>9,}   of {b.ninawa_required:,} required ({met})",
    )


class DashboardScreen(ReloadOnReturn, Screen):
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
                yield Chart("Trained persons by force", id="by-force", classes="panel chart")
                yield Chart("Trained persons by province", id="by-province", classes="panel chart")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.query_one("#headline", Static).update("Loading the figures…")
        self.load()

    def returned(self) -> None:  # back from another area: the figures there may have changed (kept until the new)
        self.load()

    @work(thread=True, exclusive=True, group="dashboard")
    def load(self) -> None:
        actor = getattr(self.app, "actor", None)
        try:
            self.post_message(self.Loaded(dashboard(cast(Actor, actor))))
        except Exception as exc:  # noqa: BLE001  a dropped database must not close the app
            self.post_message(self.Failed(str(readable(exc))))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        d = message.figures
        self.figures = d
        self.query_one("#headline", Static).update(headline(d))
        self.draw_charts()

    def draw_charts(self) -> None:
        d = getattr(self, "figures", None)
        if d is None:
            return
        self.query_one("#by-force", Chart).show(d.by_force)
        self.query_one("#by-province", Chart).show(d.by_province)

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self.query_one("#headline", Static).update(f"Cannot load the figures: {message.reason}")
