"""Applying peers' changes: log them once, then rebuild each touched record from its whole log.

A record's state is a fold of every change logged for it, whatever order they came in:
each field takes the value of the change with the highest (clock, site code); a
deletion is a tombstone that no later change revives. Folding the whole log rather
than patching the row makes the result independent of arrival order, so every
database that holds the same changes holds the same record.

Append-only records (result attempts) need nothing more: each attempt is its own
record with its own UUID, so two sites' attempts are a union. Where the fold would
silently overrule a person's decision — a national ID or a vetting result changed
differently at two sites — the losing value is kept in sync_review for headquarters.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from peewee import IntegrityError

from db import capture, models
from db.connection import database
from db.dialect import dialect
from trainer.sync import aliases, link_rows, log, rows
from trainer.sync.log import Change, Ids

# Fields where last-writer-wins may not decide alone (issue 16): the loser is kept for review.
REVIEWED = {("trainee", "national_id"), ("vetting_record", "result")}
_REVIEWED_TABLES = {table for table, _ in REVIEWED}
# Planted for the convergence test's self-check only: the fold ignores clocks (last applied wins).
IGNORE_CLOCKS = False


@dataclass
class Tally:
    applied: int = 0
    held: int = 0  # already in this database
    review: int = 0
    records: int = 0
    skipped: int = 0  # changes to tables this database does not share
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (table, key) whose parent is missing
    touched: dict[str, set[int]] = field(default_factory=dict)  # table -> local ids written
    fresh: Fresh | None = None  # the last batch logged
    id_moves: list[tuple[str, str]] = field(default_factory=list)  # (person, national ID) written without it


@dataclass(frozen=True)
class Fresh:
    """The changes a batch has just logged, kept in memory for materialise (not read back)."""

    below: int  # the log's largest position before them: every other change is at or below it
    by_record: dict[str, list[Change]]  # with their positions


def log_changes(changes: Iterable[Change], own_code: str, tally: Tally) -> list[tuple[str, str]]:
    """Add peers' changes to the log, each once (on origin and sequence); the touched records.
    The changes logged are kept in `tally.fresh` until the next batch: materialise reads them
    from there instead of parsing them back."""
    batch = [c for c in changes]
    fresh: list[Change] = []
    by_origin: dict[str, list[int]] = {}
    for c in batch:
        by_origin.setdefault(c.origin, []).append(c.seq)
    seen: set[tuple[str, int]] = set()
    mark = dialect().param
    for origin, seqs in by_origin.items():  # one range per origin, not an IN of every number
        sql = f'SELECT "seq" FROM "sync_change" WHERE "origin" = {mark} AND "seq" BETWEEN {mark} AND {mark}'
        held = {s for (s,) in database.execute_sql(sql, (origin, min(seqs), max(seqs))).fetchall()}
        seen.update((origin, s) for s in seqs if s in held)
    for c in batch:
        key = (c.origin, c.seq)
        if c.origin == own_code or key in seen:
            tally.held += 1
            continue
        seen.add(key)
        fresh.append(c)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    below, positions = rows.reserve_ids("sync_change", len(fresh))  # in arrival order: parents first
    rows.insert_tuples(
        "sync_change",
        ["id", "origin", "seq", "hlc", "table_name", "record_uuid", "op", "fields"],
        [(p, c.origin, c.seq, c.hlc, c.table, c.uuid, c.op, dumps(c.fields)) for p, c in zip(positions, fresh)],
    )
    tally.applied += len(fresh)
    by_record: dict[str, list[Change]] = {}
    touched: dict[tuple[str, str], None] = {}
    for p, c in zip(positions, fresh):
        by_record.setdefault(c.uuid, []).append(Change(p, c.origin, c.seq, c.hlc, c.table, c.uuid, c.op, c.fields))
        touched[(c.table, c.uuid)] = None
    tally.fresh = Fresh(below, by_record)
    return list(touched)


_LOG_OF = (
    'SELECT "id", "origin", "seq", "hlc", "table_name", "record_uuid", "op", "fields" FROM "sync_change" '
    'WHERE "record_uuid" {}'
)


def _log_of(records: list[tuple[str, str]], own_code: str, ids: Ids, fresh: Fresh | None) -> dict[str, list[Change]]:
    """Every logged change of these records, canonical, oldest position first (those the last
    batch logged taken from memory, not read back and parsed again)."""
    keys = {u for _, u in records}
    wanted = sorted({k for u in keys for k in log.stored_keys(u)})
    # Those past `below` are the batch's own, in memory (filtered here, not in the query: with the
    # condition PostgreSQL's planner may walk the log by position instead of the key's index).
    below = fresh.below if fresh is not None else None
    found = [
        Change(rid, origin, seq, hlc, table, key, op, json.loads(fields))
        for rid, origin, seq, hlc, table, key, op, fields in rows.select_in(_LOG_OF, wanted)
        if below is None or rid <= below
    ]
    if fresh is not None:
        for u in keys:
            found += fresh.by_record.get(u, ())
    found.sort(key=lambda c: c.position)
    out: dict[str, list[Change]] = {}
    for c in log.canonical(found, own_code, ids):
        out.setdefault(c.uuid, []).append(c)
    return out


def fold(changes: list[Change]) -> tuple[bool, bool, dict[str, Any], dict[str, tuple[int, str]]]:
    """(deleted, ever inserted, field values, each field's winning (clock, site))."""
    deleted = inserted = False
    values: dict[str, Any] = {}
    clocks: dict[str, tuple[int, str]] = {}
    if changes and log.is_link(changes[0].table):  # a link row exists as its last say has it
        last = max(changes, key=lambda c: (c.hlc, c.origin)) if not IGNORE_CLOCKS else changes[-1]
        return last.op == "d", last.op == "i", dict(last.fields), {}
    if len(changes) == 1 and changes[0].op != "d":  # most records of an import: one insert
        c = changes[0]
        return False, c.op == "i", dict(c.fields), dict.fromkeys(c.fields, (c.hlc, c.origin))
    for c in changes:
        if c.op == "d":
            deleted = True
            continue
        inserted = inserted or c.op == "i"
        stamp = (c.hlc, c.origin)
        for name, value in c.fields.items():
            if IGNORE_CLOCKS or name not in clocks or stamp > clocks[name]:
                values[name], clocks[name] = value, stamp
    return deleted, inserted, values, clocks


def _reviews(table: str, record: str, changes: list[Change], values: dict[str, Any], hq: bool) -> list[dict[str, Any]]:
    if not hq:
        return []
    out = []
    for c in changes:
        for name, value in c.fields.items():
            if (table, name) in REVIEWED and c.op == "u" and value != values.get(name):
                out.append(
                    dict(
                        table_name=table,
                        record_uuid=record,
                        field=name,
                        kept=json.dumps(values.get(name)),
                        held=json.dumps(value),
                        origin=c.origin,
                        reason="changed differently at two sites",
                    )
                )
    return out


def materialise(records: list[tuple[str, str]], own_code: str, *, hq: bool, tally: Tally) -> None:
    """Write each touched record as its log now says (capture muted: the log has it already)."""
    ids = Ids()
    for start in range(0, len(records), 1000):
        chunk = records[start : start + 1000]
        logs = _log_of(chunk, own_code, ids, tally.fresh)
        wanted: dict[type[models.Record], set[str]] = {}  # records whose local ids are needed
        for table, record in chunk:
            if not log.is_link(table):
                wanted.setdefault(log.shared_models()[table], set()).add(record)  # type: ignore[arg-type]
            changes = logs.get(record, [])
            for col, target in log.references(table):
                for c in changes:
                    value = c.fields.get(col)
                    if value:
                        wanted.setdefault(target, set()).add(value)
        for model, found in wanted.items():
            ids.learn_uuids(model, found)
        links = link_rows.LinkIds()
        links.load_for(chunk, logs, ids)
        with capture.muted():
            inserts = Inserts(ids, hq, tally, links)
            for table, record in chunk:
                _write(log.shared_models()[table], record, logs.get(record, []), ids, inserts)
            inserts.flush()


class Inserts:
    """New records gathered per table and written a statement at a time (imports are mostly new
    records); flushed before anything needs their ids, and one by one if a batch is refused."""

    def __init__(self, ids: Ids, hq: bool, tally: Tally, links: link_rows.LinkIds | None = None) -> None:
        self.ids, self.hq, self.tally = ids, hq, tally
        self.links = links or link_rows.LinkIds()
        self.rows: dict[
            tuple[type[models.BaseModel], frozenset[str]], list[tuple[str, dict[str, Any], list[Change]]]
        ] = {}

    def add(self, model: type[models.BaseModel], record: str, row: dict[str, Any], changes: list[Change]) -> None:
        self.rows.setdefault((model, frozenset(row)), []).append((record, row, changes))

    def flush(self) -> None:
        gathered, self.rows = self.rows, {}
        for (model, _cols), batch in gathered.items():
            table = model._meta.table_name
            pk = model._meta.primary_key.name  # type: ignore[union-attr]
            if pk == "id":
                _top, new_ids = rows.reserve_ids(table, len(batch))  # known ahead: nothing to read back
            else:  # a cohort's delivery: keyed by its cohort
                new_ids = [row[pk] for _, row, _ in batch]
            try:
                with database.atomic():
                    rows.insert_plain(model, [row for _, row, _ in batch], new_ids if pk == "id" else None)
            except IntegrityError:
                for record, row, changes in batch:  # one by one: only the offending records are held
                    _apply_row(model, record, row, None, False, True, changes, self.ids, self.hq, self.tally)
                continue
            target: type[models.Record] = model  # type: ignore[assignment]
            for (record, _row, changes), local in zip(batch, new_ids, strict=True):
                if not log.is_link(table):
                    self.ids.remember(target, local, record)
                _done(table, record, local, changes, self.hq, self.tally)


def retry_waiting(own_code: str, *, hq: bool, tally: Tally) -> None:
    """Records left waiting for a parent — in this import (the parent came later in the bundle, as a
    person merged into one registered after them) or an earlier one — written now if they can be,
    until no more can; those still waiting are kept (sync_review, status 'waiting') for the next."""
    R = models.SyncReview
    earlier = [(t, k) for t, k in R.select(R.table_name, R.record_uuid).where(R.status == "waiting").tuples()]
    R.delete().where(R.status == "waiting").execute()
    pending = list(dict.fromkeys(tally.waiting + earlier))
    while pending:
        tally.waiting = []
        materialise(pending, own_code, hq=hq, tally=tally)
        if len(tally.waiting) >= len(pending):
            break
        pending = list(dict.fromkeys(tally.waiting))
    for table, key in dict.fromkeys(tally.waiting):
        R.create(
            table_name=table,
            record_uuid=key,
            field="",
            kept="",
            held="",
            status="waiting",
            reason="waiting for a record it refers to",
        )


def _local_id(
    model: type[models.BaseModel], record: str, row: dict[str, Any], ids: Ids, links: link_rows.LinkIds
) -> int | None:
    if not log.is_link(model._meta.table_name):
        return ids.id_of(model, record)  # type: ignore[arg-type]
    read, local = links.local_id(model, row)
    if read:
        return int(local) if local is not None else None
    key = [
        getattr(model, model._meta.columns[c].name) == row.get(model._meta.columns[c].name)
        for c in capture.LINKS[model._meta.table_name]
    ]
    found = model.select(model._meta.primary_key).where(*key).scalar()
    return int(found) if found is not None else None


def _write(model: type[models.BaseModel], record: str, changes: list[Change], ids: Ids, inserts: Inserts) -> None:
    tally = inserts.tally
    deleted, inserted, values, _clocks = fold(changes)
    table = model._meta.table_name
    if table == aliases.TABLE and aliases.is_alias(record):  # a unit made twice: the kept one stands for it
        tally.records += 1
        return
    if table == aliases.ALIAS_TABLE and not deleted:  # this site's own copy takes the kept unit's UUID
        inserts.flush()  # the kept unit, if gathered, meets this site's copy first (and waits)
        aliases.adopt(record, values.get("unit_id"), ids, tally, changes[-1].origin if changes else "")
    if log.is_link(table) and deleted:
        values = {}
        for c in changes:
            values.update(c.fields)  # a deleted link row: its key, from when it was made
        if not values:
            return
    row: dict[str, Any] = {}
    if deleted and not log.is_link(table):
        values = {}
    cols = log.plan(table)
    for name, value in values.items():
        col = cols.get(name)
        if col is None:
            continue
        _kind, f, target = col
        if target is not None and value is not None:
            parent = ids.id_of(target, value)
            if parent is None and inserts.rows:
                inserts.flush()  # the parent may be among the records gathered for insertion
                parent = ids.id_of(target, value)
            if parent is None:
                tally.waiting.append((table, record))  # retried when the import ends (retry_waiting)
                return
            value = parent
        row[f.name] = uuid.UUID(value) if name == "uuid" else value
    if not log.is_link(table):
        row["uuid"] = record  # the identity travels as the change's key (canonical), not as a field
    local = _local_id(model, record, row, ids, inserts.links)
    if deleted and local is None:
        return
    if local is None and inserted and not deleted:
        inserts.add(model, record, row, changes)
        return
    if deleted and inserts.rows:
        inserts.flush()  # what was gathered before a deletion is written before it, as it came
    _apply_row(model, record, row, local, deleted, inserted, changes, ids, inserts.hq, tally)


def _apply_row(
    model: type[models.BaseModel],
    record: str,
    row: dict[str, Any],
    local: int | None,
    deleted: bool,
    inserted: bool,
    changes: list[Change],
    ids: Ids,
    hq: bool,
    tally: Tally,
) -> None:
    table = model._meta.table_name
    try:
        with database.atomic():
            if deleted:
                model.delete().where(model._meta.primary_key == local).execute()
            elif local is not None:
                row.pop("uuid", None)
                if row and not log.is_link(table):
                    model.update(**row, version=model.version + 1).where(model._meta.primary_key == local).execute()  # type: ignore[attr-defined]
                elif row:  # a link row edited in place (a kit item's condition): its other columns
                    model.update(**row).where(model._meta.primary_key == local).execute()
            elif inserted:
                new_id = model.insert(**row).execute()
                local = int(new_id)
                if not log.is_link(table):
                    ids.remember(model, local, record)  # type: ignore[arg-type]
            else:
                return  # changes to a record whose creation has not arrived yet: folded when it does
    except IntegrityError as exc:
        if inserted and local is None and table == "trainee" and _without_national_id(row, changes, ids, hq, tally):
            _done(table, record, ids.id_of(models.Trainee, record), changes, hq, tally)
            return
        if inserted and local is None and table == aliases.TABLE and aliases.collided(row, record, ids, hq, tally):
            return  # one code, one unit: aliased at headquarters, waiting for that alias at a site
        tally.review += 1
        models.SyncReview.create(
            table_name=table,
            record_uuid=record,
            field="",
            kept="",
            held=json.dumps(row, default=str),
            origin=changes[-1].origin if changes else "",
            reason=f"not applied: {str(exc).splitlines()[0][:50]}",
        )
        return
    _done(table, record, local, changes, hq, tally)


PERSON_FIELD = "person"  # sync_review.field of a person held as a likely duplicate (sync.persons)


def _without_national_id(row: dict[str, Any], changes: list[Change], ids: Ids, hq: bool, tally: Tally) -> bool:
    """A person whose national ID this database holds under another record: two sites registered
    one person offline. The record is written without the ID (it is unique), so nothing that
    refers to it waits. At headquarters it is held for review as likely that person (a roster
    would call the row already present): `sync review --merge` makes them one and the merge
    travels. At a site, such a person is the survivor of that merge arriving: the ID moves to it
    once the site's own record is merged into it (settle_national_ids). The ID is never dropped."""
    T = models.Trainee
    nid = row.get("national_id")
    other = T.get_or_none((T.national_id == nid) & (T.uuid != row["uuid"])) if nid else None
    if other is None:
        return False
    try:
        with database.atomic():
            local = int(T.insert(**{**row, "national_id": None}).execute())
    except IntegrityError:
        return False
    ids.remember(T, local, row["uuid"])
    if not hq:
        tally.id_moves.append((row["uuid"], str(nid)))
        return True
    tally.review += 1
    name = " ".join(str(row.get(k) or "") for k in ("given_name", "family_name")).strip()
    models.SyncReview.create(
        table_name="trainee",
        record_uuid=row["uuid"],
        field=PERSON_FIELD,
        kept=json.dumps([str(other.uuid)]),
        held=json.dumps(name, ensure_ascii=False),
        origin=changes[-1].origin if changes else "",
        reason=f"same national ID {nid}"[:64],
    )
    return True


def settle_national_ids(tally: Tally, origin: str) -> None:
    """At a site, after an import: each person written without their national ID takes it from
    the site's own record once that record is merged into them; otherwise the ID is kept for
    review. Muted: headquarters already holds this state."""
    T, R = models.Trainee, models.SyncReview
    with capture.muted():
        for record, nid in tally.id_moves:
            person = T.get_or_none(T.uuid == record)
            if person is None:
                continue
            holder = T.get_or_none((T.national_id == nid) & (T.id != person.id))
            if holder is not None and person.status == "merged" and person.merged_into_id == holder.id:
                continue  # it arrived merged into the record holding the ID here: the ID is where it belongs
            if holder is not None and holder.status == "merged" and holder.merged_into_id == person.id:
                T.update(national_id=None).where(T.id == holder.id).execute()
                holder = None
            if holder is None:
                T.update(national_id=nid).where(T.id == person.id).execute()
                continue
            tally.review += 1
            R.create(
                table_name="trainee",
                record_uuid=record,
                field="national_id",
                kept=json.dumps(str(holder.uuid)),
                held=json.dumps(nid),
                origin=origin,
                reason=f"national ID {nid} is another record's here"[:64],
            )
    tally.id_moves = []


def _done(table: str, record: str, local: int | None, changes: list[Change], hq: bool, tally: Tally) -> None:
    tally.records += 1
    if local is not None:
        tally.touched.setdefault(table, set()).add(local)
    if not hq or table not in _REVIEWED_TABLES:
        return
    R = models.SyncReview
    values = fold(changes)[2]
    for review in _reviews(table, record, changes, values, hq):
        same = (R.record_uuid == record) & (R.field == review["field"]) & (R.held == review["held"])
        if not R.select().where(same & (R.origin == review["origin"])).exists():
            tally.review += 1
            R.create(**review)
