"""Many rows at a time in plain SQL, for imports (docs/sync.md, "Figures").

peewee builds a statement value by value: an `IN` of 900 UUIDs is 900 query nodes, and
a multi-row insert converts every value through its field. That was most of an
import's time. These helpers hand the values to the driver as they are, converting
only what a field would really change (precomputed once per field).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import peewee
from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    FloatField,
    ForeignKeyField,
    IntegerField,
    UUIDField,
)

from db import models
from db.connection import database
from db.dialect import dialect

DRIVER_ERRORS = getattr(peewee, "__exception_wrapper__")  # noqa: B009  (a dunder name: not an attribute access)
_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?", re.ASCII)
_DAY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def select_in(sql: str, values: Sequence[Any], before: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql`, whose one `{}` stands where `IN (...)` would (`"id" {}`), for every
    chunk of `values` (`before`: parameters that come ahead of them, repeated for each chunk).
    For keys in indexed columns: on PostgreSQL one array a chunk (Dialect.keys_in)."""
    for condition, params in dialect().keys_in(values):
        yield from database.execute_sql(sql.format(condition), [*before, *params]).fetchall()


@functools.cache
def converters(model: type[models.BaseModel]) -> dict[str, Callable[[Any], Any]]:
    """Each field's converter, by field name (cached per model: a Field's `==` builds SQL)."""
    return {f.name: _converter(f) for f in model._meta.sorted_fields}


def _converter(field: Field[Any]) -> Callable[[Any], Any]:
    base = field.rel_field if isinstance(field, ForeignKeyField) else field
    slow: Callable[[Any], Any] = field.db_value
    kind, formats = type(base), getattr(base, "formats", None)
    if kind.db_value is Field.db_value and kind.adapt is CharField.adapt:  # text: str as it is
        return lambda v: v if v is None or type(v) is str else slow(v)
    if kind.db_value is Field.db_value and kind.adapt is IntegerField.adapt:  # integers: int as it is
        return lambda v: v if v is None or type(v) is int else slow(v)
    if kind.db_value is Field.db_value and kind.adapt is FloatField.adapt:
        return lambda v: v if v is None or type(v) is float else slow(v)
    if kind.db_value is Field.db_value and kind.adapt is BooleanField.adapt:
        return lambda v: v if v is None or type(v) is bool else slow(v)
    # Times and dates in the exchange's form: peewee would parse them and the driver print them
    # back the same (SQLite's adapter: isoformat; PostgreSQL parses either). Others go through it.
    if kind.db_value is Field.db_value and kind.adapt is DateTimeField.adapt and formats == DateTimeField.formats:
        return lambda v: v if type(v) is str and _STAMP.fullmatch(v) and not v.endswith(".000000") else slow(v)
    if kind.db_value is Field.db_value and kind.adapt is DateField.adapt and formats == DateField.formats:
        return lambda v: v if type(v) is str and _DAY.fullmatch(v) else slow(v)
    if kind.db_value is UUIDField.db_value:  # a canonical UUID: its 32 hex digits, as peewee gives them
        return lambda v: v.replace("-", "") if type(v) is str and _UUID.fullmatch(v) else slow(v)
    return slow


def insert_plain(model: type[models.BaseModel], rows: list[dict[str, Any]], ids: list[int] | None = None) -> None:
    """Many rows (dicts by field name, of one shape) in multi-row statements, without peewee's
    per-value query building; defaults filled as peewee would; `ids`: their primary keys."""
    if not rows:
        return
    meta = model._meta
    fields = [
        f for f in meta.sorted_fields if f.name in rows[0] or (f.default is not None and f is not meta.primary_key)
    ]
    fill = {f.name: f.default for f in fields if f.name not in rows[0]}
    conv = converters(model)
    plan = [(f.name, conv[f.name], f.name in fill) for f in fields]
    values = [
        tuple(
            to_db((fill[name]() if callable(fill[name]) else fill[name]) if filled else row[name])
            for name, to_db, filled in plan
        )
        for row in rows
    ]
    cols = [f.column_name for f in fields]
    if ids is not None:
        assert isinstance(meta.primary_key, Field)  # every model here has its integer id
        cols.insert(0, meta.primary_key.column_name)
        values = [(rid, *row) for rid, row in zip(ids, values, strict=True)]
    with DRIVER_ERRORS:  # the driver's IntegrityError raised as peewee's
        dialect().insert_rows(database.cursor(), meta.table_name, cols, values)


def reserve_ids(table: str, count: int) -> tuple[int, list[int]]:
    """The largest id of `table` now, and `count` new ones in ascending order (the dialect's: the
    next above the largest on SQLite, whose write lock is ours; the table's sequence on PostgreSQL)."""
    top = int(database.execute_sql(f'SELECT coalesce(max("id"), 0) FROM "{table}"').fetchone()[0])
    return top, sorted(dialect().reserve_ids(database.cursor(), table, top, count)) if count else []


def insert_tuples(table: str, cols: list[str], values: list[tuple[Any, ...]]) -> None:
    """Rows already in the driver's terms (the change log's own columns)."""
    with DRIVER_ERRORS:
        dialect().insert_rows(database.cursor(), table, cols, values)
