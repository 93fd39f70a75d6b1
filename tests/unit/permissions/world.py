"""The permission matrix's world and rows' machinery: the users of every role, a cohort, a
course, a trainee, a certificate… built once per database, and how a row is run and judged.

A row (`Op`) names the PERMISSIONS key(s) that govern one service operation and a
representative call on the world. Every call runs inside a transaction that is rolled back,
so rows are independent and repeatable.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from db import models
from db.connection import database
from trainer.accounts.access import PERMISSIONS, Actor
from trainer.errors import PermissionDenied, TrainerError

D = datetime.date


@dataclass
class World:
    actors: dict[str, Actor]
    outsiders: dict[str, Actor]  # registrar of another centre, instructor of another cohort
    cohort_id: int
    cohort_code: str
    course_id: int
    course_code: str
    centre_code: str
    other_centre_code: str
    enrolment_id: int
    trainee_id: int
    session_id: int
    assessment_id: int
    certificate_id: int
    user_id: int  # a user the admin operations act on
    roster: Path
    results_sheet: Path
    tmp: Path


def registered_here(w) -> int:
    """A second record of a person, registered at the registrar's centre (so within their scope)."""
    from trainer.registry import trainees

    t = trainees.create_trainee(w.actors["admin"], trainee_input(w))
    with database.connection_context():
        centre = models.Cohort.get_by_id(w.cohort_id).centre_id
        models.Trainee.update(registered_centre=centre).where(models.Trainee.id == t.id).execute()
    return t.id


def build_world(tmp: Path) -> World:
    import tests.instructor_fixtures as fx

    w = fx.build(trainees=3, start=D(2025, 3, 2), end=D(2025, 3, 13))
    with database.connection_context(), database.atomic():
        here = models.Centre.get_by_id(w.centre_id)
        there = models.Centre.create(code="BASRA", name_en="Basra centre", province="IQ-BA")
        other_cohort = models.Cohort.create(
            code="BPC-B",
            course=w.course_id,
            centre=there,
            start_date=w.start,
            end_date=w.end,
            capacity=10,
            status="running",
        )
        actors = {"admin": w.admin, "instructor": w.instructor}
        for role in ("registrar", "analyst", "auditor"):
            uid, actor = fx.user(role, role)
            actors[role] = actor
        reg = actors["registrar"]
        models.UserCentre.create(user=reg.user_id, centre=here)
        actors["registrar"] = replace(reg, centre_ids=frozenset({here.id}))
        out_reg_id, out_reg = fx.user("registrar-basra", "registrar")
        target_id, _ = fx.user("someone", "analyst")  # the account admin operations act on
        models.UserCentre.create(user=out_reg_id, centre=there)
        out_inst_id, out_inst = fx.user("instructor-basra", "instructor")
        models.CohortInstructor.create(cohort=other_cohort, user=out_inst_id)
        session = models.Session.create(cohort=w.cohort_id, day=w.start, status="held")
        cert = models.Certificate.create(
            number="MOSUL-2025-000017",
            verification_code="PERMTEST01",
            enrolment=w.enrolments[0],
            trainee=w.trainees[0],
            course=w.course_id,
            issued_on=w.end,
            expires_on=D(2026, 3, 13),
            issued_by=w.instructor_id,
        )
        cohort = models.Cohort.get_by_id(w.cohort_id)
        course = models.Course.get_by_id(w.course_id)
    roster = tmp / "roster.csv"
    roster.write_text(
        "given_name,father_name,grandfather_name,date_of_birth,force,province,national_id\n"
        "سعيد,كريم,جواد,1994-07-21,police,IQ-NI,555000111222\n",
        encoding="utf-8",
    )
    sheet = tmp / "results.csv"
    sheet.write_text("national_id,WPN,LAW\n", encoding="utf-8")
    return World(
        actors=actors,
        outsiders={"registrar": replace(out_reg, centre_ids=frozenset({there.id})), "instructor": out_inst},
        cohort_id=w.cohort_id,
        cohort_code=cohort.code,
        course_id=w.course_id,
        course_code=course.code,
        centre_code=here.code,
        other_centre_code=there.code,
        enrolment_id=w.enrolments[0],
        trainee_id=w.trainees[0],
        session_id=session.id,
        assessment_id=w.assessments["WPN"],
        certificate_id=cert.id,
        user_id=target_id,
        roster=roster,
        results_sheet=sheet,
        tmp=tmp,
    )


