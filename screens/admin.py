"""Admin: your display preferences, training centres, adding user accounts; users, settings and sync."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, Select, Static, Switch

from screens.admin_users import AdminUsersScreen
from screens.calls import ServiceCalls
from screens.widgets.allowed import RoleGate, may
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field
from trainer.accounts import users
from trainer.accounts.access import ROLES
from trainer.registry import centres, reference
from trainer.registry.centres import CentreView

CENTRES_READ = "cohort.read"  # what trainer.registry.centres.list_centres requires


class AdminScreen(RoleGate, ServiceCalls, Screen):
    NEEDS = {"users": "user.manage", "sync": "site.manage"}
    BINDINGS = [
        Binding("u", "users", "Manage users", id="admin.users"),
        Binding("s", "settings", "Site settings", id="admin.settings"),
        Binding("y", "sync", "Sync", id="admin.sync"),
        Binding("f5", "reload", "Reload", id="admin.reload", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="admin"):
            yield Label("Your display", classes="card-title")
            with Horizontal(classes="form-row"):
                yield Label("Theme")
                yield Select(
                    [("dark", "textual-dark"), ("light", "textual-light")],
                    allow_blank=False,
                    value=self.app.prefs["theme"],
                    id="theme",
                )
            with Horizontal(classes="form-row"):
                yield Label("Reorder Arabic")
                yield Switch(value=self.app.prefs["arabic_reorder"], id="arabic_reorder")
            yield Static(
                "Turn off on terminals that shape and reorder Arabic themselves (VTE/GNOME Terminal, "
                "Konsole); leave on elsewhere.",
                classes="hint",
            )

            if may(self, CENTRES_READ):
                yield Label("Training centres", classes="card-title")
                yield Static("Loading …", id="centre-list")
            # Forms a role may not use are not offered (the services refuse them anyway).
            if may(self, "reference.write"):
                yield from self._centre_form()
            if may(self, "user.manage"):
                yield from self._user_form()
        yield KeyBar()

    def _centre_form(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("New centre")
            yield Field(placeholder="code", id="centre-code")
            yield Field(placeholder="name (English)", id="centre-name")
            yield Select([(p.name_en, p.code) for p in reference.PROVINCES], prompt="Province", id="centre-province")
            yield Button("Add centre", id="add-centre")
        yield Static("", id="centre-status", classes="error")

    def _user_form(self) -> ComposeResult:
        yield Label("Add a user", classes="card-title")
        with Horizontal(classes="form-row"):
            yield Label("User")
            yield Field(placeholder="user name", id="user-name")
            yield Select([(r, r) for r in ROLES], prompt="Role", id="user-role")
        with Horizontal(classes="form-row"):
            yield Label("Password (twice)")
            yield Field(placeholder="password", password=True, id="user-password")
            yield Field(placeholder="again", password=True, id="user-password2")
            yield Button("Add user", id="add-user")
        yield Static("", id="user-status", classes="error")

    def on_mount(self) -> None:
        self.action_reload()

    def action_users(self) -> None:
        """The full user management: roles, centres, lockouts."""
        self.app.push_screen(AdminUsersScreen(self.actor))

    def action_settings(self) -> None:
        """Idle lock, vetting validity, working week, certificate signatory, backups, your exports folder."""
        from screens.admin_settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def action_sync(self) -> None:
        """This site's identity, peers, export and import of bundles, what waits for review."""
        from screens.admin_sync import SyncScreen

        self.app.push_screen(SyncScreen())

    def action_reload(self) -> None:
        if may(self, CENTRES_READ):
            self.call("centres", centres.list_centres, self.actor)

    def failed_centres(self, error) -> None:
        self.query_one("#centre-list", Static).update(f"Not shown: {error}")  # never left at "Loading …"

    def done_centres(self, rows: list[CentreView]) -> None:
        text = "\n".join(f"{c.code:<14} {c.name_en} ({c.province})" for c in rows) or "No centre yet."
        self.query_one("#centre-list", Static).update(text)

    @on(Select.Changed, "#theme")
    def _theme(self, event: Select.Changed) -> None:
        if event.value != self.app.theme:
            self.app.theme = str(event.value)
            self.app.set_preference("theme", event.value)

    @on(Switch.Changed, "#arabic_reorder")
    def _reorder(self, event: Switch.Changed) -> None:
        self.app.set_preference("arabic_reorder", event.value)

    @on(Button.Pressed, "#add-centre")
    def _add_centre(self) -> None:
        province = self.query_one("#centre-province", Select).value
        self.call(
            "add_centre",
            centres.create_centre,
            self.actor,
            self.query_one("#centre-code", Field).value,
            self.query_one("#centre-name", Field).value,
            "" if province is Select.NULL else province,
        )

    def done_add_centre(self, centre: CentreView) -> None:
        self.query_one("#centre-status", Static).update(f"Added {centre.code}.")
        for name in ("#centre-code", "#centre-name"):
            self.query_one(name, Field).value = ""
        self.action_reload()

    def failed_add_centre(self, error) -> None:
        self.query_one("#centre-status", Static).update(str(error))

    @on(Button.Pressed, "#add-user")
    def _add_user(self) -> None:
        first = self.query_one("#user-password", Field).value
        if first != self.query_one("#user-password2", Field).value:
            self.query_one("#user-status", Static).update("The two passwords differ.")
            return
        role = self.query_one("#user-role", Select).value
        self.call(
            "add_user",
            users.create_user,
            self.actor,
            self.query_one("#user-name", Field).value,
            "" if role is Select.NULL else role,
            first,
        )

    def done_add_user(self, view) -> None:
        self.query_one("#user-status", Static).update(f"Added {view.username} ({view.role}).")
        for name in ("#user-name", "#user-password", "#user-password2"):
            self.query_one(name, Field).value = ""

    def failed_add_user(self, error) -> None:
        self.query_one("#user-status", Static).update(str(error))
