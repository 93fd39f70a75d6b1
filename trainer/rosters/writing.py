"""The writing half of a roster import: row values, bulk statements, and the writer thread.

trainer.rosters.imports decides what each row is; this module turns the new rows into
column values and writes them on the import's one connection, in its one
transaction.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Container, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from peewee import Database, Model, UUIDField
from peewee import __exception_wrapper__ as driver_errors  # type: ignore[attr-defined]  # not in the stubs

from db import models
from db.fields import uuid7
from trainer.registry import names
from trainer.registry.trainees import LATIN_PARTS, NAME_PARTS, TraineeInput

Progress = Callable[[str, int, int], None]
CHUNK = 500  # values per IN (...) lookup
WRITE_CHUNK = 5_000  # rows per executemany (and per progress step)

_skeleton = lru_cache(maxsize=65536)(names.skeleton)
_SEARCH_PARTS = attrgetter(*NAME_PARTS, *LATIN_PARTS)


@lru_cache(maxsize=65536)
def _tokens(part: str) -> tuple[str, ...]:
    """names.keys of one name part as tokens; cached: name parts repeat across a roster."""
    return tuple(names.keys(part).split())


# --- values ------------------------------------------------------------------


def search_text(data: TraineeInput) -> str:
    """The same tokens as trainees.search_text (per-part keys, deduplicated in order)."""
    tokens: list[str] = []
    for part in _SEARCH_PARTS(data):
        if part:
            tokens += _tokens(part)
    tokens = list(dict.fromkeys(tokens))
    if data.national_id:
        tokens.append(data.national_id)
    if data.service_number:
        tokens.append(data.service_number.lower())
    return " ".join(tokens)


def match_key(data: TraineeInput) -> str:
    return _match_key(data.given_name, data.father_name)


@lru_cache(maxsize=65536)
def _match_key(given: str, father: str) -> str:
    """Cached by pair: a roster repeats given+father names far more than it has persons."""
    return " ".join(s for s in (_skeleton(p) for p in (given, father) if p) if s)


def trainee_values(data: TraineeInput, source: str, key: str | None = None) -> dict[str, Any]:
    """Column values of a new trainee row (the registry's derived keys included)."""
    values = dict(vars(data))  # asdict() deep-copies: ten times slower on 100,000 rows
    values.update(
        national_id=data.national_id or None,
        service_number=data.service_number or None,
        search_text=search_text(data),
        match_key=match_key(data) if key is None else key,
        source=source,
    )
    return values


_DERIVED = ("national_id", "service_number", "search_text", "match_key", "uuid")


def trainee_rows(
    rows: list[Any], ids: list[int], uuids: list[str], fixed: dict[str, Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and value tuples of new trainees (rows carry .data and .key): what
    trainee_values gives, built straight as tuples (a dict per row costs a second per
    100,000). `fixed` holds what every row shares (version, stamps, status, source); any
    other column gets the model's default, computed once: the rows are added at one moment."""
    fields = [f for f in models.Trainee._meta.sorted_fields if f.name != "id"]
    given = {f.name for f in dataclass_fields(TraineeInput)} - set(_DERIVED)
    plain = [f for f in fields if f.name in given]
    rest = [f for f in fields if f.name not in given and f.name not in _DERIVED]
    if any(isinstance(f, UUIDField) and f.name not in fixed for f in rest):
        raise ValueError("bulk rows must carry their uuid")
    const = tuple(fixed[f.name] if f.name in fixed else f.default() if callable(f.default) else f.default for f in rest)
    get = attrgetter(*(f.name for f in plain))
    out = [
        (i,) + get(d) + (d.national_id or None, d.service_number or None, search_text(d), r.key, u) + const
        for r, i, u in zip(rows, ids, uuids)
        for d in (r.data,)
    ]
    return ["id"] + [f.column_name for f in plain] + list(_DERIVED) + [f.column_name for f in rest], out


def bulk_rows(model: type[Model], rows: list[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
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


def uuid7_hexes(count: int) -> list[str]:
    """`count` time-ordered UUIDs (v7, as db.fields.uuid7 makes them) as 32 hex digits,
    from one read of the random source."""
    ms = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    head = ms << 80 | 0x7 << 76
    rnd = os.urandom(10 * count)
    out = []
    for i in range(0, 10 * count, 10):
        r = int.from_bytes(rnd[i : i + 10], "big")
        out.append(f"{head | (r >> 68) << 64 | 0b10 << 62 | (r & ((1 << 62) - 1)):032x}")
    return out


# --- statements --------------------------------------------------------------


class Writer:
    """Runs statements on the import's connection in one worker thread, in the order given.

    sqlite3 and psycopg release the GIL while the database works, so the calling
    thread checks and prepares the next rows meanwhile: two cores instead of one.
    The connection is the caller's (one transaction); while a job is queued the
    caller must not use it: `wait()` first. Driver errors come back as peewee's.
    """

    def __init__(self, db: Database) -> None:
        self.cursor = db.cursor()  # the calling thread's connection: peewee's are per thread
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-writer")
        self._queued: list[Future[Any]] = []
        # Between two statements the writer needs the GIL back, and waits up to the switch
        # interval (5 ms) for the busy caller: a tenth of that while the import runs.
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, 0.0005))

    def submit(self, job: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue job(cursor, *args); its result (or error) comes from the returned future via get()."""
        future = self._pool.submit(job, self.cursor, *args)
        self._queued.append(future)
        return future

    def get(self, future: Future[Any]) -> Any:
        with driver_errors:  # sqlite3/psycopg errors as peewee's (IntegrityError …)
            return future.result()

    def wait(self) -> None:
        """Every queued job done; the first failure raised."""
        queued, self._queued = self._queued, []
        for future in queued:
            self.get(future)

    def close(self) -> None:
        """Stop: queued jobs are dropped, a running one finishes (before any rollback)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        sys.setswitchinterval(self._interval)


# --- units -------------------------------------------------------------------


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while an import builds its rows: hundreds of
    thousands of new objects, none of them garbage yet, set off collections that walk them all
    again and again. Reference counting still frees what is dropped; cycles wait until the end."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _unit_code(force: str, name: str, taken: Container[str]) -> str:
    code = f"{force}:{name}"
    if len(code) <= 64 and code not in taken:
        return code
    return f"{force}:{uuid7().hex[:20]}"


def ensure_units(wanted: set[tuple[str, str]]) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Unit ids by (force, name as written), and the codes of units created for names
    the registry lacked. The name is stored exactly as written (formula-like text too)."""
    U = models.Unit
    found: dict[tuple[str, str], int] = {}
    for chunk in chunks(sorted({n for _, n in wanted})):
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