@dataclass(frozen=True)
class Op:
    permissions: tuple[str, ...]  # all of these are needed
    call: Callable[[World, Actor], object]
    scoped: bool = False  # registrars: own centre only; instructors: own cohorts only
    taught: bool = False  # instructors: only the trainees of the cohorts they teach
    any_of: bool = False  # one of the permissions is enough
    rollback: bool = True  # False for calls that cannot run inside a transaction


def op(permissions, call, **kw) -> Op:
    return Op((permissions,) if isinstance(permissions, str) else tuple(permissions), call, **kw)


def trainee_input(w: World):
    from trainer.registry.trainees import TraineeInput

    return TraineeInput(
        given_name="حيدر",
        father_name="ناصر",
        grandfather_name="عبد",
        date_of_birth=D(1993, 4, 4),
        force="police",
        province="IQ-NI",
        national_id="777000111222",
    )


def cohort_input(w: World, centre: str | None = None):
    from trainer.training.cohorts import CohortInput

    return CohortInput(
        course=w.course_code,
        centre=centre or w.centre_code,
        start_date=D(2025, 6, 1),
        end_date=D(2025, 6, 12),
        capacity=20,
    )


def course_input(code="PERM-1"):
    from trainer.training.courses import AssessmentSpec, CourseInput

    return CourseInput(
        code=code,
        title_en="Permission course",
        category="specialist",
        duration_days=5,
        forces=("police",),
        assessments=(AssessmentSpec("EX", "Exam", 100, 50, 1.0),),
    )


def version_of(model, id_):
    return model.get_by_id(id_).version


def box(w: World, state: str = "received") -> str:
    """A station supported by the world's centre and a kit received there (then issued): its serial."""
    from trainer.accounts.access import SYSTEM
    from trainer.stations import kits, stations

    if not models.Station.select().where(models.Station.code == "PERM-ST").exists():
        stations.create_station(
            SYSTEM, stations.StationInput("PERM-ST", "police", "IQ-NI", "Perm station", centre=w.centre_code)
        )
        stations.create_station(
            SYSTEM, stations.StationInput("PERM-ST2", "police", "IQ-NI", "Perm station 2", centre=w.centre_code)
        )
    kits.plan_kit(SYSTEM, "PERM-K", "police")
    kits.receive(SYSTEM, "PERM-K", w.centre_code, "Capt. Perm", D(2025, 5, 1))
    if state in ("issued", "set-up"):
        kits.issue(SYSTEM, "PERM-K", "PERM-ST", "Capt. Perm", D(2025, 5, 2))
    return "PERM-K"


def posting(w: World) -> tuple[int, int]:
    box(w)
    p = models.Posting.create(
        trainee=w.trainee_id, station=models.Station.get(code="PERM-ST"), start_date=D(2025, 4, 1)
    )
    return p.id, p.version


def as_hq(w: World) -> None:
    from trainer.sync import identity

    identity.init(w.actors["admin"], "HQ", "Baghdad HQ", hq=True)


def peer_document() -> str:
    import base64
    import json

    def key() -> str:
        return base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()

    return json.dumps(
        {"type": "trainer-site-key", "code": "ERBIL", "kind": "site", "block": 3, "ed25519": key(), "x25519": key()}
    )


_counter = iter(range(1_000_000))


def next_n() -> int:
    return next(_counter)


def fresh_backup(w: World) -> Path:
    """A backup of the world itself: restoring it changes nothing the other rows rely on."""
    from trainer.accounts import backup
    from trainer.accounts.access import SYSTEM

    return backup.backup(w.tmp / f"restore-{next_n()}.bak", SYSTEM)[0]


def allowed(row: Op, role: str) -> bool:
    return (any if row.any_of else all)(role in PERMISSIONS[p] for p in row.permissions)


def run(row: Op, world: World, actor: Actor):
    """(refused?, other error) for one call; everything it wrote is rolled back."""
    try:
        if not row.rollback:
            row.call(world, actor)
            return False, None
        with database.connection_context(), database.atomic() as txn:
            try:
                row.call(world, actor)
            finally:
                txn.rollback()
        return False, None
    except PermissionDenied as exc:
        return True, exc
    except TrainerError as exc:  # past the gate, refused on the merits (a precondition of the fixture)
        return False, exc
