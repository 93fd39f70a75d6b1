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
import json
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from peewee import IntegrityError

from db import models
from db.connection import database
from db.dialect import Dialect, dialect
from db.fields import uuid7
from trainer.accounts import audit
from trainer.accounts.access import Actor, home_centre, require
from trainer.errors import TrainerError
from trainer.registry.trainees import TraineeInput
from trainer.reporting import summary
from trainer.rosters import reading as roster
from trainer.rosters.checking import _check_rows, _Row, _ValidRow, check_row, fingerprint
from trainer.rosters.report import (
    Candidate,
    Held,
    ImportRefused,
    ImportReport,
    PreviewRow,
    Rejection,
    build_report,
    full_name,
)
from trainer.rosters.writing import (
    WRITE_CHUNK,
    Progress,
    Writer,
    bulk_rows,
    chunks,
    ensure_units,
    match_key,
    no_cycle_collection,
    search_text,
    trainee_rows,
    trainee_values,
    uuid7_hexes,
)

__all__ = [
    "Candidate",
    "Held",
    "ImportRefused",
    "ImportReport",
    "PreviewRow",
    "Rejection",
    "check_row",
    "dry_run",
    "ensure_units",
    "import_trainees",
    "inspect",
    "match_key",
    "search_text",
    "trainee_values",
]


def _check_file(
    path: str | Path, date_format: str | None, progress: Progress | None
) -> tuple[roster.Roster, list[_Row]]:
    if progress:
        progress("reading", 0, 1)
    book = roster.read_roster(path, date_format=date_format)
    today, rows = datetime.date.today(), []
    first_by_id: dict[str, int] = {}
    total = len(book.rows)
    for start in range(0, total, WRITE_CHUNK):
        rows += _check_rows(book.rows[start : start + WRITE_CHUNK], today, first_by_id)
        if progress:
            progress("checking", len(rows), total)
    if progress and not total:
        progress("checking", 0, 0)
    return book, rows


# A row equal to a registered person in every one of these is that person's own row imported again.
_SAME_ROW = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "date_of_birth",
    "gender",
    "national_id",
    "force",
    "province",
    "rank",
    "phone",
)
_DOB = _SAME_ROW.index("date_of_birth")


