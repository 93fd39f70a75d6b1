"""A cohort's sessions: generated from its dates on the working week minus holidays.

The Iraqi working week is Sunday to Thursday; a site setting (`working_week`,
a list of day names) changes it. Holidays are entered by each site (Islamic
holidays move every year). Generated sessions can then be added to, moved or
cancelled one by one; a session that already has attendance marks stays put.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from dateutil.rrule import DAILY, FR, MO, SA, SU, TH, TU, WE, rrule
from peewee import IntegrityError

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_cohort
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed

WORKING_WEEK_SETTING = "working_week"
DAY_NAMES = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}
DEFAULT_WORKING_WEEK = ("sun", "mon", "tue", "wed", "thu")


@dataclass(frozen=True)
class SessionView:
    id: int
    uuid: str
    version: int
    cohort_id: int
    day: datetime.date
    status: str
    topic: str

    @property
    def label(self) -> str:
        """Column heading: 'Su 05-01'."""
        return f"{self.day.strftime('%a')[:2]} {self.day.strftime('%m-%d')}"


@dataclass(frozen=True)
class HolidayView:
    id: int
    day: datetime.date
    name_en: str
    name_ar: str


def _view(row: models.Session) -> SessionView:
    return SessionView(row.id, str(row.uuid), row.version, row.cohort_id, row.day, row.status, row.topic)


def working_week() -> tuple[str, ...]:
    with database.connection_context():
        row = models.Setting.get_or_none(models.Setting.key == WORKING_WEEK_SETTING)
    names = tuple(json.loads(row.value)) if row else DEFAULT_WORKING_WEEK
    bad = [n for n in names if n not in DAY_NAMES]
    if bad or not names:
        raise ValidationFailed([FieldProblem(WORKING_WEEK_SETTING, f"day names from {', '.join(DAY_NAMES)}")])
    return names


def holidays_between(start: datetime.date, end: datetime.date) -> set[datetime.date]:
    H = models.Holiday
    with database.connection_context():
        return {r[0] for r in H.select(H.day).where(H.day.between(start, end)).tuples()}


def planned_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Working days from start to end inclusive, holidays left out."""
    week = [DAY_NAMES[n] for n in working_week()]
    days = rrule(DAILY, dtstart=start, until=end, byweekday=week)
    off = holidays_between(start, end)
    return [d.date() for d in days if d.date() not in off]


def _cohort(cohort_id: int) -> models.Cohort:
    cohort = models.Cohort.get_or_none(models.Cohort.id == cohort_id)
    if cohort is None:
        raise NotFound(f"no cohort {cohort_id}")
    return cohort


def _check_day(cohort: models.Cohort, day: datetime.date, *, ignore_id: int | None = None) -> None:
    if cohort.status in ("completed", "cancelled"):
        raise ValidationFailed([FieldProblem("cohort", f"cohort {cohort.code} is {cohort.status}")])
    if not cohort.start_date <= day <= cohort.end_date:
        raise ValidationFailed(
            [
                FieldProblem(
                    "day",
                    f"{day.isoformat()} is outside the cohort's dates "
                    f"{cohort.start_date.isoformat()} to {cohort.end_date.isoformat()}",
                )
            ]
        )
    S = models.Session
    clash = S.select().where((S.cohort == cohort.id) & (S.day == day) & (S.status != "cancelled"))
    if ignore_id is not None:
        clash = clash.where(S.id != ignore_id)
    if clash.exists():
        raise ValidationFailed([FieldProblem("day", f"the cohort already has a session on {day.isoformat()}")])


def generate_sessions(actor: Actor, cohort_id: int) -> list[SessionView]:
    """Create the sessions the calendar gives and the cohort lacks; idempotent.

    A day that already has a session, even a cancelled one, is left alone.
    """
    require_cohort(actor, cohort_id, "session.write")
    with database.connection_context(), database.atomic():
        cohort = _cohort(cohort_id)
        S = models.Session
        taken = {r[0] for r in S.select(S.day).where(S.cohort == cohort_id).tuples()}
        new = [d for d in planned_days(cohort.start_date, cohort.end_date) if d not in taken]
        for day in new:
            S.create(cohort=cohort_id, day=day)
        if new:
            audit.record(
                actor,
                "create",
                "session",
                cohort.uuid,
                after={"cohort": cohort.code, "days": [d.isoformat() for d in new]},
            )
    return list_sessions(actor, cohort_id)


