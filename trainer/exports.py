"""Writing report results: terminal table and CSV, with formula injection neutralised."""
from __future__ import annotations

import csv
import io
import re

# OWASP: a cell beginning with one of these is run as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"^\+[0-9 ()-]{6,}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise(value):
    """Make text inert for spreadsheets: prefix a quote; numbers and phone numbers stay as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PHONE.match(value) or _NUMBER.match(value):
        return value
    return "'" + value


def to_csv(columns, rows, *, bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def to_table(columns, rows) -> str:
    cells = [[str(c) for c in columns]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(v.rjust(w) if _NUMBER.match(v) else v.ljust(w) for v, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
