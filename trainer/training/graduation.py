"""Graduation: the cohort's pass rule, as it stood for the cohort, applied to each trainee.

The manager first sees a preview (who passes, and in words why each failure
fails), then confirms. Confirming freezes the rule if nothing had yet, writes
each enrolment's outcome and its reasons, and completes the cohort, in one
transaction. A decided outcome is stored, never recomputed: editing the
course, or its assessments, afterwards changes nothing here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.reporting import summary
from trainer.training import rules
from trainer.training.attendance import GRID_STATUSES, excused_counts, percentages
from trainer.training.cohorts import status_on
from trainer.training.results import latest_scores
from trainer.training.rules import CohortRules

REASON_SEPARATOR = "; "


@dataclass(frozen=True)
class Outcome:
    enrolment_id: int
    trainee_id: int
    name: str
    latin_name: str
    status: str  # enrolled (undecided), graduated or failed
    passed: bool
    reasons: tuple[str, ...]
    attendance: float | None
    weighted: float | None
    decided_at: datetime.datetime | None


@dataclass(frozen=True)
class GraduationPreview:
    cohort_id: int
    cohort_code: str
    cohort_status: str  # as its dates say (cohorts.status_on): the stored "planned" of a cohort that ended is "ended"
    rules: CohortRules
    outcomes: tuple[Outcome, ...]
    ends_on: datetime.date | None = None

    def early(self, today: datetime.date | None = None) -> bool:
        """Graduating now would come before the cohort's last day: confirm() wants a reason."""
        return self.ends_on is not None and (today or datetime.date.today()) < self.ends_on

    @property
    def undecided(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "enrolled")

    @property
    def expected(self) -> dict[int, bool]:
        """What the manager saw, to hand back to confirm()."""
        return {o.enrolment_id: o.passed for o in self.undecided}


def _cohort(cohort_id: int) -> models.Cohort:
    cohort = models.Cohort.get_or_none(models.Cohort.id == cohort_id)
    if cohort is None:
        raise NotFound(f"no cohort {cohort_id}")
    return cohort


def _outcomes(cohort_id: int, cohort_rules: CohortRules) -> list[Outcome]:
    E, T = models.Enrolment, models.Trainee
    scores, _ = latest_scores(cohort_id)
    shares = percentages(cohort_id)
    excused = excused_counts(cohort_id)
    people = (
        E.select(
            E.id,
            E.status,
            E.outcome_reason,
            E.decided_at,
            T.id,
            T.given_name,
            T.father_name,
            T.grandfather_name,
            T.family_name,
            T.given_name_latin,
            T.father_name_latin,
            T.grandfather_name_latin,
            T.family_name_latin,
        )
        .join(T)
        .where((E.cohort == cohort_id) & (E.status.in_(GRID_STATUSES)))
        .order_by(T.given_name, T.father_name, T.grandfather_name, E.id)
        .tuples()
    )
    out = []
    for eid, status, reason, decided_at, tid, *parts in people:
        name, latin = " ".join(p for p in parts[:4] if p), " ".join(p for p in parts[4:] if p)
        judged = rules.judge(cohort_rules, shares.get(eid), scores.get(eid, {}), excused=excused.get(eid, 0))
        if status == "enrolled":
            out.append(
                Outcome(
                    eid, tid, name, latin, status, judged.passed, judged.reasons, shares.get(eid), judged.weighted, None
                )
            )
        else:  # decided: what was stored, not what the rule says today
            reasons = tuple(r for r in reason.split(REASON_SEPARATOR) if r)
            out.append(
                Outcome(
                    eid,
                    tid,
                    name,
                    latin,
                    status,
                    status == "graduated",
                    reasons,
                    shares.get(eid),
                    judged.weighted,
                    decided_at,
                )
            )
    out.sort(key=lambda o: (o.latin_name or o.name).casefold())  # as the names are shown
    return out


def preview(actor: Actor, cohort_id: int) -> GraduationPreview:
    require(actor, "cohort.read")
    with database.connection_context():
        cohort = _cohort(cohort_id)
        cohort_rules = rules.for_cohort(cohort_id)
        return GraduationPreview(
            cohort_id,
            cohort.code,
            status_on(cohort.status, cohort.start_date, cohort.end_date),
            cohort_rules,
            tuple(_outcomes(cohort_id, cohort_rules)),
            cohort.end_date,
        )


def confirm(
    actor: Actor,
    cohort_id: int,
    expected: dict[int, bool] | None = None,
    *,
    early_reason: str = "",
    today: datetime.date | None = None,
) -> GraduationPreview:
    """Decide every undecided trainee; `expected` (from the preview) guards against late changes.
    Before the cohort's end date this needs `early_reason` (kept in the audit trail)."""
    require(actor, "graduation.confirm")
    E, C = models.Enrolment, models.Cohort
    with database.connection_context(), database.atomic():
        dialect().writer_first()  # before any row lock (db/dialect.py)
        cohort = _cohort(cohort_id)
        if cohort.status == "cancelled":
            raise ValidationFailed([FieldProblem("cohort", f"cohort {cohort.code} is cancelled")])
        today = today or datetime.date.today()
        early_reason = " ".join(early_reason.split())
        if today < cohort.end_date and not early_reason:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "early_reason",
                        f"{cohort.code} ends on {cohort.end_date.isoformat()}: graduating before then needs a reason",
                    )
                ]
            )
        cohort_rules = rules.freeze(cohort_id)
        undecided = [o for o in _outcomes(cohort_id, cohort_rules) if o.status == "enrolled"]
        if not undecided:
            raise ValidationFailed([FieldProblem("cohort", f"nobody in {cohort.code} is waiting for an outcome")])
        if expected is not None and {o.enrolment_id: o.passed for o in undecided} != expected:
            raise Conflict("attendance or results changed since the preview: review the outcomes again")
        when = models.now()
        for o in undecided:
            status = "graduated" if o.passed else "failed"
            (
                E.update(
                    status=status,
                    outcome_reason=REASON_SEPARATOR.join(o.reasons),
                    decided_at=when,
                    version=E.version + 1,
                    updated_at=when,
                )
                .where(E.id == o.enrolment_id)
                .execute()
            )
            audit.record(
                actor,
                "update",
                "enrolment",
                E.get_by_id(o.enrolment_id).uuid,
                before={"status": "enrolled"},
                after={"status": status, "reasons": list(o.reasons)},
            )
        C.update(status="completed", version=C.version + 1, updated_at=when).where(C.id == cohort_id).execute()
        summary.refresh_cohort(cohort_id)
        audit.record(
            actor,
            "graduate",
            "cohort",
            cohort.uuid,
            before={"status": cohort.status},
            after={
                "status": "completed",
                "graduated": sum(o.passed for o in undecided),
                "failed": sum(not o.passed for o in undecided),
                **(
                    {"early_reason": early_reason, "ends_on": cohort.end_date.isoformat()}
                    if today < cohort.end_date
                    else {}
                ),
            },
        )
        return GraduationPreview(
            cohort_id,
            cohort.code,
            "completed",
            cohort_rules,
            tuple(_outcomes(cohort_id, cohort_rules)),
            cohort.end_date,
        )