def _select_in(cursor: Any, mark: str, sql: str, values: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of `sql` (with one IN {marks}) for every chunk of `values`: raw SQL, because
    building 200 IN-queries of 500 values through the query builder costs seconds."""
    out = []
    for chunk in chunks(values):
        cursor.execute(sql.format(marks=", ".join([mark] * len(chunk))), chunk)
        out += cursor.fetchall()
    return out


def _date(value: datetime.date | str) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


Found = dict[tuple[str, datetime.date], list[tuple[Candidate, str, tuple[Any, ...]]]]


class _Registry:
    """What the registry holds for valid rows, read on `cursor`: registered national IDs,
    and the persons sharing a row's match key and date of birth. Asked chunk after
    chunk, it reads each key's (id, date of birth) once, and a person's details only
    when a row matches them: one key can stand for thousands of persons (a common
    name, or earlier imports of the same names). With `upto`, only trainees up to
    that id: the import's own new rows are not the registry it checks against."""

    def __init__(self, cursor: Any, mark: str, upto: int | None = None) -> None:
        self.cursor, self.mark = cursor, mark
        # "+id": a filter, not an index (a range of rowids would scan the registry).
        self.bound = "" if upto is None else f" AND +id <= {int(upto)}"
        self.keys: set[str] = set()
        self.ids: dict[tuple[str, str], list[int]] = {}  # (key, ISO date of birth) -> trainee ids
        self.persons: dict[int, tuple[Candidate, str, tuple[Any, ...]]] = {}

    def lookup(self, valid: list[_ValidRow]) -> tuple[set[str], Found]:
        ids = sorted({r.data.national_id for r in valid if r.data.national_id})
        registered = {
            n
            for (n,) in self._select("SELECT national_id FROM trainee WHERE national_id IN ({marks})" + self.bound, ids)
        }
        rows = [r for r in valid if r.key and r.data.national_id not in registered]
        keys = sorted({r.key for r in rows} - self.keys)
        self.keys.update(keys)
        for tid, key, dob in self._select(
            "SELECT id, match_key, date_of_birth FROM trainee "
            f"WHERE status <> 'merged'{self.bound} AND match_key IN ({{marks}})",
            keys,
        ):
            self.ids.setdefault((key, str(dob)[:10]), []).append(tid)
        pairs = {(r.key, r.dob): self.ids.get((r.key, r.dob.isoformat()), ()) for r in rows}
        cols = ", ".join(f + "_id" if f in ("force", "province") else f for f in _SAME_ROW)
        for tid, tuuid, nid, *values in self._select(
            f"SELECT id, uuid, national_id, {cols} FROM trainee WHERE id IN ({{marks}})",
            sorted({t for found in pairs.values() for t in found} - self.persons.keys()),
        ):
            values = [v or "" for v in values]
            values[_DOB] = dob = _date(values[_DOB])
            force, province = values[_SAME_ROW.index("force")], values[_SAME_ROW.index("province")]
            self.persons[tid] = (
                Candidate(tid, str(uuid.UUID(str(tuuid))), full_name(*values[:4]), dob, force, province),
                nid or "",
                tuple(values),
            )
        return registered, {pair: [self.persons[t] for t in found] for pair, found in pairs.items() if found}

    def _select(self, sql: str, values: list[Any]) -> list[tuple[Any, ...]]:
        return _select_in(self.cursor, self.mark, sql, values)


def _sort(valid: list[_ValidRow], registered: set[str], found: Found) -> None:
    """Each valid row: already present, held for review (with its fingerprint), or new."""
    for r in valid:
        if r.data.national_id in registered:
            r.status = "present"
            continue
        matches = found.get((r.key, r.dob))
        if not matches:
            r.status = "new"
            continue
        mine = tuple(getattr(r.data, f) for f in _SAME_ROW)
        if any(values == mine for _, _, values in matches):
            r.status = "present"  # this very row was imported before (no national ID to tell)
            continue
        # Two different national IDs are two different persons.
        r.candidates = tuple(
            c for c, nid, _ in matches if not (r.data.national_id and nid and nid != r.data.national_id)
        )
        if r.candidates:
            r.status = "held"
            r.fingerprint = fingerprint(r.data, r.unit)
        else:
            r.status = "new"


def _mark_already_held(cursor: Any, mark: str, held: list[_ValidRow]) -> None:
    """Held rows an earlier import already holds for review (pending) are not held twice."""
    pending = {
        f
        for (f,) in _select_in(
            cursor,
            mark,
            "SELECT fingerprint FROM held_row WHERE status = 'pending' AND fingerprint IN ({marks})",
            sorted({r.fingerprint for r in held}),
        )
    }
    for r in held:
        if r.fingerprint in pending:
            r.status = "already held"


def _classify(rows: list[_Row]) -> None:
    """Against the database (read-only): already present, held for review, or new."""
    valid = [r for r in rows if isinstance(r, _ValidRow)]
    cursor, mark = database.cursor(), database.obj.param
    _sort(valid, *_Registry(cursor, mark).lookup(valid))
    _mark_already_held(cursor, mark, [r for r in valid if r.status == "held"])


# --- services ----------------------------------------------------------------


def inspect(actor: Actor, path: str | Path, *, date_format: str | None = None) -> ImportReport:
    """Read and check the file only: encoding, date order, column mapping, invalid rows."""
    require(actor, "import.run")
    started = time.monotonic()
    book, rows = _check_file(path, date_format, None)
    return build_report(book, rows, skip_invalid=False, checked=False, started=started)


def dry_run(
    actor: Actor,
    path: str | Path,
    *,
    skip_invalid: bool = False,
    date_format: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Everything an import would do, against the database, writing nothing."""
    require(actor, "import.run")
    started = time.monotonic()
    book, rows = _check_file(path, date_format, progress)
    with database.connection_context():
        _classify(rows)
    return build_report(book, rows, skip_invalid=skip_invalid, checked=True, started=started)


class _Refused(Exception):
    """Rows are invalid and skip_invalid is off: roll back whatever was written so far."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rows = rows


def import_trainees(
    actor: Actor,
    path: str | Path,
    *,
    skip_invalid: bool = False,
    date_format: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the roster and write it in one transaction; ImportRefused when rows are invalid
    and skip_invalid is off (nothing written)."""
    require(actor, "import.run")
    started = time.monotonic()
    if progress:
        progress("reading", 0, 1)
    try:
        with no_cycle_collection():
            book = roster.read_roster(path, date_format=date_format)
            with database.connection_context(), database.atomic():
                rows, batch_uuid = _write(actor, book, skip_invalid, progress)
    except _Refused as refused:
        rows = refused.rows
        with database.connection_context():
            _classify(rows)  # as they stand against the registry, nothing of this import in it
        raise ImportRefused(build_report(book, rows, skip_invalid=False, checked=True, started=started)) from None
    except IntegrityError:
        raise TrainerError(
            "someone registered some of these persons while the import ran; nothing was written: run the import again"
        ) from None
    return build_report(
        book, rows, skip_invalid=skip_invalid, checked=True, written=True, batch_uuid=batch_uuid, started=started
    )


# --- writing -----------------------------------------------------------------


def _write(actor: Actor, book: roster.Roster, skip_invalid: bool, progress: Progress | None) -> tuple[list[_Row], str]:
    """Check, sort and write the rows chunk by chunk, inside the caller's transaction.

    The rows are checked and sorted here rather than before the transaction so that
    the database writes one chunk (persons, their search index entries, their unit
    assignments) while this thread checks the next (Writer): what is checked is what
    is written against, and an invalid row found late rolls the whole transaction back.
    """
    db = database.obj
    d = dialect(db)
    mark = d.param
    batch_uuid = uuid7()
    source = f"import:{batch_uuid}"
    before = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM trainee").fetchone()[0]
    now = d.stamp(models.now())
    fixed = dict(
        version=1, created_at=now, updated_at=now, status="active", source=source, registered_centre=home_centre(actor)
    )
    today, total = datetime.date.today(), len(book.rows)
    first_by_id: dict[str, int] = {}
    rows: list[_Row] = []
    new: list[_Row] = []
    units: dict[tuple[str, str], int] = {}
    created: list[str] = []
    refused, indexed = False, before
    cursor, writer = db.cursor(), Writer(db)
    registry = _Registry(cursor, mark, before)
    try:
        with d.bulk_load() as load:
            for start in range(0, total, WRITE_CHUNK):
                chunk = _check_rows(book.rows[start : start + WRITE_CHUNK], today, first_by_id)
                rows += chunk
                refused = refused or (not skip_invalid and any(r.problems for r in chunk))
                if not refused:
                    valid = [r for r in chunk if isinstance(r, _ValidRow)]
                    writer.wait()  # the previous chunk written: the connection is this thread's again
                    _sort(valid, *registry.lookup(valid))
                    # The previous chunk's search entries: the writer's work while this chunk is prepared.
                    writer.submit(load.index, indexed)
                    mine = [r for r in valid if r.status == "new"]
                    new += mine
                    ids = d.reserve_ids(cursor, "trainee", before + len(new) - len(mine), len(mine))
                    uuids = uuid7_hexes(len(mine))
                    placed = [(r, i) for r, i in zip(mine, ids) if r.unit]
                    wanted = {(r.data.force, r.unit) for r, _ in placed} - units.keys()
                    if wanted:
                        found, made = ensure_units(wanted)
                        units.update(found)
                        created += made
                    assignments = bulk_rows(
                        models.UnitAssignment,
                        [
                            dict(
                                uuid=u,
                                trainee=i,
                                unit=units[(r.data.force, r.unit)],
                                start_date=today,
                                created_at=now,
                                updated_at=now,
                            )
                            for (r, i), u in zip(placed, uuid7_hexes(len(placed)))
                        ],
                    )
                    writer.submit(_write_chunk, d, trainee_rows(mine, ids, uuids, fixed), assignments)
                    indexed = max(ids, default=indexed)
                if progress:
                    progress("writing", len(rows), total)
            if refused:
                raise _Refused(rows)
            writer.submit(load.index, indexed)
            writer.wait()
            if progress:
                progress("indexing", 0, 1)
    finally:
        writer.close()  # before any rollback: the connection is this thread's alone again
    held = [r for r in rows if isinstance(r, _ValidRow) and r.status == "held"]
    _mark_already_held(cursor, mark, held)
    held = [r for r in held if r.status == "held"]
    batch = models.ImportBatch.create(
        uuid=batch_uuid,
        file_name=Path(book.path).name[:255],
        file_sha256=book.sha256,
        encoding=book.encoding,
        date_order=book.date_order,
        skip_invalid=skip_invalid,
        rows_read=len(rows),
        added=len(new),
        already_present=sum(1 for r in rows if r.status == "present"),
        held=len(held),
        rejected=sum(1 for r in rows if r.problems),
        user=actor.user_id,
        username=actor.username,
    )
    if held:
        models.HeldRow.insert_many(
            [
                dict(
                    batch=batch,
                    row_number=r.number,
                    values=held_values(r.data, r.dob, r.unit),
                    candidates=json.dumps([c.uuid for c in r.candidates]),
                    fingerprint=r.fingerprint,
                )
                for r in held
            ]
        ).execute()
    if new:
        if progress:
            progress("summaries", 0, 1)
        summary.add_new_persons(before, source)
    audit.record(
        actor,
        "import",
        "import_batch",
        batch.uuid,
        after=dict(
            file=batch.file_name,
            sha256=book.sha256,
            added=len(new),
            already_present=batch.already_present,
            held=len(held),
            rejected=batch.rejected,
            units_created=len(created),
            skip_invalid=skip_invalid,
        ),
    )
    if progress:
        progress("done", 1, 1)
    return rows, str(batch.uuid)


def _write_chunk(cursor: Any, d: Dialect, trainees: tuple[Any, ...], assignments: tuple[Any, ...]) -> None:
    """On the writer thread: a chunk's persons and their unit assignments."""
    d.insert_rows(cursor, "trainee", *trainees)
    d.insert_rows(cursor, "unit_assignment", *assignments)


def held_values(data: TraineeInput, dob: datetime.date, unit: str) -> str:
    """A held row as stored for review: its cleaned fields, `dob` (a valid row's) as ISO text, its unit."""
    return json.dumps({**asdict(data), "date_of_birth": dob.isoformat(), "unit": unit}, ensure_ascii=False)
