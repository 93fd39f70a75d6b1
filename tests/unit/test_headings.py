"""Tables for people say words, not field names; files for programs keep the field names."""

from __future__ import annotations

from trainer.cli import main
from trainer.reporting.headings import heading, headings


def test_field_names_become_words():
    assert headings(("province", "province_en", "force", "trained_pct", "reason: medical", "Total")) == (
        "Province code",
        "Province",
        "Force",
        "Trained %",
        "reason: medical",
        "Total",
    )
    assert heading("holding_ilp_or_community") == "Holding ILP or community"
    assert heading("some_new_field") == "Some new field"


def test_table_output_has_words_and_csv_keeps_names(db_url, capsys, monkeypatch):
    from trainer.accounts import users

    users.create_user(None, "ana", "analyst", "correct horse")
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse")
    base = ["--db", db_url, "--user", "ana", "report", "requirement-gap"]
    assert main([*base, "--format", "table"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "Trained %" in header and "Province" in header and "_" not in header
    assert main([*base, "--format", "csv"]) == 0
    assert capsys.readouterr().out.lstrip("\ufeff").startswith("province,province_en,force,")
