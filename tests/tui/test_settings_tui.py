"""Admin > Site settings by keys: change a setting (stored where its reader looks), a refusal is
shown in words, and the backup status says what takes scheduled backups."""

from __future__ import annotations

from screens.admin_settings import SettingsScreen, ValueDialog
from tests.tui.conftest import SIZE, new_app, settle, sign_in, text_of
from trainer.accounts import backup
from trainer.accounts.access import SYSTEM
from trainer.registry import vetting


async def test_change_vetting_validity_and_see_backup_status(admin_url):
    backup.note_attempt(False, "disk full")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        status = text_of(app, "#backup-status")
        assert "Last backup: none yet" in status and "FAILED: disk full" in status
        assert "trainer backup --scheduled" in status
        await pilot.press("down", "enter")  # the second setting: vetting validity
        await settle(pilot)
        assert isinstance(app.screen, ValueDialog) and app.screen.query_one("#setting-text").value == "12"
        await pilot.press("backspace", "backspace", *"99", "enter")
        await settle(pilot)
        assert "vetting_validity_months: a whole number from 1 to 60" in text_of(app, "#settings-status")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("backspace", "backspace", *"18", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen) and text_of(app, "#settings-status") == ""
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SettingsScreen)
    assert vetting.validity_months() == 18
    from trainer.accounts import site_settings

    assert site_settings.value(SYSTEM, "vetting_validity_months") == 18


async def test_exports_go_to_the_chosen_folder_not_the_current_one(admin_url, tmp_path):
    from screens.reports import ReportsScreen
    from trainer.accounts import settings, users

    admin = users.authenticate("admin", "correct horse")
    settings.set_personal(admin, "exports_directory", str(tmp_path / "out"))
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert app.screen.query_one("#output").value.startswith(str(tmp_path / "out") + "/")


async def test_a_new_idle_time_counts_at_once(admin_url):
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert app.idle_lock.minutes == 10
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter")  # the first setting: the idle lock
        await settle(pilot)
        await pilot.press("backspace", "backspace", *"3", "enter")
        await settle(pilot)
        assert app.idle_lock.minutes == 3
