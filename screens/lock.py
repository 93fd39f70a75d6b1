"""The idle lock: after a quiet spell (a setting, default 10 minutes) the app asks for the password again.

The lock is a ModalScreen pushed over whatever is open, so nothing underneath
loses its state (half-typed forms, cursor, scroll); its background is opaque so
nothing underneath can be read either. While locked, app-level actions (area
keys, the command palette) are refused; quitting still works.

Install it with one call once the App exists (e.g. in on_mount):

    from screens.lock import install_idle_lock
    install_idle_lock(app)        # minutes from the "idle_lock_minutes" setting

The App must expose the signed-in user as `app.actor` (None before sign-in:
no lock then). Every 30 s the lock also asks whether an administrator has
ended the session (account disabled, role changed); if so it locks with a
"sign in again" message that no password opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.calls import ServiceCalls
from trainer.accounts import settings, users
from trainer.accounts.access import SYSTEM, Actor, SessionEnded
from trainer.errors import TrainerError

IDLE_SETTING = "idle_lock_minutes"
DEFAULT_MINUTES = 10
ACTIVITY = (events.Key, events.MouseDown, events.MouseMove, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


def idle_minutes_setting() -> float:
    return float(settings.get(SYSTEM, IDLE_SETTING, DEFAULT_MINUTES) or DEFAULT_MINUTES)


class LockScreen(ServiceCalls, ModalScreen[bool]):
    """Asks the signed-in user's password; dismisses True once it is right. Someone else may sign
    in instead (ctrl+l): the locked user's session ends and their screens close (a form left with
    unsaved changes is named in a question first)."""

    BINDINGS = [Binding("ctrl+l", "switch_user", "Someone else signs in", id="lock.switch_user")]

    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    LockScreen #lock { width: 60; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    LockScreen .error { color: $error; }
    """

    def __init__(self, actor: Actor, message: str = "", *, ended: bool = False) -> None:
        super().__init__()
        self.user = actor
        self.message = message
        self.ended = ended

    def compose(self) -> ComposeResult:
        with Vertical(id="lock"):
            yield Label(f"Locked: {self.user.username} ({self.user.role})", id="lock-title")
            yield Static(
                self.message or "The screen locked after a quiet spell. Type your password to go on.", id="lock-message"
            )
            yield Input(placeholder="password", password=True, id="lock-password")
            yield Static("", id="lock-error", classes="error")
            yield Button("Unlock", id="unlock", variant="primary")
            yield Button("Someone else signs in [ctrl+l]", id="switch-user")

    def on_mount(self) -> None:
        if self.ended:
            self._show_ended(self.message)
        else:
            self.query_one("#lock-password").focus()

    @on(Input.Submitted, "#lock-password")
    @on(Button.Pressed, "#unlock")
    def unlock(self) -> None:
        if self.ended:
            self.app.exit()
            return
        field = self.query_one("#lock-password", Input)
        if not field.value:
            return
        self.query_one("#lock-error", Static).update("Checking …")
        self.call("unlock", users.unlock, self.user, field.value)
        field.value = ""

    @on(Button.Pressed, "#switch-user")
    def action_switch_user(self) -> None:
        sign_out = getattr(self.app, "action_sign_out", None)
        if sign_out is None:  # a bare App (tests): nothing to switch to
            return
        sign_out()

    def done_unlock(self, actor: Actor) -> None:
        self.dismiss(True)

    def failed_unlock(self, error: TrainerError) -> None:
        if isinstance(error, SessionEnded):
            self._show_ended(str(error))
            return
        self.query_one("#lock-error", Static).update(str(error))
        self.query_one("#lock-password").focus()

    def _show_ended(self, text: str) -> None:
        self.ended = True
        self.query_one("#lock-message", Static).update(f"{text}. Quit and sign in again.")
        self.query_one("#lock-password").display = False
        self.query_one("#lock-error", Static).update("")
        self.query_one("#unlock", Button).label = "Quit"
        self.query_one("#unlock").focus()


class IdleLock:
    """Watches input on the App; locks after `minutes` without any (see install_idle_lock)."""

    def __init__(
        self,
        app: App,
        minutes_getter: Callable[[], float] = idle_minutes_setting,
        *,
        clock: Callable[[], float] = time.monotonic,
        check_every: float = 5.0,
        session_every: float = 30.0,
    ) -> None:
        self.app = app
        self.minutes_getter = minutes_getter
        self.clock = clock
        self.minutes: float = DEFAULT_MINUTES
        self.last_activity = clock()
        self.last_session_check = clock()
        self.session_every = session_every
        self.check_every = check_every
        self.locked = False

    def install(self) -> IdleLock:
        app = self.app
        original_event, original_check = app.on_event, app.check_action

        async def on_event(event: events.Event) -> None:
            if isinstance(event, ACTIVITY) and not self.locked:
                self.touch()
            await original_event(event)

        def check_action(action: str, parameters: tuple) -> bool | None:
            if self.locked and action not in ("quit", "app.quit"):
                return False
            return original_check(action, parameters)

        app.on_event = on_event  # type: ignore[method-assign]
        app.check_action = check_action  # type: ignore[method-assign]
        app.set_interval(self.check_every, self.check, name="idle-lock")
        self.refresh_minutes()
        return self

    def touch(self) -> None:
        self.last_activity = self.clock()

    def refresh_minutes(self) -> None:
        def job() -> None:
            try:
                minutes = float(self.minutes_getter())
            except (TrainerError, ValueError, TypeError):
                return
            self.app.call_from_thread(setattr, self, "minutes", max(1.0, minutes))

        self.app.run_worker(job, thread=True, exclusive=True, group="idle-lock-minutes")

    def check(self) -> None:
        """Lock if idle long enough; now and then ask whether the session still stands."""
        actor = getattr(self.app, "actor", None)
        if self.locked or actor is None:
            return
        now = self.clock()
        if now - self.last_activity >= self.minutes * 60:
            self.lock()
        elif now - self.last_session_check >= self.session_every:
            self.last_session_check = now
            self._check_session(actor)

    def _check_session(self, actor: Actor) -> None:
        def job() -> None:
            if not users.session_open(actor):
                self.app.call_from_thread(self.lock, "Your session was ended by an administrator", True)
            else:
                self.app.call_from_thread(self.refresh_minutes)

        self.app.run_worker(job, thread=True, exclusive=True, group="idle-lock-session")

    def lock(self, message: str = "", ended: bool = False) -> None:
        actor = getattr(self.app, "actor", None)
        if self.locked or actor is None:
            return
        self.locked = True

        def unlocked(result: bool | None) -> None:
            self.locked = False
            self.touch()

        self.app.push_screen(LockScreen(actor, message, ended=ended), unlocked)


def install_idle_lock(
    app: App, minutes_getter: Callable[[], float] = idle_minutes_setting, *, clock: Callable[[], float] = time.monotonic
) -> IdleLock:
    """Install the idle lock on a running App; it is kept as `app.idle_lock`."""
    lock = IdleLock(app, minutes_getter, clock=clock).install()
    app.idle_lock = lock  # type: ignore[attr-defined]
    return lock
