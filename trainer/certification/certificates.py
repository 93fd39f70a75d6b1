"""Certificates: issued on graduation, behind two gates, revoked or renewed later.

Gates, checked in the service (screens and the CLI only show the reasons):
* vetting: a coalition-funded cohort's trainee needs an approved vetting
  decision dated before the cohort's start (trainer.registry.vetting);
* qualification: the issuing instructor must hold a qualification for the
  course valid over the cohort's dates (for a recertification: on its date).

Numbers (trainer.certification.numbers) carry a Luhn check digit. Serials come
from the highest issued in this site's block (trainer.sync.identity, docs/sync.md
"Numbers"), so sites issuing offline never collide. Reading certificates, and the payload
their QR code carries, is trainer.certification.lookup (re-exported here).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from peewee import IntegrityError, fn

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.certification.lookup import (  # noqa: F401  (re-exported: the certificates API in one name)
    EXPIRING_CHOICES,
    CertificateView,
    _join,
    _one,
    _query,
    _views,
    by_number,
    claims,
    effective_status,
    expiring,
    get,
    payload,
    public_status,
    search,
)
from trainer.certification.numbers import (  # noqa: F401  (re-exported)
    PREFIX,
    block_prefix,
    format_number,
    next_in_block,
    serial_of,
    valid_number,
    verification_code,
)
from trainer.certification.signer import signer_name
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.registry import vetting
from trainer.reporting import summary
from trainer.sync import identity
from trainer.training import rules


class GateRefused(ValidationFailed):
    """A gate (vetting, qualification) refused; the reasons say which and why."""


@dataclass(frozen=True)
class Refusal:
    enrolment_id: int
    name: str  # Arabic, logical order
    reason: str
    latin_name: str = ""  # shown beside the Arabic: a reader may know the trainee by either


@dataclass(frozen=True)
class IssueReport:
    issued: tuple[CertificateView, ...]
    refused: tuple[Refusal, ...]
    instructor: str
    signed_by: str = ""  # the user who issued, or the site's named signatory


NUMBERING_LOCK = 0x7472_6365_7274  # "trcert": the one lock that orders certificate numbering


def _next_number() -> str:
    """The next serial after the largest issued here. Issues racing on PostgreSQL wait on one
    transaction lock (held to commit) so each reads the other's number; before, the loser hit
    the unique index and was told to try again."""
    dialect().serialise_writers(NUMBERING_LOCK)
    C = models.Certificate
    block = identity.number_block()
    last = C.select(fn.MAX(C.number)).where(C.number.startswith(block_prefix(block))).scalar()
    try:
        return next_in_block(block, last)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("number", str(exc))]) from None


# --- gates --------------------------------------------------------------------


def qualification_problem(user_id: int, course_id: int, start: datetime.date, end: datetime.date) -> str | None:
    """None when the user holds a qualification for the course valid from start to end."""
    Q, U = models.InstructorQualification, models.User
    user = U.get_or_none(U.id == user_id)
    if user is None:
        return f"no user {user_id}"
    course = models.Course.get_by_id(course_id)
    who = user.display_name or user.username
    if user.disabled:
        return f"instructor {who}'s account is disabled"
    held = list(Q.select().where((Q.user == user_id) & (Q.course == course_id)).order_by(Q.valid_from))
    if not held:
        return f"instructor {who} holds no qualification for {course.code}"
    for q in held:
        if q.valid_from <= start and (q.valid_until is None or q.valid_until >= end):
            return None
    spans = ", ".join(
        f"{q.valid_from.isoformat()} to {q.valid_until.isoformat() if q.valid_until else 'open'}" for q in held
    )
    dates = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    return f"instructor {who}'s qualification for {course.code} ({spans}) does not cover {dates}"


def _issuer(cohort: models.Cohort, instructor_id: int | None) -> models.User:
    """The issuing instructor: the one named, else the first of the cohort's who is qualified."""
    if instructor_id is not None:
        candidates = [instructor_id]
    else:
        CI = models.CohortInstructor
        candidates = [r[0] for r in CI.select(CI.user).where(CI.cohort == cohort.id).order_by(CI.id).tuples()]
        if not candidates:
            raise GateRefused(
                [FieldProblem("instructor", f"cohort {cohort.code} has no instructor to issue its certificates")]
            )
    problems = []
    for uid in candidates:
        problem = qualification_problem(uid, cohort.course_id, cohort.start_date, cohort.end_date)
        if problem is None:
            return models.User.get_by_id(uid)
        problems.append(FieldProblem("qualification", problem))
    raise GateRefused(problems)


