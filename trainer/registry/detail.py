"""One trainee's whole record for the detail pane: identity, units, vetting, training.

Read with `.tuples()` joins (no model objects wander off to the UI thread).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from peewee import JOIN, SelectQuery

from db import models
from db.connection import database
from db.prepared import Prepared
from trainer.accounts.access import Actor, require
from trainer.errors import NotFound
from trainer.registry import scope
from trainer.registry.trainees import LATIN_PARTS, NAME_PARTS, TraineeView


@dataclass(frozen=True)
class UnitLine:
    unit_code: str
    unit_name: str
    force: str
    start_date: datetime.date
    end_date: datetime.date | None


@dataclass(frozen=True)
class VettingLine:
    kind: str
    case_ref: str
    result: str
    decision_date: datetime.date | None
    funder: str
    unit_code: str  # for a unit decision
    note: str = ""


@dataclass(frozen=True)
class EnrolmentLine:
    enrolment_id: int
    cohort_id: int
    cohort_code: str
    course_code: str
    course_title: str
    start_date: datetime.date
    status: str
    waitlist_position: int | None
    withdrawal_reason: str


@dataclass(frozen=True)
class ResultLine:
    cohort_code: str
    assessment: str
    attempt: int
    score: float
    max_score: float
    passed: bool


@dataclass(frozen=True)
class CertificateLine:
    number: str
    course_code: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    status: str


@dataclass(frozen=True)
class TraineeDetail:
    trainee: TraineeView
    units: tuple[UnitLine, ...]
    vetting: tuple[VettingLine, ...]
    enrolments: tuple[EnrolmentLine, ...]
    results: tuple[ResultLine, ...]
    certificates: tuple[CertificateLine, ...]


M = models
_VIEW = (
    "id",
    "uuid",
    "version",
    *NAME_PARTS,
    *LATIN_PARTS,
    "date_of_birth",
    "gender",
    "national_id",
    "service_number",
    "force",
    "province",
    "rank",
    "phone",
    "status",
)


def _trainee(trainee: int) -> SelectQuery:
    T = M.Trainee
    return T.select(*(getattr(T, f) for f in _VIEW)).where(T.id == trainee)


def _units(trainee: int) -> SelectQuery:
    UA, U = M.UnitAssignment, M.Unit
    return (
        UA.select(U.code, U.name, U.force, UA.start_date, UA.end_date)
        .join(U)
        .where(UA.trainee == trainee)
        .order_by(UA.start_date)
    )


def _vetting(trainee: int) -> SelectQuery:
    UA, U, V = M.UnitAssignment, M.Unit, M.VettingRecord
    unit_ids = UA.select(UA.unit).where(UA.trainee == trainee)
    return (
        V.select(V.kind, V.case_ref, V.result, V.decision_date, V.funder, U.code, V.note)
        .join(U, on=(V.unit == U.id), join_type=JOIN.LEFT_OUTER)
        .where((V.trainee == trainee) | ((V.kind == "unit") & V.unit.in_(unit_ids)))
        .order_by(V.decision_date.desc(nulls="LAST"))
    )


def _enrolments(trainee: int) -> SelectQuery:
    E, C, K = M.Enrolment, M.Cohort, M.Course
    return (
        E.select(
            E.id, C.id, C.code, K.code, K.title_en, C.start_date, E.status, E.waitlist_position, E.withdrawal_reason
        )
        .join(C)
        .join(K)
        .where(E.trainee == trainee)
        .order_by(C.start_date.desc())
    )


def _results(trainee: int) -> SelectQuery:
    E, C, R, A = M.Enrolment, M.Cohort, M.Result, M.Assessment
    return (
        R.select(C.code, A.title, R.attempt, R.score, A.max_score, A.pass_mark)
        .join(E)
        .join(C)
        .switch(R)
        .join(A)
        .where(E.trainee == trainee)
        .order_by(C.start_date, A.position, R.attempt)
    )


def _certificates(trainee: int) -> SelectQuery:
    Ce, K = M.Certificate, M.Course
    return (
        Ce.select(Ce.number, K.code, Ce.issued_on, Ce.expires_on, Ce.status)
        .join(K)
        .where(Ce.trainee == trainee)
        .order_by(Ce.issued_on.desc())
    )


# The pane loads a record on every cursor move: the SQL is built once (db.prepared).
_QUERIES = {
    name: Prepared(build, "trainee")
    for name, build in (
        ("trainee", _trainee),
        ("units", _units),
        ("vetting", _vetting),
        ("enrolments", _enrolments),
        ("results", _results),
        ("certificates", _certificates),
    )
}


def load(actor: Actor, trainee_id: int) -> TraineeDetail:
    require(actor, "trainee.read")
    with database.connection_context():

        def rows(name: str) -> list[tuple[Any, ...]]:
            return _QUERIES[name].tuples(trainee=trainee_id)

        found = rows("trainee")
        if not found:
            raise NotFound(f"no trainee {trainee_id}")
        scope.require_sees(actor, trainee_id)
        view = dict(zip(_VIEW, found[0]))
        view.update(
            uuid=str(view["uuid"]), national_id=view["national_id"] or "", service_number=view["service_number"] or ""
        )
        return TraineeDetail(
            scope.shown(actor, TraineeView(**view)),
            tuple(UnitLine(*r) for r in rows("units")),
            tuple(VettingLine(*r) for r in rows("vetting")),
            tuple(EnrolmentLine(*r) for r in rows("enrolments")),
            tuple(
                ResultLine(code, title, attempt, score, mx, score >= mark)
                for code, title, attempt, score, mx, mark in rows("results")
            ),
            tuple(CertificateLine(*r) for r in rows("certificates")),
        )


@dataclass(frozen=True)
class CertificateHit:
    number: str
    verification_code: str
    trainee_id: int
    trainee_name: str
    course_code: str
    status: str


def find_certificates(actor: Actor, text: str, *, limit: int = 5) -> list[CertificateHit]:
    """Certificates whose number or verification code starts with `text` (for jumping to one)."""
    require(actor, "trainee.read")
    text = text.strip().upper()
    if len(text) < 2:
        return []
    Ce, T, K = models.Certificate, models.Trainee, models.Course
    with database.connection_context():
        query = (
            Ce.select(
                Ce.number,
                Ce.verification_code,
                T.id,
                T.given_name,
                T.father_name,
                T.grandfather_name,
                K.code,
                Ce.status,
            )
            .join(T, on=(Ce.trainee == T.id))
            .switch(Ce)
            .join(K, on=(Ce.course == K.id))
            .where(Ce.number.startswith(text) | Ce.verification_code.startswith(text))
            .order_by(Ce.number)
            .limit(limit)
        )
        for condition in scope.taught_trainees(actor, T.id):  # an instructor: their trainees only
            query = query.where(condition)
        rows = query.tuples()
        return [
            CertificateHit(n, v, tid, " ".join(p for p in (g, f, gf) if p), c, s) for n, v, tid, g, f, gf, c, s in rows
        ]
