"""`trainer site …` and `trainer cert revoke` driven through the command line, checked in the database."""

from __future__ import annotations

import json

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.accounts import users
from trainer.cli import main
from trainer.setup import connect

pytestmark = pytest.mark.usefixtures("private_config")
PASSWORD = "correct horse battery"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _admin(url: str, name: str = "chief") -> None:
    connect(url)
    from trainer.accounts.access import SYSTEM

    users.create_user(SYSTEM, name, "admin", PASSWORD)
    users.create_user(SYSTEM, "clerk", "registrar", PASSWORD)


def test_headquarters_and_a_site_exchange_keys(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "site-test-audit-key-0123456789abcdef")  # one key, two config dirs
    site_url = f"sqlite:///{tmp_path / 'erbil.db'}"
    _admin(site_url)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "erbil-config"))
    as_chief = ("--db", site_url, "--user", "chief")
    code, out, err = run(capsys, *as_chief, "site", "init", "ERBIL", "--name", "Erbil Training Site", "--block", "3")
    assert code == 0 and "site ERBIL" in out and "block 03" in out, err
    code, _, err = run(capsys, *as_chief, "site", "init", "ERBIL2", "--name", "again", "--block", "4")
    assert code == 1 and err.count("\n") == 1 and "already field site ERBIL" in err
    code, _, err = run(capsys, "--db", site_url, "--user", "clerk", "site", "show")
    assert code == 1 and "may not site manage" in err
    key_file = tmp_path / "erbil.json"
    assert run(capsys, *as_chief, "site", "key", "--output", str(key_file))[0] == 0
    code, shown, _ = run(capsys, *as_chief, "site", "show")
    document = json.loads(key_file.read_text())
    assert (document["code"], document["kind"], document["block"]) == ("ERBIL", "site", 3)
    assert code == 0 and "field site" in shown and "Erbil Training Site" in shown

    # Headquarters (this backend, its own config directory) trusts the site's document.
    _admin(db_url)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "hq-config"))
    as_hq = ("--db", db_url, "--user", "chief")
    assert run(capsys, *as_hq, "site", "init", "HQ", "--name", "Baghdad HQ", "--hq")[0] == 0
    code, _, err = run(capsys, *as_hq, "site", "trust", "BASRA", "--public-key", str(key_file))
    assert code == 1 and "is for site ERBIL, not BASRA" in err and "Traceback" not in err
    (tmp_path / "junk.pem").write_text("-----BEGIN PUBLIC KEY-----\n")
    code, _, err = run(capsys, *as_hq, "site", "trust", "ERBIL", "--public-key", str(tmp_path / "junk.pem"))
    assert code == 1 and "junk.pem is not JSON" in err
    code, _, err = run(capsys, *as_hq, "site", "trust", "ERBIL", "--public-key", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in err
    code, out, _ = run(capsys, *as_hq, "site", "trust", "ERBIL", "--public-key", str(key_file))
    assert code == 0 and "trusted field site ERBIL, block 03" in out
    code, out, _ = run(capsys, *as_hq, "site", "peers")
    fingerprint = [line for line in shown.splitlines() if line.startswith("ed25519:")][0].split()[-1]
    assert code == 0 and "ERBIL" in out and fingerprint in out and "1 trusted peer\n" in out
    with database.connection_context():
        stored = json.loads(models.Setting.get(models.Setting.key == "site.peer.ERBIL").value)
    assert stored["ed25519"] == document["ed25519"]


def test_site_usage_errors_exit_2(capsys):
    for argv in (["site", "init", "ERBIL", "--name", "x"], ["site", "init", "ERBIL", "--name", "x", "--block", "0"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


def test_cert_revoke_on_the_command_line(db_url, monkeypatch, capsys):
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    w = build(trainees=1)
    _admin(db_url)
    from trainer.certification import certificates as certs

    with database.connection_context():
        models.Enrolment.update(status="graduated").where(models.Enrolment.id.in_(w.enrolments)).execute()
    number = certs.issue(w.admin, w.enrolments[0], on=D(2025, 3, 14)).number
    as_chief = ("--db", db_url, "--user", "chief")
    with pytest.raises(SystemExit) as exc:
        main([*as_chief, "cert", "revoke", number])  # no --reason
    assert exc.value.code == 2
    code, _, err = run(capsys, "--db", db_url, "--user", "clerk", "cert", "revoke", number, "--reason", "x")
    assert code == 1 and "may not certificate revoke" in err
    code, _, err = run(capsys, *as_chief, "cert", "revoke", "IQTC-0000000011", "--reason", "x")
    assert code == 1 and "check digit" in err
    code, _, err = run(capsys, *as_chief, "cert", "revoke", number, "--reason", "   ")
    assert code == 1 and "needs a reason" in err
    code, out, _ = run(capsys, *as_chief, "cert", "revoke", number.lower(), "--reason", "issued  in error")
    assert code == 0 and out == f"revoked {number}: issued in error\n"
    code, _, err = run(capsys, *as_chief, "cert", "revoke", number, "--reason", "again")
    assert code == 1 and "already revoked" in err
    connect(db_url)
    assert certs.public_status(number) == ("revoked", "issued in error", "")
    with database.connection_context():
        event = models.AuditEvent.select().where(models.AuditEvent.action == "revoke").get()
    assert event.username == "chief"
