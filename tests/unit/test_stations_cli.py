"""Police in a Box from the command line: exit 0 done, 1 refused (one line), 2 usage."""

from __future__ import annotations

import pytest

import tests.instructor_fixtures as fx
from trainer.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch, private_config):
    url = f"sqlite:///{tmp_path / 'box.db'}"
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse battery")
    assert main(["--db", url, "init"]) == 0
    from trainer.accounts import users

    users.create_user(None, "boss", "admin", "correct horse battery")
    fx.build(trainees=2)  # the MOSUL centre and a cohort

    def run(*argv: str) -> int:
        return main(["--db", url, "--user", "boss", *argv])

    return run


private_config = fx.private_config


def test_a_kit_from_plan_to_station_and_its_refusals(cli, capsys):
    assert cli("station", "add", "NI-001", "--kind", "police", "--province", "Ninawa", "--name", "Bartella",
               "--strength", "4", "--centre", "MOSUL") == 0  # fmt: skip
    assert cli("kit", "plan", "PK-001", "--kind", "police") == 0
    assert cli("kit", "receive", "PK-001", "--centre", "MOSUL", "--signed-by", "Capt. Ahmed") == 0
    assert cli("kit", "check", "PK-001", "--missing", "GPS:lost in transit") == 0
    assert cli("kit", "issue", "PK-001", "--station", "NI-001", "--signed-by", "Capt. Ahmed") == 0
    capsys.readouterr()
    assert cli("kit", "issue", "PK-001", "--station", "NI-001", "--signed-by", "Capt. Ahmed") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already issued to NI-001" in err
    with pytest.raises(SystemExit) as usage:
        cli("kit", "check", "PK-001", "--missing", "GPS")
    assert usage.value.code == 2
    assert cli("kit", "show", "PK-001") == 0
    shown = capsys.readouterr().out
    assert "GPS" in shown and "missing" in shown and "lost in transit" in shown and "signed by Capt. Ahmed" in shown
    assert cli("report", "box-status", "--format", "csv") == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[0].startswith("level,kind,province,centre,kits,received")
    # Data only: the kind's total (level "all") goes to standard error with the notes.
    assert len(out) == 2 and out[1].startswith("location,police,IQ-NI,MOSUL,1,1,1,0,") and out[1].endswith(",1,0,1")
    assert '# totals: {"kits": 1, "received": 1, "at_stations": 1, "set_up": 0' in captured.err
    assert cli("report", "box-status", "--format", "csv", "--with-totals") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("all,police,,,1,1,1,0,") and out[-1].endswith(",1,0,1")
    with pytest.raises(SystemExit) as usage:
        cli("report", "pass-rates", "--days", "30")
    assert usage.value.code == 2


def test_a_refused_personnel_list_leaves_its_review_report(cli, capsys, tmp_path):
    from db import models
    from db.connection import database

    assert cli("station", "add", "NI-001", "--kind", "police", "--province", "Ninawa", "--name", "Bartella",
               "--centre", "MOSUL") == 0  # fmt: skip
    with database.connection_context():
        someone = models.Trainee.select(models.Trainee.national_id).order_by(models.Trainee.id).scalar()
    sheet = tmp_path / "personnel.csv"
    sheet.write_text(
        f"national_id,station,start_date\n{someone},NI-001,2025-04-01\n999999999999,NI-009,2025-04-01\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    report = tmp_path / "review.csv"
    assert cli("posting", "import", str(sheet), "--report", str(report)) == 1  # all or nothing: refused
    assert capsys.readouterr().err.count("\n") == 1
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,outcome,column,reason"
    assert lines[1].startswith("2,rejected,national_id,the person has not graduated")
    assert lines[2].startswith("3,rejected,national_id,no person")
    assert lines[3] == "3,rejected,station,no station 'NI-009'"
    with database.connection_context():
        assert models.Posting.select().count() == 0
