"""Reading a roster file: bytes → header mapping → rows of text, or a clear refusal.

Only what the file itself says is decided here (encoding, columns, date order, one date per
row); whether a row is a valid person is trainer.rosters.imports' business. A file that cannot
be read whole is refused with the reason (RosterRefused, a ValidationFailed): never half-read.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, overload

from trainer.errors import FieldProblem, ValidationFailed
from trainer.registry import names

# Caps: a roster is a few thousand people; 100,000 is the largest we plan for.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_XLSX_UNPACKED = 256 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 64
MAX_FIELD_CHARS = 255  # the database's VARCHAR(255)

# (field, Arabic header, required) in the documented order (docs/cli.md, "Roster files").
COLUMNS = (
    ("given_name", "الاسم", True),
    ("father_name", "اسم الاب", True),
    ("grandfather_name", "اسم الجد", True),
    ("family_name", "اللقب", False),
    ("mother_name", "اسم الام", False),
    ("date_of_birth", "تاريخ الولادة", True),
    ("gender", "الجنس", False),
    ("national_id", "الرقم الوطني", False),
    ("force", "القوة", True),
    ("province", "المحافظة", True),
    ("unit", "الوحدة", False),
    ("rank", "الرتبة", False),
    ("phone", "الهاتف", False),
)
FIELDS = tuple(c[0] for c in COLUMNS)
REQUIRED = tuple(c[0] for c in COLUMNS if c[2])
ARABIC_HEADER = {c[0]: c[1] for c in COLUMNS}

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 with BOM",
    "utf-8": "UTF-8",
    "windows-1256": "Windows-1256",
    "xlsx": "XLSX workbook",
}
DAY_FIRST, MONTH_FIRST, YEAR_FIRST = "day-first", "month-first", "year-first"
_FORMATS = {
    DAY_FIRST: (
        "dd/mm/yyyy",
        "d/m/y",
        "%d/%m/%y",
        "dmy",
        "day-first",
        "dd-mm-yyyy",
        "dd.mm.yyyy",
        "%d-%m-%y",
        "%d.%m.%y",
    ),
    MONTH_FIRST: ("mm/dd/yyyy", "m/d/y", "%m/%d/%y", "mdy", "month-first", "mm-dd-yyyy", "%m-%d-%y"),
    YEAR_FIRST: ("yyyy-mm-dd", "y-m-d", "%y-%m-%d", "ymd", "year-first", "iso", "yyyy/mm/dd", "%y/%m/%d"),
}


class RosterRefused(ValidationFailed):
    """The file as a whole cannot be read; nothing of it is used."""


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as written in the file
    field: str


class RosterRow(NamedTuple):  # a tuple: 100,000 of them are made per large roster
    number: int  # spreadsheet row number: the header is row 1
    values: dict[str, Any]  # field -> text as written ('' when empty)
    date_of_birth: datetime.date | None
    problems: tuple[FieldProblem, ...]


@dataclass(frozen=True)
class Roster:
    path: str
    encoding: str  # utf-8-sig | utf-8 | windows-1256 | xlsx
    delimiter: str
    columns: tuple[Column, ...]
    date_order: str  # day-first | month-first | year-first | '' (no dates)
    date_order_source: str  # 'values', '--date-format' or ''
    rows: Sequence[RosterRow]  # Rows: made as they are first read
    sha256: str
    size: int

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def refuse(reason: str, *, row: int | None = None, field: str = "file") -> RosterRefused:
    return RosterRefused([FieldProblem(field, reason, row)])


def date_order_of(fmt: str | None) -> str | None:
    """The order a --date-format names (DD/MM/YYYY, %m/%d/%Y, day-first …); None if none given."""
    if not fmt:
        return None
    key = fmt.strip().lower()
    for order, spellings in _FORMATS.items():
        if key in spellings:
            return order
    raise ValidationFailed(
        [FieldProblem("date_format", f"{fmt!r} is not a date format: use DD/MM/YYYY, MM/DD/YYYY or YYYY-MM-DD")]
    )


# --- reading bytes -----------------------------------------------------------


def read_roster(path: str | Path, *, date_format: str | None = None) -> Roster:
    """The whole file, checked; RosterRefused (with the reason) when it cannot be read."""
    wanted = date_order_of(date_format)
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise refuse(f"{path} is not a file")
        if size > MAX_FILE_BYTES:
            raise refuse(f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise refuse(f"the file is larger than {MAX_FILE_BYTES:,} bytes")
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"PK\x03\x04"):
        table, encoding, delimiter = _xlsx_table(data), "xlsx", ""
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse("an old Excel .xls workbook: save it as .xlsx or CSV UTF-8")
    else:
        text, encoding = decode(data)
        table, delimiter = _csv_table(text)
    columns, header_row = _map_header(table)
    records = [
        (header_row + offset + 1, record) for offset, record in enumerate(table[header_row:]) if "".join(record).strip()
    ]  # a blank line is no one
    at = next(c.index for c in columns if c.field == "date_of_birth")
    order, source = settle_date_order(
        [r[at] if at < len(r) else "" for _, r in records], [n for n, _ in records], wanted
    )
    rows = Rows(records, columns, len(table[header_row - 1]), order)
    return Roster(str(path), encoding, delimiter, columns, order, source, rows, digest, len(data))


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM) or Windows-1256; else refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("UTF-16 text is not accepted: save the file as CSV UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise refuse(f"binary data, not a CSV file (NUL byte at offset {nul})")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise refuse(f"starts as UTF-8 but byte {exc.start + 3} is not UTF-8") from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("windows-1256"), "windows-1256"
            _check_windows_1256(text)
    bad = _CONTROL.search(text)
    if bad:
        raise refuse(f"binary data, not a CSV file (control character U+{ord(bad.group()):04X})")
    return text, encoding


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_windows_1256(text: str) -> None:
    """Every byte decodes in Windows-1256, so ask whether the result reads as Arabic:
    a Latin-1 or Windows-1252 file would come out as accented Latin letters."""
    high = [c for c in text if ord(c) > 0x7F]
    arabic = sum(1 for c in high if "\u0600" <= c <= "\u06ff")
    letters_elsewhere = sum(1 for c in high if c.isalpha() and not "\u0600" <= c <= "\u06ff")
    if arabic == 0 or letters_elsewhere * 4 > arabic or _C1.search(text):
        raise refuse("the file is neither UTF-8 nor Windows-1256 (Arabic) text; save it as CSV UTF-8")


_C1 = re.compile("[\x80-\x9f]")


def _csv_table(text: str) -> tuple[list[list[str]], str]:
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        table = list(islice(reader, MAX_ROWS + 2))  # the header, the cap, and one more to tell
    except csv.Error as exc:
        reason = str(exc)
        if "unexpected end of data" in reason:
            reason = "a quoted value is never closed"
        elif "field larger than field limit" in reason:
            reason = "a value is far too long (unclosed quote?)"
        raise refuse(f"malformed CSV near line {reader.line_num}: {reason}") from None
    if len(table) > MAX_ROWS + 1:
        raise refuse(f"more than {MAX_ROWS:,} rows")
    if table and max(map(len, table)) > MAX_COLUMNS:
        at = next(i for i, r in enumerate(table) if len(r) > MAX_COLUMNS)
        raise refuse(f"{len(table[at])} columns; the limit is {MAX_COLUMNS}", row=at + 1)
    return table, delimiter


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first line into the most known headers."""
    first = text.split("\n", 1)[0]
    best, score = ",", -1
    for d in (",", ";", "\t"):
        known = sum(1 for cell in first.split(d) if header_field(cell))
        if known > score:
            best, score = d, known
    return best


