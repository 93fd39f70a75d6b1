"""Cohorts: one running of a course at a centre, and their rosters."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from peewee import IntegrityError, fn

from db import models
from db.connection import database
from trainer.accounts import audit, settings
from trainer.accounts.access import SYSTEM, Actor, require, require_centre, require_cohort
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed

if TYPE_CHECKING:
    from db.models.base import Select

INSTRUCTOR_ROLES = ("instructor", "admin")
SEATED = ("enrolled", "graduated", "failed")  # statuses that take a seat


@dataclass(frozen=True)
class CohortInput:
    course: str  # course code
    centre: str  # centre code
    start_date: datetime.date | None
    end_date: datetime.date | None
    capacity: int
    instructors: tuple[str, ...] = ()  # usernames
    funder: str = ""
    coalition_funded: bool = False
    code: str = ""  # empty: made from course, centre and start
    cancelled: bool | None = None  # None: as it was; True cancels, False reopens a cancelled cohort


@dataclass(frozen=True)
class CohortView:
    id: int
    uuid: str
    version: int
    code: str
    course_id: int
    course: str
    course_title: str
    centre: str
    centre_name: str
    start_date: datetime.date
    end_date: datetime.date
    capacity: int
    funder: str
    coalition_funded: bool
    status: str  # what the dates say (status_on): planned, running, ended, completed or cancelled
    instructors: tuple[str, ...]
    enrolled: int
    waitlisted: int

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.enrolled)

    def as_input(self) -> CohortInput:
        return CohortInput(
            self.course,
            self.centre,
            self.start_date,
            self.end_date,
            self.capacity,
            self.instructors,
            self.funder,
            self.coalition_funded,
            self.code,
            self.status == "cancelled",
        )


def status_on(stored: str, start: datetime.date, end: datetime.date, today: datetime.date | None = None) -> str:
    """A cohort's status follows its dates: planned before the start, running to the end date, then
    "ended" until graduation makes it completed. Cancelled and completed are kept as stored."""
    if stored in ("cancelled", "completed"):
        return stored
    today = today or datetime.date.today()
    return "planned" if today < start else "running" if today <= end else "ended"


@dataclass(frozen=True)
class RosterLine:
    enrolment_id: int
    trainee_id: int
    name: str  # Arabic script as written
    latin_name: str
    force: str
    status: str
    waitlist_position: int | None
    enrolled_on: datetime.date
    withdrawal_reason: str


@dataclass(frozen=True)
class InstructorChoice:
    username: str
    display_name: str


def _seat_counts(ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    E = models.Enrolment
    seated: dict[int, int] = {}
    waiting: dict[int, int] = {}
    for cid, status, n in (
        E.select(E.cohort, E.status, fn.COUNT(E.id)).where(E.cohort.in_(ids)).group_by(E.cohort, E.status).tuples()
    ):
        if status in SEATED:
            seated[cid] = seated.get(cid, 0) + n
        elif status == "waitlisted":
            waiting[cid] = n
    return seated, waiting


def _views(query: Select[models.Cohort]) -> list[CohortView]:
    M = models
    C, K, Ce = M.Cohort, M.Course, M.Centre
    rows = list(query.select(C, K.code, K.title_en, Ce.code, Ce.name_en).join(K).switch(C).join(Ce).tuples())
    ids = [r[0] for r in rows]
    if not ids:
        return []
    seated, waiting = _seat_counts(ids)
    CI, U = M.CohortInstructor, M.User
    teachers: dict[int, list[str]] = {}
    for cid, name in CI.select(CI.cohort, U.username).join(U).where(CI.cohort.in_(ids)).order_by(U.username).tuples():
        teachers.setdefault(cid, []).append(name)
    names = [f.name for f in C._meta.sorted_fields]
    out = []
    for row in rows:
        r = dict(zip(names, row[: len(names)]))
        course_code, course_title, centre_code, centre_name = row[len(names) :]
        out.append(
            CohortView(
                id=r["id"],
                uuid=str(r["uuid"]),
                version=r["version"],
                code=r["code"],
                course_id=r["course"],
                course=course_code,
                course_title=course_title,
                centre=centre_code,
                centre_name=centre_name,
                start_date=r["start_date"],
                end_date=r["end_date"],
                capacity=r["capacity"],
                funder=r["funder"],
                coalition_funded=bool(r["coalition_funded"]),
                status=status_on(r["status"], r["start_date"], r["end_date"]),
                instructors=tuple(teachers.get(r["id"], ())),
                enrolled=seated.get(r["id"], 0),
                waitlisted=waiting.get(r["id"], 0),
            )
        )
    return out


def _matching(text: str) -> Select[models.Cohort]:
    C, K = models.Cohort, models.Course
    query = C.select()
    text = text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(
            C.code.ilike(like) | C.course.in_(K.select(K.id).where(K.code.ilike(like) | K.title_en.ilike(like)))
        )
    return query


def list_cohorts(actor: Actor, text: str = "", *, offset: int = 0, limit: int = 100) -> list[CohortView]:
    """Cohorts whose code or course matches `text`, latest start first."""
    require(actor, "cohort.read")
    C = models.Cohort
    with database.connection_context():
        return _views(_matching(text).order_by(C.start_date.desc(), C.id.desc()).offset(offset).limit(limit))


def count_cohorts(actor: Actor, text: str = "") -> int:
    require(actor, "cohort.read")
    with database.connection_context():
        return int(_matching(text).count())


def get_cohort(actor: Actor, cohort_id: int) -> CohortView:
    require(actor, "cohort.read")
    with database.connection_context():
        found = _views(models.Cohort.select().where(models.Cohort.id == cohort_id))
    if not found:
        raise NotFound(f"no cohort {cohort_id}")
    return found[0]


def find_cohort(actor: Actor, code: str) -> CohortView:
    require(actor, "cohort.read")
    with database.connection_context():
        found = _views(models.Cohort.select().where(models.Cohort.code == code.strip().upper()))
    if not found:
        raise NotFound(f"no cohort {code}")
    return found[0]


def roster(actor: Actor, cohort_id: int) -> list[RosterLine]:
    """Seated trainees first, then the waitlist in order, then the withdrawn."""
    require(actor, "cohort.read")
    E, T = models.Enrolment, models.Trainee
    order = {"enrolled": 0, "graduated": 0, "failed": 0, "waitlisted": 1, "withdrawn": 2}
    with database.connection_context():
        rows = (
            E.select(
                E.id,
                T.id,
                T.given_name,
                T.father_name,
                T.grandfather_name,
                T.family_name,
                T.given_name_latin,
                T.father_name_latin,
                T.grandfather_name_latin,
                T.family_name_latin,
                T.force,
                E.status,
                E.waitlist_position,
                E.enrolled_on,
                E.withdrawal_reason,
            )
            .join(T)
            .where(E.cohort == cohort_id)
            .order_by(E.id)
            .tuples()
        )
        lines = [
            RosterLine(
                eid,
                tid,
                " ".join(p for p in (g, f, gf, fam) if p),
                " ".join(p for p in (gl, fl, gfl, faml) if p),
                force,
                status,
                pos,
                on,
                reason,
            )
            for eid, tid, g, f, gf, fam, gl, fl, gfl, faml, force, status, pos, on, reason in rows
        ]
    return sorted(lines, key=lambda r: (order.get(r.status, 3), r.waitlist_position or 0, r.enrolment_id))


def instructor_choices(actor: Actor) -> list[InstructorChoice]:
    require(actor, "cohort.read")
    U = models.User
    with database.connection_context():
        return [
            InstructorChoice(u, d or u)
            for u, d in U.select(U.username, U.display_name)
            .where(U.role.in_(INSTRUCTOR_ROLES) & (U.disabled == False))
            .order_by(U.username)
            .tuples()
        ]  # noqa: E712


# --- writing ---------------------------------------------------------------


# This database's site identity, written by `trainer site init` (trainer/sync/identity.py).
SITE_IDENTITY = "site.identity"


def site_mark() -> str:
    """What a cohort code made at a field site ends with, so that two sites creating the same
    course at the same centre on the same day offline never make one code (docs/sync.md,
    "Numbers"): '-S' and the site's number block. Empty at headquarters and before `site init`."""
    site = settings.get(SYSTEM, SITE_IDENTITY)
    if not isinstance(site, dict) or site.get("kind") != "site":
        return ""
    return f"-S{int(site['block']):02d}"


