"""Importing a roster of trainees: check every row, then write all of it in one transaction.

Each row ends up in exactly one of four piles:
- rejected: invalid (row, column, reason), or a later row repeating an earlier
  row's national ID ("duplicate of row N");
- already present: its national ID is registered (re-importing adds nothing);
- held for review: it may be a registered person (same given+father name
  skeleton in either script and date of birth, no contradicting national ID);
- new: added as a person.
By default any rejected row refuses the whole import (ImportRefused, nothing
written); with skip_invalid the rest is written and the rejected rows reported.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import time
import unicodedata
import uuid
from dataclasses import MISSING, asdict, dataclass, field, fields
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Callable

from peewee import IntegrityError, UUIDField
from peewee import __exception_wrapper__ as driver_errors

from db import models
from db.connection import database, is_postgres
from db.fields import uuid7
from db.search import bulk_load
from trainer import audit, names, reference, roster, summary
from trainer.access import Actor, require
from trainer.errors import FieldProblem, TrainerError, ValidationFailed
from trainer.trainees import LATIN_PARTS, MAX_AGE, MIN_AGE, NAME_PARTS, TraineeInput

Progress = Callable[[str, int, int], None]
PREVIEW_ROWS = 20
_CHUNK = 500           # values per IN (...) lookup
_WRITE_CHUNK = 5_000   # rows per executemany (and per progress step)
_GENDERS = {"m": "m", "f": "f", "male": "m", "female": "f", "ذكر": "m", "انثى": "f", "أنثى": "f"}


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    reason: str
    value: str = ""


@dataclass(frozen=True)
class Candidate:
    id: int
    uuid: str
    name: str
    date_of_birth: datetime.date
    force: str
    province: str


@dataclass(frozen=True)
class Held:
    row: int
    name: str
    date_of_birth: datetime.date
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class PreviewRow:
    row: int
    values: tuple[tuple[str, str], ...]   # (field, text as written)
    status: str                            # valid | invalid | new | present | held | duplicate …


@dataclass(frozen=True)
class ImportReport:
    file: str
    encoding: str
    date_order: str
    date_order_source: str
    columns: tuple[tuple[str, str], ...]   # (header as written, field)
    rows: int
    valid: int
    rejected: tuple[Rejection, ...]
    preview: tuple[PreviewRow, ...]
    skip_invalid: bool = False
    checked_database: bool = False         # False: only the file was read (no new/present/held yet)
    new: int = 0
    already_present: tuple[int, ...] = ()
    held: tuple[Held, ...] = ()
    already_held: tuple[int, ...] = ()
    written: bool = False
    batch_uuid: str = ""
    seconds: float = 0.0

    @property
    def invalid_rows(self) -> tuple[int, ...]:
        return tuple(sorted({r.row for r in self.rejected}))

    @property
    def refused(self) -> bool:
        return bool(self.rejected) and not self.skip_invalid


class ImportRefused(ValidationFailed):
    """Invalid rows and no skip_invalid: nothing written; `report` lists every rejected row."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__([FieldProblem(r.column, r.reason, r.row) for r in report.rejected])
        self.args = (f"{len(report.invalid_rows)} of {report.rows} rows are invalid: nothing was written",)

    def __str__(self) -> str:
        return self.args[0]


# --- checking one row --------------------------------------------------------

@dataclass(slots=True)
class _Row:
    number: int
    data: TraineeInput | None            # cleaned, when the row is valid
    unit: str
    values: dict
    problems: list[FieldProblem] = field(default_factory=list)
    status: str = "invalid"
    candidates: tuple[Candidate, ...] = ()
    fingerprint: str = ""
    key: str = ""                          # match_key of a valid row


_force = lru_cache(maxsize=4096)(reference.resolve_force)
_province = lru_cache(maxsize=4096)(reference.resolve_province)
_part_keys = lru_cache(maxsize=65536)(names.keys)
_skeleton = lru_cache(maxsize=65536)(names.skeleton)


