"""One person, two sites: persons new at headquarters go through the roster's duplicate check.

A site registers a person offline who may already be registered elsewhere. Headquarters
applies the record (the site holds it, and every database must hold the same records) and
holds it for review when it is likely someone already registered (trainer.rosters.likely:
the rule that holds a roster row). A person decides: `trainer sync review --merge ID`
merges it into the registered person with the merge service; the merge's changes (the
tombstone pointing at the survivor, the moved records, the merge record) travel back to
the sites like any other change, so every site redirects it too. `--distinct ID` closes
the item: two persons after all.
"""

from __future__ import annotations

import datetime
import json

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import NotFound, TrainerError
from trainer.rosters import likely, merges
from trainer.sync import merge

FIELD = merge.PERSON_FIELD  # sync_review.field of a person held as a likely duplicate


def _date(value: object) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def last_trainee_id() -> int:
    return int(models.Trainee.select(models.Trainee.id).order_by(models.Trainee.id.desc()).scalar() or 0)


def hold_likely_duplicates(actor: Actor, before: int, origin: str) -> int:
    """Persons this import added (ids past `before`) who are likely registered persons: held
    for review in sync_review, with the candidates' UUIDs. Returns how many were held."""
    require(actor, "site.manage")  # part of an import, which checked it too
    T = models.Trainee
    new = list(
        T.select(T.uuid, T.match_key, T.national_id, T.date_of_birth, T.given_name, T.family_name)
        .where((T.id > before) & (T.status != "merged"))
        .order_by(T.id)
        .tuples()
    )
    if not new:
        return 0
    found = likely.likely_same([(key or "", nid or "", _date(dob)) for _, key, nid, dob, _, _ in new], before)
    R = models.SyncReview
    already = {str(u) for (u,) in R.select(R.record_uuid).where((R.field == FIELD) & (R.status == "open")).tuples()}
    held = 0
    for (ruuid, *_rest, given, family), candidates in zip(new, found, strict=True):
        if not candidates or str(ruuid) in already:  # held as it arrived (same national ID: merge)
            continue
        held += 1
        first = candidates[0]
        models.SyncReview.create(
            table_name="trainee",
            record_uuid=str(ruuid),
            field=FIELD,
            kept=json.dumps([c.uuid for c in candidates]),
            held=json.dumps(" ".join(p for p in (given, family) if p)),
            origin=origin,
            reason=f"may be {first.name}"[:64],
        )
    return held


def held_count() -> int:
    R = models.SyncReview
    return R.select().where((R.status == "open") & (R.field == FIELD)).count()


def _item(review_id: int) -> models.SyncReview:
    R = models.SyncReview
    item = R.get_or_none((R.id == review_id) & (R.field == FIELD))
    if item is None:
        raise NotFound(f"no person held for review with number {review_id} (`trainer sync review` lists them)")
    if item.status != "open":
        raise TrainerError(f"review {review_id} was already decided ({item.status})")
    return item


def merge_held(actor: Actor, review_id: int, into: str | None = None) -> merges.MergeView:
    """The held person is the registered one (`into`, a candidate's UUID; the first by default):
    merged into them by the merge service, in the same transaction as the decision."""
    require(actor, "site.manage")
    T = models.Trainee
    with database.connection_context(), database.atomic():
        item = _item(review_id)
        candidates = json.loads(item.kept)
        target = into or candidates[0]
        if target not in candidates:
            raise TrainerError(f"{target} is not one of the persons review {review_id} may be")
        survivor = T.get_or_none(T.uuid == target)
        held = T.get_or_none(T.uuid == item.record_uuid)
        if survivor is None or held is None:
            raise NotFound(f"review {review_id}: a person it names is no longer here")
        done = merges.merge_trainees(actor, survivor.id, held.id, reason=f"sync review {review_id}")
        models.SyncReview.update(status="merged").where(models.SyncReview.id == review_id).execute()
    return done


def distinct(actor: Actor, review_id: int) -> None:
    """The held person is someone else: the item is closed, both records stay."""
    require(actor, "site.manage")
    with database.connection_context(), database.atomic():
        _item(review_id)
        models.SyncReview.update(status="distinct").where(models.SyncReview.id == review_id).execute()
        audit.record(actor, "decide", "sync_review", str(review_id), decision="distinct")
