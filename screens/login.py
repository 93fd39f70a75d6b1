"""Start-up screens: the blank start, first run (create the admin, offer demo data), login, and
the database that cannot be opened.

The first of them is drawn before the database is opened (docs/speed.md): nothing here imports
a service (nor so peewee) before it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Label, ProgressBar, Static

from screens.calls import ServiceCalls
from screens.fresh import StyledOnce
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field, Tick
from trainer.accounts.access import Actor
from trainer.accounts.passwords import MIN_PASSWORD
from trainer.errors import TrainerError

WAITING_FOR_IMPORT = "An import is running: signing in as soon as it ends."


def keys_to(app, what: str) -> None:
    """Hold or release the keys typed ahead (TrainerApp; a bare App used in tests has no such)."""
    handler = getattr(app, f"{what}_keys", None)
    if handler is not None:
        handler()


def once_open(app, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, run by its worker once the app's database is open (screens/opening.py): what is
    typed on the first screen may be sent before the opening has finished."""
    when_open = getattr(app, "when_open", None)
    return fn if when_open is None else when_open(fn)


def _sign_in(url: str | None, name: str, password: str, waiting: Callable[[], None]) -> Actor:
    """In the worker: an encrypted file's key file first, nothing of it read before it opens."""
    from trainer import encryption
    from trainer.accounts import app_sign_in

    if url is not None and encryption.is_encrypted(url):
        return encryption.sign_in(url, name, password, session="tui", waiting=waiting)
    return app_sign_in.sign_in(name, password, session="tui", waiting=waiting)


class StartScreen(Screen):
    """What lies under the first-run or login screen: "Opening …" for the instant the app counts
    the users itself; empty when they were counted before the app started (`opening` false), so
    that the first screen is the only one built and drawn."""

    def __init__(self, database_url: str, *, opening: bool = True) -> None:
        super().__init__()
        self.database_url = database_url
        self.opening = opening

    def compose(self) -> ComposeResult:
        if not self.opening:
            return
        yield TitleBar()
        yield Static(f"Opening {self.database_url} …", id="start")
        yield KeyBar()


