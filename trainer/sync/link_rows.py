"""The local rows behind the link rows an import touches, read a table at a time (docs/sync.md, "Figures").

A link row (db/capture.py LINKS: a course's forces, a kit's items …) has no UUID: it is found
by its key columns. Looked up one by one, the 4,700 link rows of the quick demo cost a query
each; here the rows of every parent a batch names are read in one `IN` per table, and a row
is then found in memory. Keys whose parent was not read (one written later in the batch)
are still looked up one by one, so nothing is ever guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from db import capture, models
from trainer.sync import log, rows


class LinkIds:
    """Primary keys of existing link rows, by table and key (the key columns' local values)."""

    def __init__(self) -> None:
        self.found: dict[str, dict[tuple[Any, ...], Any]] = {}
        self.parents: dict[str, set[int]] = {}  # per table: the parents whose rows were all read
        # One per chunk of an import: a chunk names each link row once, so what was read stays true.

    def load_for(self, chunk: list[tuple[str, str]], changes: dict[str, list[log.Change]], ids: log.Ids) -> None:
        """Read the rows under every parent the chunk's link rows name (by UUID, as `ids` knows them)."""
        by_table: dict[str, set[int]] = {}
        for table, record in chunk:
            if table not in capture.LINKS:
                continue
            first = capture.LINKS[table][0]
            target = dict(log.references(table)).get(first)
            if target is None:
                continue
            for c in changes.get(record, ()):
                value = c.fields.get(first)
                parent = ids.id_of(target, value) if value else None
                if parent is not None:
                    by_table.setdefault(table, set()).add(parent)
        for table, parents in by_table.items():
            self.load(log.shared_models()[table], parents)

    def load(self, model: type[models.BaseModel], parents: Iterable[int]) -> None:
        """Read every row of the link table `model` under these parents (its first key column)."""
        table = model._meta.table_name
        known = self.parents.setdefault(table, set())
        wanted = sorted({p for p in parents if p is not None and p not in known})
        if not wanted:
            return
        key = capture.LINKS[table]
        pk = model._meta.primary_key.column_name  # type: ignore[union-attr]
        sql = f'SELECT "{pk}", ' + ", ".join(f'"{c}"' for c in key) + f' FROM "{table}" WHERE "{key[0]}" {{}}'
        found = self.found.setdefault(table, {})
        for local, *values in rows.select_in(sql, wanted):
            found[tuple(values)] = local
        known.update(wanted)

    def local_id(self, model: type[models.BaseModel], row: dict[str, Any]) -> tuple[bool, Any]:
        """(whether the rows under this row's parent were read, the row's primary key or None)."""
        table = model._meta.table_name
        values = tuple(row.get(model._meta.columns[c].name) for c in capture.LINKS[table])
        if values[0] not in self.parents.get(table, ()):
            return False, None
        return True, self.found.get(table, {}).get(values)
