"""Postings: graduates serving at a station (or in a unit) from one date to another.

Refused, with the reason: a person who has not graduated, is dead, dismissed
or merged, or is already posted somewhere for any of the same dates. Writers
of one person's postings are serialised (SQLite: one writer; PostgreSQL: an
advisory lock per person), so two clerks cannot post the same man twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peewee import JOIN, fn

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_centre
from trainer.errors import Conflict, FieldProblem, NotFound, TrainerError, ValidationFailed

if TYPE_CHECKING:
    from db.models.base import Select

LOCK_SPACE = 0x706F7374  # "post": advisory locks per trainee
REFUSED_STATUSES = {"deceased": "is recorded as dead", "dismissed": "was dismissed", "merged": "is a merged record"}


@dataclass(frozen=True)
class PostingView:
    id: int
    version: int
    trainee_id: int
    name: str
    latin_name: str
    station: str
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str
    source: str
    unit: str = ""  # unit code, for a posting to a unit rather than a station


def _lock(trainee_ids: Iterable[int]) -> None:
    """Serialise writers of these persons' postings until commit (SQLite: one writer anyway)."""
    writers = dialect()
    for tid in sorted(set(trainee_ids)):
        writers.serialise_writers(LOCK_SPACE << 32 | tid)


def refusal(trainee_id: int, start: datetime.date, end: datetime.date | None) -> str | None:
    """Why this person cannot be posted for these dates, or None."""
    T, E, P, S = models.Trainee, models.Enrolment, models.Posting, models.Station
    row = T.select(T.status).where(T.id == trainee_id).tuples().first()
    if row is None:
        return "no such person"
    if row[0] in REFUSED_STATUSES:
        return REFUSED_STATUSES[row[0]]
    graduated = E.select(E.id).where((E.trainee == trainee_id) & (E.status == "graduated")).exists()
    if not graduated:
        return "has not graduated a course"
    U = models.Unit
    overlap = P.start_date <= end if end is not None else True
    clash = (
        P.select(P.start_date, P.end_date, fn.COALESCE(S.code, U.code))
        .join(S, join_type=JOIN.LEFT_OUTER, on=(S.id == P.station))
        .switch(P)
        .join(U, join_type=JOIN.LEFT_OUTER, on=(U.id == P.unit))
        .where((P.trainee == trainee_id) & (P.end_date.is_null() | (P.end_date >= start)))
    )
    if end is not None:
        clash = clash.where(overlap)
    found = clash.tuples().first()
    if found:
        s, e, where = found
        return f"is already posted at {where or 'a unit'} from {s} to {e or 'now'}"
    return None


def _who(trainee_id: int) -> str:
    """How a refusal names the person: Latin name and national ID as the clerk typed them."""
    T = models.Trainee
    row = T.select(T.given_name_latin, T.father_name_latin, T.national_id).where(T.id == trainee_id).tuples().first()
    if row is None:
        return f"person {trainee_id}"
    name = " ".join(x for x in row[:2] if x) or f"person {trainee_id}"
    return f"{name} (national ID {row[2]})" if row[2] else name


def _station(code: str) -> models.Station:
    station = models.Station.get_or_none(models.Station.code == code.strip().upper())
    if station is None:
        raise NotFound(f"no station {code.strip().upper()}")
    if station.status == "closed":
        raise TrainerError(f"station {station.code} is closed")
    return station


def _scope(actor: Actor, station: models.Station) -> None:
    require_centre(actor, station.centre_id or 0, "posting.write")


def _unit(code: str) -> models.Unit:
    unit = models.Unit.get_or_none(models.Unit.code == code.strip())
    if unit is None:
        raise NotFound(f"no unit {code.strip()}")
    return unit


def _place(actor: Actor, station: str, unit: str) -> dict[str, int]:
    """Where a posting goes, scope checked: a station (its supporting centre's staff, or an admin) or a
    unit (anyone who may post: a unit belongs to no centre)."""
    if bool(station.strip()) == bool(unit.strip()):
        raise ValidationFailed([FieldProblem("station", "give a station or a unit (one of them)")])
    if unit.strip():
        require(actor, "posting.write")
        return {"unit": _unit(unit).id}
    target = _station(station)
    _scope(actor, target)
    return {"station": target.id}


def post(
    actor: Actor,
    trainee_id: int,
    station: str,
    start: datetime.date,
    *,
    end: datetime.date | None = None,
    reason: str = "",
    source: str = "",
    unit: str = "",
) -> PostingView:
    """Post one person to a station (or, with `unit` and station "", to a unit)."""
    with database.connection_context(), database.atomic():
        place = _place(actor, station, unit)
        _check_dates(start, end, reason)
        _lock([trainee_id])
        why = refusal(trainee_id, start, end)
        if why:
            raise ValidationFailed([FieldProblem("trainee", f"{_who(trainee_id)} {why}")])
        posting = models.Posting.create(
            trainee=trainee_id, **place, start_date=start, end_date=end, end_reason=reason, source=source
        )
        where = {"unit": unit.strip()} if unit.strip() else {"station": station.strip().upper()}
        audit.record(
            actor,
            "post",
            "posting",
            posting.uuid,
            after={"trainee": trainee_id, **where, "start": start.isoformat(), "source": source},
        )
        return _views(models.Posting.select().where(models.Posting.id == posting.id))[0]