def list_sessions(actor: Actor, cohort_id: int, *, include_cancelled: bool = False) -> list[SessionView]:
    require(actor, "cohort.read")
    S = models.Session
    with database.connection_context():
        query = S.select().where(S.cohort == cohort_id)
        if not include_cancelled:
            query = query.where(S.status != "cancelled")
        return [_view(r) for r in query.order_by(S.day, S.id)]


def add_session(actor: Actor, cohort_id: int, day: datetime.date, topic: str = "") -> SessionView:
    require_cohort(actor, cohort_id, "session.write")
    with database.connection_context(), database.atomic():
        cohort = _cohort(cohort_id)
        _check_day(cohort, day)
        row = models.Session.create(cohort=cohort_id, day=day, topic=topic.strip())
        audit.record(actor, "create", "session", row.uuid, after={"cohort": cohort.code, "day": day, "topic": topic})
        return _view(row)


def _locked_session(actor: Actor, session_id: int, version: int) -> models.Session:
    row = models.Session.get_or_none(models.Session.id == session_id)
    if row is None:
        raise NotFound(f"no session {session_id}")
    require_cohort(actor, row.cohort_id)
    if row.version != version:
        raise Conflict("another user changed this session first: reload", current=_view(row))
    if row.status == "cancelled":
        raise ValidationFailed([FieldProblem("session", f"the session of {row.day.isoformat()} is cancelled")])
    if models.Attendance.select().where(models.Attendance.session == session_id).exists():
        raise ValidationFailed(
            [FieldProblem("session", f"attendance is already marked for {row.day.isoformat()}: it stays as held")]
        )
    return row


def _save(row: models.Session, version: int, **changes: Any) -> None:
    S = models.Session
    done = (
        S.update(**changes, version=S.version + 1, updated_at=models.now())
        .where((S.id == row.id) & (S.version == version))
        .execute()
    )
    if not done:
        raise Conflict("another user changed this session first: reload")


def move_session(actor: Actor, session_id: int, version: int, day: datetime.date) -> SessionView:
    require(actor, "session.write")
    with database.connection_context(), database.atomic():
        row = _locked_session(actor, session_id, version)
        _check_day(_cohort(row.cohort_id), day, ignore_id=row.id)
        _save(row, version, day=day)
        audit.record(actor, "update", "session", row.uuid, before={"day": row.day}, after={"day": day})
        return _view(models.Session.get_by_id(session_id))


def cancel_session(actor: Actor, session_id: int, version: int, reason: str = "") -> SessionView:
    require(actor, "session.write")
    with database.connection_context(), database.atomic():
        row = _locked_session(actor, session_id, version)
        _save(row, version, status="cancelled")
        audit.record(
            actor,
            "update",
            "session",
            row.uuid,
            before={"status": row.status},
            after={"status": "cancelled"},
            reason=reason.strip(),
        )
        return _view(models.Session.get_by_id(session_id))


def add_holiday(actor: Actor, day: datetime.date, name_en: str = "", name_ar: str = "") -> HolidayView:
    """A site-wide day off; sessions already generated on it are left to be moved by hand."""
    require(actor, "reference.write")
    with database.connection_context():
        try:
            with database.atomic():
                row = models.Holiday.create(day=day, name_en=name_en.strip(), name_ar=name_ar.strip())
                audit.record(actor, "create", "holiday", row.uuid, after={"day": day, "name_en": name_en})
        except IntegrityError:
            raise ValidationFailed([FieldProblem("day", f"{day.isoformat()} is already a holiday")]) from None
        return HolidayView(row.id, row.day, row.name_en, row.name_ar)


def list_holidays(start: datetime.date, end: datetime.date) -> list[HolidayView]:
    H = models.Holiday
    with database.connection_context():
        return [
            HolidayView(r.id, r.day, r.name_en, r.name_ar)
            for r in H.select().where(H.day.between(start, end)).order_by(H.day)
        ]
