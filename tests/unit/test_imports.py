"""Importing rosters: the sample files as their expected*.json say, on SQLite and PostgreSQL;
generated rosters round-trip; bad bytes only refuse; a killed import leaves nothing behind."""

from __future__ import annotations

import csv
import datetime
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import models
from db.connection import database
from tests.fixtures.make_roster import ARABIC_GIVEN, FORCE_CODE, LATIN_GIVEN, PROVINCE_CODE, make_rows, write_roster
from trainer.accounts.access import Actor
from trainer.cli import main
from trainer.errors import PermissionDenied, TrainerError
from trainer.registry import names, trainees
from trainer.rosters import imports
from trainer.rosters import reading as roster

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "roster"
SAMPLE, FOLLOWUP = FIXTURES / "roster.csv", FIXTURES / "roster_followup.csv"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
EXPECTED_FOLLOWUP = json.loads((FIXTURES / "expected_followup.json").read_text(encoding="utf-8"))
CLERK = Actor(user_id=None, username="clerk", role="registrar")


def counts() -> dict[str, int]:
    with database.connection_context():
        return {
            "trainee": models.Trainee.select().count(),
            "batch": models.ImportBatch.select().count(),
            "held": models.HeldRow.select().count(),
            "unit": models.Unit.select().count(),
            "assignment": models.UnitAssignment.select().count(),
            "audit": models.AuditEvent.select().where(models.AuditEvent.action == "import").count(),
        }


# --- the sample files ----------------------------------------------------------


def test_the_plain_import_refuses_and_lists_every_invalid_and_duplicate_row(db_url):
    with pytest.raises(imports.ImportRefused) as exc:
        imports.import_trainees(CLERK, SAMPLE)
    report = exc.value.report
    assert {(r.row, r.column) for r in report.rejected} == (
        {(r["row"], r["column"]) for r in EXPECTED["invalid_rows"]}
        | {(d["row"], "national_id") for d in EXPECTED["duplicate_rows"]}
    )
    reasons = {r.row: r.reason for r in report.rejected}
    for d in EXPECTED["duplicate_rows"]:
        assert reasons[d["row"]] == f"duplicate of row {d['duplicate_of_row']}"
    assert reasons[18] == "2031-05-14 is in the future" and reasons[19] == "unknown force 'navy'"
    assert (report.encoding, report.date_order) == ("UTF-8 with BOM", EXPECTED["date_order"])
    assert report.valid == EXPECTED["valid_new_persons"] and not report.written
    assert set(counts().values()) == {0}


def test_skip_invalid_adds_30_keeps_formulas_as_text_and_a_second_run_adds_nothing(db_url):
    report = imports.import_trainees(CLERK, SAMPLE, skip_invalid=True)
    assert report.written and report.new == EXPECTED["valid_new_persons"] == 30
    assert len(report.invalid_rows) == 6
    after = counts()
    assert (after["trainee"], after["batch"], after["audit"]) == (30, 1, 1)
    with database.connection_context():
        unit_names = {u.name for u in models.Unit.select()}
        assert set(EXPECTED["formula_payloads_in_unit"]) <= unit_names
        t = models.Trainee.get(models.Trainee.national_id == "523984687954")  # Arabic-Indic in the file
        assert (t.given_name, t.date_of_birth, t.force_id, t.province_id) == (
            "نبيل",
            datetime.date(1987, 8, 1),
            "peshmerga",
            "IQ-BG",
        )
        assert t.source == f"import:{report.batch_uuid}"
        hussein = models.Trainee.get(models.Trainee.national_id == "630344258664")
        assert hussein.unit_history.get().unit.name == '=HYPERLINK("http://example.invalid","x")'
        event = models.AuditEvent.get(models.AuditEvent.action == "import")
        assert json.loads(event.detail)["after"]["added"] == 30
    again = imports.import_trainees(CLERK, SAMPLE, skip_invalid=True)
    assert again.new == 0 and len(again.already_present) == 30
    assert counts()["trainee"] == 30


