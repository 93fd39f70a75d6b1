"""The Textual application: one mode per area of the work, reached by single keys.

Start-up: a database without users opens the first-run screen (create the
admin, offer demo data); otherwise the login screen. `trainer` draws that
screen before it opens the database, in a worker once the screen is drawn
(`opening`); nothing here imports peewee before then (docs/speed.md). The
signed-in Actor is kept on the app and every screen passes it to the services
it calls.

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
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual._context import active_app
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from screens.calls import ServiceCalls
from screens.commands import JumpProvider
from screens.fresh import preset_breakpoints
from screens.opening import DESK_CSS, START_CSS, OpensAfterFirstPaint
from screens.widgets import arabic
from trainer.accounts.access import Actor
from trainer.errors import TrainerError

if TYPE_CHECKING:
    from trainer.commands.common import AppOpening

# mode -> (key, label, module, class)
AREAS: dict[str, tuple[str, str, str, str]] = {
    "dashboard": ("d", "Dash", "dashboard", "DashboardScreen"),
    "trainees": ("t", "Trainees", "trainees", "TraineesScreen"),
    "courses": ("c", "Courses", "courses", "CoursesScreen"),
    "cohorts": ("o", "Cohorts", "cohorts", "CohortsScreen"),
    "certificates": ("e", "Certs", "certificates", "CertificatesScreen"),
    "reports": ("r", "Reports", "reports", "ReportsScreen"),
    # Police in a Box: stations and kits (q: k, s and b are actions elsewhere, docs/keys.md)
    "stations": ("q", "Stations", "stations", "StationsScreen"),
    "admin": ("a", "Admin", "admin", "AdminScreen"),
}
# What a role needs to be offered an area (the services refuse the rest anyway).
AREA_NEEDS = {
    "trainees": "trainee.read",
    "courses": "course.read",
    "cohorts": "cohort.read",
    "certificates": "certificate.read",
    "reports": "report.run",
    "stations": "station.read",
}
# Why an area is closed to a role, in the words of the notification its key gives (docs/roles.md).
AREA_WHY = {
    "trainee.read": "it holds trainees' names and records",
    "course.read": "it needs the course catalogue",
    "cohort.read": "it holds cohorts and their trainees' names",
    "certificate.read": "it holds certificates with their holders' names",
    "report.run": "reports are for administrators, analysts and auditors",
    "station.read": "it holds stations, kits and the officers posted there",
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
        screen = getattr(importlib.import_module(f"screens.{module}"), cls)()
        # A new screen counts as having missed every CSS change (-1), so opening an area re-parsed
        # the whole stylesheet (a quarter of a second, most of an area's first paint). It has
        # missed none: its widgets are styled from the current stylesheet as they mount, its own
        # CSS files are read (and parsed) when it is installed, and a pending theme change still
        # refreshes the screen shown. (Textual's private counter; the version is pinned.)
        app = active_app.get(None)
        if app is not None:
            screen._css_update_count = app._css_update_count
            preset_breakpoints(screen, *app.size)  # its first Resize then restyles nothing (screens/fresh.py)
        return screen

    return make


SIGN_IN = "sign_in"  # the mode a signed-out app shows (the first sign-in happens over the start screen)


def sign_in_screen() -> Screen:
    from screens.login import LoginScreen

    return LoginScreen()


class TrainerApp(OpensAfterFirstPaint, ServiceCalls, App):
    CSS_PATH = [START_CSS, DESK_CSS]
    TITLE = "trainer"
    SUB_TITLE = "training records"
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        **{mode: area(mode) for mode in AREAS},
        SIGN_IN: sign_in_screen,
    }
    COMMANDS = App.COMMANDS | {JumpProvider}
    # A screen narrower than 100 columns gets the class -narrow: its CSS gives the data the room.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        # Tab moves the focus when the key arrives, not after the field has worked through the keys
        # typed before it: a password manager's "name, Tab, password" lands in the right fields.
        Binding("tab", "focus_next", "Next field", id="app.next", priority=True, show=False),
        Binding("shift+tab", "focus_previous", "Previous field", id="app.previous", priority=True, show=False),
        *(
            Binding(key, f"area('{mode}')", label, id=f"app.area.{mode}", tooltip=f"Go to {label}")
            for mode, (key, label, _, _) in AREAS.items()
        ),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("f1", "help", "Help", id="app.help_f1"),  # shown while typing in a box, where ? is text
        Binding(
            "ctrl+l",
            "sign_out",
            "Sign out",
            id="app.sign_out",
            show=False,
            tooltip="Sign out (switch user): the sign-in screen opens for anyone",
        ),
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

    def __init__(
        self,
        database_url: str,
        *,
        users: int | None = None,
        opening: AppOpening | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__(css_path=[START_CSS] if opening is not None else None)
        self.database_url = database_url
        self.user_count = users  # counted by whoever opened the database (trainer tui); None: count here
        # `opening`: the database is opened in a worker once the first screen (sign-in, or first
        # run for a file not made yet) is drawn (screens/opening.py).
        self.init_opening(opening)
        self.cursor_blink = cursor_blink
        self.actor: Actor | None = None
        self.prefs: dict = {}  # the signed-in user's (trainer.accounts.settings.personal)
        # Keys typed while a screen is on its way (start-up, sign-in) wait here and are handed, in
        # order, to that screen once it has its focus: none is lost or lands in the wrong field.
        self.held_keys: list[events.Key] | None = []

    async def on_event(self, event: events.Event) -> None:
        if (
            self.held_keys is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key != "ctrl+q"
        ):
            self.held_keys.append(event)
            return
        await super().on_event(event)

    def hold_keys(self) -> None:
        if self.held_keys is None:
            self.held_keys = []

    def release_keys(self) -> None:
        """Called by a screen once it is mounted and focused: its held keys go to it in order."""
        self.call_later(self._release_keys)

    async def _release_keys(self) -> None:
        keys, self.held_keys = self.held_keys or [], None
        for key in keys:
            if self.held_keys is not None:  # a key just handed on started another wait (sign-in)
                self.held_keys.append(key)
            else:
                await super().on_event(key)

    def get_default_screen(self) -> Screen:
        from screens.login import StartScreen

        return StartScreen(self.database_url, opening=self.user_count is None and self.opening is None)

    def on_mount(self) -> None:
        if self.opening is not None:
            self.done_users(0 if self.opening.new_file else 1)  # drawn first; the database opens after
            self.after_first_paint()
        elif self.user_count is not None:
            self.done_users(self.user_count)  # the first screen at once: no worker, no "Opening …" frame
        else:
            from trainer import encryption
            from trainer.accounts import users

            if encryption.locked(self.database_url):
                self.done_users(1)  # an encrypted site not yet unlocked has users: its sign-in opens it
            else:
                self.call("users", users.count_users)
        stdin = sys.__stdin__
        if not self.is_headless and stdin is not None and os.isatty(stdin.fileno()):
            self.set_interval(2, partial(self._terminal_watch, stdin.fileno()))
        if self.opening is None:
            self._install_idle_lock()

    def _install_idle_lock(self) -> None:
        from screens.lock import install_idle_lock

        install_idle_lock(self)  # quiet until someone signs in

    def _terminal_watch(self, fd: int) -> None:
        """A terminal that hung up without a SIGHUP reaching us (started by `make`, say) left the
        app spinning on dead input: once the terminal is gone, leave (transactions are atomic)."""
        if not os.isatty(fd):
            self.exit(return_code=1)

    def done_users(self, count: int) -> None:
        from screens.login import FirstRunScreen, LoginScreen

        screen = LoginScreen() if count else FirstRunScreen()
        preset_breakpoints(screen, *self.size)  # styled once, as it mounts (screens/fresh.py)
        self.push_screen(screen)
        self.call_after_refresh(self._collect_again)

    @staticmethod
    def _collect_again() -> None:
        """`trainer tui` starts with the cyclic collector off (trainer/cli.py): on again once the
        first screen is drawn. (A function of ours: Textual reads a callback's signature, and a
        built-in's costs it a tokenizer import.)"""
        gc.enable()

    # --- session ------------------------------------------------------------

    def signed_in(self, actor: Actor, *, notice: tuple[str, str] | None = None) -> None:
        """Called by the login and first-run screens once the user is known; `notice`
        (title, text) is shown once the user's area is open."""
        from trainer.accounts import settings

        self.actor = actor
        self.notice = notice
        self.prefs = dict(settings.PERSONAL_DEFAULTS)
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
        self.call_after_refresh(self.release_keys)
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
            from trainer.accounts import settings

            self.call("pref_saved", settings.set_personal, self.actor, name, value)

    # --- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("area", "toggle_theme", "sign_out") and self.actor is None:
            return False
        # An area the role may not open still takes its key, to say so (action_area): a key that
        # silently does nothing reads as a broken keyboard. The key bar leaves it out (offers).
        return True

    def offers(self, action: str) -> bool:
        """Whether the key bar shows an app binding: not the key of an area the role may not open."""
        if action.startswith("area('"):
            return self.may_open(action[len("area('") : -len("')")])
        return True

    def may_open(self, mode: str) -> bool:
        need = AREA_NEEDS.get(mode)
        return self.actor is not None and (need is None or self.actor.may(need))

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        if self.actor is not None:
            yield SystemCommand("Sign out", "End your session; anyone may sign in next (ctrl+l)", self.action_sign_out)
            yield SystemCommand("Switch user", "Sign out and sign in as someone else (ctrl+l)", self.action_sign_out)

    def action_sign_out(self) -> None:
        """End the session and open the sign-in screen (the idle lock's "someone else" comes here
        too); a form with unsaved changes, in any area, is named in a question first."""
        if self.actor is None:
            return
        from screens.widgets.guard import DiscardGuard

        open_forms = [
            screen
            for stack in self._screen_stacks.values()
            for screen in stack
            if isinstance(screen, DiscardGuard) and screen.changed()
        ]
        if not open_forms:
            self.run_worker(self._sign_out(), group="sign-out")
            return
        from screens.widgets.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._sign_out(), group="sign-out")

        what = ", ".join(f"“{form.form_title()}”" for form in open_forms)
        self.push_screen(ConfirmDialog(f"Sign out? Unsaved changes in {what} will be lost."), answered)

    async def _sign_out(self) -> None:
        """Every area's screens are dropped, so the next user starts afresh and sees nothing the
        last one had open."""
        actor = self.actor
        if actor is None:
            return
        self.actor = None
        self.sub_title = type(self).SUB_TITLE
        lock = getattr(self, "idle_lock", None)
        if lock is not None:
            lock.locked = False
        self.run_worker(partial(self._end_session, actor), thread=True, group="sign-out")
        self.hold_keys()  # typed while the sign-in screen comes: it gets them
        if self.current_mode == SIGN_IN:
            return
        await self.remove_mode(SIGN_IN)  # a fresh sign-in screen: no name left from the last time
        self.add_mode(SIGN_IN, sign_in_screen)
        await self.switch_mode(SIGN_IN)
        for mode in AREAS:
            await self.remove_mode(mode)
            self.add_mode(mode, area(mode))

    @staticmethod
    def _end_session(actor: Actor) -> None:
        from trainer.accounts import users

        try:
            users.sign_out(actor)
        except TrainerError:
            pass  # already ended (by an administrator): nothing left to close

    def action_area(self, mode: str) -> None:
        if not self.may_open(mode):
            self.refuse_area(mode)
            return
        if mode != self.current_mode:
            self.switch_mode(mode)
            self.set_timer(SETTLE, settle_heap)

    def refuse_area(self, mode: str) -> None:
        """One line naming the area and why this role may not open it."""
        assert self.actor is not None  # check_action lets area keys through only when signed in
        why = AREA_WHY.get(AREA_NEEDS.get(mode, ""), "")
        self.notify(
            f"{mode.title()} ({AREAS[mode][0]}) is not open to the {self.actor.role} role: {why}.",
            title="Not for your role",
            severity="warning",
        )

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


def make_app(
    database_url: str,
    *,
    users: int | None = None,
    opening: AppOpening | None = None,
    cursor_blink: bool = True,
) -> TrainerApp:
    """Build the app on a database that trainer.setup.connect() has already opened; `users`, its
    number of users when the caller counted them (else the app counts them in a worker). Or,
    with `opening`, on one not opened yet: the app opens it in a worker once the first screen
    is drawn (`trainer`, docs/speed.md)."""
    return TrainerApp(database_url, users=users, opening=opening, cursor_blink=cursor_blink)