@lru_cache(maxsize=65536)
def _tidy(value: str) -> str:
    """Inner runs of spaces as one, none at the ends (as trainees.clean); cached: values repeat."""
    return " ".join(value.split())


@lru_cache(maxsize=65536)
def _name(value: str) -> str:
    """A name part tidied and NFC (domain.md: names are stored NFC); cached: names repeat."""
    value = " ".join(value.split())
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _digits(value: str) -> str:
    """Tidied, Arabic-Indic digits as ASCII; not cached: IDs and phones hardly repeat."""
    value = " ".join(value.split())
    return value if value.isascii() else names.to_ascii_digits(value)


def check_row(row: roster.RosterRow, today: datetime.date) -> _Row:
    """The row as a TraineeInput, by the registry's rules (trainees.clean), or its problems.

    Written out here rather than calling clean() so that 100,000 rows take
    seconds: reference look-ups and name keys are cached per distinct text.
    tests/unit/test_imports.py checks that both agree.
    """
    v, number = row.values, row.number
    problems = list(row.problems)
    given, father, grandfather = _name(v["given_name"]), _name(v["father_name"]), _name(v["grandfather_name"])
    for part, text in (("given_name", given), ("father_name", father), ("grandfather_name", grandfather)):
        if not text:
            problems.append(FieldProblem(part, "required", number))
    dob = row.date_of_birth
    if dob is None:
        if not any(p.field == "date_of_birth" for p in problems):
            problems.append(FieldProblem("date_of_birth", "required", number))
    elif dob > today:
        problems.append(FieldProblem("date_of_birth", f"{dob.isoformat()} is in the future", number))
    else:
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        if not MIN_AGE <= age <= MAX_AGE:
            problems.append(FieldProblem("date_of_birth", f"age {age} is outside {MIN_AGE}–{MAX_AGE}", number))
    nid = _digits(v["national_id"]).replace(" ", "")
    if nid and not (nid.isdigit() and 8 <= len(nid) <= 20):
        problems.append(FieldProblem("national_id", "digits only, 8 to 20 of them", number))
    force_text, province_text = _tidy(v["force"]), _tidy(v["province"])
    force = _force(force_text) if force_text else None
    if force is None:
        problems.append(FieldProblem("force", f"unknown force {force_text!r}" if force_text else "required",
                                     number))
    province = _province(province_text) if province_text else None
    if province is None:
        problems.append(FieldProblem("province", f"unknown province {province_text!r}" if province_text
                                     else "required", number))
    gender_text = _tidy(v["gender"])
    gender = _GENDERS.get(gender_text.lower() if gender_text else "m")
    if gender is None:
        problems.append(FieldProblem("gender", f"{gender_text!r} is not m or f", number))
    if problems:
        return _Row(number, None, v["unit"].strip(), v, problems)
    data = _input(
        given_name=given, father_name=father, grandfather_name=grandfather,
        family_name=_name(v["family_name"]), mother_name=_name(v["mother_name"]), date_of_birth=dob,
        force=force, province=province, gender=gender, national_id=nid, rank=_tidy(v["rank"]),
        phone=_digits(v["phone"]))
    # Unit text is kept exactly (a formula-like cell stays inert text).
    return _Row(number, data, v["unit"].strip(), v, status="valid", key=match_key(data))


_INPUT_DEFAULTS = {f.name: f.default for f in fields(TraineeInput) if f.default is not MISSING}


def _input(**values) -> TraineeInput:
    """A TraineeInput made three times faster than by the frozen dataclass __init__ (which
    calls object.__setattr__ per field): same fields, same value, same hash."""
    data = object.__new__(TraineeInput)
    data.__dict__.update(_INPUT_DEFAULTS, **values)
    return data


