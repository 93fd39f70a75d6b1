"""The Leahy vetting gate: evidence of an approved decision before a cohort starts.

A person is cleared for a coalition-funded cohort by an approved individual
vetting decision, or an approved decision on the unit they served in on the
cohort's start date, dated before that start and still within the validity
period (a setting; no public source fixes it).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from db import models
from db.connection import database

VALIDITY_SETTING = "vetting_validity_months"
DEFAULT_VALIDITY_MONTHS = 12


@dataclass(frozen=True)
class VettingView:
    id: int
    kind: str
    case_ref: str
    result: str
    decision_date: datetime.date | None
    funder: str
    trainee_id: int | None
    unit_id: int | None


def validity_months() -> int:
    row = models.Setting.get_or_none(models.Setting.key == VALIDITY_SETTING)
    return int(json.loads(row.value)) if row else DEFAULT_VALIDITY_MONTHS


def _view(r: models.VettingRecord) -> VettingView:
    return VettingView(r.id, r.kind, r.case_ref, r.result, r.decision_date, r.funder, r.trainee_id, r.unit_id)


def clearing_decision(trainee_id: int, start: datetime.date) -> VettingView | None:
    """The approved decision that clears this person for a cohort starting on `start`, if any."""
    V, U = models.VettingRecord, models.UnitAssignment
    earliest = start - relativedelta(months=validity_months())
    with database.connection_context():
        units = U.select(U.unit).where(
            (U.trainee == trainee_id) & (U.start_date <= start) & ((U.end_date.is_null()) | (U.end_date >= start))
        )
        who = (V.trainee == trainee_id) | ((V.kind == "unit") & V.unit.in_(units))
        row = (
            V.select()
            .where(who & (V.result == "approved") & (V.decision_date < start) & (V.decision_date >= earliest))
            .order_by(V.decision_date.desc())
            .first()
        )
        return _view(row) if row else None


def why_not_cleared(trainee_id: int, start: datetime.date) -> str | None:
    """None when cleared; otherwise the reason in words, for the clerk and the manager."""
    if clearing_decision(trainee_id, start) is not None:
        return None
    V = models.VettingRecord
    with database.connection_context():
        latest = V.select().where(V.trainee == trainee_id).order_by(V.decision_date.desc(nulls="LAST")).first()
    if latest is None:
        return "no vetting record: a coalition-funded cohort needs an approved vetting decision"
    if latest.result != "approved":
        return f"vetting {latest.case_ref} is {latest.result}, not approved"
    if latest.decision_date >= start:
        return (
            f"vetting {latest.case_ref} was approved on {latest.decision_date.isoformat()}, "
            f"not before the cohort starts on {start.isoformat()}"
        )
    return f"vetting {latest.case_ref} of {latest.decision_date.isoformat()} has expired ({validity_months()} months)"
