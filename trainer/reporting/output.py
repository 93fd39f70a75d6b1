"""How a report's result leaves: tidy data files, and their metadata beside them.

A data file holds one header row (HXL: plus its hashtags) and records, so that
pandas, libhxl or a spreadsheet's filter read it as it is. Everything else
(title, parameters, notes, the totals, what suppression hid) is metadata: a
"Notes" sheet in XLSX, a sidecar `<file>-metadata.json` beside the other
formats (the CSV on the Web naming), standard error when the data goes to
standard output. Totals join the records only when asked (`with_totals`),
never in HXL, whose tools add rows up themselves. docs/exports.md has the
whole contract.

Aggregate reports are suppressed in every file (counts 1–4 and what would
give them away, trainer.reporting.suppression). In a data file a hidden cell
is empty, so that a count column stays numeric, and the row's `suppressed`
column names the columns hidden in it. Only the terminal view shows "[c]".
"""

from __future__ import annotations

import datetime
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from trainer.errors import TrainerError
from trainer.reporting import exports
from trainer.reporting.base import ReportResult
from trainer.reporting.headings import headings
from trainer.reporting.suppression import SUPPRESSED, suppress

FLAG_COLUMN = "suppressed"
FLAG_TAG = "#meta+suppressed"
COUNTRY = ("country", "#country+code", "IRQ")  # ISO 3166-1 alpha-3, as HXL's #country+code expects
REGIONS = frozenset({"IQ-KR"})  # ISO 3166-2:IQ regions: not governorates, so never an #adm1 row


@dataclass(frozen=True)
class Written:
    path: str | None
    format: str
    rows: int
    notes: tuple[str, ...]
    suppressed: int = 0  # cells hidden (primary + secondary)
    metadata: str | None = None  # the sidecar's path, where one was written


