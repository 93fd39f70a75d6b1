"""Partners take our files unchanged: each format read by the partner's own tool.

pandas reads the CSV, JSON, NDJSON and XLSX of every aggregate report (each grouping of
those that offer --by) as records: every published count is the report's own figure, every
other one is empty and named in the row's `suppressed` column, and the sums plus what was
hidden are the report's own totals. csv.DictReader sees the first column's real name;
libhxl validates every HXL file against tests/fixtures/hxl/trainer-schema.csv. On SQLite
and on PostgreSQL, with the default demo (docs/exports.md).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import hxl  # libhxl, the partners' HXL tools (the test extra: a missing one fails, never skips)
import pandas as pd
import pytest

from tests.conftest import fresh_url
from trainer.accounts.access import SYSTEM
from trainer.cli import main
from trainer.reporting import catalogue
from trainer.reporting.base import ReportParams

PASSWORD = "partner-password-1"  # every demo user's (trainer demo)
SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "hxl" / "trainer-schema.csv"
AGGREGATES = (
    "trained-by-force",
    "trained-by-province",
    "trained-by-course-month",
    "requirement-gap",
    "pass-rates",
    "attrition",
    "certificates-expiring",
    "ilp-transition",
    "box-status",
    "station-readiness",
    "deployment-leakage",
    "outcomes-by-program",
)
# Every grouping of the reports that offer --by: each is a file of its own shape and hashtags.
VARIANTS = (
    *((name, ()) for name in AGGREGATES),
    ("station-readiness", ("--by", "province")),
    *(("deployment-leakage", ("--by", by)) for by in ("centre", "force", "province", "nation")),
)
VARIANT_IDS = [name + "".join(f"-{a.lstrip('-')}" for a in extra) for name, extra in VARIANTS]


def local(path: Path):
    """A dataset from a local file: libhxl reads only URLs unless told otherwise."""
    from hxl.input import InputOptions

    return hxl.data(str(path), InputOptions(allow_local=True))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_db(request, tmp_path_factory) -> str:
    """The default demo (15,000 police, 6,000 border guards trained), built once per database."""
    url = fresh_url(request.param, tmp_path_factory.mktemp("partner"))
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAINER_PASSWORD", PASSWORD)
    mp.setenv("TRAINER_PSEUDONYM_KEY", "p" * 40)
    try:
        assert main(["--db", url, "demo"]) == 0
    finally:
        mp.undo()
    return url


@pytest.fixture(autouse=True)
def analyst_password(monkeypatch):
    """Reports on PostgreSQL run as a signed-in user (a local SQLite file lets its operator run aggregates)."""
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)


def as_analyst(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "analyst", *args])


def report(url: str, name: str, fmt: str, out: Path, *extra: str) -> dict:
    assert as_analyst(url, "report", name, "--format", fmt, "--output", str(out), *extra) == 0
    sidecar = out.with_name(out.name + "-metadata.json")
    return json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}


def count_columns(meta: dict) -> list[str]:
    return [c for c in meta.get("totals", {}) if not c.endswith("_pct")]


def test_pandas_reads_trained_by_force_as_the_six_forces(demo_db, tmp_path, capsys):
    meta = report(demo_db, "trained-by-force", "csv", tmp_path / "t.csv")
    frame = pd.read_csv(tmp_path / "t.csv")
    assert len(frame) == 6 and frame["trained"].sum() == 25_300 == meta["totals"]["trained"]
    assert frame["trained"].dtype.kind == "i"
    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["force"] == "army"
    assert meta["generated_at"].endswith("+00:00")


def own_figures(url: str, name: str, extra: tuple[str, ...]):
    """The report as the analyst's own terminal sees it: exact, unsuppressed, computed in-process."""
    from trainer.setup import connect

    connect(url)
    by = extra[1] if extra else None
    result = catalogue.run_report(SYSTEM, name, ReportParams(by=by))
    if result.total_rows is not None:  # the report's own total rows are metadata in a file
        col, mark = result.total_rows
        return result, [r for r in result.rows if r[col] != mark]
    return result, list(result.rows)


