"""Units made at two sites: one code, one unit (docs/sync.md, "Units made at two sites").

A roster import creates the units it names ("army:3 Bn"). Two sites importing the same roster
offline both create that unit: two UUIDs, one code. Headquarters cannot hold both (the code is
unique), and they are one unit anyway. So when a unit arrives at headquarters under a code and
force it already holds, headquarters records an alias (unit_alias: the arriving UUID names the
unit it holds) as its own change, which travels to every site like any record. From then on,
everywhere, the second UUID stands for the kept unit: records naming it (assignments, vetting
records, postings) are written against the kept unit, and the second unit's own changes are not
applied. The site that made the second unit gives its row the kept unit's UUID when the alias
arrives (its records keep pointing at that row); a site that receives the kept unit while it
still holds its own under that code waits for the alias (retried at every import).

Only headquarters decides (the unit it held first is kept), so every database makes the same
choice whatever order the bundles come in.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from db import capture, models

if TYPE_CHECKING:
    from trainer.sync.log import Ids
    from trainer.sync.merge import Tally

TABLE = "unit"  # the table whose records may be aliased
ALIAS_TABLE = "unit_alias"


def is_alias(record: str) -> bool:
    """Whether this unit UUID is another's alias: its own changes are not applied."""
    A = models.UnitAlias
    return bool(A.select().where(A.uuid == record).exists())


def survivors(uuids: list[str]) -> list[tuple[Any, int]]:
    """(alias UUID, local id of the unit it names) for those of `uuids` that are aliases."""
    if not uuids:
        return []
    A = models.UnitAlias
    return [(u, int(i)) for u, i in A.select(A.uuid, A.unit).where(A.uuid.in_(uuids)).tuples()]


def collided(row: dict[str, Any], record: str, ids: Ids, hq: bool, tally: Tally) -> bool:
    """A unit refused on its code. When a unit of that code and force is held here: at
    headquarters the arriving one becomes its alias (logged as headquarters' own change), at a
    site it waits for headquarters' alias. False when it is something else (held for review)."""
    U = models.Unit
    holder = U.get_or_none((U.code == row.get("code")) & (U.uuid != record))
    if holder is None or holder.force_id != row.get("force"):
        return False
    if not hq:
        tally.waiting.append((TABLE, record))
        return True
    with capture.unmuted():
        models.UnitAlias.insert(uuid=record, unit=holder.id, code=holder.code).execute()
    ids.to_id.setdefault(TABLE, {})[record] = holder.id
    tally.records += 1
    return True


def adopt(lost: str, survivor: str | None, ids: Ids, tally: Tally, origin: str) -> None:
    """An alias arriving at a site: the site's own row of the aliased unit takes the kept unit's
    UUID (inside the import's muted writes: headquarters holds this state already), so what
    refers to it here stays put and the kept unit's changes apply to it."""
    if not survivor:
        return
    U = models.Unit
    mine = U.get_or_none(U.uuid == lost)
    if mine is None:
        return
    if U.select().where(U.uuid == survivor).exists():  # both here (the code changed meanwhile)
        tally.review += 1
        models.SyncReview.create(
            table_name=TABLE,
            record_uuid=lost,
            field="",
            kept=json.dumps(survivor),
            held=json.dumps(mine.code, ensure_ascii=False),
            origin=origin,
            reason="an alias of another unit held here too",
        )
        return
    U.update(uuid=survivor).where(U.id == mine.id).execute()
    ids.remember(U, mine.id, survivor)
    ids.to_id.setdefault(TABLE, {})[lost] = mine.id