def _xlsx_table(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text. Formulas come back as their text (=…), never run."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise refuse(f"not a readable XLSX workbook ({exc})") from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > 10_000 or unpacked > MAX_XLSX_UNPACKED:
        raise refuse(f"the workbook unpacks to {unpacked:,} bytes; the limit is {MAX_XLSX_UNPACKED:,}")
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            table: list[list[str]] = []
            for cells in sheet.iter_rows(values_only=True):
                if len(table) > MAX_ROWS:
                    raise refuse(f"more than {MAX_ROWS:,} rows")
                table.append([_cell_text(v) for v in cells[: MAX_COLUMNS + 1]])
        finally:
            book.close()
    except RosterRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise refuse(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})"[:300]) from None
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a national ID typed as a number
    return str(value)


# --- header ------------------------------------------------------------------


def _header_forms() -> dict[str, str]:
    forms = {}
    for field, arabic, _ in COLUMNS:
        forms[names.normalise(field)] = field
        forms[names.normalise(arabic)] = field
    return forms


_HEADERS = _header_forms()


def header_field(text: str) -> str | None:
    """The field a header names, English or Arabic, any case, '_' or space; else None."""
    return _HEADERS.get(names.normalise(text.replace("\ufeff", "")))


def _map_header(table: list[list[str]]) -> tuple[tuple[Column, ...], int]:
    index = next((i for i, r in enumerate(table) if any(c.strip() for c in r)), None)
    if index is None:
        raise refuse("the file is empty")
    header = table[index]
    columns: list[Column] = []
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for i, cell in enumerate(header):
        text = cell.strip()
        if not text:
            if any(i < len(r) and r[i].strip() for r in table[index + 1 :]):
                unknown.append(f"column {i + 1} has values but no header")
            continue
        field = header_field(text)
        if field is None:
            unknown.append(f"unknown column {text!r}")
        elif field in seen:
            unknown.append(f"{text!r} and {seen[field]!r} are the same column ({field})")
        else:
            seen[field] = text
            columns.append(Column(i, text, field))
    problems = [FieldProblem("header", reason, index + 1) for reason in unknown]
    missing = [f for f in REQUIRED if f not in seen]
    if missing:
        problems.append(
            FieldProblem(
                "header",
                "missing required column(s): " + ", ".join(f"{f} ({ARABIC_HEADER[f]})" for f in missing),
                index + 1,
            )
        )
    if problems:
        raise RosterRefused(problems)
    return tuple(columns), index + 1


