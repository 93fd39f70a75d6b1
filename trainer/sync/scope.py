"""Who gets what: what headquarters sends a field site (docs/sync.md, "Who gets what").

Headquarters holds everything. A site receives everything that is not a person's record
(reference data, the catalogue and its link rows, centres, cohorts and their sessions),
and of persons' records only those of the persons it works with:
- persons the site registered (their record was created there),
- persons registered at one of the site's centres (centres created there),
- anyone enrolled in a cohort held at one of those centres,
- and the persons merged into any of these, or they into (so a redirect lands whole).
A person's records are the trainee row and everything hanging on it: enrolments, results,
attendance, certificates (their revocations included), postings, unit assignments, vetting,
and merges naming them. Deletions always travel (a tombstone tells nothing of a person), and so
do a unit's vetting decisions (they name no person).

A person can become the site's later (enrolled in its cohort next month): their earlier
records, logged before the site's acknowledged position, are sent then ("backfill"). The
persons whose backfill the site has acknowledged are kept per site in the setting
`sync.persons.<CODE>` (local, like every setting), so a backfill in a lost bundle is sent again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from db import capture, models
from trainer.sync import log
from trainer.sync.log import Change, Ids

# The persons' tables, and how each finds its trainee (a column of its own, or through its enrolment).
DIRECT = ("enrolment", "certificate", "posting", "unit_assignment", "vetting_record")
THROUGH_ENROLMENT = ("result", "attendance")
PERSONAL = frozenset({"trainee", "merge", *DIRECT, *THROUGH_ENROLMENT})
KEY_PREFIX = "sync.persons."


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), 900):
        yield values[start : start + 900]


def _created_at(site: str, table: str) -> list[str]:
    C = models.SyncChange
    return [
        log.canonical_uuid(u)
        for (u,) in C.select(C.record_uuid).where((C.origin == site) & (C.table_name == table) & (C.op == "i")).tuples()
    ]


def _ids(model: type[models.Record], uuids: Iterable[str]) -> set[int]:
    ids = Ids()
    wanted = set(uuids)
    ids.learn_uuids(model, wanted)
    return {i for u in wanted if (i := ids.id_of(model, u)) is not None}


def persons_of(site: str) -> set[int]:
    """The trainee ids of the persons `site` works with (this database's ids)."""
    T, E, Co = models.Trainee, models.Enrolment, models.Cohort
    centres = sorted(_ids(models.Centre, _created_at(site, "centre")))
    found = _ids(T, _created_at(site, "trainee"))
    for chunk in _chunks(centres):
        found |= {i for (i,) in T.select(T.id).where(T.registered_centre.in_(chunk)).tuples()}
        found |= {
            i
            for (i,) in E.select(E.trainee).join(Co).where(Co.centre.in_(chunk)).tuples()  # its cohorts
        }
    frontier = set(found)
    while frontier:  # whom they were merged into, and who was merged into them: a redirect lands whole
        nxt: set[int] = set()
        for chunk in _chunks(sorted(frontier)):
            nxt |= {
                i for (i,) in T.select(T.merged_into).where(T.id.in_(chunk) & T.merged_into.is_null(False)).tuples()
            }
            nxt |= {i for (i,) in T.select(T.id).where(T.merged_into.in_(chunk)).tuples()}
        frontier = nxt - found
        found |= frontier
    return found


def records_of(trainees: set[int]) -> dict[str, set[str]]:
    """table -> the canonical UUIDs of these persons' records."""
    out: dict[str, set[str]] = {t: set() for t in PERSONAL}
    T, E, M = models.Trainee, models.Enrolment, models.Merge
    ids = sorted(trainees)
    by_table: dict[str, Any] = {m._meta.table_name: m for m in models.MODELS}  # each has uuid (and trainee)
    for chunk in _chunks(ids):
        out["trainee"] |= {log.canonical_uuid(u) for (u,) in T.select(T.uuid).where(T.id.in_(chunk)).tuples()}
        for table in DIRECT:
            m = by_table[table]
            out[table] |= {log.canonical_uuid(u) for (u,) in m.select(m.uuid).where(m.trainee.in_(chunk)).tuples()}
        for table in THROUGH_ENROLMENT:
            m = by_table[table]
            out[table] |= {
                log.canonical_uuid(u) for (u,) in m.select(m.uuid).join(E).where(E.trainee.in_(chunk)).tuples()
            }
        out["merge"] |= {
            log.canonical_uuid(u)
            for (u,) in M.select(M.uuid).where(M.survivor.in_(chunk) | M.merged.in_(chunk)).tuples()
        }
    # A unit's vetting decision names no person: every site needs it for its enrolment gate.
    V = models.VettingRecord
    out["vetting_record"] |= {log.canonical_uuid(u) for (u,) in V.select(V.uuid).where(V.trainee.is_null()).tuples()}
    return out


class Scope:
    """What one site may receive from headquarters at this export."""

    def __init__(self, site: str) -> None:
        self.site = site
        self.persons = persons_of(site)
        self.records = records_of(self.persons)

    def wants(self, change: Change) -> bool:
        if change.table not in PERSONAL or change.op == "d":
            return True
        return change.uuid in self.records[change.table]

    # --- backfill: persons new to the site --------------------------------------------

    def _state(self) -> dict[str, int]:
        row = models.Setting.get_or_none(models.Setting.key == KEY_PREFIX + self.site)
        value = json.loads(row.value) if row else {}
        return value if isinstance(value, dict) else {}

    def _undelivered(self, acked: int) -> tuple[dict[str, int], set[str], dict[int, str], set[int]]:
        """(the kept state, the persons delivered, each person's UUID, the persons not yet delivered)."""
        state = self._state()
        uuid_of = {i: log.canonical_uuid(u) for i, u in self._uuids()}
        delivered = {u for u, at in state.items() if at <= acked}
        return state, delivered, uuid_of, {i for i, u in uuid_of.items() if u not in delivered}

    def _earlier(self, persons: set[int], acked: int) -> Iterator[list[str]]:
        """The stored keys of these persons' records, a chunk at a time."""
        records = records_of(persons)
        keys = sorted({k for uuids in records.values() for u in uuids for k in log.stored_keys(u)})
        for start in range(0, len(keys), 900):
            yield keys[start : start + 900]

    def backfill(self, acked: int, top: int, own_code: str) -> Iterator[Change]:
        """Earlier changes (up to the acknowledged position) of persons the site has not yet
        acknowledged receiving whole; remembered as sent at `top` until acknowledged."""
        state, delivered, uuid_of, new = self._undelivered(acked)
        keep = {u: at for u, at in state.items() if u in delivered}
        keep.update({uuid_of[i]: top for i in new})
        text = json.dumps(keep, separators=(",", ":"))
        models.Setting.insert(key=KEY_PREFIX + self.site, value=text).on_conflict(
            conflict_target=[models.Setting.key], update={models.Setting.value: text}
        ).execute()
        if not new or acked == 0:
            return  # nothing acknowledged yet: the ordinary stream carries everything
        C = models.SyncChange
        cols = (C.id, C.origin, C.seq, C.hlc, C.table_name, C.record_uuid, C.op, C.fields)
        ids = Ids()
        for keys in self._earlier(new, acked):
            rows = [
                log.stored(r)
                for r in C.select(*cols)
                .where(C.record_uuid.in_(keys) & (C.id <= acked) & (C.origin != self.site))
                .order_by(C.id)
                .tuples()
            ]
            yield from log.canonical(rows, own_code, ids)

    def waiting(self, acked: int) -> int:
        """How many changes the next export would carry (`sync status`): the backfill and what
        passes `wants` past the acknowledged position. Reads only: nothing is remembered as sent."""
        C = models.SyncChange
        count = 0
        _state, _delivered, _uuid_of, new = self._undelivered(acked)
        if new and acked:
            for keys in self._earlier(new, acked):
                count += C.select().where(C.record_uuid.in_(keys) & (C.id <= acked) & (C.origin != self.site)).count()
        later = (
            C.select(C.table_name, C.record_uuid, C.op)
            .where((C.id > acked) & (C.origin != self.site) & C.table_name.in_(capture.shared_tables()))
            .tuples()
        )
        for table, key, op in later.iterator():
            if table not in PERSONAL or op == "d" or log.canonical_key(table, key) in self.records[table]:
                count += 1
        return count

    def _uuids(self) -> list[tuple[int, str]]:
        T = models.Trainee
        out: list[tuple[int, str]] = []
        for chunk in _chunks(sorted(self.persons)):
            out += list(T.select(T.id, T.uuid).where(T.id.in_(chunk)).tuples())
        return out
