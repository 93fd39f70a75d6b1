"""Import postings from a personnel list (CSV in UTF-8 or Windows-1256), checked like a roster.

Columns (English or Arabic headers): national_id, station (or unit, for a
posting to a unit), start_date, and optionally end_date and end_reason. Every row is checked before anything is
written: unknown person or station, a person who cannot be posted
(trainer.stations.postings.refusal), overlapping rows for one person in the
file. All or nothing unless `skip_invalid`; a row repeating a posting already
recorded (same person, station and start) is "already present", not an error.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_centre
from trainer.errors import FieldProblem, PermissionDenied, TrainerError, ValidationFailed
from trainer.rosters.reading import DAY_FIRST, MAX_FILE_BYTES, decode, parse_date
from trainer.stations.postings import _check_dates, _lock, refusal
from trainer.text import read_small

HEADERS = {
    "national_id": ("national_id", "national id", "الرقم الوطني"),
    "station": ("station", "station code", "المركز", "رمز المركز"),
    "unit": ("unit", "unit code", "الوحدة"),
    "start_date": ("start_date", "start", "from", "تاريخ المباشرة"),
    "end_date": ("end_date", "end", "to", "تاريخ الانتهاء"),
    "end_reason": ("end_reason", "reason", "سبب الانتهاء"),
}
REQUIRED = ("national_id", "start_date")  # and station or unit


@dataclass
class PostingImport:
    rows: int = 0
    written: int = 0
    present: int = 0
    invalid: list[FieldProblem] = field(default_factory=list)
    dry_run: bool = False
    # every row's outcome, for review (`posting import --report`): (row, posted | present | rejected, column, reason)
    outcomes: list[tuple[int, str, str, str]] = field(default_factory=list)


class PostingsRefused(ValidationFailed):
    """All or nothing: some rows are invalid and nothing was written; `report` says what each row would be."""

    def __init__(self, report: PostingImport) -> None:
        super().__init__(report.invalid)
        self.report = report


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        data = read_small(path, MAX_FILE_BYTES, "personnel list")
    except TrainerError as exc:
        raise ValidationFailed([FieldProblem("file", str(exc))]) from None
    if data.startswith(b"PK\x03\x04"):
        raise ValidationFailed([FieldProblem("file", "a workbook: save the personnel list as CSV UTF-8")])
    text, _encoding = decode(data)
    table = [r for r in csv.reader(io.StringIO(text)) if "".join(r).strip()]
    if not table:
        raise ValidationFailed([FieldProblem("file", "empty")])
    forms = {form.casefold(): key for key, spellings in HEADERS.items() for form in spellings}
    at = {}
    for i, head in enumerate(table[0]):
        key = forms.get(head.strip().casefold())
        if key:
            at[key] = i
    missing = [k for k in REQUIRED if k not in at] + (["station"] if "station" not in at and "unit" not in at else [])
    if missing:
        raise ValidationFailed([FieldProblem("header", f"no {k} column") for k in missing])
    return [
        (n, {k: (rec[i].strip() if i < len(rec) else "") for k, i in at.items()}) for n, rec in enumerate(table[1:], 2)
    ]


def _date(text: str, row: int, name: str, problems: list[FieldProblem]) -> datetime.date | None:
    if not text:
        return None
    try:
        return parse_date(text, DAY_FIRST)
    except ValueError as exc:
        problems.append(FieldProblem(name, str(exc), row))
        return None


def import_postings(
    actor: Actor, path: str | Path, *, dry_run: bool = False, skip_invalid: bool = False
) -> PostingImport:
    require(actor, "posting.write")
    records = _read(Path(path))
    out = PostingImport(rows=len(records), dry_run=dry_run)
    T, S, P = models.Trainee, models.Station, models.Posting
    with database.connection_context(), database.atomic() as txn:
        ids = [r["national_id"] for _, r in records]
        people: dict[str, int] = {}
        for i in range(0, len(ids), 5000):  # within every backend's limit on bound values
            people.update(T.select(T.national_id, T.id).where(T.national_id.in_(ids[i : i + 5000])).tuples())
        stations = {
            code: (sid, centre, status)
            for sid, code, centre, status in S.select(S.id, S.code, S.centre, S.status).tuples()
        }
        units: dict[str, int] = dict(models.Unit.select(models.Unit.code, models.Unit.id).tuples())
        ok: list[dict[str, Any]] = []
        in_file: dict[int, list[tuple[datetime.date, datetime.date | None, int]]] = {}
        for n, r in records:
            problems: list[FieldProblem] = []
            tid = people.get(r["national_id"])
            if tid is None:
                problems.append(FieldProblem("national_id", f"no person with national ID {r['national_id']!r}", n))
            station, unit = None, None
            station_code, unit_code = r.get("station", ""), r.get("unit", "")
            if bool(station_code) == bool(unit_code):
                problems.append(FieldProblem("station", "give a station or a unit (one of them)", n))
            elif unit_code:
                unit = units.get(unit_code)
                if unit is None:
                    problems.append(FieldProblem("unit", f"no unit {unit_code!r}", n))
            else:
                station = stations.get(station_code.upper())
                if station is None:
                    problems.append(FieldProblem("station", f"no station {station_code!r}", n))
                elif station[2] == "closed":
                    problems.append(FieldProblem("station", f"{station_code} is closed", n))
            start = _date(r["start_date"], n, "start_date", problems)
            end = _date(r.get("end_date", ""), n, "end_date", problems)
            reason = r.get("end_reason", "").lower()
            if start and not problems:
                try:
                    _check_dates(start, end, reason)
                except ValidationFailed as exc:
                    problems += [FieldProblem(p.field, p.reason, n) for p in exc.problems]
            if not problems:
                assert tid is not None and start is not None  # else a problem above
                if actor.role == "registrar" and station is not None:
                    try:
                        require_centre(actor, station[1] or 0)
                    except PermissionDenied as exc:
                        problems.append(FieldProblem("station", str(exc), n))
                place = (
                    {"station": station[0], "unit": None} if station is not None else {"station": None, "unit": unit}
                )
                same = (P.station == place["station"]) if station is not None else (P.unit == unit)
                if P.select().where((P.trainee == tid) & same & (P.start_date == start)).exists():
                    out.present += 1
                    out.outcomes.append((n, "present", "", "the same posting is already recorded"))
                    continue
                why = refusal(tid, start, end)
                for other_start, other_end, other_row in in_file.get(tid, []):
                    if other_start <= (end or datetime.date.max) and start <= (other_end or datetime.date.max):
                        why = why or f"overlaps row {other_row} for the same person"
                if why:
                    problems.append(FieldProblem("national_id", f"the person {why}", n))
            if problems:
                out.invalid += problems
                out.outcomes += [(n, "rejected", p.field, p.reason) for p in problems]
                continue
            assert tid is not None and start is not None  # as above
            in_file.setdefault(tid, []).append((start, end, n))
            ok.append(dict(trainee=tid, **place, start_date=start, end_date=end, end_reason=reason,
                           source=Path(path).name))  # fmt: skip
            out.outcomes.append((n, "posted", "", ""))
        if out.invalid and not skip_invalid:
            raise PostingsRefused(out)
        if dry_run:
            txn.rollback()
            out.written = len(ok)
            return out
        _lock([r["trainee"] for r in ok])
        if ok:
            P.insert_many(ok).execute()
        out.written = len(ok)
        audit.record(
            actor, "import-postings", "posting", "", file=Path(path).name, written=len(ok), skipped=len(out.invalid)
        )
    return out
