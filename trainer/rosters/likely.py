"""The roster import's duplicate check, for persons that arrive by another road (a site's bundle).

A person is likely one already registered when they share the given+father name skeleton
(in either script) and the date of birth, and no national ID contradicts it: exactly the
rule that holds a roster row for review (imports._Registry, imports._sort).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from db.connection import database
from trainer.rosters.imports import _Registry
from trainer.rosters.report import Candidate


@dataclass(frozen=True)
class _Data:
    national_id: str
    date_of_birth: datetime.date


@dataclass(frozen=True)
class _Person:
    key: str
    data: _Data

    @property
    def dob(self) -> datetime.date:  # as a checked roster row has it (rosters.checking._ValidRow)
        return self.data.date_of_birth


def likely_same(persons: list[tuple[str, str, datetime.date]], upto: int) -> list[tuple[Candidate, ...]]:
    """For each (match key, national ID, date of birth), the registered persons (ids up to
    `upto`, not merged away) it may be; an empty tuple when none."""
    rows = [_Person(key, _Data(nid or "", dob)) for key, nid, dob in persons]
    registry = _Registry(database.cursor(), database.obj.param, upto)
    _registered, found = registry.lookup([r for r in rows if r.key])  # type: ignore[misc]  # duck-typed: key and data only
    out = []
    for r in rows:
        matches = found.get((r.key, r.data.date_of_birth), [])
        nid = r.data.national_id
        out.append(tuple(c for c, other, _ in matches if not (nid and other and other != nid)))
    return out
