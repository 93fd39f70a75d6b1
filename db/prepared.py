"""SELECTs built once through peewee and run many times with new values.

Peewee builds a query's SQL anew on every execution; for the small look-ups a screen makes on
every cursor move (one trainee's record: six queries) that building cost twice what SQLite spent
running them. A Prepared query keeps the SQL per database class and converts the values the way
peewee's `.tuples()` would (SQLite hands dates back as text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import Field, SelectQuery

from db.connection import database

_SENTINEL = -7_316_000_000_000  # stand-in values while building (fields convert values: objects would not survive)


class Prepared:
    def __init__(self, build: Callable[..., SelectQuery], *names: str) -> None:
        """`build(**{name: stand-in})` returns the query; an integer stand-in marks where each
        named value goes (the names' values are integers: ids)."""
        self._build, self._names = build, names
        self._compiled: dict[type, tuple[str, list[Any], list[Callable[[Any], Any] | None]]] = {}

    def _compile(self) -> tuple[str, list[Any], list[Callable[[Any], Any] | None]]:
        marks = {name: _SENTINEL - i for i, name in enumerate(self._names)}
        query = self._build(**marks)
        sql, params = query.sql()
        names = {v: k for k, v in marks.items()}
        slots = [names[p] if isinstance(p, int) and p in names else (None, p) for p in params]
        converters = [c.python_value if isinstance(c, Field) else None for c in query._returning]  # type: ignore[attr-defined]
        return sql, slots, converters

    def tuples(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows for these values (inside the caller's connection_context)."""
        db = database.obj
        compiled = self._compiled.get(type(db))
        if compiled is None:
            compiled = self._compiled[type(db)] = self._compile()
        sql, slots, converters = compiled
        params = [values[s] if isinstance(s, str) else s[1] for s in slots]
        rows: list[tuple[Any, ...]] = database.execute_sql(sql, params).fetchall()
        if not any(converters):
            return rows
        pairs = [(i, c) for i, c in enumerate(converters) if c is not None]
        out = []
        for values_row in rows:
            row = list(values_row)
            for i, convert in pairs:
                if row[i] is not None:
                    row[i] = convert(row[i])
            out.append(tuple(row))
        return out
