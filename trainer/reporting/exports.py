"""Writing tables: terminal, CSV, XLSX, JSON, NDJSON and HXL-tagged CSV.

Data files hold data: one header row (HXL: plus its hashtag row) and records.
Notes, totals and parameters travel beside them (docs/exports.md): XLSX in a
"Notes" sheet, the other formats in a sidecar (trainer.reporting.output).

Every writer streams rows (an iterable, read once) so that 250,000 rows never
sit in memory twice, reports progress as (done, total), and makes text inert
for spreadsheets (OWASP "CSV injection"): a cell starting with = + - @, tab or
CR gets a leading apostrophe in CSV, and in XLSX is always a string cell
marked quote-prefixed (the spreadsheet's own "this is text" flag), never a
formula. Plain numbers are left as they are, and so are phone numbers, but
only in a column that holds phone numbers (its name says "phone").
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from trainer.errors import TrainerError

Progress = Callable[[int, int], None]
Out = str | Path | TextIO  # a file to create, or a text stream already open

FORMATS = ("table", "csv", "xlsx", "json", "ndjson", "hxl")
# The file name endings each format is written to; any other known ending is refused.
EXTENSIONS = {
    "table": (".txt",),
    "csv": (".csv",),
    "xlsx": (".xlsx",),
    "json": (".json",),
    "ndjson": (".ndjson", ".jsonl"),
    "hxl": (".csv", ".hxl"),
}
# OWASP: a cell beginning with one of these is run as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"^\+[0-9][0-9 ()-]{5,}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_AR_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_STEP = 2000  # rows between progress calls
_SAMPLE_ROWS = 500  # rows that set column widths and the sheet direction


def formula_like(value: object, phone: bool = False) -> bool:
    """Text a spreadsheet would run as a formula (plain numbers, and phone numbers in a phone column, excepted)."""
    return (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _NUMBER.match(value)
        and not (phone and _PHONE.match(value))
    )


def neutralise(value: Any, phone: bool = False) -> Any:
    """Make text inert for spreadsheets: prefix a quote; numbers (and phone numbers in a phone column) stay."""
    return "'" + value if formula_like(value, phone) else value


def phone_columns(columns: Sequence[str]) -> tuple[bool, ...]:
    """Which columns hold phone numbers: the only ones where a leading + may stay."""
    return tuple("phone" in str(c).lower() for c in columns)


def check_extension(fmt: str, path: str | Path) -> None:
    """A file's ending matches its format: HXL into report.xlsx would be CSV text in a .xlsx file."""
    suffix = Path(path).suffix.lower()
    known = {ext for exts in EXTENSIONS.values() for ext in exts}
    if suffix in EXTENSIONS[fmt] or (fmt == "table" and suffix not in known):
        return
    wanted = " or ".join(EXTENSIONS[fmt])
    raise TrainerError(f"{Path(path).name}: a {fmt} file's name ends in {wanted}")