def vetting_problem(cohort: models.Cohort, trainee_id: int, on: datetime.date | None = None) -> str | None:
    """None unless the cohort is coalition-funded and the trainee is not cleared for it."""
    if not cohort.coalition_funded:
        return None
    reason = vetting.why_not_cleared(trainee_id, on or cohort.start_date)
    return None if reason is None else f"vetting: {reason}"


# --- issuing ------------------------------------------------------------------


def _issue_one(
    actor: Actor,
    enrolment: models.Enrolment,
    cohort: models.Cohort,
    cohort_rules: rules.CohortRules,
    issuer: models.User,
    on: datetime.date,
) -> int:
    months = cohort_rules.certificate_months
    expires = on + relativedelta(months=months) if months else None
    row = models.Certificate.create(
        number=_next_number(),
        verification_code=verification_code(),
        enrolment=enrolment.id,
        trainee=enrolment.trainee_id,
        course=cohort.course_id,
        issued_on=on,
        expires_on=expires,
        issued_by=issuer.id,
        signed_by=signer_name(actor),
    )
    audit.record(
        actor,
        "issue",
        "certificate",
        row.uuid,
        after={
            "number": row.number,
            "cohort": cohort.code,
            "issued_on": on,
            "expires_on": expires,
            "instructor": issuer.username,
            "signed_by": row.signed_by,
        },
    )
    return row.id


def _refusal(enrolment: models.Enrolment, cohort: models.Cohort, cohort_rules: rules.CohortRules) -> str | None:
    if not cohort_rules.grants_certificate:
        return f"course {cohort_rules.course_code} grants no certificate"
    if enrolment.status != "graduated":
        return f"not graduated ({enrolment.status})"
    C = models.Certificate
    held = C.select(C.number, C.status).where(C.enrolment == enrolment.id).order_by(C.id.desc()).first()
    if held is not None:
        return f"already holds certificate {held.number} ({held.status})"
    return vetting_problem(cohort, enrolment.trainee_id)


def issue_for_cohort(
    actor: Actor, cohort_id: int, *, instructor_id: int | None = None, on: datetime.date | None = None
) -> IssueReport:
    """Certificates for every graduate still without one, in one transaction.

    The qualification gate refuses the whole cohort; the vetting gate refuses
    the trainees it concerns, each with its reason, and the others are issued.
    """
    require(actor, "certificate.issue")
    on = on or datetime.date.today()
    E = models.Enrolment
    with database.connection_context():
        try:
            with database.atomic():
                dialect().writer_first()  # before any row lock (db/dialect.py)
                cohort = models.Cohort.get_or_none(models.Cohort.id == cohort_id)
                if cohort is None:
                    raise NotFound(f"no cohort {cohort_id}")
                cohort_rules = rules.for_cohort(cohort_id)
                if not cohort_rules.grants_certificate:
                    raise ValidationFailed(
                        [FieldProblem("course", f"course {cohort_rules.course_code} grants no certificate")]
                    )
                issuer = _issuer(cohort, instructor_id)
                issued, refused = [], []
                for e in E.select().where((E.cohort == cohort_id) & (E.status == "graduated")).order_by(E.id):
                    reason = _refusal(e, cohort, cohort_rules)
                    if reason is None:
                        issued.append(_issue_one(actor, e, cohort, cohort_rules, issuer, on))
                    elif not reason.startswith("already holds"):
                        name, latin = _trainee_names(e.trainee_id)
                        refused.append(Refusal(e.id, name, reason, latin))
                if issued:
                    summary.refresh_cohort(cohort_id)
        except IntegrityError:
            raise Conflict("another certificate was numbered at the same moment: try again") from None
        views = _views(_query().where(models.Certificate.id.in_(issued or [0])).order_by(models.Certificate.number), on)
        return IssueReport(tuple(views), tuple(refused), issuer.display_name or issuer.username, signer_name(actor))