def count_tags(result) -> list[str]:
    """The count columns, as the report's own HXL hashtags name them."""
    return [c for c, tag in zip(result.columns, result.hxl) if tag.startswith("#indicator+num")]


@pytest.mark.parametrize(("name", "extra"), VARIANTS, ids=VARIANT_IDS)
def test_every_aggregate_reads_back_in_pandas_as_the_reports_own_figures(demo_db, tmp_path, name, extra):
    meta = report(demo_db, name, "csv", tmp_path / "r.csv", *extra)
    frames = {"csv": pd.read_csv(tmp_path / "r.csv")}
    report(demo_db, name, "json", tmp_path / "r.json", *extra)
    frames["json"] = pd.read_json(tmp_path / "r.json")
    report(demo_db, name, "ndjson", tmp_path / "r.ndjson", *extra)
    frames["ndjson"] = pd.read_json(tmp_path / "r.ndjson", lines=True)
    report(demo_db, name, "xlsx", tmp_path / "r.xlsx", *extra)
    frames["xlsx"] = pd.read_excel(tmp_path / "r.xlsx", sheet_name=0)
    result, own = own_figures(demo_db, name, extra)
    counts = count_tags(result)
    assert counts, name
    flags = "suppressed" in meta["columns"]
    for fmt, frame in frames.items():
        assert len(frame) == meta["rows"] == len(own), fmt
        assert list(frame.columns) == meta["columns"], fmt
        hidden_by_row = [set(f.split(";")) if isinstance(f, str) and f else set() for f in frame.get("suppressed", [])]
        for col in counts:
            j = result.columns.index(col)
            exact = [r[j] or 0 for r in own]
            hidden = [i for i in range(len(own)) if flags and col in hidden_by_row[i]]
            published = frame[col]
            assert published.dtype.kind in "if", (fmt, col)  # numeric: no "[c]" turned it to text
            # Cell by cell: what is published is the report's figure; what is hidden is empty and flagged.
            assert published.isna().tolist() == [i in hidden for i in range(len(own))], (fmt, col)
            assert all(published[i] == exact[i] for i in range(len(own)) if i not in hidden), (fmt, col)
            # So the file's sum and what it hid make the report's own total, exactly.
            assert published.sum() + sum(exact[i] for i in hidden) == sum(exact), (fmt, col)
            if col in meta.get("totals", {}):
                assert meta["totals"][col] == sum(exact), (fmt, col)
                if not hidden:
                    assert published.sum() == meta["totals"][col], (fmt, col)
        # Every hidden count is one the suppression counted (it also counts those of the totals).
        assert sum(len(h & set(counts)) for h in hidden_by_row) <= meta["suppressed_cells"]
    if "totals" in meta:
        # --with-totals puts the totals back as the last records, for a reader who asks for them.
        report(demo_db, name, "csv", tmp_path / "w.csv", "--with-totals", *extra)
        with_totals = pd.read_csv(tmp_path / "w.csv")
        added = len(meta.get("total_rows", [None]))
        assert len(with_totals) == meta["rows"] + added
        assert with_totals.iloc[-1].isin(["Total", "all"]).any()
        # In XLSX the filter stops above them: sorting or filtering the records leaves the totals alone.
        from openpyxl import load_workbook

        report(demo_db, name, "xlsx", tmp_path / "w.xlsx", "--with-totals", *extra)
        sheet = load_workbook(tmp_path / "w.xlsx").worksheets[0]
        last = sheet.auto_filter.ref.split(":")[1]
        assert int("".join(ch for ch in last if ch.isdigit())) == meta["rows"] + 1
        assert sheet.max_row == meta["rows"] + 2 + added
        assert pd.read_excel(tmp_path / "w.xlsx", sheet_name="Notes", header=None)[0].str.startswith("Total").any()