def search_text(data: TraineeInput) -> str:
    """The same tokens as trainees.search_text, built from per-part cached keys."""
    tokens = (t for p in NAME_PARTS + LATIN_PARTS if getattr(data, p)
              for t in _part_keys(getattr(data, p)).split())
    extra = [x for x in (data.national_id, data.service_number.lower()) if x]
    return " ".join(list(dict.fromkeys(tokens)) + extra)


def match_key(data: TraineeInput) -> str:
    return " ".join(s for s in (_skeleton(p) for p in (data.given_name, data.father_name) if p) if s)


def fingerprint(data: TraineeInput, unit: str) -> str:
    payload = json.dumps([asdict(data), unit], ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# --- the file, then the database ---------------------------------------------

def _check_file(path, date_format, progress: Progress | None) -> tuple[roster.Roster, list[_Row]]:
    if progress:
        progress("reading", 0, 1)
    book = roster.read_roster(path, date_format=date_format)
    today = datetime.date.today()
    rows, first_by_id = [], {}
    total = len(book.rows)
    for i, raw in enumerate(book.rows, 1):
        row = check_row(raw, today)
        nid = row.data.national_id if row.data else _digits(raw.values["national_id"]).replace(" ", "")
        if nid:
            earlier = first_by_id.setdefault(nid, row.number)
            if earlier != row.number:
                row.problems.append(FieldProblem("national_id", f"duplicate of row {earlier}", row.number))
                row.data, row.status = None, "duplicate"
        rows.append(row)
        if progress and i % _WRITE_CHUNK == 0:
            progress("checking", i, total)
    if progress:
        progress("checking", total, total)
    return book, rows


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _full_name(*parts: str) -> str:
    return " ".join(p for p in parts if p)


# A row equal to a registered person in every one of these is that person's own row imported again.
_SAME_ROW = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name", "date_of_birth",
             "gender", "national_id", "force", "province", "rank", "phone")
_DOB = _SAME_ROW.index("date_of_birth")


def _select_in(sql: str, values: list) -> list[tuple]:
    """Rows of `sql` (with one IN {marks}) for every chunk of `values`: raw SQL, because
    building 200 IN-queries of 500 values through the query builder costs seconds."""
    out = []
    mark = database.obj.param
    for chunk in _chunks(values):
        out += database.execute_sql(sql.format(marks=", ".join([mark] * len(chunk))), chunk).fetchall()
    return out


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _classify(rows: list[_Row]) -> None:
    """Against the database (read-only): already present, held for review, or new."""
    valid = [r for r in rows if r.data is not None]
    ids = sorted({r.data.national_id for r in valid if r.data.national_id})
    registered = {n for (n,) in _select_in("SELECT national_id FROM trainee WHERE national_id IN ({marks})", ids)}
    open_rows = []
    for r in valid:
        if r.data.national_id in registered:
            r.status = "present"
        else:
            open_rows.append(r)
    keys = sorted({r.key for r in open_rows if r.key})
    cols = ", ".join(f + "_id" if f in ("force", "province") else f for f in _SAME_ROW)
    found: dict[tuple[str, datetime.date], list[tuple[Candidate, str, tuple]]] = {}
    for (tid, tuuid, key, nid, *values) in _select_in(
            f"SELECT id, uuid, match_key, national_id, {cols} FROM trainee "
            "WHERE status <> 'merged' AND match_key IN ({marks})", keys):
        values = [v or "" for v in values]
        values[_DOB] = dob = _date(values[_DOB])
        force, province = values[_SAME_ROW.index("force")], values[_SAME_ROW.index("province")]
        found.setdefault((key, dob), []).append(
            (Candidate(tid, str(uuid.UUID(str(tuuid))), _full_name(*values[:4]), dob, force, province),
             nid or "", tuple(values)))
    for r in open_rows:
        matches = found.get((r.key, r.data.date_of_birth))
        if not matches:
            r.status = "new"
            continue
        mine = tuple(getattr(r.data, f) for f in _SAME_ROW)
        if any(values == mine for _, _, values in matches):
            r.status = "present"  # this very row was imported before (no national ID to tell)
            continue
        # Two different national IDs are two different persons.
        r.candidates = tuple(c for c, nid, _ in matches
                             if not (r.data.national_id and nid and nid != r.data.national_id))
        if r.candidates:
            r.status = "held"
            r.fingerprint = fingerprint(r.data, r.unit)
        else:
            r.status = "new"
    held = [r for r in open_rows if r.status == "held"]
    pending = {f for (f,) in _select_in(
        "SELECT fingerprint FROM held_row WHERE status = 'pending' AND fingerprint IN ({marks})",
        sorted({r.fingerprint for r in held}))}
    for r in held:
        if r.fingerprint in pending:
            r.status = "already held"