def issue(
    actor: Actor, enrolment_id: int, *, instructor_id: int | None = None, on: datetime.date | None = None
) -> CertificateView:
    """One graduate's certificate; GateRefused (with the reason) when a gate says no."""
    require(actor, "certificate.issue")
    on = on or datetime.date.today()
    with database.connection_context():
        try:
            with database.atomic():
                dialect().writer_first()  # before any row lock (db/dialect.py)
                enrolment = models.Enrolment.get_or_none(models.Enrolment.id == enrolment_id)
                if enrolment is None:
                    raise NotFound(f"no enrolment {enrolment_id}")
                cohort = models.Cohort.get_by_id(enrolment.cohort_id)
                cohort_rules = rules.for_cohort(cohort.id)
                reason = _refusal(enrolment, cohort, cohort_rules)
                if reason is not None:
                    cls = GateRefused if reason.startswith("vetting") else ValidationFailed
                    raise cls([FieldProblem("certificate", reason)])
                issuer = _issuer(cohort, instructor_id)
                new_id = _issue_one(actor, enrolment, cohort, cohort_rules, issuer, on)
                summary.refresh_cohort(cohort.id)
        except IntegrityError:
            raise Conflict("another certificate was numbered at the same moment: try again") from None
        return _one(models.Certificate.id == new_id, on)


def _trainee_names(trainee_id: int) -> tuple[str, str]:
    """(Arabic, Latin) full names."""
    t = models.Trainee.get_by_id(trainee_id)
    return _join(t.given_name, t.father_name, t.grandfather_name, t.family_name), _join(
        t.given_name_latin, t.father_name_latin, t.grandfather_name_latin, t.family_name_latin
    )


# --- after issue --------------------------------------------------------------


def _locked(certificate_id: int, version: int | None) -> models.Certificate:
    row = models.Certificate.get_or_none(models.Certificate.id == certificate_id)
    if row is None:
        raise NotFound(f"no certificate {certificate_id}")
    if version is not None and row.version != version:
        raise Conflict("another user changed this certificate first: reload")
    return row


def _bump(row: models.Certificate, **changes: Any) -> None:
    C = models.Certificate
    done = (
        C.update(**changes, version=C.version + 1, updated_at=models.now())
        .where((C.id == row.id) & (C.version == row.version))
        .execute()
    )
    if not done:
        raise Conflict("another user changed this certificate first: reload")
    if row.enrolment_id is not None:  # revoked or superseded: the cohort's certified count changes
        summary.refresh_cohort(models.Enrolment.get_by_id(row.enrolment_id).cohort_id)


def _recertifier(
    actor: Actor, old: models.Certificate, course_id: int, on: datetime.date, instructor_id: int | None
) -> int:
    """Who signs a renewal: the one named; else the original issuer, the acting user or one of the
    original cohort's instructors, whoever first holds a qualification valid on the day."""
    candidates: list[int | None]
    if instructor_id is not None:
        candidates = [instructor_id]
    else:
        candidates = [old.issued_by_id, actor.user_id]
        if old.enrolment_id is not None:
            CI, E = models.CohortInstructor, models.Enrolment
            cohort_id = E.select(E.cohort).where(E.id == old.enrolment_id).scalar()
            candidates += [r[0] for r in CI.select(CI.user).where(CI.cohort == cohort_id).order_by(CI.id).tuples()]
    seen, problems = set(), []
    for uid in candidates:
        if uid is None or uid in seen:
            continue
        seen.add(uid)
        problem = qualification_problem(uid, course_id, on, on)
        if problem is None:
            return uid
        problems.append(FieldProblem("qualification", problem))
    raise GateRefused(problems or [FieldProblem("instructor", "no instructor to sign the renewal: name one")])


