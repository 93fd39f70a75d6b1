"""The stations area's dialogs: choose a province, move a kit, post a cohort's graduates."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static

from screens.calls import ServiceCalls
from screens.widgets.forms import Field, form_row
from trainer.registry import reference
from trainer.stations import kits, postings
from trainer.stations.kits import KitView
from trainer.stations.stations import StationView


def _day(text: str) -> datetime.date:
    """A typed date (YYYY-MM-DD; empty is today); ValueError with the reason."""
    text = text.strip()
    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD") from None


class ProvinceDialog(ModalScreen[str | None]):
    """Pick a province ('' for all)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="province.cancel")]

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Stations in which province?", classes="card-title")
            yield Select(
                [("All provinces", "")] + [(p.name_en, p.code) for p in reference.PROVINCES],
                value=self.current or "",
                allow_blank=False,
                id="province",
            )
            yield Static("Enter picks, Escape cancels.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#province", Select).focus()

    @on(Select.Changed, "#province")
    def _changed(self, event: Select.Changed) -> None:
        if event.value != (self.current or ""):
            self.dismiss(cast(str, event.value))  # allow_blank=False: always a code or ""

    def action_cancel(self) -> None:
        self.dismiss(None)


class SerialDialog(ModalScreen[str | None]):
    """Which kit? (one received at a centre and not yet at a station)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="serial.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Check which kit?", classes="card-title")
            yield Static("This station has no kit: give the serial of a kit at your centre (e.g. PK-051).")
            yield Field(placeholder="kit serial", id="serial")
            yield Static("Enter to open its checklist, Escape to cancel.", classes="hint")

    @on(Field.Submitted, "#serial")
    def _submitted(self, event: Field.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip().upper())

    def action_cancel(self) -> None:
        self.dismiss(None)


MOVES = (
    ("receive", "Receive at a centre (from the programme)"),
    ("issue", "Issue to this station"),
    ("set-up", "Set up at this station"),
    ("transfer", "Transfer to this station"),
)


class KitMoveDialog(ServiceCalls, ModalScreen[bool]):
    """One kit movement, signed for: the station's kit, or a serial typed in."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Sign", id="kit_move.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="kit_move.cancel"),
    ]

    def __init__(self, station: StationView, kit: KitView | None) -> None:
        super().__init__()
        self.station, self.kit = station, kit

    def compose(self) -> ComposeResult:
        k = self.kit
        step = "set-up" if k is not None and k.state == "issued" else "issue"
        with Vertical(classes="dialog compact"):
            yield Label(f"Kit movement for {self.station.code} {self.station.name_en}", classes="card-title")
            yield from form_row("Movement", Select([(t, v) for v, t in MOVES], value=step, allow_blank=False,
                                                   id="move"))  # fmt: skip
            yield from form_row(
                "Kit serial", Field(value=k.serial if k else "", placeholder="e.g. PK-051", id="serial")
            )
            yield Static("", id="kit-hint", classes="hint")  # which serials the movement could take
            yield from form_row("Centre (receipt)", Field(value=self.station.centre, id="centre"))
            yield from form_row("Signed by", Field(placeholder="name of who signs for it", id="signed"))
            yield from form_row("Date", Field(placeholder="YYYY-MM-DD (empty: today)", id="date"))
            yield Static("", id="kit-move-status", classes="error")
            yield Static("ctrl+s signs the movement, Escape cancels.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#serial" if not self.kit else "#signed", Field).focus()
        self._offer()

    @on(Select.Changed, "#move")
    def _offer(self) -> None:
        """Under the serial: the kits this movement could take here (a serial cannot be guessed)."""
        move = cast(str, self.query_one("#move", Select).value)
        if move == "set-up":
            self.query_one("#kit-hint", Static).update("")
            return
        self.call("offer", kits.waiting, self.actor, move, self.station.kind, self.station.centre)

    def done_offer(self, found: tuple[list[str], int]) -> None:
        serials, total = found
        move = cast(str, self.query_one("#move", Select).value)
        kind, centre = self.station.kind, self.station.centre or "any centre"
        listed = ", ".join(serials) + (f" … ({total:,} in all)" if total > len(serials) else "")
        where = {
            "receive": (f"Not yet received ({kind}): ", f"Every {kind} kit has been received."),
            "issue": (
                f"Received at {centre}, not issued: ",
                f"No {kind} kit waits at {centre}: receive one.",
            ),
            "transfer": (f"At other stations ({kind}): ", f"No {kind} kit is at a station."),
        }
        found_text, none_text = where.get(move, ("", ""))
        self.query_one("#kit-hint", Static).update(found_text + listed if serials else none_text)

    def failed_offer(self, _error) -> None:
        self.query_one("#kit-hint", Static).update("")

    def action_save(self) -> None:
        value = lambda sel: self.query_one(sel, Field).value  # noqa: E731
        move = self.query_one("#move", Select).value
        try:
            day = _day(value("#date"))
        except ValueError as exc:
            self._say(str(exc))
            return
        serial, signed, code = value("#serial"), value("#signed"), self.station.code
        calls: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
            "receive": (kits.receive, (serial, value("#centre"), signed, day)),
            "issue": (kits.issue, (serial, code, signed, day)),
            "set-up": (kits.set_up, (serial, signed, day)),
            "transfer": (kits.transfer, (serial, code, signed, day)),
        }
        fn, args = calls[cast(str, move)]
        self.call("moved", fn, self.actor, *args)

    def done_moved(self, view: KitView) -> None:
        self.app.notify(f"Kit {view.serial}: {view.state.replace('-', ' ')} at {view.station or view.centre}.")
        self.dismiss(True)

    def failed_moved(self, error) -> None:
        self._say(f"Refused: {error}")
        self.app.bell()

    def _say(self, text: str) -> None:
        self.query_one("#kit-move-status", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PostCohortDialog(ServiceCalls, ModalScreen[bool]):
    """Post every graduate of a cohort who can be posted to a station: from a station (the cohort is
    typed) or from a cohort (the station is typed)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Post", id="post_cohort.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="post_cohort.cancel"),
    ]

    def __init__(self, station: StationView | None = None, cohort: str = "") -> None:
        super().__init__()
        self.station, self.cohort = station, cohort

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compact"):
            if self.station is not None:
                yield Label(f"Post a cohort's graduates to {self.station.code}", classes="card-title")
            else:
                yield Label(f"Post the graduates of {self.cohort} to a station", classes="card-title")
            yield from form_row("Cohort code", Field(value=self.cohort, placeholder="e.g. BASIC-POL-2026-017",
                                                     id="cohort"))  # fmt: skip
            yield from form_row("Station code", Field(value=self.station.code if self.station else "",
                                                      placeholder="e.g. NI-PS-0012", id="station"))  # fmt: skip
            yield from form_row("From", Field(placeholder="YYYY-MM-DD (empty: today)", id="date"))
            yield Static("", id="post-status", classes="error")
            yield Static(
                "ctrl+s posts every graduate who can be (the others are named), Escape cancels.", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#station" if self.cohort else "#cohort", Field).focus()

    def action_save(self) -> None:
        try:
            day = _day(self.query_one("#date", Field).value)
        except ValueError as exc:
            self.query_one("#post-status", Static).update(str(exc))
            return
        cohort = self.query_one("#cohort", Field).value
        self.where = self.query_one("#station", Field).value.strip().upper()
        self.call("posted", postings.post_cohort, self.actor, cohort, self.where, day)

    def done_posted(self, done: postings.CohortPosted) -> None:
        skipped = ""
        if done.skipped:
            first = "; ".join(str(p) for p in done.skipped[:3])
            skipped = f" Not posted: {len(done.skipped)} ({first}{' …' if len(done.skipped) > 3 else ''})."
        self.app.notify(f"Posted {done.posted} graduates to {self.where}.{skipped}", timeout=12)
        self.dismiss(True)

    def failed_posted(self, error) -> None:
        self.query_one("#post-status", Static).update(f"Refused: {error}")
        self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(False)
