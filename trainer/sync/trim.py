"""`trainer sync trim`: the change log's acknowledged, overridden updates emptied (docs/sync.md, "Trimming").

A record is rebuilt by folding its whole log (trainer/sync/merge.py), and an import knows a
change it holds by (origin, sequence). So a change may go only when nothing can need it:
every peer has acknowledged its position, it is an update (inserts, tombstones and keyed
rows stay: a backfill sends a person's history whole, a deleted keyed row needs its key), and
every field it set is overridden by a change of the same record with a later (clock, site).
Then its values are emptied and the row kept: a late change older than it still loses to the
one that overrode it, and a replayed bundle still finds it "already held".
"""

from __future__ import annotations

from dataclasses import dataclass

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import TrainerError
from trainer.sync import identity, log
from trainer.sync.log import Change

BATCH = 2000


@dataclass(frozen=True)
class Trimmed:
    upto: int  # the position every peer has acknowledged
    emptied: int  # updates emptied now
    bytes: int  # their values' size before


def _stamp(c: Change) -> tuple[int, str]:
    return (c.hlc, c.origin)


def overridden(change: Change, later: list[Change]) -> bool:
    """Every field of `change` set again by a change with a later (clock, site)."""
    if change.op != "u" or not change.fields:
        return False
    covered: set[str] = set()
    for c in later:
        if c.op != "d" and _stamp(c) > _stamp(change):
            covered.update(c.fields)
    return set(change.fields) <= covered


def trim(actor: Actor) -> Trimmed:
    """Empty the updates every peer has acknowledged and later changes override, in one transaction."""
    require(actor, "site.manage")
    me = identity.current()
    if me is None:
        raise TrainerError("this database is not a site yet: nothing is exchanged, nothing to trim")
    C, S = models.SyncChange, models.SyncPeer
    with database.connection_context(), database.atomic():
        peers = [p.code for p in identity.peers_unchecked()]
        if not peers:
            raise TrainerError("no trusted peer yet: nothing has been acknowledged")
        acked = {code: acks for code, acks in S.select(S.code, S.acked).where(S.code.in_(peers)).tuples()}
        upto = min(int(acked.get(code, 0)) for code in peers)
        cols = (C.id, C.origin, C.seq, C.hlc, C.table_name, C.record_uuid, C.op, C.fields)
        emptied = size = 0
        last = 0
        while True:
            rows = [
                log.stored(r)
                for r in C.select(*cols)
                .where((C.id > last) & (C.id <= upto) & (C.op == "u") & (C.fields != "{}"))
                .order_by(C.id)
                .limit(BATCH)
                .tuples()
            ]
            if not rows:
                break
            last = rows[-1].position
            named = [_canonical(r, me.code) for r in rows if not log.is_link(r.table)]
            whole = _logs({(r.table, r.uuid) for r in named}, me.code)
            gone = [r for r in named if overridden(r, whole.get((r.table, r.uuid), []))]
            for start in range(0, len(gone), 900):
                C.update(fields="{}").where(C.id.in_([r.position for r in gone[start : start + 900]])).execute()
            emptied += len(gone)
            size += sum(len(str(r.fields)) for r in gone)
        audit.record(actor, "trim", "sync_change", "", upto=upto, emptied=emptied)
    return Trimmed(upto, emptied, size)


def _canonical(c: Change, own: str) -> Change:
    key = log.canonical_key(c.table, c.uuid)
    return Change(c.position, c.origin or own, c.seq, c.hlc, c.table, key, c.op, c.fields)


def _logs(records: set[tuple[str, str]], own: str) -> dict[tuple[str, str], list[Change]]:
    """Every logged change of these (table, key) records, in either spelling of the key, origin named."""
    C = models.SyncChange
    cols = (C.id, C.origin, C.seq, C.hlc, C.table_name, C.record_uuid, C.op, C.fields)
    wanted = sorted({k for _, key in records for k in log.stored_keys(key)})
    out: dict[tuple[str, str], list[Change]] = {}
    for start in range(0, len(wanted), 900):
        for r in C.select(*cols).where(C.record_uuid.in_(wanted[start : start + 900])).tuples():
            c = _canonical(log.stored(r), own)
            out.setdefault((c.table, c.uuid), []).append(c)
    return out