# --- rows --------------------------------------------------------------------


class Rows(Sequence[RosterRow]):
    """A roster's rows (RosterRow), made from the file's records as they are first asked for:
    an import turns each chunk into rows while the database writes the previous one."""

    def __init__(
        self, records: list[tuple[int, list[str]]], columns: tuple[Column, ...], header_cells: int, order: str
    ):
        self._records, self._order = records, order
        self._width = max(c.index for c in columns) + 1
        self._wide = max(self._width, header_cells)
        self._header_cells = header_cells
        self._pick = itemgetter(*(c.index for c in columns))  # several columns: every required one is there
        self._fields = [c.field for c in columns]
        self._absent = [f for f in FIELDS if f not in self._fields]
        self._made: list[RosterRow] = []

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> RosterRow: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[RosterRow, ...]: ...
    def __getitem__(self, index: int | slice) -> RosterRow | tuple[RosterRow, ...]:
        if isinstance(index, slice):
            end = index.indices(len(self))[1] if index.step in (None, 1) else len(self)
        else:
            end = index + 1 if index >= 0 else len(self)
        if end > len(self._made):
            self._made += [self._row(n, r) for n, r in self._records[len(self._made) : end]]
        return tuple(self._made[index]) if isinstance(index, slice) else self._made[index]

    def __iter__(self) -> Iterator[RosterRow]:
        for i in range(0, len(self), 5_000):
            yield from self[i : i + 5_000]

    def _row(self, number: int, record: list[str]) -> RosterRow:
        problems = []
        width = self._width
        if len(record) < width or (len(record) > self._wide and "".join(record[self._wide :]).strip()):
            problems.append(
                FieldProblem("row", f"{len(record)} values but the header has {self._header_cells} columns", number)
            )
            record = record + [""] * (width - len(record))
        values = dict(zip(self._fields, self._pick(record)))
        for f in self._absent:
            values[f] = ""
        joined = "".join(record)
        if "\n" in joined or "\r" in joined or max(map(len, record)) > MAX_FIELD_CHARS:
            for f, text in values.items():
                if len(text) > MAX_FIELD_CHARS:
                    problems.append(FieldProblem(f, f"longer than {MAX_FIELD_CHARS} characters", number))
                elif "\n" in text or "\r" in text:
                    problems.append(FieldProblem(f, "a line break inside the value", number))
        return _dated(number, values, problems, self._order)