@dataclass(frozen=True)
class Tidy:
    """A result as it may leave: records, the totals apart, and what suppression hid."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    totals: tuple[Any, ...] | None
    notes: tuple[str, ...]
    hidden: int
    # The records --with-totals appends: the totals row, or the report's own total rows (box-status).
    appended: tuple[tuple[Any, ...], ...] = ()


def tidy(result: ReportResult, fmt: str, *, to_file: bool = True) -> Tidy:
    """Suppress an aggregate for any file (and any format but the terminal table), then split off totals."""
    if fmt not in exports.FORMATS:
        raise TrainerError(f"unknown format {fmt!r}: use {', '.join(exports.FORMATS)}")
    if fmt == "hxl" and not (result.aggregate and result.hxl):
        raise TrainerError(f"{result.name} lists persons: HXL is for aggregate reports only")
    if (fmt == "table" and not to_file) or not result.aggregate:
        return Tidy(result.columns, result.rows, None, result.notes, 0)
    if result.layout is None:
        if fmt == "table" or result.total_rows is None:
            return Tidy(result.columns, result.rows, None, result.notes, 0)
        return _own_totals_apart(result)
    done = suppress(result.columns, result.rows, result.layout)
    rows = done.rows
    totals = None
    if result.layout.column_totals and len(rows) > len(result.rows):
        rows, totals = rows[:-1], rows[-1]
    notes = (*result.notes, done.note)
    hidden = done.primary + done.secondary
    if fmt == "table":
        # A text file for people: the "[c]" markers and the totals row stay readable.
        return Tidy(done.columns, rows + ((totals,) if totals else ()), None, notes, hidden)
    columns = (*done.columns, FLAG_COLUMN)
    rows = tuple(_flagged(done.columns, r) for r in rows)
    if totals is not None:
        totals = _flagged(done.columns, totals)
    return Tidy(columns, rows, totals, notes, hidden, (totals,) if totals is not None else ())


def _own_totals_apart(result: ReportResult) -> Tidy:
    """An unsuppressed report whose own total rows stand among its records (box-status's level "all"):
    the records alone in the data, the total rows appended only when asked, their sum as the totals."""
    assert result.total_rows is not None
    col, mark = result.total_rows
    own = tuple(r for r in result.rows if r[col] == mark)
    records = tuple(r for r in result.rows if r[col] != mark)
    summed = tuple(
        sum(values) if own and all(type(v) is int for v in values) else None for values in zip(*own, strict=False)
    )
    return Tidy(result.columns, records, summed or None, result.notes, 0, own)


def _flagged(columns: tuple[str, ...], row: tuple[Any, ...]) -> tuple[Any, ...]:
    hidden = [c for c, v in zip(columns, row) if v == SUPPRESSED]
    return (*(None if v == SUPPRESSED else v for v in row), ";".join(hidden))


def metadata(result: ReportResult, t: Tidy, fmt: str) -> dict[str, Any]:
    """What a partner needs to read the file right: title, parameters, notes, totals, suppression."""
    meta: dict[str, Any] = {
        "report": result.name,
        "title": result.title,
        "format": fmt,
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "parameters": {k: _plain(v) for k, v in vars(result.params).items() if v is not None},
        "notes": list(t.notes),
        "columns": list(t.columns),
        "rows": len(t.rows),
        "suppressed_cells": t.hidden,
    }
    if t.totals is not None:
        meta["totals"] = {c: _plain(v) for c, v in zip(t.columns, t.totals) if v not in (None, "", "Total")}
    if t.appended and t.appended != (t.totals,):
        # The report's own total rows (box-status: one per kind), which --with-totals appends.
        meta["total_rows"] = [{c: _plain(v) for c, v in zip(t.columns, r)} for r in t.appended]
    return meta


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v


def sidecar_path(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.name + "-metadata.json")


def _hxl_rows(result: ReportResult, t: Tidy) -> tuple[tuple[str, ...], tuple[str, ...], list[tuple[Any, ...]]]:
    """Columns, hashtags and rows for HXL: the country first, no region among the governorates.

    A region row (IQ-KR) whose counts are all zero is only the reference list speaking and is left
    out; one with counts keeps them, its #adm1 cells empty and the region named in a column of its own.
    """
    tags = list(result.hxl) + ([FLAG_TAG] if len(t.columns) > len(result.hxl) else [])
    adm = [i for i, tag in enumerate(tags) if tag.startswith("#adm1")]
    code_col = next((i for i in adm if "+code" in tags[i]), None)
    counts = set(result.layout.counts) if result.layout else set()
    rows: list[tuple[Any, ...]] = []
    region_rows = False
    for r in t.rows:
        region = code_col is not None and r[code_col] in REGIONS
        if region and all(not r[c] for c in counts):
            continue
        if region and code_col is not None:
            region_rows = True
            rows.append((COUNTRY[2], *(None if i in adm else v for i, v in enumerate(r)), r[code_col]))
        else:
            rows.append((COUNTRY[2], *r, None))
    columns = (COUNTRY[0], *t.columns, "region")
    hashtags = (COUNTRY[1], *tags, "#region+code")
    if not region_rows:
        columns, hashtags, rows = columns[:-1], hashtags[:-1], [r[:-1] for r in rows]
    return columns, hashtags, rows


def write_result(
    result: ReportResult,
    fmt: str,
    out: str | Path | TextIO | None = None,
    *,
    progress: exports.Progress | None = None,
    bom: bool = False,
    with_totals: bool = False,
) -> Written:
    """Write a result to a path (or a text stream; XLSX needs a path). Returns what was written."""
    out = sys.stdout if out is None else out
    to_file = isinstance(out, (str, Path))
    if isinstance(out, (str, Path)):
        exports.check_extension(fmt, out)
    if with_totals and fmt == "hxl":
        raise TrainerError("HXL files carry no totals row: HXL tools add the rows up themselves")
    t = tidy(result, fmt, to_file=to_file)
    meta = metadata(result, t, fmt)
    rows = t.rows + (t.appended if with_totals else ())
    total = len(rows)
    sidecar: Path | None = None
    if fmt == "xlsx":
        if not isinstance(out, (str, Path)):
            raise TrainerError("XLSX goes to a file: give --output PATH")
        notes = [("Report", result.title), ("Name", result.name), ("Generated", meta["generated_at"])]
        notes += [(f"Parameter {k}", str(v)) for k, v in meta["parameters"].items()]
        notes += [("Note", n) for n in t.notes]
        if t.totals is not None:
            notes += [(f"Total {k}", str(v)) for k, v in meta["totals"].items()]
        n = exports.write_xlsx(
            out,
            t.columns,
            t.rows,
            title=result.name,
            notes=notes,
            totals=t.appended if with_totals else (),
            progress=progress,
            total=len(t.rows),
        )
    elif fmt == "table":
        text = exports.to_table(headings(t.columns), rows, t.notes)  # for people: words, not field names
        if to_file:
            Path(out).write_text(text, encoding="utf-8")  # type: ignore[arg-type]
        else:
            (out or sys.stdout).write(text)  # type: ignore[union-attr]
        n = len(rows)
        if progress:
            progress(n, n)
    else:
        if fmt == "hxl":
            columns, tags, hrows = _hxl_rows(result, t)
            n = exports.write_hxl(out, columns, tags, hrows, progress=progress, total=len(hrows), bom=bom)
            meta["columns"], meta["rows"] = list(columns), n
        elif fmt in ("json", "ndjson"):
            n = exports.write_json(out, t.columns, rows, progress=progress, total=total, lines=fmt == "ndjson")
        else:
            n = exports.write_csv(out, t.columns, rows, bom=bom, progress=progress, total=total)
        if to_file:
            sidecar = sidecar_path(out)  # type: ignore[arg-type]
            sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            # The data went to standard output: its notes go to standard error, apart from it.
            for line in (result.title, *t.notes):
                print(f"# {line}", file=sys.stderr)
            if t.totals is not None and not with_totals:
                print(f"# totals: {json.dumps(meta['totals'], ensure_ascii=False)}", file=sys.stderr)
    return Written(str(out) if to_file else None, fmt, n, tuple(t.notes), t.hidden, str(sidecar) if sidecar else None)