def _check_dates(start: datetime.date | None, end: datetime.date | None, reason: str) -> None:
    problems = []
    if start is None:
        problems.append(FieldProblem("start_date", "required"))
    elif start > datetime.date.today():
        problems.append(FieldProblem("start_date", f"{start.isoformat()} is in the future"))
    if end is not None and start is not None and end < start:
        problems.append(FieldProblem("end_date", "before the start date"))
    if (end is None) != (not reason):
        problems.append(FieldProblem("end_reason", "an ended posting needs a reason; an open one has none"))
    if reason and reason not in models.END_REASONS:
        problems.append(FieldProblem("end_reason", ", ".join(models.END_REASONS)))
    if problems:
        raise ValidationFailed(problems)


@dataclass(frozen=True)
class CohortPosted:
    posted: int
    skipped: tuple[FieldProblem, ...]  # graduates who cannot be posted, each with the reason


def post_cohort(actor: Actor, cohort: str, station: str, start: datetime.date) -> CohortPosted:
    """Post every graduate of a cohort who can be posted to one station, in one transaction; the
    others (dead, dismissed, already posted …) are named with the reason. Refused when none can be."""
    C, E, T = models.Cohort, models.Enrolment, models.Trainee
    with database.connection_context(), database.atomic():
        target = _station(station)
        _scope(actor, target)
        _check_dates(start, None, "")
        row = C.select(C.id, C.code, C.end_date).where(C.code == cohort.strip().upper()).tuples().first()
        if row is None:
            raise NotFound(f"no cohort {cohort.strip().upper()}")
        cohort_id, code, end_date = row
        if start < end_date:
            raise ValidationFailed([FieldProblem("start_date", f"before cohort {code} ended ({end_date})")])
        people = list(
            E.select(T.id, T.given_name_latin, T.father_name_latin, T.given_name, T.father_name)
            .join(T)
            .where((E.cohort == cohort_id) & (E.status == "graduated"))
            .order_by(T.id)
            .tuples()
        )
        if not people:
            raise TrainerError(f"cohort {code} has no graduates to post")
        _lock([p[0] for p in people])
        skipped, ok = [], []
        for n, (tid, gl, fl, g, f) in enumerate(people, 1):
            why = refusal(tid, start, None)
            if why:
                skipped.append(FieldProblem(f"{gl} {fl}".strip() or f"{g} {f}", why, row=n))
            else:
                ok.append(tid)
        if not ok:
            raise ValidationFailed(skipped)
        models.Posting.insert_many(
            [dict(trainee=tid, station=target.id, start_date=start, source=code) for tid in ok]
        ).execute()
        audit.record(
            actor,
            "post-cohort",
            "station",
            target.uuid,
            after={"cohort": code, "persons": len(ok), "skipped": len(skipped), "start": start.isoformat()},
        )
        return CohortPosted(len(ok), tuple(skipped))


def end_posting(actor: Actor, posting_id: int, end: datetime.date, reason: str, *, version: int) -> PostingView:
    P = models.Posting
    with database.connection_context(), database.atomic():
        posting = P.get_or_none(P.id == posting_id)
        if posting is None:
            raise NotFound(f"no posting {posting_id}")
        if posting.station_id:
            _scope(actor, models.Station.get_by_id(posting.station_id))
        else:
            require(actor, "posting.write")
        if posting.end_date is not None:
            raise TrainerError(f"posting {posting_id} already ended on {posting.end_date}")
        _check_dates(posting.start_date, end, reason)
        changed = (
            P.update(end_date=end, end_reason=reason, version=P.version + 1, updated_at=models.now())
            .where((P.id == posting_id) & (P.version == version))
            .execute()
        )
        if not changed:
            raise Conflict(f"posting {posting_id} was changed by someone else: look again")
        audit.record(actor, "end-posting", "posting", posting.uuid, after={"end": end.isoformat(), "reason": reason})
        return _views(P.select().where(P.id == posting_id))[0]


def postings_at(actor: Actor, station_id: int, *, current_only: bool = True, limit: int = 500) -> list[PostingView]:
    """Officers posted at a station (today's, unless current_only is False), by name."""
    require(actor, "posting.read")
    P = models.Posting
    today = datetime.date.today()
    with database.connection_context():
        q = P.select().where(P.station == station_id)
        if current_only:
            q = q.where((P.start_date <= today) & (P.end_date.is_null() | (P.end_date >= today)))
        return _views(q.limit(limit))


def postings_of(actor: Actor, trainee_id: int) -> list[PostingView]:
    require(actor, "posting.read")
    with database.connection_context():
        return _views(models.Posting.select().where(models.Posting.trainee == trainee_id))


def _views(query: Select[models.Posting]) -> list[PostingView]:
    P, T, S, U = models.Posting, models.Trainee, models.Station, models.Unit
    rows = (
        query.select(
            P.id,
            P.version,
            T.id,
            T.given_name,
            T.father_name,
            T.grandfather_name,
            T.given_name_latin,
            T.father_name_latin,
            T.grandfather_name_latin,
            S.code,
            P.start_date,
            P.end_date,
            P.end_reason,
            P.source,
            U.code,
        )  # fmt: skip
        .join(T, on=(T.id == P.trainee))
        .switch(P)
        .join(S, join_type=JOIN.LEFT_OUTER, on=(S.id == P.station))
        .switch(P)
        .join(U, join_type=JOIN.LEFT_OUTER, on=(U.id == P.unit))
        .order_by(T.given_name_latin, T.id, P.start_date)
        .tuples()
    )
    return [
        PostingView(
            pid, v, tid, f"{g} {f} {gf}", " ".join(x for x in (gl, fl, gfl) if x), code or "", s, e, r, src, unit or ""
        )
        for pid, v, tid, g, f, gf, gl, fl, gfl, code, s, e, r, src, unit in rows
    ]
