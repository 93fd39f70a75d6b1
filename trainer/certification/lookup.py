"""Reading certificates: the view every screen and command shows, look-ups, search, expiring, the QR payload.

The status shown is the stored one (valid, revoked, superseded) except that a valid
certificate past its expiry date shows as expired.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peewee import JOIN, Expression

from db import models
from db.connection import database
from trainer.accounts.access import Actor, require
from trainer.certification import signing
from trainer.certification.numbers import valid_number
from trainer.errors import FieldProblem, NotFound, TrainerError, ValidationFailed
from trainer.registry.scope import require_sees, taught_trainees

if TYPE_CHECKING:
    from db.models.base import Select


EXPIRING_CHOICES = (30, 60, 90)


@dataclass(frozen=True)
class CertificateView:
    id: int
    uuid: str
    version: int
    number: str
    verification_code: str
    trainee_id: int
    name: str  # Arabic, logical order
    latin_name: str
    course_id: int
    course_code: str
    course_title_en: str
    course_title_ar: str
    enrolment_id: int | None
    cohort_code: str
    cohort_start: datetime.date | None
    cohort_end: datetime.date | None
    centre_en: str
    centre_ar: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    stored_status: str
    status: str
    revoked_reason: str
    superseded_by: str  # the newer certificate's number
    issued_by: str  # the issuing (qualified) instructor's name
    signed_by: str = ""  # who signed: the issuing user or the site's signatory (empty before 0011)


def effective_status(stored: str, expires_on: datetime.date | None, today: datetime.date) -> str:
    if stored == "valid" and expires_on is not None and expires_on < today:
        return "expired"
    return stored


def _query() -> Select[models.Certificate]:
    C, T, K, E, H, N, U = (
        models.Certificate,
        models.Trainee,
        models.Course,
        models.Enrolment,
        models.Cohort,
        models.Centre,
        models.User,
    )
    Newer = C.alias("newer")
    return (
        C.select(
            C.id,
            C.uuid,
            C.version,
            C.number,
            C.verification_code,
            C.trainee,
            T.given_name,
            T.father_name,
            T.grandfather_name,
            T.family_name,
            T.given_name_latin,
            T.father_name_latin,
            T.grandfather_name_latin,
            T.family_name_latin,
            C.course,
            K.code,
            K.title_en,
            K.title_ar,
            C.enrolment,
            H.code,
            H.start_date,
            H.end_date,
            N.name_en,
            N.name_ar,
            C.issued_on,
            C.expires_on,
            C.status,
            C.revoked_reason,
            Newer.number,
            U.display_name,
            U.username,
            C.signed_by,
        )
        .join(T, on=(C.trainee == T.id))
        .switch(C)
        .join(K, on=(C.course == K.id))
        .switch(C)
        .join(E, JOIN.LEFT_OUTER, on=(C.enrolment == E.id))
        .join(H, JOIN.LEFT_OUTER, on=(E.cohort == H.id))
        .join(N, JOIN.LEFT_OUTER, on=(H.centre == N.id))
        .switch(C)
        .join(Newer, JOIN.LEFT_OUTER, on=(C.superseded_by == Newer.id))
        .switch(C)
        .join(U, JOIN.LEFT_OUTER, on=(C.issued_by == U.id))
    )


def _views(query: Select[models.Certificate], today: datetime.date | None = None) -> list[CertificateView]:
    today = today or datetime.date.today()
    out = []
    for (
        cid,
        uuid,
        version,
        number,
        code,
        tid,
        g,
        f,
        gf,
        fam,
        gl,
        fl,
        gfl,
        faml,
        course_id,
        course_code,
        title_en,
        title_ar,
        eid,
        cohort_code,
        start,
        end,
        centre_en,
        centre_ar,
        issued,
        expires,
        status,
        reason,
        newer,
        display,
        username,
        signed_by,
    ) in query.tuples():
        out.append(
            CertificateView(
                cid,
                str(uuid),
                version,
                number,
                code,
                tid,
                _join(g, f, gf, fam),
                _join(gl, fl, gfl, faml),
                course_id,
                course_code,
                title_en,
                title_ar or "",
                eid,
                cohort_code or "",
                start,
                end,
                centre_en or "",
                centre_ar or "",
                issued,
                expires,
                status,
                effective_status(status, expires, today),
                reason,
                newer or "",
                display or username or "",
                signed_by or "",
            )
        )
    return out


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _one(where: Expression, today: datetime.date | None = None) -> CertificateView:
    found = _views(_query().where(where), today)
    if not found:
        raise NotFound("no such certificate")
    return found[0]


def _scoped(query: Select[models.Certificate], actor: Actor) -> Select[models.Certificate]:
    """`query` kept to the certificates `actor` may see (an instructor: of the trainees they teach)."""
    for condition in taught_trainees(actor, models.Certificate.trainee):
        query = query.where(condition)
    return query


def _seen(actor: Actor, view: CertificateView) -> CertificateView:
    """The certificate, if `actor` may see its holder (an instructor: only trainees they teach)."""
    require_sees(actor, view.trainee_id)
    return view


def get(actor: Actor, certificate_id: int, *, today: datetime.date | None = None) -> CertificateView:
    require(actor, "certificate.read")
    with database.connection_context():
        return _seen(actor, _one(models.Certificate.id == certificate_id, today))


def by_number(actor: Actor, number: str, *, today: datetime.date | None = None) -> CertificateView:
    require(actor, "certificate.read")
    number = number.strip().upper()
    if not valid_number(number):
        raise ValidationFailed(
            [
                FieldProblem(
                    "number", f"{number!r} is not a certificate number (IQTC- and ten digits, the last a check digit)"
                )
            ]
        )
    with database.connection_context():
        try:
            view = _one(models.Certificate.number == number, today)
        except NotFound:
            raise NotFound(f"no certificate {number}") from None
        return _seen(actor, view)


def public_status(number: str, *, today: datetime.date | None = None) -> tuple[str, str, str] | None:
    """(status, revoked reason, superseded by) for anyone verifying; names stay out."""
    C = models.Certificate
    with database.connection_context():
        try:
            view = _one(C.number == number.strip().upper(), today)
        except NotFound:
            return None
    return view.status, view.revoked_reason, view.superseded_by


def search(
    actor: Actor, text: str = "", *, limit: int = 100, offset: int = 0, today: datetime.date | None = None
) -> list[CertificateView]:
    """By number or verification code prefix, else by the holder's name (any script); an instructor
    finds only the certificates of the trainees of cohorts they teach (registry.scope)."""
    require(actor, "certificate.read")
    C = models.Certificate
    text = text.strip()
    with database.connection_context():
        query = _scoped(_query(), actor)
        if text:
            key = text.upper()
            by_code = query.where(C.number.startswith(key) | C.verification_code.startswith(key))
            found = _views(by_code.order_by(C.id.desc()).limit(limit).offset(offset), today)
            if found or any(ch.isdigit() for ch in text):
                return found
            from trainer.registry.trainees import search as search_trainees

            ids = [t.id for t in search_trainees(actor, text, limit=200)]
            query = query.where(C.trainee.in_(ids or [0]))
        return _views(query.order_by(C.id.desc()).limit(limit).offset(offset), today)


def expiring(
    actor: Actor, days: int, *, today: datetime.date | None = None, limit: int = 1000
) -> list[CertificateView]:
    """Valid certificates whose expiry falls within the next `days` days, soonest first (an
    instructor: those of the trainees they teach)."""
    require(actor, "certificate.read")
    today = today or datetime.date.today()
    C = models.Certificate
    with database.connection_context():
        query = (
            _scoped(_query(), actor)
            .where((C.status == "valid") & C.expires_on.between(today, today + datetime.timedelta(days)))
            .order_by(C.expires_on, C.number)
            .limit(limit)
        )
        return _views(query, today)


# --- what the QR carries --------------------------------------------------------


def claims(view: CertificateView) -> dict[str, Any]:
    """What the QR code carries: only what a checkpoint compares with the holder's papers
    (docs/credentials.md). No national ID, no unit, no verification code."""
    return {
        "sub": view.number,
        "name": view.latin_name or None,
        "name#ar": view.name or None,
        "course": view.course_code,
        "iat": _numeric_date(view.issued_on),
        "exp": _numeric_date(view.expires_on) if view.expires_on else None,
    }


def _numeric_date(day: datetime.date) -> int:
    """JWT NumericDate: seconds since 1970 at the start of that day, UTC."""
    return int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC).timestamp())


def payload(view: CertificateView) -> str:
    """The signed text for the QR code (raises SigningKeyError without a usable key)."""
    if view.stored_status in ("revoked",):
        raise TrainerError(f"certificate {view.number} is revoked: {view.revoked_reason}")
    return signing.sign_claims(claims(view))