def _resolve(data: CohortInput, kept: str = "") -> tuple[CohortInput, dict[str, Any], list[FieldProblem]]:
    """Check the input against the database; the row values to write (`kept`: the code the
    cohort has, which an edit keeps as it is wherever it was made)."""
    M = models
    problems: list[FieldProblem] = []
    course = M.Course.get_or_none(M.Course.code == data.course.strip().upper()) if data.course.strip() else None
    if course is None:
        problems.append(FieldProblem("course", f"no course {data.course!r}" if data.course.strip() else "required"))
    elif course.status != "active":
        problems.append(FieldProblem("course", f"{course.code} is retired: it takes no new cohorts"))
    centre = M.Centre.get_or_none(M.Centre.code == data.centre.strip().upper()) if data.centre.strip() else None
    if centre is None:
        problems.append(FieldProblem("centre", f"no centre {data.centre!r}" if data.centre.strip() else "required"))
    if data.start_date is None:
        problems.append(FieldProblem("start_date", "required"))
    if data.end_date is None:
        problems.append(FieldProblem("end_date", "required"))
    elif data.start_date and data.end_date < data.start_date:
        problems.append(FieldProblem("end_date", "before the start date"))
    if not isinstance(data.capacity, int) or data.capacity <= 0:
        problems.append(FieldProblem("capacity", "a whole number above 0"))
    usernames = tuple(dict.fromkeys(u.strip() for u in data.instructors if u.strip()))
    users = {u.username: u for u in M.User.select().where(M.User.username.in_(usernames))} if usernames else {}
    for name in usernames:
        if name not in users:
            problems.append(FieldProblem("instructors", f"no user {name!r}"))
        elif users[name].role not in INSTRUCTOR_ROLES:
            problems.append(FieldProblem("instructors", f"{name} is a {users[name].role}, not an instructor"))
    if data.coalition_funded and not data.funder.strip():
        problems.append(FieldProblem("funder", "a coalition-funded cohort names its funder"))
    code = data.code.strip().upper()
    mark = "" if kept and code == kept else site_mark()
    if not code and course is not None and centre is not None and data.start_date:
        base, n = f"{course.code}-{centre.code}-{data.start_date:%y%m%d}", 2
        code = base + mark
        while M.Cohort.select().where(M.Cohort.code == code).exists():
            code, n = f"{base}-{n}{mark}", n + 1
    elif code and mark and not code.endswith(mark):
        code += mark  # a code typed at a field site carries the site's mark too
    cleaned = replace(data, code=code, instructors=usernames, funder=" ".join(data.funder.split()))
    values = dict(
        code=code,
        course=course.id if course else None,
        centre=centre.id if centre else None,
        start_date=data.start_date,
        end_date=data.end_date,
        capacity=data.capacity,
        funder=cleaned.funder,
        coalition_funded=bool(data.coalition_funded),
    )
    if data.cancelled is not None:
        values["status"] = "cancelled" if data.cancelled else "planned"  # the dates say the rest (status_on)
    return cleaned, {"values": values, "users": [users[u].id for u in usernames if u in users]}, problems


