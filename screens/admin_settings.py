"""Admin > Site settings: each setting with its value and meaning; Enter changes the highlighted one.
Also the last backup's time and result, and what takes scheduled backups (docs/settings.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.calls import ServiceCalls
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field
from trainer.accounts import backup, settings, site_settings
from trainer.errors import TrainerError

EXPORTS = "exports_directory"
TIMER_NOTE = (
    "A system timer (cron, systemd) runs `trainer backup --scheduled` hourly and it backs up when one "
    "is due; the app takes none itself (docs/settings.md)."
)


@dataclass(frozen=True)
class Loaded:
    rows: list[tuple[site_settings.SiteSetting, str]]
    exports: str
    last: dict | None
    attempt: dict | None


def load(actor) -> Loaded:
    return Loaded(
        site_settings.values(actor), str(settings.exports_folder(actor)), backup.last_backup(), backup.last_attempt()
    )


def backup_lines(loaded: Loaded) -> str:
    def when(text: str) -> str:
        at = datetime.datetime.fromisoformat(text)
        return at.strftime("%Y-%m-%d %H:%M UTC")

    last = f"Last backup: {when(loaded.last['at'])}, {loaded.last['path']}" if loaded.last else "Last backup: none yet"
    a = loaded.attempt
    run = (
        f"Last scheduled run: {when(a['at'])}, {'done' if a['ok'] else 'FAILED: ' + a['text']}"
        if a
        else "Last scheduled run: none recorded"
    )
    return f"{last}\n{run}\n{TIMER_NOTE}"


class ValueDialog(ModalScreen[str | None]):
    """One setting's new value as text; Enter saves, Escape leaves it as it was."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="setting_value.cancel")]

    def __init__(self, label: str, meaning: str, current: str) -> None:
        super().__init__()
        self.label, self.meaning, self.current = label, meaning, current

    def compose(self) -> ComposeResult:
        with Vertical(id="setting-value", classes="dialog"):
            yield Label(self.label, classes="card-title")
            yield Static(self.meaning)
            yield Field(self.current, id="setting-text")
            yield Static("", id="setting-error", classes="error")
            yield Static("Enter to save, Escape to cancel.", classes="hint")

    @on(Field.Submitted, "#setting-text")
    def _submitted(self, event: Field.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SettingsScreen(ServiceCalls, Screen):
    BINDINGS = [
        Binding("enter", "change", "Change", id="settings.change"),
        Binding("escape", "back", "Back", id="settings.back"),
        Binding("f5", "reload", "Reload", id="settings.reload", show=False),
    ]

    DEFAULT_CSS = """
    SettingsScreen #settings-list { height: 1fr; }
    SettingsScreen #backup-status { height: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading …", id="backup-status")  # first: it must show even at 80×24
        yield Label("Site settings (Enter changes the highlighted one)", classes="card-title")
        yield OptionList(id="settings-list")
        yield Static("", id="settings-status", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#settings-list").focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.call("load", load, self.actor)

    def done_load(self, loaded: Loaded) -> None:
        self.loaded = loaded
        table = self.query_one("#settings-list", OptionList)
        keep = table.highlighted or 0
        table.clear_options()
        rows = [(item.key, item.label, text, item.meaning) for item, text in loaded.rows]
        rows.append((EXPORTS, "Your exports folder", loaded.exports, "Reports, exports, PDFs and badges go here."))
        for key, label, text, meaning in rows:
            prompt = Text.assemble((f"{label:<28}", "bold"), text or "(empty)", "\n", (f"  {meaning}", "dim"))
            table.add_option(Option(prompt, id=key))
        table.highlighted = min(keep, len(rows) - 1)
        self.texts = {key: (label, meaning, text) for key, label, text, meaning in rows}
        self.query_one("#backup-status", Static).update(Text(backup_lines(loaded)))

    @on(OptionList.OptionSelected, "#settings-list")
    def action_change(self) -> None:
        table = self.query_one("#settings-list", OptionList)
        if table.highlighted is None or not hasattr(self, "texts"):
            return
        key = cast(str, table.get_option_at_index(table.highlighted).id)  # every option has one
        label, meaning, text = self.texts[key]
        self.app.push_screen(ValueDialog(label, meaning, text), lambda value: self._changed(key, value))

    def _changed(self, key: str, value: str | None) -> None:
        if value is None:
            return
        if key == EXPORTS:
            self.app.set_preference(EXPORTS, value.strip())  # applies at once, stored in the background
            self.done_saved(value)
        else:
            self.saved_key = key
            self.call("saved", site_settings.change, self.actor, key, value)

    def done_saved(self, _value) -> None:
        if getattr(self, "saved_key", "") == "idle_lock_minutes" and hasattr(self.app, "idle_lock"):
            self.app.idle_lock.refresh_minutes()  # the new idle time counts at once, not after a restart
        self.query_one("#settings-status", Static).update("")
        self.app.notify("Setting saved.", title="Settings")
        self.action_reload()

    def failed_saved(self, error: TrainerError) -> None:
        self.query_one("#settings-status", Static).update(str(error))

    def action_back(self) -> None:
        self.app.pop_screen()
