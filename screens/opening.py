"""The app's database, opened once the first screen is drawn (`trainer`, docs/speed.md).

`trainer` draws the sign-in (or, for a file not made yet, the first-run) screen from the URL
alone; then the desk's styles are read and a worker opens the database and counts its users.
What is typed meanwhile waits for the opening (`when_open`); a wrong guess of the first screen
is put right; a refusal gets a screen of its own, and the command prints it at exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screens.fresh import preset_breakpoints
from trainer.errors import TrainerError

if TYPE_CHECKING:
    from textual.app import App
    from textual.events import Key

    from trainer.commands.common import AppOpening, AppStart

    _App = App
else:
    _App = object

# The start screens' look and what all share (app.tcss), and the rest of the desk (desk.tcss):
# with an opening, the second is read once the first screen is drawn.
START_CSS, DESK_CSS = Path(__file__).with_name("app.tcss"), Path(__file__).with_name("desk.tcss")


class OpensAfterFirstPaint(_App):
    """Mixed into TrainerApp (before App): the opening's state and handlers."""

    opening: AppOpening | None = None
    open_error: TrainerError | None = None  # the opening's refusal, shown (and printed at exit)
    upgrade_note: str | None = None  # the schema was upgraded: where the previous copy is
    database_url: str

    if TYPE_CHECKING:  # TrainerApp's and ServiceCalls', for the checker
        held_keys: list[Key] | None

        def call(self, token: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...
        def hold_keys(self) -> None: ...
        def _install_idle_lock(self) -> None: ...

    def init_opening(self, opening: AppOpening | None) -> None:
        self.opening = opening
        self.opened = threading.Event()  # set once the database is open (or its opening failed)
        if opening is None:
            self.opened.set()

    def after_first_paint(self) -> None:
        """Called as the first screen is pushed: the desk's styles, then the database."""
        self.call_after_refresh(self._read_desk_css)
        self.call_after_refresh(self._open)

    def _read_desk_css(self) -> None:
        """The desk's styles, parsed once the first screen is drawn (the sign-in's few widgets are
        restyled); an area's screen is then styled from them as it mounts."""
        self.stylesheet.read(DESK_CSS)
        self.refresh_css(animate=False)

    def _open(self) -> None:
        assert self.opening is not None
        self.call("opened", self.opening.open)

    def done_opened(self, start: AppStart) -> None:
        """The database is open: the screen drawn was the right one unless the users were guessed
        wrong (a file made by `trainer init`, a new server database)."""
        from screens.login import FirstRunScreen, LoginScreen

        self.opened.set()
        self._install_idle_lock()
        if start.backup is not None:
            self.upgrade_note = f"upgraded the database; the previous version is kept at {start.backup}"
            self.notify(self.upgrade_note, title="Database upgraded", timeout=15)
        wrong = FirstRunScreen if start.users else LoginScreen
        if isinstance(self.screen, wrong):
            self.hold_keys()  # the right screen takes what is typed from now on
            screen = LoginScreen() if start.users else FirstRunScreen()
            preset_breakpoints(screen, *self.size)
            self.switch_screen(screen)

    def failed_opened(self, error: TrainerError) -> None:
        """The database cannot be opened: one line on a screen of its own; leaving it exits 1
        and prints the line (trainer/cli.py)."""
        from screens.login import OpenFailedScreen

        self.open_error = error
        self.opened.set()
        self.held_keys = None
        self.switch_screen(OpenFailedScreen(self.database_url, str(error)))

    def when_open(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn` for a worker, run once the database is open: a sign-in typed ahead waits for it,
        and gets the opening's refusal if it failed."""

        def after_opening(*args: Any, **kwargs: Any) -> Any:
            self.opened.wait()
            if self.open_error is not None:
                raise self.open_error
            return fn(*args, **kwargs)

        return after_opening