def revoke(actor: Actor, certificate_id: int, reason: str, *, version: int | None = None) -> CertificateView:
    """Withdraw a certificate; the reason is required and kept."""
    require(actor, "certificate.revoke")
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed([FieldProblem("reason", "a revocation needs a reason")])
    with database.connection_context(), database.atomic():
        dialect().writer_first()  # before any row lock (db/dialect.py)
        row = _locked(certificate_id, version)
        if row.status in ("revoked", "superseded"):
            raise ValidationFailed([FieldProblem("status", f"certificate {row.number} is already {row.status}")])
        _bump(row, status="revoked", revoked_reason=reason)
        audit.record(
            actor,
            "revoke",
            "certificate",
            row.uuid,
            before={"status": row.status},
            after={"status": "revoked", "reason": reason},
        )
        return _one(models.Certificate.id == certificate_id)


def recertify(
    actor: Actor,
    certificate_id: int,
    *,
    instructor_id: int | None = None,
    on: datetime.date | None = None,
    version: int | None = None,
) -> CertificateView:
    """Renew a certificate inside its course's recertification window.

    The window opens `recert_window_days` before expiry and closes at expiry
    (after that the course must be taken again). The new certificate runs the
    course's current validity on from the old expiry date, so renewing early
    costs nothing; the old one becomes superseded and points to it. The
    instructor (by default the original issuer) must be qualified on the day;
    for a coalition-funded cohort the holder must still be cleared by vetting.
    """
    require(actor, "certificate.issue")
    on = on or datetime.date.today()
    with database.connection_context():
        try:
            with database.atomic():
                dialect().writer_first()  # before any row lock (db/dialect.py)
                old = _locked(certificate_id, version)
                course = models.Course.get_by_id(old.course_id)
                status = effective_status(old.status, old.expires_on, on)
                problem = None
                if status != "valid":
                    problem = f"certificate {old.number} is {status}" + (
                        ": the course must be taken again" if status == "expired" else ""
                    )
                elif old.expires_on is None:
                    problem = f"certificate {old.number} never expires: nothing to renew"
                elif course.status != "active" or not course.grants_certificate or not course.certificate_months:
                    problem = f"course {course.code} no longer grants a renewable certificate"
                elif on < old.expires_on - datetime.timedelta(days=course.recert_window_days):
                    opens = old.expires_on - datetime.timedelta(days=course.recert_window_days)
                    problem = (
                        f"the recertification window for {old.number} opens on {opens.isoformat()} "
                        f"({course.recert_window_days} days before expiry on {old.expires_on.isoformat()})"
                    )
                if problem:
                    raise ValidationFailed([FieldProblem("recertification", problem)])
                issuer_id = _recertifier(actor, old, course.id, on, instructor_id)
                if old.enrolment_id is not None:
                    cohort = models.Cohort.get_by_id(models.Enrolment.get_by_id(old.enrolment_id).cohort_id)
                    vet = vetting_problem(cohort, old.trainee_id, on)
                    if vet:
                        raise GateRefused([FieldProblem("vetting", vet)])
                assert old.expires_on is not None and course.certificate_months  # refused above otherwise
                new = models.Certificate.create(
                    number=_next_number(),
                    verification_code=verification_code(),
                    enrolment=old.enrolment_id,
                    trainee=old.trainee_id,
                    course=old.course_id,
                    issued_on=on,
                    expires_on=old.expires_on + relativedelta(months=course.certificate_months),
                    issued_by=issuer_id,
                    signed_by=signer_name(actor),
                )
                _bump(old, status="superseded", superseded_by=new.id)
                audit.record(
                    actor,
                    "recertify",
                    "certificate",
                    new.uuid,
                    before={"number": old.number, "expires_on": old.expires_on},
                    after={"number": new.number, "issued_on": on, "expires_on": new.expires_on},
                )
        except IntegrityError:
            raise Conflict("another certificate was numbered at the same moment: try again") from None
        return _one(models.Certificate.id == new.id, on)