@pytest.mark.parametrize(("name", "extra"), VARIANTS, ids=VARIANT_IDS)
def test_libhxl_validates_every_aggregate(demo_db, tmp_path, name, extra):
    import hxl.validation

    meta = report(demo_db, name, "hxl", tmp_path / "r.csv", *extra)
    problems: list[str] = []
    schema = hxl.validation.schema(local(SCHEMA), callback=lambda e: problems.append(f"{e.value!r}: {e.message}"))
    valid = schema.validate(local(tmp_path / "r.csv"))
    assert valid and not problems, problems[:5]
    source = local(tmp_path / "r.csv")
    tags = [c.display_tag for c in source.columns]
    assert tags[0] == "#country+code"
    assert not any(t.split("+")[0] in ("#inneed", "#targeted", "#reached", "#population") for t in tags)
    rows = list(source)
    assert len(rows) == meta["rows"]  # no blank, note or total row read as data
    assert rows and all(r.get("#country+code") == "IRQ" for r in rows)
    assert not any(r.get("#adm1+code") == "IQ-KR" for r in rows)


def test_the_schema_refuses_what_partners_refused(tmp_path):
    """The schema is no rubber stamp: a marker in a count and a region among governorates fail."""
    import hxl.validation

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "country,province,force,trained\n#country+code,#adm1+code,#org+code,#indicator+num+trained\n"
        "IRQ,IQ-KR,police,12\nIRQ,IQ-NI,police,[c]\n",
        encoding="utf-8",
    )
    problems: list[str] = []
    schema = hxl.validation.schema(local(SCHEMA), callback=lambda e: problems.append(str(e)))
    assert not schema.validate(local(bad))
    assert len(problems) == 2


def test_a_file_ending_must_match_its_format(demo_db, tmp_path, capsys):
    for fmt, name in (("hxl", "x.xlsx"), ("csv", "x.json"), ("json", "x.csv"), ("xlsx", "x.csv")):
        with pytest.raises(SystemExit) as exit_:
            as_analyst(demo_db, "report", "trained-by-force", "--format", fmt, "--output", str(tmp_path / name))
        assert exit_.value.code == 2
        assert f"a {fmt} file's name ends in" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_a_text_table_written_to_a_file_is_suppressed(demo_db, tmp_path, capsys):
    out = tmp_path / "t.txt"
    assert as_analyst(demo_db, "report", "ilp-transition", "--output", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    assert "[c]" in text and "Small-count suppression applied" in text
    # On the analyst's own terminal the figures are exact.
    assert as_analyst(demo_db, "report", "ilp-transition") == 0
    assert "[c]" not in capsys.readouterr().out


def test_data_on_standard_output_keeps_its_notes_apart(demo_db, capsys):
    assert as_analyst(demo_db, "report", "requirement-gap", "--format", "csv") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("province,") and not any("Note" in line or "Total" in line for line in lines)
    assert "gap = required - trained" in captured.err and '"required": 151900' in captured.err


def test_a_sheet_of_arabic_names_reads_right_to_left(demo_db, tmp_path):
    """The roster is named in Arabic: its sheet is right to left; a sheet of codes stays left to right."""
    from openpyxl import load_workbook

    from db import models
    from db.connection import database
    from trainer.setup import connect

    connect(demo_db)
    with database.connection_context():
        cohort = models.Cohort.select(models.Cohort.code).order_by(models.Cohort.id).first().code
    roster = tmp_path / "roster.xlsx"
    args = ["--db", demo_db, "--user", "admin", "report", "cohort-roster", "--cohort", cohort]
    assert main([*args, "--format", "xlsx", "--output", str(roster)]) == 0
    sheet = load_workbook(roster).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names and all(any("\u0600" <= ch <= "\u06ff" for ch in n) for n in names)
    assert sheet.sheet_view.rightToLeft
    report(demo_db, "trained-by-province", "xlsx", tmp_path / "p.xlsx")
    assert not load_workbook(tmp_path / "p.xlsx").worksheets[0].sheet_view.rightToLeft
