"""Attendance: one mark per trainee per session, and the percentage the pass rule reads.

A trainee's percentage counts only sessions held on or after their enrolment
date (a late joiner is not marked down for days before they arrived).
Present and late count as attended; an excused session is left out of the
count; a held session with no mark counts as missed. A session becomes
"held" when its first mark is saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from peewee import fn

from db import models
from db.connection import database
from db.dialect import dialect
from db.fields import uuid7
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_teaches
from trainer.errors import FieldProblem, NotFound, ValidationFailed
from trainer.training import rules
from trainer.training.sessions import SessionView
from trainer.training.sessions import _view as _session_view

MARKS = ("present", "absent", "excused", "late")
MARK_KEYS = {"p": "present", "a": "absent", "e": "excused", "l": "late"}
ATTENDED = frozenset({"present", "late"})
GRID_STATUSES = ("enrolled", "graduated", "failed")


@dataclass(frozen=True)
class AttendanceRow:
    enrolment_id: int
    trainee_id: int
    name: str  # Arabic, logical order
    latin_name: str
    enrolled_on: datetime.date
    status: str
    marks: dict[int, str]  # session id -> mark
    percentage: float | None


@dataclass(frozen=True)
class AttendanceGrid:
    cohort_id: int
    cohort_code: str
    sessions: tuple[SessionView, ...]
    rows: tuple[AttendanceRow, ...]


@dataclass(frozen=True)
class CellSaved:
    session_id: int
    enrolment_id: int
    mark: str | None  # None: cleared
    percentage: float | None
    # When the session just became held (or planned again) everyone's share moves:
    # every enrolment's percentage, else empty.
    everyone: dict[int, float | None] = field(default_factory=dict)
    # The mark this save replaced, when the cell held another one (someone else's, perhaps):
    # the screen says so, so that a mark changed under an instructor is seen, not silent.
    replaced: str | None = None


def parse_mark(text: str) -> str:
    value = MARK_KEYS.get(text.strip().lower(), text.strip().lower())
    if value not in MARKS:
        raise ValidationFailed([FieldProblem("mark", f"{text!r} is not one of {', '.join(MARKS)}")])
    return value


def percentage(
    held: list[tuple[int, datetime.date]], enrolled_on: datetime.date, marks: dict[int, str]
) -> float | None:
    """Share of counted held sessions attended; None when nothing counts yet."""
    counted = attended = 0
    for session_id, day in held:
        if day < enrolled_on:
            continue
        mark = marks.get(session_id)
        if mark == "excused":
            continue
        counted += 1
        attended += mark in ATTENDED
    return None if counted == 0 else 100.0 * attended / counted


def excused_counts(cohort_id: int) -> dict[int, int]:
    """Per enrolment, the held sessions since enrolment marked excused (the pass rule's reason needs them)."""
    A, E, S = models.Attendance, models.Enrolment, models.Session
    with database.connection_context():
        query = (
            A.select(A.enrolment, fn.COUNT(A.id))
            .join(E, on=(A.enrolment == E.id))
            .switch(A)
            .join(S, on=(A.session == S.id))
            .where((E.cohort == cohort_id) & (S.status == "held") & (A.mark == "excused") & (S.day >= E.enrolled_on))
            .group_by(A.enrolment)
        )
        return dict(query.tuples())


def _held(cohort_id: int) -> list[tuple[int, datetime.date]]:
    S = models.Session
    return list(S.select(S.id, S.day).where((S.cohort == cohort_id) & (S.status == "held")).tuples())


def _marks_of(enrolment_id: int) -> dict[int, str]:
    A = models.Attendance
    return dict(A.select(A.session, A.mark).where(A.enrolment == enrolment_id).tuples())


def percentages(cohort_id: int) -> dict[int, float | None]:
    """Every enrolment's percentage in three queries (graduation, reports)."""
    A, E = models.Attendance, models.Enrolment
    with database.connection_context():
        held = _held(cohort_id)
        marks: dict[int, dict[int, str]] = {}
        query = A.select(A.enrolment, A.session, A.mark).join(E).where(E.cohort == cohort_id).tuples()
        for enrolment_id, session_id, mark in query:
            marks.setdefault(enrolment_id, {})[session_id] = mark
        return {
            eid: percentage(held, on, marks.get(eid, {}))
            for eid, on in E.select(E.id, E.enrolled_on).where(E.cohort == cohort_id).tuples()
        }


def grid(actor: Actor, cohort_id: int) -> AttendanceGrid:
    """The whole grid in four queries: sessions, trainees, marks (and the cohort)."""
    require(actor, "cohort.read")
    A, E, T, S = models.Attendance, models.Enrolment, models.Trainee, models.Session
    with database.connection_context():
        cohort = models.Cohort.get_or_none(models.Cohort.id == cohort_id)
        if cohort is None:
            raise NotFound(f"no cohort {cohort_id}")
        sessions = [
            _session_view(r)
            for r in S.select().where((S.cohort == cohort_id) & (S.status != "cancelled")).order_by(S.day, S.id)
        ]
        held = [(s.id, s.day) for s in sessions if s.status == "held"]
        marks: dict[int, dict[int, str]] = {}
        for enrolment_id, session_id, mark in (
            A.select(A.enrolment, A.session, A.mark).join(E).where(E.cohort == cohort_id).tuples()
        ):
            marks.setdefault(enrolment_id, {})[session_id] = mark
        people = (
            E.select(
                E.id,
                E.enrolled_on,
                E.status,
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
        rows = []
        for eid, on, status, tid, *parts in people:
            own = marks.get(eid, {})
            rows.append(
                AttendanceRow(eid, tid, _join(parts[:4]), _join(parts[4:]), on, status, own, percentage(held, on, own))
            )
        rows.sort(key=lambda r: (r.latin_name or r.name).casefold())  # as the names are shown
        return AttendanceGrid(cohort_id, cohort.code, tuple(sessions), tuple(rows))


def _join(parts: Iterable[str | None]) -> str:
    return " ".join(p for p in parts if p)


def _check_cell(session: models.Session, enrolment: models.Enrolment, today: datetime.date) -> None:
    problem = None
    if enrolment.cohort_id != session.cohort_id:
        problem = "the trainee is not enrolled in this session's cohort"
    elif session.status == "cancelled":
        problem = f"the session of {session.day.isoformat()} is cancelled"
    elif enrolment.status in ("graduated", "failed"):
        problem = f"the outcome is already decided ({enrolment.status})"
    elif enrolment.status != "enrolled":
        problem = f"the trainee is {enrolment.status}, not enrolled"
    elif session.day < enrolment.enrolled_on:
        problem = f"enrolled on {enrolment.enrolled_on.isoformat()}, after the session of {session.day.isoformat()}"
    elif session.day > today:
        problem = f"the session of {session.day.isoformat()} has not happened yet"
    if problem:
        raise ValidationFailed([FieldProblem("attendance", problem)])


def _load(session_id: int, enrolment_id: int) -> tuple[models.Session, models.Enrolment]:
    """Only the columns the checks read: a cell is saved per keystroke."""
    S, E = models.Session, models.Enrolment
    session = S.select(S.id, S.cohort, S.day, S.status).where(S.id == session_id).first()
    enrolment = E.select(E.id, E.cohort, E.status, E.enrolled_on).where(E.id == enrolment_id).first()
    if session is None or enrolment is None:
        raise NotFound("no such session or enrolment")
    return session, enrolment


def _write(actor: Actor, session: models.Session, enrolment_id: int, mark: str) -> tuple[bool, str | None]:
    """Insert or change one mark with its audit event: (changed?, the mark it replaced)."""
    A, E = models.Attendance, models.Enrolment
    # Marks racing for one fresh cell: the enrolment's row lock orders them (PostgreSQL), so
    # the second updates the first's row instead of inserting a duplicate. Last writer wins,
    # and is told what it replaced.
    dialect().for_update(E.select(E.id).where(E.id == enrolment_id)).first()
    current = A.select(A.id, A.uuid, A.mark).where((A.session == session.id) & (A.enrolment == enrolment_id)).first()
    if current is not None and current.mark == mark:
        return False, None
    if current is None:
        uid = uuid7()
        A.insert(uuid=uid, session=session.id, enrolment=enrolment_id, mark=mark, entered_by=actor.user_id).execute()
        audit.record(actor, "create", "attendance", uid, after={"day": session.day, "mark": mark})
        return True, None
    else:
        (
            A.update(mark=mark, entered_by=actor.user_id, version=A.version + 1, updated_at=models.now())
            .where(A.id == current.id)
            .execute()
        )
        audit.record(actor, "update", "attendance", current.uuid, before={"mark": current.mark}, after={"mark": mark})
        return True, current.mark


def _held_now(session: models.Session) -> bool:
    """Mark the session held; True when it was not yet."""
    if session.status != "planned":
        return False
    S = models.Session
    S.update(status="held", version=S.version + 1, updated_at=models.now()).where(S.id == session.id).execute()
    session.status = "held"
    return True


def mark(
    actor: Actor, session_id: int, enrolment_id: int, value: str, *, today: datetime.date | None = None
) -> CellSaved:
    """Save one cell; the session becomes held and the cohort's rule is frozen."""
    require(actor, "attendance.write")
    value = parse_mark(value)
    today = today or datetime.date.today()
    with database.connection_context():
        with database.atomic():
            dialect().writer_first()  # before any row lock (db/dialect.py)
            session, enrolment = _load(session_id, enrolment_id)
            require_teaches(actor, session.cohort_id)
            _check_cell(session, enrolment, today)
            rules.ensure_frozen(session.cohort_id)
            became_held = _held_now(session)
            _, replaced = _write(actor, session, enrolment_id, value)
        everyone = percentages(session.cohort_id) if became_held else {}
        pct = percentage(_held(session.cohort_id), enrolment.enrolled_on, _marks_of(enrolment_id))
        return CellSaved(session_id, enrolment_id, value, pct, everyone, replaced)


def clear(actor: Actor, session_id: int, enrolment_id: int, *, today: datetime.date | None = None) -> CellSaved:
    """Remove a mark typed by mistake; a session left with no marks is planned again."""
    require(actor, "attendance.write")
    today = today or datetime.date.today()
    A, S = models.Attendance, models.Session
    with database.connection_context():
        with database.atomic():
            dialect().writer_first()  # before any row lock (db/dialect.py)
            session, enrolment = _load(session_id, enrolment_id)
            require_teaches(actor, session.cohort_id)
            _check_cell(session, enrolment, today)
            current = A.get_or_none((A.session == session_id) & (A.enrolment == enrolment_id))
            planned_again = False
            if current is not None:
                current.delete_instance()
                audit.record(actor, "delete", "attendance", current.uuid, before={"mark": current.mark})
                if not A.select().where(A.session == session_id).exists():
                    S.update(status="planned", version=S.version + 1, updated_at=models.now()).where(
                        S.id == session_id
                    ).execute()
                    planned_again = True
        everyone = percentages(session.cohort_id) if planned_again else {}
        pct = percentage(_held(session.cohort_id), enrolment.enrolled_on, _marks_of(enrolment_id))
        return CellSaved(session_id, enrolment_id, None, pct, everyone)


def mark_column(
    actor: Actor, session_id: int, value: str, *, overwrite: bool = False, today: datetime.date | None = None
) -> list[CellSaved]:
    """Mark everyone enrolled on that day at once (by default only the cells still empty).

    One transaction; trainees who joined after the session are left out.
    """
    require(actor, "attendance.write")
    value = parse_mark(value)
    today = today or datetime.date.today()
    E, A = models.Enrolment, models.Attendance
    with database.connection_context():
        with database.atomic():
            dialect().writer_first()  # before any row lock (db/dialect.py)
            session = models.Session.get_or_none(models.Session.id == session_id)
            if session is None:
                raise NotFound(f"no session {session_id}")
            require_teaches(actor, session.cohort_id)
            if session.day > today or session.status == "cancelled":
                # Same wording as a single cell.
                probe = E(cohort=session.cohort_id, status="enrolled", enrolled_on=session.day)
                _check_cell(session, probe, today)
            rules.ensure_frozen(session.cohort_id)
            enrolments = list(
                E.select().where(
                    (E.cohort == session.cohort_id) & (E.status == "enrolled") & (E.enrolled_on <= session.day)
                )
            )
            marked: dict[int, str] = dict(A.select(A.enrolment, A.mark).where(A.session == session_id).tuples())
            changed = []
            for e in enrolments:
                if e.id in marked and not overwrite:
                    continue
                if _write(actor, session, e.id, value)[0]:
                    changed.append(e)
            if changed:
                _held_now(session)
        shares = percentages(session.cohort_id)
        return [CellSaved(session_id, e.id, value, shares.get(e.id), shares) for e in changed]
