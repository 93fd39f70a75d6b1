"""What the demo loader's row writers read and write on it, declared: they are mixins of
trainer.demo.build._Loader, which sets these in its __init__ and as it goes (reference data
first, then trainees, then their records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import Database

from db.dialect import Dialect
from trainer.demo.plan import Planner

Progress = Callable[[str, int, int], None]  # (step, done, total), as the roster import reports it
Row = tuple[Any, ...]  # one row for `insert`, in its columns' order


class LoaderState(Planner):
    scale: str
    seed: int
    progress: Progress
    db: Database
    dialect: Dialect
    cur: Any  # the DB-API cursor rows are copied through
    uid: Callable[[], str]  # the next UUIDv7, deterministic per seed
    centre_id: dict[str, int]  # centre code -> id
    units_at: dict[tuple[str, str], list[int]]  # (force, province) -> unit ids
    units_of: dict[str, list[int]]  # force -> unit ids
    user_id: dict[str, int]  # demo user name -> id

    def insert(self, table: str, cols: tuple[str, ...], rows: list[Any]) -> None:
        raise NotImplementedError  # the loader copies rows in its database's bulk way
