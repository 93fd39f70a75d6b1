"""The change log as peers see it: one canonical, database-neutral form of a change.

A change is logged in the words of the database that made it: foreign keys are that
database's row ids, SQLite writes dates and booleans its way, PostgreSQL its own. Before
a change leaves (and before changes are merged) it is put in one form: a reference to
another shared record becomes that record's UUID, a reference to a local record (an
account) is dropped, times read 'YYYY-MM-DD HH:MM:SS[.ffffff]', booleans are booleans,
UUIDs carry their dashes. Writing a merged record turns the UUIDs back into local ids.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from peewee import BooleanField, DateTimeField, Field, ForeignKeyField, UUIDField

from db import capture, models
from db.connection import database
from db.dialect import dialect
from trainer.sync import aliases, rows

BATCH = 2000


class Change(NamedTuple):
    """One change (a named tuple, not a dataclass: an import makes one per change, twice)."""

    position: int  # this database's log id
    origin: str  # site code ('' before canonical(): this database)
    seq: int
    hlc: int
    table: str
    uuid: str
    op: str
    fields: dict[str, Any]

    def line(self) -> list[Any]:
        return list(self)


class NotShared(Exception):
    """A change to a table this database does not share (a peer running other code): skipped."""


def from_line(item: Any) -> Change:
    """A bundle's change line; ValueError when it is not one."""
    if not isinstance(item, list) or len(item) != 8 or not isinstance(item[7], dict):
        raise ValueError("not a change")
    position, origin, seq, hlc, table, record, op, fields = item
    if op not in ("i", "u", "d"):
        raise ValueError(f"unknown operation {op!r}")
    if table not in shared_models():
        raise NotShared(table)
    return Change(int(position), str(origin), int(seq), int(hlc), table, canonical_key(table, record), op, fields)


_MODELS: dict[str, type[models.BaseModel]] = {}


def is_link(table: str) -> bool:
    return table in capture.LINKS


def canonical_key(table: str, value: Any) -> str:
    """A record's UUID with its dashes; a link row's key with each UUID part so."""
    if not is_link(table):
        return canonical_uuid(value)
    return "|".join(_maybe_uuid(part) for part in str(value).split("|"))


def stored_keys(key: str) -> list[str]:
    """The spellings a key may be logged under here (SQLite writes UUIDs without dashes)."""
    bare = "|".join(part.replace("-", "") if _is_uuid(part) else part for part in key.split("|"))
    return [key, bare] if bare != key else [key]


def _is_uuid(text: str) -> bool:
    if _CANONICAL.fullmatch(text):  # the usual spelling, without building a UUID (imports are hot)
        return True
    try:
        return len(text) in (32, 36) and uuid.UUID(text) is not None
    except ValueError:
        return False


def _maybe_uuid(part: str) -> str:
    return canonical_uuid(part) if _is_uuid(part) else part


def shared_models() -> dict[str, type[models.BaseModel]]:
    if not _MODELS:
        shared = set(capture.shared_tables())
        _MODELS.update({m._meta.table_name: m for m in models.MODELS if m._meta.table_name in shared})
    return _MODELS


@functools.cache
def columns(model: type[models.BaseModel]) -> dict[str, Field[Any]]:
    return {f.column_name: f for f in model._meta.sorted_fields if f.column_name not in capture.LOCAL_COLUMNS}


# How each column of a table travels: a reference to a shared record (as its UUID), to reference
# data (as its code), to a local record (not at all), or a plain value.
REF, CODE, LOCAL, PLAIN = "ref", "code", "local", "plain"


@functools.cache
def plan(table: str) -> dict[str, tuple[str, Field[Any], type[models.Record] | None]]:
    out: dict[str, tuple[str, Field[Any], type[models.Record] | None]] = {}
    for col, field in columns(shared_models()[table]).items():
        target = record_target(field)
        if target is not None:
            out[col] = (REF, field, target)
        elif isinstance(field, ForeignKeyField):
            out[col] = (LOCAL if issubclass(field.rel_model, models.Record) else CODE, field, None)
        else:
            out[col] = (PLAIN, field, None)
    return out


@functools.cache
def references(table: str) -> list[tuple[str, type[models.Record]]]:
    """The columns of a table that refer to another shared record, with that record's model."""
    return [(col, target) for col, (kind, _field, target) in plan(table).items() if target is not None]


def record_target(field: Field[Any]) -> type[models.Record] | None:
    """The model a foreign key points to when that is a record with an identity, else None."""
    if isinstance(field, ForeignKeyField) and field.rel_model._meta.table_name in capture.record_tables():
        target: type[models.Record] = field.rel_model
        return target
    return None


def canonical_uuid(value: Any) -> str:
    if isinstance(value, uuid.UUID):  # PostgreSQL's driver reads uuid columns as these
        return str(value)
    text = str(value)
    if len(text) == 36 and _CANONICAL.fullmatch(text):  # already so (a peer's key): the fast path
        return text
    if len(text) == 32 and _HEX.fullmatch(text):  # SQLite's spelling: the fast path (export is hot)
        text = text.lower()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return str(uuid.UUID(text))


