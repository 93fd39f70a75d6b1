"""Writing tables: terminal, CSV (UTF-8 with BOM), XLSX, JSON and HXL-tagged CSV.

Every writer streams rows (an iterable, read once) so that 250,000 rows never
sit in memory twice, reports progress as (done, total), and makes text inert
for spreadsheets (OWASP "CSV injection"): a cell starting with = + - @, tab or
CR gets a leading apostrophe in CSV, and in XLSX is always a string cell
marked quote-prefixed (the spreadsheet's own "this is text" flag), never a
formula. Numbers and phone numbers (+964 …) are left as they are.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

Progress = Callable[[int, int], None]

FORMATS = ("table", "csv", "xlsx", "json", "hxl")
# OWASP: a cell beginning with one of these is run as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"^\+[0-9][0-9 ()-]{5,}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_LATIN = re.compile(r"[A-Za-z]")
_AR_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_STEP = 2000  # rows between progress calls
_SAMPLE_ROWS = 500  # rows that set column widths and the sheet direction


def formula_like(value) -> bool:
    """Text a spreadsheet would run as a formula (phone numbers and plain numbers excepted)."""
    return (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _PHONE.match(value)
        and not _NUMBER.match(value)
    )


def neutralise(value):
    """Make text inert for spreadsheets: prefix a quote; numbers and phone numbers stay as they are."""
    return "'" + value if formula_like(value) else value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _ticker(progress: Progress | None, total: int):
    """A progress callback thinned to about 50 calls (never more often than every 2,000 rows)."""
    step = max(1, min(_STEP, total // 50)) if total else _STEP

    def tick(done: int, final: bool = False) -> None:
        if progress is not None and (final or done % step == 0):
            progress(done, max(total, done))

    return tick


def _open_text(out, *, bom: bool):
    """(file object, close?) for a path or an already-open text stream."""
    if isinstance(out, (str, Path)):
        # The BOM written once by hand: the utf-8-sig codec would check for it on every write.
        fh = open(out, "w", encoding="utf-8", newline="", buffering=1 << 20)
        if bom:
            fh.write("\ufeff")
        return fh, True
    if bom:
        out.write("\ufeff")
    return out, False


def write_csv(
    out,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    notes: Sequence[str] = (),
    bom: bool = True,
    progress: Progress | None = None,
    total: int = 0,
    header_rows: Sequence[Sequence[str]] = (),
) -> int:
    """CSV with CRLF lines; notes follow the data after one empty row. Returns the data rows written."""
    fh, close = _open_text(out, bom=bom)
    tick = _ticker(progress, total)
    n = 0
    try:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([neutralise(c) for c in columns])
        for extra in header_rows:
            writer.writerow(extra)
        starts = frozenset(_FORMULA_START)
        for row in rows:
            # The common cell is plain text or a number: test its first character inline.
            writer.writerow(
                [
                    (("'" + v) if v and v[0] in starts and formula_like(v) else v)
                    if type(v) is str
                    else v
                    if v is None or type(v) is int or type(v) is float
                    else _cell_text(v)
                    for v in row
                ]
            )
            n += 1
            tick(n)
        if notes:
            writer.writerow([])
            for note in notes:
                writer.writerow([neutralise(f"Note: {note}")])
    finally:
        if close:
            fh.close()
    tick(n, final=True)
    return n


def to_csv(columns, rows, *, bom: bool = True, notes: Sequence[str] = ()) -> str:
    out = io.StringIO()
    write_csv(out, columns, rows, bom=bom, notes=notes)
    return out.getvalue()


def to_table(columns, rows, notes: Sequence[str] = ()) -> str:
    cells = [[str(c) for c in columns]] + [[_cell_text(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(v.rjust(w) if _NUMBER.match(v) else v.ljust(w) for v, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [""] + [f"Note: {note}" for note in notes] if notes else []
    return "\n".join(lines) + "\n"


def write_hxl(out, columns, tags: Sequence[str], rows, *, notes=(), progress=None, total=0, bom: bool = True) -> int:
    """CSV whose second row holds HXL hashtags (hxlstandard.org) so humanitarian tools read it."""
    return write_csv(out, columns, rows, notes=notes, progress=progress, total=total, header_rows=[list(tags)], bom=bom)


def write_json(
    out, meta: dict, columns: Sequence[str], rows, *, progress=None, total=0, hidden_marker: str | None = None
) -> int:
    """One object: the meta keys, "columns", and "rows" as objects; hidden cells become null."""
    fh, close = _open_text(out, bom=False)
    tick = _ticker(progress, total)
    n = 0
    suppressed = []
    try:
        fh.write("{")
        for key, value in meta.items():
            fh.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, default=_cell_text)}, ")
        fh.write(f'"columns": {json.dumps(list(columns), ensure_ascii=False)}, "rows": [')
        for row in rows:
            obj = {}
            for col, v in zip(columns, row):
                if hidden_marker is not None and v == hidden_marker:
                    suppressed.append([n, col])
                    v = None
                elif isinstance(v, (datetime.date, datetime.datetime)):
                    v = v.isoformat()
                obj[col] = v
            fh.write(("," if n else "") + "\n  " + json.dumps(obj, ensure_ascii=False))
            n += 1
            tick(n)
        fh.write("\n]")
        if hidden_marker is not None:
            fh.write(f', "suppressed_cells": {json.dumps(suppressed)}')
        fh.write("}\n")
    finally:
        if close:
            fh.close()
    tick(n, final=True)
    return n


def write_xlsx(
    path,
    columns: Sequence[str],
    rows,
    *,
    title: str = "Report",
    notes: Sequence[str] = (),
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """XLSX in constant-memory mode: frozen bold header, autofilter, real dates, RTL when mostly Arabic."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        sheet = book.add_worksheet(_sheet_name(title))
        bold = book.add_format({"bold": True})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        stamp_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        text_fmt = book.add_format({"quote_prefix": True})
        widths = [min(max(len(str(c)), 6), 40) for c in columns]
        arabic = latin = 0  # letters in the first rows: enough to tell an Arabic sheet
        starts = frozenset(_FORMULA_START)
        for c, name in enumerate(columns):
            sheet.write_string(0, c, str(name), bold)
        tick = _ticker(progress, total)
        r = 0
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                kind = type(v)
                if kind is str:
                    if not v:
                        continue
                    # A string cell is never evaluated; quote_prefix keeps it text when edited.
                    sheet.write_string(r, c, v, text_fmt if v[0] in starts and formula_like(v) else None)
                    if r <= _SAMPLE_ROWS:
                        widths[c] = min(max(widths[c], len(v) + 1), 40)
                        arabic += len(_AR_LETTER.findall(v))
                        latin += len(_LATIN.findall(v))
                elif v is None:
                    continue
                elif kind is int or kind is float:
                    sheet.write_number(r, c, v)
                elif kind is bool:
                    sheet.write_boolean(r, c, v)
                elif kind is datetime.date:
                    sheet.write_datetime(r, c, v, date_fmt)
                elif kind is datetime.datetime:
                    sheet.write_datetime(r, c, v, stamp_fmt)
                else:
                    s = str(v)
                    sheet.write_string(r, c, s, text_fmt if formula_like(s) else None)
            tick(r)
        last_row = r
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(last_row, 1), max(len(columns) - 1, 0))
        for c, w in enumerate(widths):
            sheet.set_column(c, c, w + 2)
        if arabic > latin:
            sheet.right_to_left()
        for k, note in enumerate(notes):
            sheet.write_string(last_row + 2 + k, 0, f"Note: {note}")
    finally:
        book.close()
    tick(last_row, final=True)
    return last_row


def _sheet_name(title: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Report"
    return name[:31]