def _report(book: roster.Roster, rows: list[_Row], *, skip_invalid: bool, checked: bool,
            written: bool = False, batch_uuid: str = "", started: float = 0.0) -> ImportReport:
    rejected = tuple(Rejection(p.row or r.number, p.field, p.reason, _shown(r.values, p.field))
                     for r in rows for p in r.problems)
    preview = tuple(PreviewRow(r.number, tuple((f, r.values.get(f, "")) for f in roster.FIELDS), r.status)
                    for r in rows[:PREVIEW_ROWS])
    held = tuple(Held(r.number, _full_name(r.data.given_name, r.data.father_name, r.data.grandfather_name,
                                 r.data.family_name), r.data.date_of_birth, r.candidates)
                 for r in rows if r.status == "held")
    return ImportReport(
        file=book.path, encoding=book.encoding_label, date_order=book.date_order,
        date_order_source=book.date_order_source,
        columns=tuple((c.header, c.field) for c in book.columns), rows=len(rows),
        valid=sum(1 for r in rows if r.data is not None), rejected=rejected, preview=preview,
        skip_invalid=skip_invalid, checked_database=checked,
        new=sum(1 for r in rows if r.status == "new"),
        already_present=tuple(r.number for r in rows if r.status == "present"),
        held=held, already_held=tuple(r.number for r in rows if r.status == "already held"),
        written=written, batch_uuid=batch_uuid,
        seconds=round(time.monotonic() - started, 3) if started else 0.0)


def _shown(values: dict, column: str) -> str:
    return values.get(column, "") if column in roster.FIELDS else ""


# --- services ----------------------------------------------------------------

def inspect(actor: Actor, path, *, date_format: str | None = None) -> ImportReport:
    """Read and check the file only: encoding, date order, column mapping, invalid rows."""
    require(actor, "import.run")
    started = time.monotonic()
    book, rows = _check_file(path, date_format, None)
    return _report(book, rows, skip_invalid=False, checked=False, started=started)


def dry_run(actor: Actor, path, *, skip_invalid: bool = False, date_format: str | None = None,
            progress: Progress | None = None) -> ImportReport:
    """Everything an import would do, against the database, writing nothing."""
    require(actor, "import.run")
    started = time.monotonic()
    book, rows = _check_file(path, date_format, progress)
    with database.connection_context():
        _classify(rows)
    return _report(book, rows, skip_invalid=skip_invalid, checked=True, started=started)


def import_trainees(actor: Actor, path, *, skip_invalid: bool = False, date_format: str | None = None,
                    progress: Progress | None = None) -> ImportReport:
    """Check the roster and write it in one transaction; ImportRefused when rows are invalid
    and skip_invalid is off (nothing written)."""
    require(actor, "import.run")
    started = time.monotonic()
    book, rows = _check_file(path, date_format, progress)
    if any(r.problems for r in rows) and not skip_invalid:
        with database.connection_context():
            _classify(rows)
        raise ImportRefused(_report(book, rows, skip_invalid=False, checked=True, started=started))
    try:
        with database.connection_context(), database.atomic():
            _classify(rows)  # inside the transaction: what we check is what we write against
            batch_uuid = _write(actor, book, rows, skip_invalid, progress)
    except IntegrityError:
        raise TrainerError("someone registered some of these persons while the import ran; "
                           "nothing was written: run the import again") from None
    return _report(book, rows, skip_invalid=skip_invalid, checked=True, written=True,
                   batch_uuid=batch_uuid, started=started)