_HEX = re.compile(r"[0-9a-fA-F]{32}")
_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def plain(field: Field[Any], value: Any) -> Any:
    """A value (not a reference) in its canonical form."""
    if value is None or type(value) is int and not isinstance(field, BooleanField):
        return value
    if type(value) is str and not isinstance(field, (UUIDField, DateTimeField)):
        return value
    if isinstance(field, UUIDField):
        return canonical_uuid(value)
    if isinstance(field, BooleanField):
        return bool(value)
    if isinstance(field, DateTimeField):
        text = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else str(value).replace("T", " ")
        return text
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class Ids:
    """Local id <-> UUID of shared records, fetched a batch at a time and remembered."""

    def __init__(self) -> None:
        self.to_uuid: dict[str, dict[int, str]] = {}
        self.to_id: dict[str, dict[str, int]] = {}

    def learn(self, model: type[models.Record], ids: Iterable[int]) -> None:
        known = self.to_uuid.setdefault(model._meta.table_name, {})
        wanted = sorted({i for i in ids if i is not None and i not in known})
        sql = f'SELECT "id", "uuid" FROM "{model._meta.table_name}" WHERE "id" {{}}'
        for rid, ruuid in rows.select_in(sql, wanted):
            self.remember(model, rid, canonical_uuid(ruuid))

    def learn_uuids(self, model: type[models.Record], uuids: Iterable[str]) -> None:
        known = self.to_id.setdefault(model._meta.table_name, {})
        wanted = sorted({u for u in uuids if u and u not in known})
        sql = f'SELECT "id", "uuid" FROM "{model._meta.table_name}" WHERE "uuid" {{}}'
        to_db = rows.converters(model)["uuid"]
        for rid, ruuid in rows.select_in(sql, [to_db(u) for u in wanted]):
            self.remember(model, rid, canonical_uuid(ruuid))
        if model._meta.table_name == aliases.TABLE:  # a unit made at two sites: its alias names the kept one
            for alias, rid in aliases.survivors([u for u in wanted if u not in known]):
                known[canonical_uuid(alias)] = rid

    def remember(self, model: type[models.Record], rid: int, ruuid: str) -> None:
        self.to_uuid.setdefault(model._meta.table_name, {})[rid] = ruuid
        self.to_id.setdefault(model._meta.table_name, {})[ruuid] = rid

    def uuid_of(self, model: type[models.Record], rid: int) -> str | None:
        return self.to_uuid.get(model._meta.table_name, {}).get(rid)

    def id_of(self, model: type[models.Record], ruuid: str) -> int | None:
        return self.to_id.get(model._meta.table_name, {}).get(ruuid)


def canonical(rows: list[Change], own_code: str, ids: Ids) -> list[Change]:
    """This database's own changes (origin '') in the neutral form; others' are already in it."""
    mine = [c for c in rows if c.origin == ""]
    wanted: dict[type[models.Record], set[int]] = {}
    for c in mine:
        for col, (_kind, _field, target) in plan(c.table).items():
            if target is not None and c.fields.get(col) is not None:
                wanted.setdefault(target, set()).add(c.fields[col])
    for target, found in wanted.items():
        ids.learn(target, found)
    out = []
    for c in rows:
        if c.origin != "":
            out.append(c)
            continue
        cols = plan(c.table)
        fields: dict[str, Any] = {}
        for col, value in c.fields.items():
            if col not in cols or col == "uuid":
                continue  # a column this code no longer has; the identity, which is the change's key
            kind, field, target = cols[col]
            if kind == REF:
                fields[col] = None if value is None else ids.uuid_of(target, value)  # type: ignore[arg-type]
            elif kind == CODE:
                fields[col] = value  # reference data keyed by its code (force, province)
            elif kind == PLAIN:
                fields[col] = plain(field, value)
            # LOCAL: a local record (an account) is not shared
        out.append(Change(c.position, own_code, c.seq, c.hlc, c.table, canonical_key(c.table, c.uuid), c.op, fields))
    return out


def stored(row: tuple[Any, ...]) -> Change:
    rid, origin, seq, hlc, table, record, op, fields = row
    return Change(rid, origin, seq, hlc, table, record, op, json.loads(fields))


def pending(after: int, skip_origin: str, own_code: str, ids: Ids, *, own_only: bool = False) -> Iterator[Change]:
    """Every logged change past position `after` not from `skip_origin` (with `own_only`, only
    this database's own: a site passes on nothing it received), canonical, in order."""
    # Plain SQL read as tuples: peewee's row conversion cost an export a second per 100,000.
    tables = capture.shared_tables()
    mark = dialect().param
    whose = "\"origin\" = ''" if own_only else f'"origin" <> {mark}'
    sql = (
        'SELECT "id", "origin", "seq", "hlc", "table_name", "record_uuid", "op", "fields" FROM "sync_change" '
        f'WHERE "id" > {mark} AND {whose} AND "table_name" IN ({dialect().marks(len(tables))}) '
        f'ORDER BY "id" LIMIT {BATCH}'
    )
    last = after
    while True:
        params = [last, *([] if own_only else [skip_origin]), *tables]
        rows = [stored(r) for r in database.execute_sql(sql, params).fetchall()]
        if not rows:
            return
        last = rows[-1].position
        yield from canonical(rows, own_code, ids)
