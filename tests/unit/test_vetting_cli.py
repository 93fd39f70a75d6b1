"""trainer vetting record | history and trainer import vetting: one line per refusal, nothing half-written."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests import clerk_data as make
from trainer.accounts import users
from trainer.cli import main


@pytest.fixture
def admin(db_url, monkeypatch):
    users.create_user(None, "admin", "admin", "correct horse")
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse")
    return ["--db", db_url, "--user", "admin"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count() -> int:
    with database.connection_context():
        return models.VettingRecord.select().count()


def test_record_then_history(admin, capsys):
    make.trainee(national_id="199512345678")
    code, out, err = run(
        capsys,
        *admin,
        "vetting",
        "record",
        "--national-id",
        "199512345678",
        "--case-ref",
        "lv-1",
        "--result",
        "approved",
        "--date",
        "2026-01-05",
        "--funder",
        "US",
    )
    assert code == 0 and "recorded approved decision LV-1 for 1 trainee(s)" in out
    code, out, err = run(capsys, *admin, "vetting", "history", "--national-id", "199512345678")
    assert code == 0 and "2026-01-05" in out and "LV-1" in out and "individual" in out


def test_record_refusals_are_one_line(admin, capsys):
    make.trainee(national_id="199512345678")
    code, out, err = run(
        capsys,
        *admin,
        "vetting",
        "record",
        "--national-id",
        "199512345678",
        "--case-ref",
        "LV-1",
        "--result",
        "approved",
    )
    assert code == 1 and err.strip() == "trainer: decision_date: required when the result is approved"
    code, out, err = run(
        capsys, *admin, "vetting", "record", "--national-id", "000", "--case-ref", "LV-1", "--result", "pending"
    )
    assert code == 1 and err.strip() == "trainer: no trainee with national id 000"
    with pytest.raises(SystemExit) as usage:
        main([*admin, "vetting", "record", "--case-ref", "LV-1", "--result", "pending"])
    assert usage.value.code == 2
    assert count() == 0


def test_import_vetting_all_or_nothing(admin, capsys, tmp_path):
    make.trainee(national_id="199512345678")
    f = tmp_path / "batch.csv"
    f.write_text(
        "national_id,case_ref,result,decision_date\n199512345678,LV-1,approved,2026-01-05\n1,LV-2,approved,2026-01-05\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, *admin, "import", "vetting", str(f))
    assert code == 1 and "row 3, national_id: no trainee with national_id 1" in err
    assert count() == 0
    f.write_text("national_id,case_ref,result,decision_date\n199512345678,LV-1,approved,2026-01-05\n", encoding="utf-8")
    code, out, err = run(capsys, *admin, "import", "vetting", str(f))
    assert code == 0 and "1 decisions recorded in one transaction (1 individual, 0 unit)" in out
    assert count() == 1
