"""The Textual application: one mode per area of the work, reached by single keys.

Start-up: a database without users opens the first-run screen (create the
admin, offer demo data); otherwise the login screen. The signed-in Actor is
kept on the app and every screen passes it to the services it calls.

Each area's screen module is imported only when the area is first opened
(`area()`), which keeps start-up fast.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from screens.calls import ServiceCalls
from screens.commands import JumpProvider
from screens.widgets import arabic
from trainer.accounts import settings, users
from trainer.accounts.access import Actor

# mode -> (key, label, module, class)
AREAS: dict[str, tuple[str, str, str, str]] = {
    "dashboard": ("d", "Dash", "dashboard", "DashboardScreen"),
    "trainees": ("t", "Trainees", "trainees", "TraineesScreen"),
    "courses": ("c", "Courses", "courses", "CoursesScreen"),
    "cohorts": ("o", "Cohorts", "cohorts", "CohortsScreen"),
    "certificates": ("e", "Certs", "certificates", "CertificatesScreen"),
    "reports": ("r", "Reports", "reports", "ReportsScreen"),
    "admin": ("a", "Admin", "admin", "AdminScreen"),
}
# Where each role lands after signing in (an analyst never sees names).
START_AREA = {
    "admin": "trainees",
    "registrar": "trainees",
    "instructor": "cohorts",
    "analyst": "dashboard",
    "auditor": "dashboard",
}


SETTLE = 0.5  # seconds after opening an area: its screen is built and drawn by then


def settle_heap() -> None:
    """Move what exists now (the app, its screens and widgets: long-lived) out of the collector's
    sight. Python's full collections walk every object, so with a screen or two alive they took
    40-100 ms in the middle of a keystroke; afterwards they walk only what came since. (Garbage
    cycles alive at this moment would be kept: sign-in collects them first, while the user waits.)"""
    gc.freeze()


def area(mode: str) -> Callable[[], Screen]:
    """A factory for an area's screen, importing its module only when first opened."""
    _, _, module, cls = AREAS[mode]

    def make() -> Screen:
        return getattr(importlib.import_module(f"screens.{module}"), cls)()

    return make


class TrainerApp(ServiceCalls, App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "trainer"
    SUB_TITLE = "training records"
    MODES = {mode: area(mode) for mode in AREAS}
    COMMANDS = App.COMMANDS | {JumpProvider}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        *(
            Binding(key, f"area('{mode}')", label, id=f"app.area.{mode}", tooltip=f"Go to {label}")
            for mode, (key, label, _, _) in AREAS.items()
        ),
        Binding("f1,question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding(
            "ctrl+t",
            "toggle_theme",
            "Theme",
            id="app.theme",
            show=False,
            tooltip="Switch between the light and dark theme",
        ),
    ]

    actor: Actor | None = None  # type: ignore[assignment]  # the signed-in user: None until sign-in

    def __init__(self, database_url: str, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.database_url = database_url
        self.cursor_blink = cursor_blink
        self.actor: Actor | None = None
        self.prefs: dict = dict(settings.PERSONAL_DEFAULTS)

    def get_default_screen(self) -> Screen:
        from screens.login import StartScreen

        return StartScreen(self.database_url)

    def on_mount(self) -> None:
        self.call("users", users.count_users)
        stdin = sys.__stdin__
        if not self.is_headless and stdin is not None and os.isatty(stdin.fileno()):
            self.set_interval(2, partial(self._terminal_watch, stdin.fileno()))
        from screens.lock import install_idle_lock

        install_idle_lock(self)  # quiet until someone signs in

    def _terminal_watch(self, fd: int) -> None:
        """A terminal that hung up without a SIGHUP reaching us (started by `make`, say) left the
        app spinning on dead input: once the terminal is gone, leave (transactions are atomic)."""
        if not os.isatty(fd):
            self.exit(return_code=1)

    def done_users(self, count: int) -> None:
        from screens.login import FirstRunScreen, LoginScreen

        self.push_screen(LoginScreen() if count else FirstRunScreen())

    # --- session ------------------------------------------------------------

    def signed_in(self, actor: Actor, *, notice: tuple[str, str] | None = None) -> None:
        """Called by the login and first-run screens once the user is known; `notice`
        (title, text) is shown once the user's area is open."""
        self.actor = actor
        self.notice = notice
        gc.collect()  # the start and login screens' garbage, before settle_heap keeps what is left
        self.sub_title = f"{actor.username} ({actor.role})"
        self.call("prefs", settings.personal, actor)

    def done_prefs(self, prefs: dict) -> None:
        self.prefs = prefs
        self.theme = prefs["theme"]
        arabic.set_reordering(prefs["arabic_reorder"])
        while len(self.screen_stack) > 1:
            self.pop_screen()
        assert self.actor is not None  # signed_in() came first
        self.switch_mode(START_AREA.get(self.actor.role, "dashboard"))
        self.set_timer(SETTLE, settle_heap)
        self.refresh_bindings()
        notice = getattr(self, "notice", None)
        if notice:
            from screens.widgets.dialogs import InfoDialog

            self.push_screen(InfoDialog(*notice))
            self.notice = None

    def set_preference(self, name: str, value) -> None:
        """Apply at once; store in the background."""
        self.prefs[name] = value
        if name == "arabic_reorder":
            arabic.set_reordering(value)
            self.screen.refresh(layout=True)
            for widget in self.screen.query("LazyTable"):
                widget.refresh()
        if self.actor is not None:
            self.call("pref_saved", settings.set_personal, self.actor, name, value)

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("area", "toggle_theme") and self.actor is None:
            return False
        return True

    def action_area(self, mode: str) -> None:
        if self.actor is not None and mode != self.current_mode:
            self.switch_mode(mode)
            self.set_timer(SETTLE, settle_heap)

    async def jump_to(self, kind: str, key) -> None:
        """From the command palette: open a trainee, cohort or certificate in its area."""
        mode = {"trainee": "trainees", "cohort": "cohorts", "certificate": "certificates"}[kind]
        if self.current_mode != mode:
            await self.switch_mode(mode)
            self.set_timer(SETTLE, settle_heap)
        show = getattr(self.screen, f"show_{kind}", None)
        if show is None:
            self.notify(f"This build's {mode} screen cannot open {key} directly yet.", severity="warning")
            return
        show(key)

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.theme = theme
        self.set_preference("theme", theme)


def make_app(database_url: str, *, cursor_blink: bool = True) -> TrainerApp:
    """Build the app on a database that trainer.setup.connect() has already opened."""
    return TrainerApp(database_url, cursor_blink=cursor_blink)