def test_the_followup_holds_ten_for_review_and_adds_five(db_url):
    imports.import_trainees(CLERK, SAMPLE, skip_invalid=True)
    report = imports.import_trainees(CLERK, FOLLOWUP)
    assert len(report.held) == EXPECTED_FOLLOWUP["held_for_review"] == 10
    assert report.new == EXPECTED_FOLLOWUP["new_persons"] == 5
    with database.connection_context():
        assert models.HeldRow.select().where(models.HeldRow.status == "pending").count() == 10
        held = {h.row: h for h in report.held}
        haider = held[2]
        assert haider.name.startswith("حيدر") and [c.name for c in haider.candidates] == [
            "Haider Hassan Jasim Al-Dulaimi"
        ]
    assert counts()["trainee"] == 35
    # The same follow-up again: nothing new, nothing held twice.
    again = imports.import_trainees(CLERK, FOLLOWUP)
    assert (again.new, len(again.held), len(again.already_held), len(again.already_present)) == (0, 0, 10, 5)
    assert counts()["trainee"] == 35 and counts()["held"] == 10


def test_an_xlsx_roster_imports_with_formulas_kept_as_text(db_url, tmp_path):
    import openpyxl

    with open(SAMPLE, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    book = openpyxl.Workbook()
    for record in table[:16]:  # header and the valid rows 2–16 (formula-like units in 12–15)
        book.active.append(record)
    book.save(tmp_path / "roster.xlsx")
    report = imports.import_trainees(CLERK, tmp_path / "roster.xlsx")
    assert (report.encoding, report.new, report.rejected) == ("XLSX workbook", 15, ())
    with database.connection_context():
        names_ = {u.name for u in models.Unit.select()}
    assert set(EXPECTED["formula_payloads_in_unit"]) <= names_


def test_dry_run_and_inspect_write_nothing(db_url):
    imports.import_trainees(CLERK, SAMPLE, skip_invalid=True)
    before = counts()
    report = imports.dry_run(CLERK, FOLLOWUP)
    assert (report.new, len(report.held), report.written) == (5, 10, False)
    looked = imports.inspect(CLERK, FOLLOWUP)
    assert looked.valid == 15 and not looked.checked_database
    assert [c for _, c in looked.columns][:3] == ["given_name", "father_name", "grandfather_name"]
    assert counts() == before


def test_only_registrars_and_admins_import(db_url):
    for role in ("instructor", "analyst", "auditor"):
        with pytest.raises(PermissionDenied):
            imports.import_trainees(Actor(None, role, role), SAMPLE, skip_invalid=True)
    assert counts()["trainee"] == 0


def test_a_race_on_a_national_id_writes_nothing(db_url, monkeypatch):
    imports.import_trainees(CLERK, SAMPLE, skip_invalid=True)
    real = imports._sort

    def blind(rows, *found):  # as if another import committed these IDs after we looked
        real(rows, *found)
        for r in rows:
            if r.status == "present":
                r.status = "new"

    monkeypatch.setattr(imports, "_sort", blind)
    before = counts()
    with pytest.raises(TrainerError, match="nothing was written"):
        imports.import_trainees(CLERK, SAMPLE, skip_invalid=True)
    assert counts() == before


# --- the command line ----------------------------------------------------------


@pytest.fixture
def clerk_user(db_url, monkeypatch):
    from trainer.accounts import users

    users.create_user(None, "clerk", "registrar", "field-site-1")
    monkeypatch.setenv("TRAINER_PASSWORD", "field-site-1")
    return db_url


def test_cli_refuses_with_the_report_then_skip_invalid_writes(clerk_user, tmp_path, capsys):
    report = tmp_path / "report.csv"
    code = main(["--db", clerk_user, "--user", "clerk", "import", "trainees", str(SAMPLE), "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == 1 and "refused: 6 of 36 rows are invalid; nothing was written" in err
    assert "duplicate of row 26" in out and "father_name" in out
    with open(report, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["row"]), r["column"]) for r in rows] == [
        (17, "father_name"),
        (18, "date_of_birth"),
        (19, "force"),
        (20, "province"),
        (36, "national_id"),
        (37, "national_id"),
    ]
    assert counts()["trainee"] == 0
    code = main(["--db", clerk_user, "--user", "clerk", "import", "trainees", str(SAMPLE), "--skip-invalid"])
    out, err = capsys.readouterr()
    assert code == 0 and "30 added, 0 already present" in out
    code = main(["--db", clerk_user, "--user", "clerk", "import", "trainees", str(FOLLOWUP), "--report", str(report)])
    out, _ = capsys.readouterr()
    assert code == 0 and "5 added" in out and "10 held for review" in out
    with open(report, encoding="utf-8-sig", newline="") as fh:
        held = [r for r in csv.DictReader(fh) if r["outcome"] == "held"]
    assert len(held) == 10 and "Haider Hassan Jasim Al-Dulaimi" in held[0]["reason"]
    code = main(["--db", clerk_user, "--user", "clerk", "import", "held"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.count("held #") == 10


def test_cli_unreadable_file(clerk_user, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01garbage")
    code = main(["--db", clerk_user, "--user", "clerk", "import", "trainees", str(bad)])
    _, err = capsys.readouterr()
    assert code == 1 and "binary data" in err and "Traceback" not in err


# --- the registry's rules, kept in step ------------------------------------------

row_values = st.fixed_dictionaries(
    {
        "given_name": st.sampled_from(ARABIC_GIVEN + LATIN_GIVEN + ("", " ", "  علي  ")),
        "father_name": st.sampled_from(ARABIC_GIVEN + LATIN_GIVEN + ("",)),
        "grandfather_name": st.sampled_from(LATIN_GIVEN + ("",)),
        "family_name": st.sampled_from(("", "الجبوري", "Al-Tamimi")),
        "mother_name": st.sampled_from(("", "زينب")),
        "gender": st.sampled_from(("", "m", "F", "ذكر", "أنثى", "x")),
        "national_id": st.sampled_from(("", "123456789012", "١٢٣٤٥٦٧٨٩٠١٢", "12ab", "1234", "12 3456 7890")),
        "force": st.sampled_from(("", "police", "Iraqi Army", "البيشمركة", "navy")),
        "province": st.sampled_from(("", "IQ-NI", "Nineveh", "الأنبار", "Atlantis")),
        "rank": st.sampled_from(("", "Lt")),
        "phone": st.sampled_from(("", "+٩٦٤٧٧٠١٢٣٤٥٦٧", "+9647701234567")),
        "unit": st.sampled_from(("", "=SUM(1,2)")),
    }
)


@settings(max_examples=200, deadline=None)
@given(values=row_values, dob=st.one_of(st.none(), st.dates(datetime.date(1940, 1, 1), datetime.date(2030, 1, 1))))
def test_the_fast_row_check_agrees_with_the_registry_clean(values, dob):
    today = datetime.date.today()
    mine = imports.check_row(roster.RosterRow(5, {**values, "date_of_birth": "x" if dob else ""}, dob, ()), today)
    theirs, problems = trainees.clean(
        trainees.TraineeInput(**{k: v for k, v in values.items() if k != "unit"}, date_of_birth=dob)
    )
    assert sorted(p.field for p in mine.problems) == sorted(p.field for p in problems)
    if not problems:
        assert mine.data == theirs
        assert set(imports.search_text(mine.data).split()) == set(trainees.search_text(theirs).split())
        assert imports.match_key(mine.data) == names.name_skeleton(theirs.given_name, theirs.father_name)


# --- generated rosters ---------------------------------------------------------

_ids = iter(range(200_000_000_000, 300_000_000_000, 1000))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 25),
    order=st.sampled_from(["day-first", "month-first"]),
    digits=st.sampled_from(["ascii", "arabic"]),
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "windows-1256"]),
    headers=st.sampled_from(["arabic", "english"]),
    latin=st.floats(0, 1),
)
def test_generated_rosters_import_back_unchanged(db_url, seed, n, order, digits, encoding, headers, latin):
    if encoding == "windows-1256":
        digits = "ascii"  # Windows-1256 has no Arabic-Indic digits
    rows = make_rows(n, seed=seed, id_start=next(_ids), latin_share=latin)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_roster(Path(tmp) / "g.csv", rows, encoding=encoding, order=order, digits=digits, headers=headers)
        report = imports.import_trainees(CLERK, path)
    assert (report.new, report.rejected, report.held) == (n, (), ())
    assert report.date_order == order
    with database.connection_context():
        T = models.Trainee
        stored = {t.national_id: t for t in T.select().where(T.national_id.in_([r["national_id"] for r in rows]))}
        for r in rows:
            t = stored[r["national_id"]]
            assert (t.given_name, t.father_name, t.grandfather_name, t.family_name, t.mother_name) == (
                r["given_name"],
                r["father_name"],
                r["grandfather_name"],
                r["family_name"],
                r["mother_name"],
            )
            assert (t.date_of_birth, t.gender, t.rank, t.phone) == (
                r["date_of_birth"],
                r["gender"],
                r["rank"],
                r["phone"],
            )
            assert (t.force_id, t.province_id) == (FORCE_CODE[r["force"]], PROVINCE_CODE[r["province"]])
            units = [a.unit.name for a in t.unit_history]
            assert units == ([r["unit"]] if r["unit"] else [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=200).map(lambda b: "الاسم,اسم الاب,اسم الجد,تاريخ الولادة,القوة,المحافظة\n".encode() + b),
    )
)
def test_arbitrary_bytes_only_ever_refuse(sqlite_url, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes(data)
        try:
            report = imports.import_trainees(CLERK, path)
        except TrainerError as exc:
            assert str(exc)
        else:
            assert report.written


# --- killed mid-import -----------------------------------------------------------

_CHILD = """
import sys
from trainer.setup import connect
connect(sys.argv[1])
from trainer.rosters import imports
from trainer.accounts.access import Actor
print("ready", flush=True)
path = sys.stdin.readline().strip()
imports.import_trainees(Actor(None, "clerk", "registrar"), path,
                        progress=lambda step, done, total: print(step, done, flush=True))
print("done", flush=True)
"""


def test_killing_the_import_at_random_moments_leaves_nothing_partial(tmp_path):
    from trainer.setup import connect

    url = f"sqlite:///{tmp_path / 'kill.db'}"
    connect(url)
    size, runs = 5_000, 20
    rosters = [make_rows(size, seed=i, id_start=400_000_000_000 + i * 10_000) for i in range(runs + 1)]
    files = [write_roster(tmp_path / f"r{i}.csv", rows) for i, rows in enumerate(rosters)]
    with_units = [sum(1 for r in rows if r["unit"]) for rows in rosters]

    def spawn():  # started ahead, so its start-up time is not what the delay measures
        return subprocess.Popen(
            [sys.executable, "-c", _CHILD, url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def go(child, path):
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        child.stdin.write(f"{path}\n")
        child.stdin.flush()

    def wait_for(child, word):
        for line in child.stdout:
            if line.startswith(word):
                return time.monotonic()
        raise AssertionError(child.stderr.read())

    child, spare = spawn(), None
    go(child, files[0])  # one whole run: how long an import and its write transaction take here
    began = time.monotonic()
    writing = wait_for(child, "writing") - began
    whole = wait_for(child, "done") - began
    child.wait()
    conn = sqlite3.connect(tmp_path / "kill.db")
    # the search index's and the change log's triggers, as a whole import leaves them
    triggers = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'trainee'")
    trainee_triggers = triggers.fetchone()[0]
    conn.close()
    assert trainee_triggers >= 6
    rnd = random.Random(6)
    complete, phases = {0}, []
    spare = spawn()
    for i in range(1, runs + 1):
        child, spare = spare, None
        go(child, files[i])
        spare = spawn() if i < runs else None
        if i % 2:  # any moment of the whole run (reading, checking, writing, after)
            time.sleep(rnd.uniform(0, whole * 1.1))
        else:  # a moment inside the write transaction
            wait_for(child, "writing")
            time.sleep(rnd.uniform(0, (whole - writing) * 0.8))
        child.send_signal(signal.SIGKILL)
        child.wait()
        seen = child.stdout.read()
        phases.append("done" if "done" in seen else "writing" if "writing" in seen or i % 2 == 0 else "before")
        for pipe in (child.stdin, child.stdout, child.stderr):
            pipe.close()
        conn = sqlite3.connect(tmp_path / "kill.db")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            present = conn.execute(
                "SELECT count(*) FROM trainee WHERE national_id BETWEEN ? AND ?",
                (str(400_000_000_000 + i * 10_000), str(400_000_000_000 + i * 10_000 + size - 1)),
            ).fetchone()[0]
            assert present in (0, size), f"run {i}: a partial import ({present} of {size} persons)"
            if present:
                complete.add(i)
            batches, events, persons, assignments = (
                conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("import_batch", "audit_event WHERE action = 'import'", "trainee", "unit_assignment")
            )
            assert batches == events == len(complete)
            assert persons == size * len(complete)
            assert assignments == sum(with_units[j] for j in complete)
            assert (
                conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'trainee'"
                ).fetchone()[0]
                == trainee_triggers
            )
        finally:
            conn.close()
    conn = sqlite3.connect(tmp_path / "kill.db")
    for index in ("trainee_fts", "trainee_trgm"):  # raises if a search index misses a row
        conn.execute(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
    conn.close()
    # Some runs were killed before they committed (the rest may have finished first).
    assert phases.count("writing") >= runs // 4, phases
    print(f"{runs} kills: " + ", ".join(f"{phases.count(p)} {p}" for p in ("before", "writing", "done")))
