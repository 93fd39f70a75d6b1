"""Enrolling trainees in a cohort, the waitlist, and withdrawals.

Each refusal says exactly why, in words a clerk can act on: the course is not
open to the trainee's force; a prerequisite course was never graduated; a
coalition-funded cohort lacks an approved vetting decision dated before its
start (trainer.registry.vetting decides). A full cohort puts the trainee on the
waitlist; a withdrawal from a seat promotes the first waitlisted trainee.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_cohort
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.registry import reference
from trainer.registry.vetting import why_not_cleared
from trainer.reporting import summary
from trainer.training.cohorts import SEATED

OPEN_COHORT = ("planned", "running")


@dataclass(frozen=True)
class EnrolOutcome:
    trainee_id: int
    name: str
    status: str  # enrolled | waitlisted | refused | already
    reason: str = ""
    waitlist_position: int | None = None
    latin_name: str = ""  # beside the Arabic `name`: a reader of either script finds the person


@dataclass(frozen=True)
class EnrolReport:
    cohort_id: int
    cohort_code: str
    outcomes: tuple[EnrolOutcome, ...]

    def with_status(self, status: str) -> list[EnrolOutcome]:
        return [o for o in self.outcomes if o.status == status]


@dataclass(frozen=True)
class WithdrawOutcome:
    enrolment_id: int
    trainee_id: int
    promoted: EnrolOutcome | None  # the waitlisted trainee who got the seat


def _name(t: models.Trainee) -> str:
    return " ".join(p for p in (t.given_name, t.father_name, t.grandfather_name, t.family_name) if p)


def _latin(t: models.Trainee) -> str:
    parts = (t.given_name_latin, t.father_name_latin, t.grandfather_name_latin, t.family_name_latin)
    return " ".join(p for p in parts if p)


def _force_name(code: str) -> str:
    try:
        return reference.force(code).name_en
    except KeyError:
        return code


def _locked_cohort(cohort_id: int) -> models.Cohort:
    """The cohort row, locked on PostgreSQL for the seat count (SQLite's IMMEDIATE
    transaction already holds the write lock)."""
    cohort: models.Cohort | None = (
        dialect().for_update(models.Cohort.select().where(models.Cohort.id == cohort_id)).first()
    )
    if cohort is None:
        raise NotFound(f"no cohort {cohort_id}")
    return cohort


def refusals(
    trainee: models.Trainee,
    cohort: models.Cohort,
    course: models.Course,
    open_to: list[str],
    prereqs: list[models.Course],
) -> list[str]:
    """Every reason this trainee may not join this cohort (empty: may join)."""
    M = models
    reasons = []
    if trainee.status != "active":
        reasons.append(f"trainee is {trainee.status}, not active")
    if open_to and trainee.force_id not in open_to:
        reasons.append(
            f"{course.code} is not open to {_force_name(trainee.force_id)} "
            f"(open to: {', '.join(_force_name(f) for f in open_to)})"
        )
    for req in prereqs:
        graduated = (
            M.Enrolment.select()
            .join(M.Cohort)
            .where(
                (M.Enrolment.trainee == trainee.id) & (M.Cohort.course == req.id) & (M.Enrolment.status == "graduated")
            )
            .exists()
        )
        if not graduated:
            reasons.append(f"missing prerequisite {req.code} ({req.title_en}): no graduated enrolment")
    if cohort.coalition_funded:
        why = why_not_cleared(trainee.id, cohort.start_date)
        if why:
            reasons.append(f"coalition-funded cohort: {why}")
    return reasons


def enrol(actor: Actor, cohort_id: int, trainee_ids: list[int], *, today: datetime.date | None = None) -> EnrolReport:
    """Enrol several trainees at once, in the order given; one transaction.

    Refused trainees are not written; the others take seats while there are any,
    then join the waitlist.
    """
    require_cohort(actor, cohort_id, "enrolment.write")
    today = today or datetime.date.today()
    M = models
    E = M.Enrolment
    outcomes: list[EnrolOutcome] = []
    with database.connection_context(), database.atomic():
        dialect().writer_first()  # before any row lock (db/dialect.py)
        cohort = _locked_cohort(cohort_id)
        if cohort.status not in OPEN_COHORT:
            raise ValidationFailed(
                [FieldProblem("cohort", f"{cohort.code} is {cohort.status}: it takes no enrolments")]
            )
        course = M.Course.get_by_id(cohort.course_id)
        open_to = [
            f for (f,) in M.CourseForce.select(M.CourseForce.force).where(M.CourseForce.course == course.id).tuples()
        ]
        prereqs = list(
            M.Course.select()
            .join(M.CoursePrerequisite, on=(M.CoursePrerequisite.requires == M.Course.id))
            .where(M.CoursePrerequisite.course == course.id)
            .order_by(M.Course.code)
        )
        seated = E.select().where((E.cohort == cohort_id) & E.status.in_(SEATED)).count()
        last = (
            E.select(E.waitlist_position)
            .where((E.cohort == cohort_id) & (E.status == "waitlisted"))
            .order_by(E.waitlist_position.desc())
            .scalar()
            or 0
        )
        trainees = {t.id: t for t in M.Trainee.select().where(M.Trainee.id.in_(list(trainee_ids)))}
        existing = {
            e.trainee_id: e for e in E.select().where((E.cohort == cohort_id) & E.trainee.in_(list(trainee_ids)))
        }
        for tid in dict.fromkeys(trainee_ids):
            trainee = trainees.get(tid)
            if trainee is None:
                outcomes.append(EnrolOutcome(tid, "", "refused", f"no trainee {tid}"))
                continue
            name = _name(trainee)
            prior = existing.get(tid)
            if prior is not None and prior.status != "withdrawn":
                where = f" (position {prior.waitlist_position})" if prior.status == "waitlisted" else ""
                outcomes.append(
                    EnrolOutcome(
                        tid, name, "already", f"already {prior.status} in {cohort.code}{where}", prior.waitlist_position
                    )
                )
                continue
            reasons = refusals(trainee, cohort, course, open_to, prereqs)
            if reasons:
                outcomes.append(EnrolOutcome(tid, name, "refused", "; ".join(reasons)))
                continue
            if seated < cohort.capacity:
                status, position, seated = "enrolled", None, seated + 1
            else:
                status, position, last = "waitlisted", last + 1, last + 1
            values = dict(status=status, waitlist_position=position, enrolled_on=today, withdrawal_reason="")
            if prior is not None:  # re-joining after a withdrawal: the same row, a new version
                E.update(**values, version=E.version + 1, updated_at=models.now()).where(E.id == prior.id).execute()
                uuid = prior.uuid
            else:
                uuid = E.create(cohort=cohort_id, trainee=tid, **values).uuid
            audit.record(
                actor,
                "enrol",
                "enrolment",
                uuid,
                after={
                    "cohort": cohort.code,
                    "trainee": str(trainee.uuid),
                    "status": status,
                    "waitlist_position": position,
                },
            )
            outcomes.append(
                EnrolOutcome(
                    tid,
                    name,
                    status,
                    "" if status == "enrolled" else f"{cohort.code} is full: waitlist position {position}",
                    position,
                )
            )
        if any(o.status in ("enrolled", "waitlisted") for o in outcomes):
            summary.refresh_cohort(cohort_id)
    outcomes = [
        replace(o, latin_name=_latin(trainees[o.trainee_id])) if trainees.get(o.trainee_id) else o for o in outcomes
    ]
    return EnrolReport(cohort.id, cohort.code, tuple(outcomes))


def withdraw(
    actor: Actor, enrolment_id: int, reason: str, *, version: int | None = None, today: datetime.date | None = None
) -> WithdrawOutcome:
    """Withdraw with a reason; a freed seat goes to the first waitlisted trainee."""
    require(actor, "enrolment.write")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed([FieldProblem("reason", "a withdrawal needs a reason")])
    today = today or datetime.date.today()
    M = models
    E = M.Enrolment
    with database.connection_context(), database.atomic():
        dialect().writer_first()  # before any row lock (db/dialect.py)
        row = E.get_or_none(E.id == enrolment_id)
        if row is None:
            raise NotFound(f"no enrolment {enrolment_id}")
        require_cohort(actor, row.cohort_id)
        cohort = _locked_cohort(row.cohort_id)
        if row.status not in ("enrolled", "waitlisted"):
            raise ValidationFailed([FieldProblem("status", f"a {row.status} enrolment cannot be withdrawn")])
        cond = E.id == enrolment_id
        if version is not None:
            cond &= E.version == version
        changed = (
            E.update(
                status="withdrawn",
                withdrawal_reason=reason,
                waitlist_position=None,
                version=E.version + 1,
                updated_at=models.now(),
            )
            .where(cond)
            .execute()
        )
        if not changed:
            raise Conflict("another user changed this enrolment first: reload the roster")
        audit.record(
            actor,
            "withdraw",
            "enrolment",
            row.uuid,
            before={"status": row.status},
            after={"status": "withdrawn", "reason": reason},
        )
        promoted = None
        waiting = E.select().where((E.cohort == cohort.id) & (E.status == "waitlisted")).order_by(E.waitlist_position)
        if row.status == "enrolled":
            first = waiting.first()
            if first is not None:
                E.update(
                    status="enrolled",
                    waitlist_position=None,
                    enrolled_on=today,
                    version=E.version + 1,
                    updated_at=models.now(),
                ).where(E.id == first.id).execute()
                audit.record(
                    actor,
                    "promote",
                    "enrolment",
                    first.uuid,
                    before={"status": "waitlisted"},
                    after={"status": "enrolled", "freed_by": str(row.uuid)},
                )
                trainee = M.Trainee.get_by_id(first.trainee_id)
                promoted = EnrolOutcome(
                    trainee.id, _name(trainee), "enrolled", f"promoted from waitlist position {first.waitlist_position}"
                )
        # Keep the waitlist numbered 1..n in its order.
        for n, (eid,) in enumerate(
            E.select(E.id)
            .where((E.cohort == cohort.id) & (E.status == "waitlisted"))
            .order_by(E.waitlist_position)
            .tuples(),
            start=1,
        ):
            E.update(waitlist_position=n).where(E.id == eid).execute()
        summary.refresh_cohort(cohort.id)  # attrition and withdrawal reasons
    return WithdrawOutcome(enrolment_id, row.trainee_id, promoted)
