"""Partners take our files unchanged: each format read by the partner's own tool.

pandas reads the CSV, JSON, NDJSON and XLSX of every aggregate report as records whose
sums are the report's own totals; csv.DictReader sees the first column's real name;
libhxl validates every HXL file against tests/fixtures/hxl/trainer-schema.csv.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from trainer.cli import main

pd = pytest.importorskip("pandas", reason="pandas is in the test extra: pip install -e '.[test]'")
hxl = pytest.importorskip("hxl", reason="libhxl is in the test extra: pip install -e '.[test]'")

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


def local(path: Path):
    """A dataset from a local file: libhxl reads only URLs unless told otherwise."""
    from hxl.input import InputOptions

    return hxl.data(str(path), InputOptions(allow_local=True))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    """The default demo (15,000 police, 6,000 border guards trained), built once for this module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('partner') / 'demo.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAINER_PASSWORD", "partner-password-1")
    mp.setenv("TRAINER_PSEUDONYM_KEY", "p" * 40)
    try:
        assert main(["--db", url, "demo"]) == 0
    finally:
        mp.undo()
    return url


def report(url: str, name: str, fmt: str, out: Path, *extra: str) -> dict:
    assert main(["--db", url, "report", name, "--format", fmt, "--output", str(out), *extra]) == 0
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


@pytest.mark.parametrize("name", AGGREGATES)
def test_every_aggregate_reads_back_in_pandas_with_its_totals(demo_db, tmp_path, name):
    meta = report(demo_db, name, "csv", tmp_path / "r.csv")
    frames = {
        "csv": pd.read_csv(tmp_path / "r.csv"),
        "json": None,
        "ndjson": None,
        "xlsx": None,
    }
    report(demo_db, name, "json", tmp_path / "r.json")
    frames["json"] = pd.read_json(tmp_path / "r.json")
    report(demo_db, name, "ndjson", tmp_path / "r.ndjson")
    frames["ndjson"] = pd.read_json(tmp_path / "r.ndjson", lines=True)
    report(demo_db, name, "xlsx", tmp_path / "r.xlsx")
    frames["xlsx"] = pd.read_excel(tmp_path / "r.xlsx", sheet_name=0)
    for fmt, frame in frames.items():
        assert len(frame) == meta["rows"], fmt
        assert list(frame.columns) == meta["columns"], fmt
        for col in count_columns(meta):
            assert frame[col].dtype.kind in "if", (fmt, col)  # numeric: no "[c]" turned it to text
            published = frame[col].sum()
            if meta["suppressed_cells"] == 0:
                assert published == meta["totals"][col], (fmt, col)
            else:
                hidden = frame[col].isna().sum()
                # Hidden cells hold at least 1 each: the published sum falls short by at least that.
                assert published + hidden <= meta["totals"][col], (fmt, col)
    if "totals" in meta:
        # --with-totals puts the totals row back, for a reader who asks for it.
        report(demo_db, name, "csv", tmp_path / "w.csv", "--with-totals")
        with_totals = pd.read_csv(tmp_path / "w.csv")
        assert len(with_totals) == meta["rows"] + 1 and with_totals.iloc[-1].isin(["Total"]).any()


@pytest.mark.parametrize("name", AGGREGATES)
def test_libhxl_validates_every_aggregate(demo_db, tmp_path, name):
    import hxl.validation

    report(demo_db, name, "hxl", tmp_path / "r.csv")
    problems: list[str] = []
    schema = hxl.validation.schema(local(SCHEMA), callback=lambda e: problems.append(f"{e.value!r}: {e.message}"))
    valid = schema.validate(local(tmp_path / "r.csv"))
    assert valid and not problems, problems[:5]
    source = local(tmp_path / "r.csv")
    tags = [c.display_tag for c in source.columns]
    assert tags[0] == "#country+code"
    assert not any(t.split("+")[0] in ("#inneed", "#targeted", "#reached", "#population") for t in tags)
    rows = list(source)
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
            main(["--db", demo_db, "report", "trained-by-force", "--format", fmt, "--output", str(tmp_path / name)])
        assert exit_.value.code == 2
        assert f"a {fmt} file's name ends in" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_a_text_table_written_to_a_file_is_suppressed(demo_db, tmp_path, capsys):
    out = tmp_path / "t.txt"
    assert main(["--db", demo_db, "report", "ilp-transition", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "[c]" in text and "Small-count suppression applied" in text
    # On the analyst's own terminal the figures are exact.
    assert main(["--db", demo_db, "report", "ilp-transition"]) == 0
    assert "[c]" not in capsys.readouterr().out


def test_data_on_standard_output_keeps_its_notes_apart(demo_db, capsys):
    assert main(["--db", demo_db, "report", "requirement-gap", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("province,") and not any("Note" in line or "Total" in line for line in lines)
    assert "gap = required - trained" in captured.err and '"required": 151900' in captured.err
