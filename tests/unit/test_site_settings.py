"""Site settings by name (service and `trainer settings`): stored where their readers look, refusals in words."""

from __future__ import annotations

import pytest

from trainer.accounts import backup, settings, site_settings, users
from trainer.accounts.access import SYSTEM, Actor
from trainer.cli import main
from trainer.errors import PermissionDenied, ValidationFailed
from trainer.registry import vetting
from trainer.training import sessions


def test_each_setting_reaches_its_reader(db_url):
    site_settings.change(SYSTEM, "vetting_validity_months", "6")
    site_settings.change(SYSTEM, "working_week", "Saturday, sun, mon")
    site_settings.change(SYSTEM, "backup_directory", "/srv/backups")
    site_settings.change(SYSTEM, "backup_every_hours", "24")
    assert vetting.validity_months() == 6
    assert sessions.working_week() == ("sat", "sun", "mon")
    assert backup.schedule() == {"every_hours": 24, "directory": "/srv/backups", "keep": 14}
    shown = dict((item.key, text) for item, text in site_settings.values(SYSTEM))
    assert shown["working_week"] == "sat, sun, mon" and shown["idle_lock_minutes"] == "10"


@pytest.mark.parametrize(
    "key, text, reason",
    [
        ("idle_lock_minutes", "0", "a whole number from 1 to 240"),
        ("working_week", "funday", "day names separated by commas"),
        ("nonsense", "1", "no setting 'nonsense'"),
    ],
)
def test_bad_values_are_refused(db_url, key, text, reason):
    with pytest.raises(ValidationFailed, match=reason):
        site_settings.change(SYSTEM, key, text)


def test_only_an_admin_changes_them(db_url):
    with pytest.raises(PermissionDenied):
        site_settings.change(Actor(None, "reg", "registrar"), "idle_lock_minutes", "5")


def test_exports_folder_defaults_to_documents_and_is_personal(db_url, tmp_path):
    uid = users.create_user(None, "admin", "admin", "correct horse").id
    me = Actor(uid, "admin", "admin")
    assert settings.exports_folder(me) == settings.default_exports_folder()
    assert settings.default_exports_folder().name == "trainer-exports"
    settings.set_personal(me, "exports_directory", str(tmp_path))
    assert settings.exports_folder(me) == tmp_path


def test_cli_get_and_set(db_url, monkeypatch, capsys):
    users.create_user(None, "admin", "admin", "correct horse")
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse")
    base = ["--db", db_url, "--user", "admin", "settings"]
    assert main([*base, "set", "idle_lock_minutes", "15"]) == 0
    assert capsys.readouterr().out.strip() == "idle_lock_minutes = 15"
    assert main([*base, "get", "idle_lock_minutes"]) == 0
    assert capsys.readouterr().out.strip() == "15"
    assert main([*base, "set", "idle_lock_minutes", "lots"]) == 1
    assert capsys.readouterr().err.strip() == "trainer: idle_lock_minutes: a whole number from 1 to 240"
    with pytest.raises(SystemExit) as usage:
        main([*base, "get", "colour"])
    assert usage.value.code == 2


def test_scheduled_backup_failure_is_recorded(db_url, monkeypatch, capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    site_settings.change(SYSTEM, "backup_directory", str(blocker / "sub"))
    site_settings.change(SYSTEM, "backup_every_hours", "1")
    assert main(["--db", db_url, "backup", "--scheduled"]) == 1
    assert "scheduled backup failed" in capsys.readouterr().err
    attempt = backup.last_attempt()
    assert attempt["ok"] is False and attempt["text"]


def test_scheduled_backup_success_is_recorded(db_url, capsys, tmp_path):
    site_settings.change(SYSTEM, "backup_directory", str(tmp_path / "backups"))
    site_settings.change(SYSTEM, "backup_every_hours", "24")
    assert main(["--db", db_url, "backup", "--scheduled"]) == 0
    assert "backed up to" in capsys.readouterr().out
    attempt = backup.last_attempt()
    assert attempt["ok"] is True and attempt["text"].startswith(str(tmp_path / "backups"))
    assert backup.last_backup()["path"] == attempt["text"]