# --- writing -----------------------------------------------------------------

def trainee_values(data: TraineeInput, source: str, key: str | None = None) -> dict:
    """Column values of a new trainee row (the registry's derived keys included)."""
    values = dict(vars(data))  # asdict() deep-copies: ten times slower on 100,000 rows
    values.update(national_id=data.national_id or None, service_number=data.service_number or None,
                  search_text=search_text(data), match_key=match_key(data) if key is None else key,
                  source=source)
    return values


def _write(actor: Actor, book: roster.Roster, rows: list[_Row], skip_invalid: bool,
           progress: Progress | None) -> str:
    db = database.obj
    pg = is_postgres(db)
    new = [r for r in rows if r.status == "new"]
    held = [r for r in rows if r.status == "held"]
    batch = models.ImportBatch.create(
        file_name=Path(book.path).name[:255], file_sha256=book.sha256, encoding=book.encoding,
        date_order=book.date_order, skip_invalid=skip_invalid, rows_read=len(rows), added=len(new),
        already_present=sum(1 for r in rows if r.status == "present"), held=len(held),
        rejected=sum(1 for r in rows if r.problems), user=actor.user_id, username=actor.username)
    source = f"import:{batch.uuid}"
    before = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM trainee").fetchone()[0]
    ids = _insert_trainees(db, pg, new, source, before, progress) if new else {}
    units, created = ensure_units({(r.data.force, r.unit) for r in new if r.unit})
    today, now = datetime.date.today(), _stamp(models.now(), pg)
    placed = [r for r in new if r.unit]
    _insert_many(db, pg, "unit_assignment", *_bulk_rows(models.UnitAssignment, [
        dict(uuid=u, trainee=ids[r.number], unit=units[(r.data.force, r.unit)], start_date=today,
             created_at=now, updated_at=now) for r, u in zip(placed, uuid7_hexes(len(placed)))]))
    if held:
        models.HeldRow.insert_many([dict(
            batch=batch, row_number=r.number, values=held_values(r.data, r.unit),
            candidates=json.dumps([c.uuid for c in r.candidates]), fingerprint=r.fingerprint)
            for r in held]).execute()
    if ids:
        if progress:
            progress("summaries", 0, 1)
        summary.add_new_persons(before, source)
    audit.record(actor, "import", "import_batch", batch.uuid, after=dict(
        file=batch.file_name, sha256=book.sha256, added=len(new), already_present=batch.already_present,
        held=len(held), rejected=batch.rejected, units_created=len(created),
        skip_invalid=skip_invalid))
    if progress:
        progress("done", 1, 1)
    return str(batch.uuid)


def held_values(data: TraineeInput, unit: str) -> str:
    return json.dumps({**asdict(data), "date_of_birth": data.date_of_birth.isoformat(), "unit": unit},
                      ensure_ascii=False)


def _stamp(moment: datetime.datetime, pg: bool):
    """A timestamp as the driver would store it: SQLite's adapter writes isoformat(' ')
    (done once here instead of 200,000 times by the driver)."""
    return moment if pg else moment.isoformat(" ")


def uuid7_hexes(count: int) -> list[str]:
    """`count` time-ordered UUIDs (v7, as db.fields.uuid7 makes them) as 32 hex digits,
    from one read of the random source."""
    ms = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    head = ms << 80 | 0x7 << 76
    rnd = os.urandom(10 * count)
    out = []
    for i in range(0, 10 * count, 10):
        r = int.from_bytes(rnd[i:i + 10], "big")
        out.append(f"{head | (r >> 68) << 64 | 0b10 << 62 | (r & ((1 << 62) - 1)):032x}")
    return out


