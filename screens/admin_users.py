"""User management (admin): add, disable/enable, role and centres, clear a lockout; backup schedule."""

from __future__ import annotations

from typing import cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from screens.calls import ServiceCalls
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.dialogs import ConfirmDialog
from screens.widgets.guard import DiscardGuard
from trainer.accounts import backup, users
from trainer.accounts.access import ROLES, Actor

ROLE_OPTIONS = [(r, r) for r in ROLES]


class UserForm(DiscardGuard, ModalScreen[dict | None]):
    """New user (name, role, centres, password) or, with `user`, a change of role and centres."""

    DEFAULT_CSS = """
    UserForm { align: center middle; }
    UserForm #user-form { width: 64; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    UserForm .error { color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, user: users.UserView | None = None) -> None:
        super().__init__()
        self.user = user

    def compose(self) -> ComposeResult:
        u = self.user
        with Vertical(id="user-form"):
            yield Label(f"Role and centres of {u.username}" if u else "Add a user", classes="card-title")
            if u is None:
                yield Input(placeholder="user name", id="username")
            yield Select(ROLE_OPTIONS, value=u.role if u else "registrar", allow_blank=False, id="role")
            yield Input(
                value=" ".join(u.centres) if u else "",
                placeholder="centre codes (registrars), space-separated",
                id="centres",
            )
            if u is None:
                yield Input(placeholder=f"password (at least {users.MIN_PASSWORD})", password=True, id="password")
                yield Input(placeholder="password again", password=True, id="password2")
            yield Static("", id="form-error", classes="error")
            with Horizontal():
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        values = {
            "role": self.query_one("#role", Select).value,
            "centres": tuple(self.query_one("#centres", Input).value.split()),
        }
        if self.user is None:
            first, again = self.query_one("#password", Input).value, self.query_one("#password2", Input).value
            if first != again:
                self.query_one("#form-error", Static).update("The two passwords differ.")
                return
            values.update(username=self.query_one("#username", Input).value.strip(), password=first)
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.leave()


class ScheduleForm(DiscardGuard, ModalScreen[dict | None]):
    DEFAULT_CSS = """
    ScheduleForm { align: center middle; }
    ScheduleForm #schedule { width: 64; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, plan: dict) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(id="schedule"):
            yield Label("Scheduled backups (0 hours = off)", classes="card-title")
            yield Input(str(self.plan["every_hours"]), placeholder="every N hours", id="every", type="integer")
            yield Input(self.plan["directory"], placeholder="directory", id="directory")
            yield Input(str(self.plan["keep"]), placeholder="keep the newest N", id="keep", type="integer")
            with Horizontal():
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        def number(widget_id: str) -> int:
            text = self.query_one(widget_id, Input).value.strip()
            return int(text) if text.lstrip("-").isdigit() else -1

        self.dismiss(
            {
                "every_hours": number("#every"),
                "directory": self.query_one("#directory", Input).value,
                "keep": number("#keep"),
            }
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.leave()


class AdminUsersScreen(ServiceCalls, Screen):
    """Accounts at a glance; the keys act on the highlighted one. Services refuse non-admins anyway."""

    BINDINGS = [
        # Letters other than the area keys (docs/keys.md): n new, x take out of use, enter edit.
        Binding("n", "add", "Add user", id="users.add"),
        Binding("x", "toggle_disabled", "Disable/enable", id="users.disable"),
        Binding("enter", "role", "Role & centres", id="users.role", key_display="⏎"),
        Binding("u", "clear_lockout", "Clear lockout", id="users.unlock"),
        Binding("h", "history", "History", id="users.history"),
        Binding("b", "schedule", "Backup schedule", id="users.schedule"),
        Binding("escape", "back", "Back", id="users.back"),
    ]

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self._actor = actor
        self.rows: list[users.UserView] = []

    @property
    def actor(self) -> Actor:
        return self._actor or cast(Actor, self.app.actor)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="users-status")
        yield DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="schedule-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("user", "role", "centres", "status", "last sign-in", "sessions")
        self.reload()

    def reload(self) -> None:
        self.call("list", users.list_users, self.actor)
        self.call("plan", backup.schedule)

    def done_list(self, rows: list[users.UserView]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for u in rows:
            status = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
            table.add_row(
                u.username,
                u.role,
                " ".join(u.centres),
                status,
                f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "never",
                str(u.open_sessions),
                key=str(u.id),
            )
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))
        self.query_one("#users-status", Static).update(f"{len(rows)} account(s)")
        table.focus()

    def failed_list(self, error) -> None:
        self.query_one("#users-status", Static).update(str(error))

    def done_plan(self, plan: dict) -> None:
        self.plan = plan
        text = (
            f"Backups every {plan['every_hours']} h into {plan['directory']} (keeping {plan['keep']})"
            if plan["every_hours"]
            else "Scheduled backups are off (b to set)"
        )
        self.query_one("#schedule-status", Static).update(text)

    def current(self) -> users.UserView | None:
        table = self.query_one(DataTable)
        return self.rows[table.cursor_row] if self.rows and 0 <= table.cursor_row < len(self.rows) else None

    def _changed(self, view) -> None:
        self.notify("saved")
        self.reload()

    done_add = done_disable = done_role = done_unlock = done_schedule = _changed

    def action_add(self) -> None:
        def added(values: dict | None) -> None:
            if values:
                self.call(
                    "add",
                    users.create_user,
                    self.actor,
                    values["username"],
                    values["role"],
                    values["password"],
                    values["centres"],
                )

        self.app.push_screen(UserForm(), added)

    def action_toggle_disabled(self) -> None:
        if (u := self.current()) is None:
            return
        if u.disabled:
            question = f"Enable {u.username} ({u.role})? They can sign in again."
        else:
            question = f"Disable {u.username} ({u.role})? They are signed out now and cannot sign in until enabled."

        def answered(yes: bool | None) -> None:
            if yes:
                self.call("disable", users.set_disabled, self.actor, u.id, not u.disabled)

        self.app.push_screen(ConfirmDialog(question), answered)

    @on(DataTable.RowSelected, "#users-table")
    def _row_chosen(self) -> None:
        self.action_role()

    def action_role(self) -> None:
        if (u := self.current()) is None:
            return

        def chosen(values: dict | None) -> None:
            if values:
                self.call("role", users.set_role, self.actor, u.id, values["role"], values["centres"])

        self.app.push_screen(UserForm(u), chosen)

    def action_clear_lockout(self) -> None:
        if (u := self.current()) is not None:
            self.call("unlock", users.clear_lockout, self.actor, u.id)

    def action_history(self) -> None:
        if (u := self.current()) is not None:
            from screens.history import RecordHistoryScreen

            self.app.push_screen(RecordHistoryScreen("user", u.uuid, u.username, self.actor))

    def action_schedule(self) -> None:
        def chosen(values: dict | None) -> None:
            if values:
                self.call(
                    "schedule",
                    backup.set_schedule,
                    self.actor,
                    values["every_hours"],
                    values["directory"],
                    values["keep"],
                )

        self.app.push_screen(ScheduleForm(getattr(self, "plan", dict(backup.DEFAULT_SCHEDULE))), chosen)

    def action_back(self) -> None:
        self.app.pop_screen()
