"""Recording vetting decisions (individual or unit) and reading a person's vetting history.

The gate that reads these decisions is trainer.registry.vetting; this module
writes them. A decision names its case reference, result, decision date
(required unless still pending), funder and a note. A unit decision covers
everyone serving in the unit on a cohort's start date; a batch records the same
decision for several persons at once (the refused trainees of one enrolment, say).
Users' guide: docs/vetting.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from peewee import JOIN

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import FieldProblem, ValidationFailed

RESULTS = models.VETTING_RESULTS


@dataclass(frozen=True)
class DecisionInput:
    case_ref: str
    result: str
    decision_date: datetime.date | None
    funder: str = ""
    note: str = ""
    trainee_id: int | None = None  # an individual decision …
    unit: str = ""  # … or a unit's (its code)


@dataclass(frozen=True)
class HistoryLine:
    id: int
    kind: str  # individual | unit
    unit: str  # the unit's code and name, for a unit decision
    case_ref: str
    result: str
    decision_date: datetime.date | None
    funder: str
    note: str


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str
    force: str


def problems_of(
    data: DecisionInput, *, today: datetime.date | None = None, row: int | None = None
) -> list[FieldProblem]:
    """What is wrong with a decision before the database is asked (form and import alike)."""
    today = today or datetime.date.today()
    out = []
    if not data.case_ref.strip():
        out.append(FieldProblem("case_ref", "required: the vetting case reference", row=row))
    if data.result not in RESULTS:
        out.append(FieldProblem("result", f"one of {', '.join(RESULTS)}", row=row))
    if data.decision_date is None and data.result not in ("pending", ""):
        out.append(FieldProblem("decision_date", f"required when the result is {data.result}", row=row))
    if data.decision_date is not None and data.decision_date > today:
        out.append(FieldProblem("decision_date", f"{data.decision_date.isoformat()} is in the future", row=row))
    if (data.trainee_id is None) == (not data.unit.strip()):
        out.append(FieldProblem("unit", "a decision is about one trainee or one unit", row=row))
    return out


def clean(data: DecisionInput) -> DecisionInput:
    return replace(
        data,
        case_ref=" ".join(data.case_ref.split()).upper(),
        funder=" ".join(data.funder.split()),
        note=data.note.strip(),
        unit=data.unit.strip().upper(),
    )


def row_values(data: DecisionInput, unit_id: int | None) -> dict[str, Any]:
    return dict(
        kind="unit" if unit_id else "individual",
        trainee=None if unit_id else data.trainee_id,
        unit=unit_id,
        case_ref=data.case_ref,
        result=data.result,
        decision_date=data.decision_date,
        funder=data.funder,
        note=data.note,
    )


def audit_values(data: DecisionInput, trainee_uuid: str | None) -> dict[str, Any]:
    return {
        "case_ref": data.case_ref,
        "result": data.result,
        "decision_date": data.decision_date.isoformat() if data.decision_date else None,
        "funder": data.funder,
        "note": data.note,
        "trainee": trainee_uuid,
        "unit": data.unit or None,
    }


def record_decision(actor: Actor, data: DecisionInput) -> int:
    """Record one decision; returns how many persons it covers (1, or the unit's members)."""
    return record_batch(actor, data, [data.trainee_id] if data.trainee_id is not None else [])


def record_batch(actor: Actor, data: DecisionInput, trainee_ids: list[int]) -> int:
    """The same decision for each listed person, or once for `data.unit`: one transaction, all or nothing."""
    require(actor, "vetting.write")
    data = clean(data)
    if data.unit:
        probe, trainee_ids = data, []
    else:
        trainee_ids = list(dict.fromkeys(trainee_ids))
        probe = replace(data, trainee_id=trainee_ids[0] if trainee_ids else None)
    problems = problems_of(probe)
    if problems:
        raise ValidationFailed(problems)
    with database.connection_context(), database.atomic():
        V = models.VettingRecord
        if data.unit:
            unit = models.Unit.get_or_none(models.Unit.code == data.unit)
            if unit is None:
                raise ValidationFailed([FieldProblem("unit", f"no unit {data.unit!r}")])
            row = V.create(**row_values(data, unit.id))
            audit.record(actor, "create", "vetting_record", row.uuid, after=audit_values(data, None))
            U = models.UnitAssignment
            return U.select(U.trainee).where(U.unit == unit.id).distinct().count()
        T = models.Trainee
        found: dict[int, str] = dict(T.select(T.id, T.uuid).where(T.id.in_(trainee_ids)).tuples())
        missing = [i for i in trainee_ids if i not in found]
        if missing:
            raise ValidationFailed([FieldProblem("trainee", f"no trainee {missing[0]}")])
        events = []
        for tid in trainee_ids:
            row = V.create(**row_values(replace(data, trainee_id=tid), None))
            events.append(audit.Pending("create", "vetting_record", row.uuid, after=audit_values(data, found[tid])))
        audit.record_many(actor, events)
        return len(trainee_ids)


def history(actor: Actor, trainee_id: int) -> list[HistoryLine]:
    """The person's own decisions and those on every unit they served in, newest first."""
    require(actor, "trainee.read")
    V, U, A = models.VettingRecord, models.Unit, models.UnitAssignment
    with database.connection_context():
        units = A.select(A.unit).where(A.trainee == trainee_id)
        rows: Iterable[Any] = (  # records, with their unit's code and name as attributes
            V.select(V, U.code, U.name)
            .join(U, join_type=JOIN.LEFT_OUTER, on=(V.unit == U.id))
            .where((V.trainee == trainee_id) | ((V.kind == "unit") & V.unit.in_(units)))
            .order_by(V.decision_date.desc(nulls="FIRST"), V.id.desc())
            .objects()
        )
        return [
            HistoryLine(
                r.id,
                r.kind,
                f"{r.code} {r.name}" if r.kind == "unit" else "",
                r.case_ref,
                r.result,
                r.decision_date,
                r.funder,
                r.note,
            )
            for r in rows
        ]


def units(actor: Actor) -> list[UnitChoice]:
    require(actor, "trainee.read")
    U = models.Unit
    with database.connection_context():
        return [UnitChoice(*t) for t in U.select(U.code, U.name, U.force).order_by(U.code).tuples()]