def _set_instructors(cohort_id: int, user_ids: list[int]) -> None:
    CI = models.CohortInstructor
    CI.delete().where(CI.cohort == cohort_id).execute()
    for uid in user_ids:
        CI.create(cohort=cohort_id, user=uid)


def create_cohort(actor: Actor, data: CohortInput) -> CohortView:
    require(actor, "cohort.write")
    with database.connection_context():
        try:
            with database.atomic():
                cleaned, resolved, problems = _resolve(data)
                if problems:
                    raise ValidationFailed(problems)
                require_centre(actor, resolved["values"]["centre"])
                row = models.Cohort.create(**resolved["values"])
                _set_instructors(row.id, resolved["users"])
                audit.record(actor, "create", "cohort", row.uuid, after=asdict(cleaned))
        except IntegrityError:
            raise ValidationFailed([FieldProblem("code", f"{data.code.strip().upper()} is taken")]) from None
    return get_cohort(actor, row.id)


def update_cohort(actor: Actor, cohort_id: int, version: int, data: CohortInput) -> CohortView:
    """Save an edit made from `version`; a newer saved version is a Conflict. Capacity
    cannot drop below the seats already taken."""
    require_cohort(actor, cohort_id, "cohort.write")
    C = models.Cohort
    with database.connection_context():
        try:
            with database.atomic():
                before = get_cohort(actor, cohort_id)
                cleaned, resolved, problems = _resolve(replace(data, code=data.code or before.code), before.code)
                if isinstance(data.capacity, int) and data.capacity < before.enrolled:
                    problems.append(FieldProblem("capacity", f"{before.enrolled} seats are already taken"))
                if before.status == "completed" and data.cancelled:
                    problems.append(FieldProblem("cancelled", "the cohort has graduated: it cannot be cancelled"))
                if before.status == "completed":
                    resolved["values"].pop("status", None)  # graduation decided it
                if problems:
                    raise ValidationFailed(problems)
                require_centre(actor, resolved["values"]["centre"])  # moving it must stay in scope too
                changed = (
                    C.update(**resolved["values"], version=C.version + 1, updated_at=models.now())
                    .where((C.id == cohort_id) & (C.version == version))
                    .execute()
                )
                if not changed:
                    raise Conflict("another user saved this cohort first: reload to see their changes", current=before)
                _set_instructors(cohort_id, resolved["users"])
                audit.record(
                    actor, "update", "cohort", before.uuid, before=asdict(before.as_input()), after=asdict(cleaned)
                )
        except IntegrityError:
            raise ValidationFailed([FieldProblem("code", f"{data.code.strip().upper()} is taken")]) from None
    return get_cohort(actor, cohort_id)