def _bulk_rows(model, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """Column names and value tuples for every column but id. A column the rows do not
    set gets the model's default (so a column another migration adds later still gets
    one); every row must set the same keys, uuid (hex) included."""
    if not rows:
        return [], []
    columns = [f for f in model._meta.sorted_fields if f.name != "id"]
    unset = [f for f in columns if f.name not in rows[0]]
    if any(isinstance(f, UUIDField) for f in unset):
        raise ValueError("bulk rows must carry their uuid")
    for f in unset:
        if callable(f.default):
            for row in rows:
                row[f.name] = f.default()
        else:
            for row in rows:
                row[f.name] = f.default
    get = itemgetter(*(f.name for f in columns))
    return [f.column_name for f in columns], [get(row) for row in rows]


def _insert_trainees(db, pg: bool, new: list[_Row], source: str, before: int,
                     progress: Progress | None) -> dict[int, int]:
    """Row number -> id of each new trainee (their ids are all above `before`)."""
    now = _stamp(models.now(), pg)
    by_uuid, rows = {}, []
    for r, u in zip(new, uuid7_hexes(len(new))):
        values = trainee_values(r.data, source, r.key)
        values.update(uuid=u, version=1, created_at=now, updated_at=now, status="active")
        by_uuid[u] = r.number
        rows.append(values)
    cols, params = _bulk_rows(models.Trainee, rows)
    del rows
    with bulk_load(db, postgres=pg):
        _insert_many(db, pg, "trainee", cols, params, progress)
        if progress:
            progress("indexing", 0, 1)  # the search index is rebuilt once, as the block ends
    found = database.execute_sql(f"SELECT id, uuid FROM trainee WHERE id > {db.param} AND source = {db.param}",
                                 (before, source))
    return {by_uuid[str(u).replace("-", "")]: tid for tid, u in found.fetchall()}


def _insert_many(db, pg: bool, table: str, cols, params: list[tuple], progress: Progress | None = None) -> None:
    """executemany in chunks on peewee's connection (inside the caller's transaction)."""
    if not params:
        return
    with driver_errors:  # sqlite3/psycopg2 errors as peewee's (IntegrityError …), as execute_sql does
        _executemany(db, pg, table, cols, params, progress)


def _executemany(db, pg: bool, table: str, cols, params: list[tuple], progress: Progress | None) -> None:
    quoted = ", ".join(f'"{c}"' for c in cols)
    cursor = db.cursor()
    total = len(params)
    if progress:
        progress("writing", 0, total)
    if pg:
        from psycopg2.extras import execute_values
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES %s'
        for i in range(0, total, _WRITE_CHUNK):
            execute_values(cursor, sql, params[i:i + _WRITE_CHUNK], page_size=1000)
            if progress:
                progress("writing", min(i + _WRITE_CHUNK, total), total)
        return
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(cols))})'
    for i in range(0, total, _WRITE_CHUNK):
        cursor.executemany(sql, params[i:i + _WRITE_CHUNK])
        if progress:
            progress("writing", min(i + _WRITE_CHUNK, total), total)


def _unit_code(force: str, name: str, taken) -> str:
    code = f"{force}:{name}"
    if len(code) <= 64 and code not in taken:
        return code
    return f"{force}:{uuid7().hex[:20]}"


def ensure_units(wanted: set[tuple[str, str]]) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Unit ids by (force, name as written), and the codes of units created for names
    the registry lacked. The name is stored exactly as written (formula-like text too)."""
    U = models.Unit
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks(sorted({n for _, n in wanted})):
        for uid, force, name in U.select(U.id, U.force, U.name).where(U.name.in_(chunk)).tuples():
            found.setdefault((force, name), uid)
    missing = sorted(wanted - found.keys())
    created = []
    if missing:
        taken = {c for (c,) in U.select(U.code).tuples()}
        for force, name in missing:
            code = _unit_code(force, name, taken)
            taken.add(code)
            found[(force, name)] = U.insert(code=code, name=name, force=force).execute()
            created.append(code)
    return found, created
