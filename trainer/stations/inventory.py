"""Inventory checks: every manifest item marked present, missing or damaged, with a note.

A check is made where the kit is (its receiving centre, or its station's
supporting centre); the kit's items keep the condition found, so a missing
item stays on the kit (and in box-status) until a later check finds it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_centre
from trainer.errors import FieldProblem, TrainerError, ValidationFailed
from trainer.stations.kits import KitView, _kit, holder_centre, kit_view

CONDITIONS = ("present", "missing", "damaged")


@dataclass(frozen=True)
class Mark:
    condition: str  # present | missing | damaged
    note: str = ""


@dataclass(frozen=True)
class CheckDone:
    kit: KitView
    stage: str
    present: int
    missing: int
    damaged: int


def stage_of(kit: KitView) -> str:
    """What a check is, from where the kit stands: at receipt (at the centre), at set-up (at its
    station, until one set-up check is recorded there: before or after the set-up itself), then routine."""
    if kit.state == "received":
        return "receipt"
    if kit.state == "issued" or (kit.state == "set-up" and not kit.set_up_checked):
        return "set-up"
    return "routine" if kit.state == "set-up" else ""


def check_kit(
    actor: Actor, serial: str, marks: dict[str, Mark], *, day: datetime.date | None = None, version: int | None = None
) -> CheckDone:
    """Record one check of every manifest item, in one transaction."""
    require(actor, "kit.check")
    with database.connection_context(), database.atomic():
        kit = _kit(serial)
        if kit.state == "planned":
            raise TrainerError(f"kit {kit.serial} has not been received: nothing to check yet")
        require_centre(actor, holder_centre(kit) or 0)
        if version is not None and version != kit.version:
            raise TrainerError(f"kit {kit.serial} was moved meanwhile: open it again before checking")
        KI = models.KitItem
        items = {i: q for i, q in KI.select(KI.item, KI.quantity).where(KI.kit == kit.id).tuples()}
        problems = []
        for item in marks:
            if item not in items:
                problems.append(FieldProblem(item, f"not on kit {kit.serial}'s manifest"))
        for item in items:
            mark = marks.get(item)
            if mark is None:
                problems.append(FieldProblem(item, "not checked: mark it present, missing or damaged"))
            elif mark.condition not in CONDITIONS:
                problems.append(FieldProblem(item, "present, missing or damaged"))
            elif mark.condition != "present" and not mark.note.strip():
                problems.append(FieldProblem(item, f"{mark.condition}: say what is wrong in a note"))
        if problems:
            raise ValidationFailed(problems)
        day = day or datetime.date.today()
        if day > datetime.date.today() or (kit.received_on and day < kit.received_on):
            raise ValidationFailed([FieldProblem("date", f"{day.isoformat()} is before receipt or in the future")])
        counts = {c: sum(1 for m in marks.values() if m.condition == c) for c in CONDITIONS}
        stage = stage_of(kit_view(kit.id))
        check = models.InventoryCheck.create(
            kit=kit.id,
            stage=stage,
            day=day,
            centre=kit.centre_id if kit.station_id is None else None,
            station=kit.station_id,
            user=actor.user_id,
            **counts,
        )
        models.InventoryLine.insert_many(
            [dict(check=check.id, item=i, condition=m.condition, note=m.note.strip()) for i, m in marks.items()]
        ).execute()
        for item, mark in marks.items():
            KI.update(condition=mark.condition, note=mark.note.strip()).where(
                (KI.kit == kit.id) & (KI.item == item)
            ).execute()
        audit.record(
            actor,
            "kit-check",
            "kit",
            kit.uuid,
            after={"stage": stage, "day": day.isoformat(), **counts},
            problems={i: f"{m.condition}: {m.note.strip()}" for i, m in marks.items() if m.condition != "present"},
        )
        return CheckDone(kit_view(kit.id), stage, counts["present"], counts["missing"], counts["damaged"])


def open_problems(actor: Actor, serial: str) -> list[tuple[str, str, str]]:
    """(item, condition, note) of every item missing or damaged at its last check."""
    require(actor, "station.read")
    with database.connection_context():
        kit = _kit(serial)
        KI = models.KitItem
        return list(
            KI.select(KI.item, KI.condition, KI.note)
            .where((KI.kit == kit.id) & KI.condition.in_(("missing", "damaged")))
            .order_by(KI.id)
            .tuples()
        )