# --- dates -------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d+)$")
_YMD = re.compile(r"^(\d{4})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})$")


def _date_text(text: str) -> str:
    return unicodedata.normalize("NFKC", names.to_ascii_digits(text)).strip()


def settle_date_order(texts: list[str], numbers: list[int], wanted: str | None) -> tuple[str, str]:
    """The file's one date order: from --date-format, else from values that settle it.

    `texts` are the date-of-birth cells, `numbers` their row numbers. A file whose
    values show both orders, or leave it open, is refused with that reason.
    """
    if wanted:
        return wanted, "--date-format"
    day_first = month_first = open_row = None
    iso = False
    first: dict[str, int] = {}
    for number, raw in zip(numbers, texts):
        first.setdefault(raw, number)  # each distinct text once: 100,000 rows hold a few thousand dates
    for raw, number in first.items():
        text = _date_text(raw)
        m = _DMY.match(text)
        if not m:
            iso = iso or bool(_YMD.match(text))
            continue
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            day_first = day_first or (number, raw)
        elif b > 12 >= a:
            month_first = month_first or (number, raw)
        elif a <= 12 and b <= 12:
            open_row = open_row or (number, raw)
    if day_first and month_first:
        raise refuse(
            f"the dates are in both orders: row {day_first[0]} ({day_first[1]}) is day-first, "
            f"row {month_first[0]} ({month_first[1]}) month-first; give --date-format",
            field="date_of_birth",
        )
    if day_first:
        return DAY_FIRST, "values"
    if month_first:
        return MONTH_FIRST, "values"
    if open_row:
        raise refuse(
            "the date order is open: every date could be day-first or month-first "
            f"(e.g. row {open_row[0]}: {open_row[1]}); give --date-format DD/MM/YYYY or MM/DD/YYYY",
            field="date_of_birth",
        )
    return (YEAR_FIRST, "values") if iso else ("", "")


def parse_date(text: str, order: str) -> datetime.date:
    """One date in the file's order; ValueError with the reason. Nothing is filled in."""
    shown = text.strip()
    text = _date_text(text)
    if not text:
        raise ValueError("required")
    m = _YMD.match(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    else:
        m = _DMY.match(text)
        if not m:
            raise ValueError(f"{shown!r} is not a date (day, month and year, e.g. 23/07/1988)")
        a, b, year = m.group(1), m.group(3), m.group(4)
        if len(year) != 4:
            raise ValueError(f"{shown!r}: the year must have four digits")
        if order == MONTH_FIRST:
            mo, d = int(a), int(b)
        elif order == DAY_FIRST:
            d, mo = int(a), int(b)
        elif order == YEAR_FIRST:
            raise ValueError(f"{shown!r}: the file's dates are year-first (YYYY-MM-DD)")
        else:
            raise ValueError(f"{shown!r} is not a valid date")
        y = int(year)
    try:
        return datetime.date(y, mo, d)
    except ValueError:
        raise ValueError(f"{shown!r} is not a valid {order} date") from None


@lru_cache(maxsize=65536)
def _parsed(text: str, order: str) -> datetime.date | str:
    """A date, or the reason it is none ('required' when empty); cached: dates repeat."""
    try:
        return parse_date(text, order)
    except ValueError as exc:
        return str(exc)


def _dated(number: int, values: dict[str, Any], problems: list[Any], order: str) -> RosterRow:
    dob = _parsed(values["date_of_birth"], order)
    if isinstance(dob, str):
        if dob != "required":  # a missing date is the row check's to report
            problems.append(FieldProblem("date_of_birth", dob, number))
        return RosterRow(number, values, None, tuple(problems))
    return RosterRow(number, values, dob, tuple(problems))