def stamp(value: datetime.date) -> str:
    """A date as ISO 8601; a time with its zone (the database keeps UTC without one: db/models/base.py)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.isoformat()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return stamp(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _ticker(progress: Progress | None, total: int) -> Callable[..., None]:
    """A progress callback thinned to about 50 calls (never more often than every 2,000 rows)."""
    step = max(1, min(_STEP, total // 50)) if total else _STEP

    def tick(done: int, final: bool = False) -> None:
        if progress is not None and (final or done % step == 0):
            progress(done, max(total, done))

    return tick


def _open_text(out: Out, *, bom: bool) -> tuple[TextIO, bool]:
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
    out: Out,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    bom: bool = False,
    progress: Progress | None = None,
    total: int = 0,
    header_rows: Sequence[Sequence[str]] = (),
) -> int:
    """CSV with CRLF lines (RFC 4180): the header, then records only. Returns the data rows written.

    No byte-order mark unless asked (`bom=True`, for Excel): with one, csv.DictReader reads
    the first column as "\ufeffforce".
    """
    fh, close = _open_text(out, bom=bom)
    tick = _ticker(progress, total)
    phones = phone_columns(columns)
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
                    (("'" + v) if v and v[0] in starts and formula_like(v, p) else v)
                    if type(v) is str
                    else v
                    if v is None or type(v) is int or type(v) is float
                    else _cell_text(v)
                    for v, p in zip(row, phones)
                ]
            )
            n += 1
            tick(n)
    finally:
        if close:
            fh.close()
    tick(n, final=True)
    return n


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    out = io.StringIO()
    write_csv(out, columns, rows, bom=bom)
    return out.getvalue()


def to_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], notes: Sequence[str] = ()) -> str:
    cells = [[str(c) for c in columns]] + [[_cell_text(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(v.rjust(w) if _NUMBER.match(v) else v.ljust(w) for v, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [""] + [f"Note: {note}" for note in notes] if notes else []
    return "\n".join(lines) + "\n"


def write_hxl(
    out: Out,
    columns: Sequence[str],
    tags: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress | None = None,
    total: int = 0,
    bom: bool = False,
) -> int:
    """CSV whose second row holds HXL hashtags (hxlstandard.org) so humanitarian tools read it."""
    return write_csv(out, columns, rows, progress=progress, total=total, header_rows=[list(tags)], bom=bom)


def _json_value(v: Any) -> Any:
    if isinstance(v, (datetime.date, datetime.datetime)):
        return stamp(v)
    return v


def write_json(
    out: Out,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress | None = None,
    total: int = 0,
    lines: bool = False,
) -> int:
    """A plain array of records (pandas.read_json reads it), or one record per line (NDJSON)."""
    fh, close = _open_text(out, bom=False)
    tick = _ticker(progress, total)
    n = 0
    columns = list(columns)
    try:
        if not lines:
            fh.write("[")
        for row in rows:
            obj = {col: _json_value(v) for col, v in zip(columns, row)}
            text = json.dumps(obj, ensure_ascii=False)
            fh.write(text + "\n" if lines else ("," if n else "") + "\n  " + text)
            n += 1
            tick(n)
        if not lines:
            fh.write("\n]\n")
    finally:
        if close:
            fh.close()
    tick(n, final=True)
    return n


def write_xlsx(
    path: str | Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Report",
    notes: Sequence[tuple[str, str]] = (),
    totals: Sequence[Sequence[Any]] = (),
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """XLSX in constant-memory mode: the data sheet holds the header and records only.

    Frozen bold header, autofilter over the records, real dates; totals rows, when asked,
    stand one empty row below the filter's range. The sheet reads right to left when its
    rows are named in Arabic (the first text column). `notes` (label, text) pairs go to a
    second sheet, "Notes".
    """
    import xlsxwriter

    # The zip is built in memory and written by us: xlsxwriter writing the file itself, on a
    # full disk, left a zipfile whose __del__ printed a second traceback past our one line.
    built = io.BytesIO()
    book = xlsxwriter.Workbook(
        built,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    last_row = 0
    tick = _ticker(progress, total)
    try:
        sheet = book.add_worksheet(_sheet_name(title))
        bold = book.add_format({"bold": True})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        stamp_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        text_fmt = book.add_format({"quote_prefix": True})
        widths = [min(max(len(str(c)), 6), 40) for c in columns]
        label_col: int | None = None  # the first column holding text: what the rows are named by
        arabic = latin = 0  # rows whose label is Arabic / Latin, in the first rows
        phones = phone_columns(columns)
        starts = frozenset(_FORMULA_START)
        for c, name in enumerate(columns):
            sheet.write_string(0, c, str(name), bold)

        def put(r: int, row: Sequence[Any], fmt_bold: Any = None) -> None:
            nonlocal label_col, arabic, latin
            for c, v in enumerate(row):
                kind = type(v)
                if kind is str:
                    if not v:
                        continue
                    # A string cell is never evaluated; quote_prefix keeps it text when edited.
                    risky = v[0] in starts and formula_like(v, phones[c])
                    sheet.write_string(r, c, v, text_fmt if risky else fmt_bold)
                    if r <= _SAMPLE_ROWS:
                        widths[c] = min(max(widths[c], len(v) + 1), 40)
                        if label_col is None and _LETTER.search(v):
                            label_col = c
                        if c == label_col:
                            arabic += bool(_AR_LETTER.search(v))
                            latin += bool(_LATIN.search(v))
                elif v is None:
                    continue
                elif kind is int or kind is float:
                    sheet.write_number(r, c, v, fmt_bold)
                elif kind is bool:
                    sheet.write_boolean(r, c, v)
                elif kind is datetime.date:
                    sheet.write_datetime(r, c, v, date_fmt)
                elif kind is datetime.datetime:
                    sheet.write_datetime(r, c, v, stamp_fmt)
                else:
                    s = str(v)
                    sheet.write_string(r, c, s, text_fmt if formula_like(s) else None)

        for r, row in enumerate(rows, start=1):
            put(r, row)
            last_row = r
            tick(r)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(last_row, 1), max(len(columns) - 1, 0))
        for k, row in enumerate(totals):
            put(last_row + 2 + k, row, bold)
        for c, w in enumerate(widths):
            sheet.set_column(c, c, w + 2)
        if arabic > latin:
            sheet.right_to_left()
        if notes:
            info = book.add_worksheet("Notes")
            info.set_column(0, 0, 18)
            info.set_column(1, 1, 100)
            for k, (label, text) in enumerate(notes):
                info.write_string(k, 0, label, bold)
                info.write_string(k, 1, neutralise(str(text)))
    finally:
        book.close()
    with open(path, "wb") as fh:
        fh.write(built.getbuffer())
    tick(last_row, final=True)
    return last_row


def _sheet_name(title: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Report"
    return name[:31]