class LoginScreen(StyledOnce, ServiceCalls, Screen):
    BINDINGS = [
        Binding("escape", "clear", "Clear", id="login.clear"),
        # Enter in the name field moves on when the key arrives (see the app's Tab), so the
        # password typed right after it never lands in the name.
        Binding("enter,ctrl+j", "next_field", "Next", id="login.next", priority=True, show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="login", classes="card"):
            yield Label("Sign in", classes="card-title")
            yield Field(placeholder="user name", id="username")
            yield Field(placeholder="password", password=True, id="password")
            yield Static("", id="login-error", classes="error")
            yield Button("Sign in", id="sign-in", variant="primary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#username").focus()
        keys_to(self.app, "release")  # what was typed while the screen was on its way

    def action_next_field(self) -> None:
        if self.focused is not self.query_one("#username"):
            raise SkipAction()
        self.set_focus(self.query_one("#password"))  # now: Widget.focus() would wait its turn

    @on(Field.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def sign_in(self) -> None:
        name = self.query_one("#username", Field).value.strip()
        password = self.query_one("#password", Field).value
        if not name or not password:
            self.query_one("#login-error", Static).update("Type your user name and password.")
            return
        self.query_one("#login-error", Static).update("Checking …")
        keys_to(self.app, "hold")  # until the user's area is open (or the sign-in refused)
        url = getattr(self.app, "database_url", None)
        self.call("login", once_open(self.app, _sign_in), url, name, password, self._import_running)

    def _import_running(self) -> None:
        """From the sign-in's worker: the password is right, an import holds the lock (app_sign_in.py)."""
        self.app.call_from_thread(self.query_one("#login-error", Static).update, WAITING_FOR_IMPORT)

    def done_login(self, actor: Actor) -> None:
        self.app.signed_in(actor)

    def failed_login(self, error: TrainerError) -> None:
        self.query_one("#login-error", Static).update(str(error))
        password = self.query_one("#password", Field)
        password.value = ""
        password.focus()
        keys_to(self.app, "release")

    def action_clear(self) -> None:
        self.query_one("#password", Field).value = ""
        self.query_one("#login-error", Static).update("")


class FirstRunScreen(StyledOnce, ServiceCalls, Screen):
    """A new database: create the admin account (password typed twice), maybe load demo data."""

    class Progress(Message):
        def __init__(self, step: str, done: int, total: int) -> None:
            super().__init__()
            self.step, self.done, self.total = step, done, total

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="first-run", classes="card"):
            yield Label("Welcome: this database has no users yet", classes="card-title")
            yield Static(
                "Create the administrator account. Its password cannot be recovered: "
                f"at least {MIN_PASSWORD} characters."
            )
            yield Field(value="admin", placeholder="user name", id="username")
            yield Field(placeholder="password", password=True, id="password")
            yield Field(placeholder="password again", password=True, id="password2")
            yield Tick("Load the demo data (34,000 trainees: minutes)", id="demo")
            yield Tick("Encrypt this database (recommended)", value=True, id="encrypt")
            yield Static("", id="first-run-error", classes="error")
            yield Button("Create account", id="create", variant="primary")
            yield ProgressBar(id="demo-progress", show_eta=False)
            yield Static("", id="demo-step")
        yield KeyBar()

    def on_mount(self) -> None:
        # Offered for a new SQLite file only (a PostgreSQL server encrypts on its own disk).
        opening = getattr(self.app, "opening", None)
        if opening is not None:  # the database may not be open yet: its URL says
            local = opening.local_file
        else:
            from trainer import encryption

            url = getattr(self.app, "database_url", None)
            local = url is not None and encryption.site_path(url) is not None
        self.query_one("#encrypt").display = local
        self.query_one("#demo-progress").display = False
        self.query_one("#password").focus()
        keys_to(self.app, "release")

    @on(Field.Submitted, "#username")
    def _to_password(self) -> None:
        self.query_one("#password").focus()

    @on(Field.Submitted, "#password")
    def _to_again(self) -> None:
        self.query_one("#password2").focus()

    @on(Field.Submitted, "#password2")
    @on(Button.Pressed, "#create")
    def create(self) -> None:
        name = self.query_one("#username", Field).value.strip()
        first = self.query_one("#password", Field).value
        again = self.query_one("#password2", Field).value
        error = self.query_one("#first-run-error", Static)
        if first != again:
            error.update("The two passwords differ: type them again.")
            self.query_one("#password", Field).value = ""
            self.query_one("#password2", Field).value = ""
            self.query_one("#password").focus()
            return
        error.update("Creating the account …")
        self.query_one("#create", Button).disabled = True
        box = self.query_one("#encrypt", Checkbox)
        url = getattr(self.app, "database_url", None) if box.display and box.value else None
        self.call("create", once_open(self.app, self._create), name, first, url)

    def _create(self, name: str, password: str, encrypt_url: str | None) -> Actor:
        from trainer import encryption
        from trainer.accounts import users

        if encrypt_url is None:
            users.create_user(None, name, "admin", password)
            return users.authenticate(name, password, session="tui")
        created = encryption.first_run_encrypted(encrypt_url, name, password)
        self.recovery_key = created.recovery_key
        return users.authenticate(name, password, session="tui")

    recovery_key: str | None = None

    def _recovery_notice(self) -> tuple[str, str] | None:
        if self.recovery_key is None:
            return None
        return (
            "Recovery key: write it down now",
            f"This database is encrypted. Its recovery key, shown this once:\n\n  {self.recovery_key}\n\n"
            "Keep it apart from this computer: with a backup it brings the records back "
            "if every administrator's password is lost (trainer recover).",
        )

    def failed_create(self, error: TrainerError) -> None:
        self.query_one("#first-run-error", Static).update(str(error))
        self.query_one("#create", Button).disabled = False
        for name in ("#password", "#password2"):
            self.query_one(name, Field).value = ""
        self.query_one("#password").focus()

    def done_create(self, actor: Actor) -> None:
        self.actor_created = actor
        if not self.query_one("#demo", Checkbox).value:
            self.app.signed_in(actor, notice=self._recovery_notice())
            return
        self.query_one("#first-run-error", Static).update("Loading the demo data …")
        self.query_one("#demo-progress").display = True
        self.call("demo", self._load_demo)

    def _load_demo(self) -> str:
        from trainer.demo import build as demo  # here: the generator's tables cost start-up time

        def progress(step: str, done: int, total: int) -> None:
            self.post_message(self.Progress(step, done, total))

        try:
            summary = demo.generate(self.actor_created, scale="default", progress=progress)
        except TrainerError:
            raise
        except Exception as exc:  # a failed load must not close the app the admin just set up
            raise TrainerError(f"the demo data could not be loaded: {exc}") from exc
        return summary.describe()

    def on_first_run_screen_progress(self, message: Progress) -> None:
        bar = self.query_one("#demo-progress", ProgressBar)
        bar.update(total=max(1, message.total), progress=message.done)
        self.query_one("#demo-step", Static).update(f"{message.step}: {message.done:,}/{message.total:,}")

    def done_demo(self, summary: str) -> None:
        recovery = self._recovery_notice()
        if recovery is not None:
            summary = f"{recovery[1]}\n\n{summary}"
        self.app.signed_in(self.actor_created, notice=("Demo data loaded", summary))

    def failed_demo(self, error: TrainerError) -> None:
        self.app.notify(f"Demo data not loaded: {error}", severity="warning", timeout=10)
        self.app.signed_in(self.actor_created, notice=self._recovery_notice())


class OpenFailedScreen(Screen):
    """The database could not be opened (no such folder, not a database, encrypted and the key
    does not fit, locked, newer than this program): the refusal's one line; leaving exits 1 and
    prints it again (trainer/cli.py)."""

    BINDINGS = [
        Binding("enter,escape", "leave", "Leave", id="open-failed.leave"),
    ]

    def __init__(self, database_url: str, reason: str) -> None:
        super().__init__()
        self.database_url = database_url
        self.reason = reason

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="open-failed", classes="card"):
            yield Label("The database cannot be opened", classes="card-title")
            yield Static(self.reason, id="open-error", classes="error", markup=False)
            yield Static("Press Enter to leave.")
        yield KeyBar()

    def action_leave(self) -> None:
        self.app.exit(return_code=1)
