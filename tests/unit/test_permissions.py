"""The permission matrix, tested: every service operation run as every role, on SQLite and PostgreSQL.

Each service operation is one row of OPERATIONS: the PERMISSIONS key(s) that
govern it, and a representative call on a prepared world. A role in the key's
set must get past the gate (no PermissionDenied; a domain refusal such as a
missing precondition still counts as past it); any other role must get
PermissionDenied. Rows with `scoped=True` also run as a registrar of another
centre and an instructor who does not teach the cohort, who must be refused.

Every call runs inside a transaction that is rolled back, so rows are
independent and repeatable. The test fails when a PERMISSIONS key, or a
service function that checks permissions, has no row: add one here with the
permission or the function.
"""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from db import models
from db.connection import database
from tests.conftest import fresh_url
from trainer.accounts.access import PERMISSIONS, ROLES, Actor
from trainer.errors import PermissionDenied, TrainerError

ROOT = Path(__file__).resolve().parents[2]
D = datetime.date
GATES = {"require", "require_centre", "require_teaches", "require_cohort", "may"}
# Public functions that test a permission but are not operations of their own.
HELPERS = {"report_people.labeller"}


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


def _registered_here(w) -> int:
    """A second record of a person, registered at the registrar's centre (so within their scope)."""
    from trainer.registry import trainees

    t = trainees.create_trainee(w.actors["admin"], _trainee_input(w))
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


def _trainee_input(w: World):
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


def _cohort_input(w: World, centre: str | None = None):
    from trainer.training.cohorts import CohortInput

    return CohortInput(
        course=w.course_code,
        centre=centre or w.centre_code,
        start_date=D(2025, 6, 1),
        end_date=D(2025, 6, 12),
        capacity=20,
    )


def _course_input(code="PERM-1"):
    from trainer.training.courses import AssessmentSpec, CourseInput

    return CourseInput(
        code=code,
        title_en="Permission course",
        category="specialist",
        duration_days=5,
        forces=("police",),
        assessments=(AssessmentSpec("EX", "Exam", 100, 50, 1.0),),
    )


def _version(model, id_):
    return model.get_by_id(id_).version


def _ops() -> dict[str, Op]:
    from trainer import encryption
    from trainer.accounts import audit, backup, settings, site_settings, users
    from trainer.certification import certificates
    from trainer.registry import centres, trainees, vetting_decisions
    from trainer.registry import detail as trainee_detail
    from trainer.reporting import catalogue as reports
    from trainer.reporting import people as report_people
    from trainer.reporting import registry_export as report_trainees
    from trainer.reporting.base import ReportParams
    from trainer.rosters import imports, merges, vetting_sheets
    from trainer.rosters import result_sheets as results_import
    from trainer.sync import identity
    from trainer.training import attendance, cohorts, courses, enrolments, graduation, results, sessions

    def cohort_update(w, a):
        data = replace(_cohort_input(w), start_date=D(2025, 3, 2), end_date=D(2025, 3, 13), capacity=61)
        return cohorts.update_cohort(a, w.cohort_id, _version(models.Cohort, w.cohort_id), data)

    def course_update(w, a):
        current = courses.get_course(w.actors["admin"], w.course_id)
        return courses.update_course(a, w.course_id, current.version, _course_input(w.course_code))

    def trainee_update(w, a):
        t = trainees.get_trainee(w.actors["admin"], w.trainee_id)
        return trainees.update_trainee(a, t.id, t.version, trainees.with_changes(t, rank="Sergeant"))

    return {
        # trainees
        "trainees.create_trainee": op("trainee.write", lambda w, a: trainees.create_trainee(a, _trainee_input(w))),
        "trainees.update_trainee": op("trainee.write", trainee_update, scoped=True),
        "trainees.get_trainee": op("trainee.read", lambda w, a: trainees.get_trainee(a, w.trainee_id), taught=True),
        "trainees.search": op("trainee.read", lambda w, a: trainees.search(a, "Ali")),
        "trainees.page": op("trainee.read", lambda w, a: trainees.page(a, None, 0, 10)),
        "trainees.count": op("trainee.read", lambda w, a: trainees.count(a)),
        "trainees.open_list": op("trainee.read", lambda w, a: trainees.open_list(a, trainees.TraineeFilters(), 10)),
        "trainee_detail.load": op("trainee.read", lambda w, a: trainee_detail.load(a, w.trainee_id), taught=True),
        "trainee_detail.find_certificates": op(
            "trainee.read", lambda w, a: trainee_detail.find_certificates(a, "MOSUL")
        ),
        # reference data, settings, courses
        "centres.list_centres": op("cohort.read", lambda w, a: centres.list_centres(a)),
        "centres.create_centre": op(
            "reference.write", lambda w, a: centres.create_centre(a, "ERBIL", "Erbil", "IQ-AR")
        ),
        "settings.set": op("reference.write", lambda w, a: settings.set(a, "vetting_validity_months", 12)),
        "sessions.add_holiday": op("reference.write", lambda w, a: sessions.add_holiday(a, D(2025, 4, 1), "Holiday")),
        "courses.list_courses": op("course.read", lambda w, a: courses.list_courses(a)),
        "courses.get_course": op("course.read", lambda w, a: courses.get_course(a, w.course_id)),
        "courses.find_course": op("course.read", lambda w, a: courses.find_course(a, w.course_code)),
        "courses.create_course": op("course.write", lambda w, a: courses.create_course(a, _course_input())),
        "courses.update_course": op("course.write", course_update),
        "courses.set_status": op(
            "course.write",
            lambda w, a: courses.set_status(a, w.course_id, _version(models.Course, w.course_id), "retired"),
        ),
        # cohorts and their sessions
        "cohorts.list_cohorts": op("cohort.read", lambda w, a: cohorts.list_cohorts(a)),
        "cohorts.count_cohorts": op("cohort.read", lambda w, a: cohorts.count_cohorts(a)),
        "cohorts.get_cohort": op("cohort.read", lambda w, a: cohorts.get_cohort(a, w.cohort_id)),
        "cohorts.find_cohort": op("cohort.read", lambda w, a: cohorts.find_cohort(a, w.cohort_code)),
        "cohorts.roster": op("cohort.read", lambda w, a: cohorts.roster(a, w.cohort_id)),
        "cohorts.instructor_choices": op("cohort.read", lambda w, a: cohorts.instructor_choices(a)),
        "cohorts.create_cohort": op(
            "cohort.write", lambda w, a: cohorts.create_cohort(a, _cohort_input(w)), scoped=True
        ),
        "cohorts.update_cohort": op("cohort.write", cohort_update, scoped=True),
        "sessions.generate_sessions": op(
            "session.write", lambda w, a: sessions.generate_sessions(a, w.cohort_id), scoped=True
        ),
        "sessions.list_sessions": op("cohort.read", lambda w, a: sessions.list_sessions(a, w.cohort_id)),
        "sessions.add_session": op(
            "session.write", lambda w, a: sessions.add_session(a, w.cohort_id, D(2025, 3, 6)), scoped=True
        ),
        "sessions.move_session": op(
            "session.write",
            lambda w, a: sessions.move_session(a, w.session_id, _version(models.Session, w.session_id), D(2025, 3, 3)),
            scoped=True,
        ),
        "sessions.cancel_session": op(
            "session.write",
            lambda w, a: sessions.cancel_session(a, w.session_id, _version(models.Session, w.session_id), "rain"),
            scoped=True,
        ),
        # enrolment, attendance, results, graduation
        "enrolments.enrol": op(
            "enrolment.write",
            lambda w, a: enrolments.enrol(
                a, w.cohort_id, [trainees.create_trainee(w.actors["admin"], _trainee_input(w)).id]
            ),
            scoped=True,
        ),
        "enrolments.withdraw": op(
            "enrolment.write", lambda w, a: enrolments.withdraw(a, w.enrolment_id, "posted away"), scoped=True
        ),
        "attendance.grid": op("cohort.read", lambda w, a: attendance.grid(a, w.cohort_id)),
        "attendance.mark": op(
            "attendance.write",
            lambda w, a: attendance.mark(a, w.session_id, w.enrolment_id, "present", today=D(2025, 3, 2)),
            scoped=True,
        ),
        "attendance.clear": op(
            "attendance.write",
            lambda w, a: attendance.clear(a, w.session_id, w.enrolment_id, today=D(2025, 3, 2)),
            scoped=True,
        ),
        "attendance.mark_column": op(
            "attendance.write",
            lambda w, a: attendance.mark_column(a, w.session_id, "present", today=D(2025, 3, 2)),
            scoped=True,
        ),
        "results.enter_score": op(
            "result.write", lambda w, a: results.enter_score(a, w.enrolment_id, w.assessment_id, "15"), scoped=True
        ),
        "results.history": op("cohort.read", lambda w, a: results.history(a, w.enrolment_id, w.assessment_id)),
        "results.grid": op("cohort.read", lambda w, a: results.grid(a, w.cohort_id)),
        "results_import.import_results": op(
            "result.write", lambda w, a: results_import.import_results(a, w.results_sheet, w.cohort_code), scoped=True
        ),
        "graduation.preview": op("cohort.read", lambda w, a: graduation.preview(a, w.cohort_id)),
        "graduation.confirm": op("graduation.confirm", lambda w, a: graduation.confirm(a, w.cohort_id)),
        # certificates
        "certificates.get": op("certificate.read", lambda w, a: certificates.get(a, w.certificate_id)),
        "certificates.by_number": op("certificate.read", lambda w, a: certificates.by_number(a, "MOSUL-2025-000017")),
        "certificates.search": op("certificate.read", lambda w, a: certificates.search(a, "")),
        "certificates.expiring": op(
            "certificate.read", lambda w, a: certificates.expiring(a, 400, today=D(2025, 6, 1))
        ),
        "certificates.issue_for_cohort": op(
            "certificate.issue", lambda w, a: certificates.issue_for_cohort(a, w.cohort_id)
        ),
        "certificates.issue": op("certificate.issue", lambda w, a: certificates.issue(a, w.enrolment_id)),
        "certificates.revoke": op(
            "certificate.revoke", lambda w, a: certificates.revoke(a, w.certificate_id, "issued in error")
        ),
        "certificates.recertify": op("certificate.issue", lambda w, a: certificates.recertify(a, w.certificate_id)),
        # imports and merges
        "imports.inspect": op("import.run", lambda w, a: imports.inspect(a, w.roster)),
        "imports.dry_run": op("import.run", lambda w, a: imports.dry_run(a, w.roster)),
        "imports.import_trainees": op("import.run", lambda w, a: imports.import_trainees(a, w.roster)),
        "merges.list_held": op("import.run", lambda w, a: merges.list_held(a)),
        "merges.count_held": op("import.run", lambda w, a: merges.count_held(a)),
        "merges.same_person": op(
            ("import.run", "trainee.write"), lambda w, a: merges.same_person(a, 0, 1, w.trainee_id)
        ),
        "merges.new_person": op(("import.run", "trainee.write"), lambda w, a: merges.new_person(a, 0, 1)),
        "merges.discard": op("import.run", lambda w, a: merges.discard(a, 0, 1)),
        "merges.merge_trainees": op(
            ("merge.run", "trainee.write"),
            lambda w, a: merges.merge_trainees(a, w.trainee_id, _registered_here(w), reason="same man"),
            scoped=True,
        ),
        "merges.list_merges": op("trainee.read", lambda w, a: merges.list_merges(a)),
        "site_settings.change": op("reference.write", lambda w, a: site_settings.change(a, "idle_lock_minutes", "12")),
        # vetting decisions
        "vetting_decisions.record_decision": op(
            "vetting.write",
            lambda w, a: vetting_decisions.record_decision(
                a, vetting_decisions.DecisionInput("LV-P", "approved", D(2025, 1, 2), trainee_id=w.trainee_id)
            ),
        ),
        "vetting_decisions.record_batch": op(
            "vetting.write",
            lambda w, a: vetting_decisions.record_batch(
                a, vetting_decisions.DecisionInput("LV-P", "approved", D(2025, 1, 2)), [w.trainee_id]
            ),
        ),
        "vetting_decisions.history": op("trainee.read", lambda w, a: vetting_decisions.history(a, w.trainee_id)),
        "vetting_decisions.units": op("trainee.read", lambda w, a: vetting_decisions.units(a)),
        "vetting_sheets.import_vetting": op("vetting.write", lambda w, a: vetting_sheets.import_vetting(a, w.roster)),
        # reports
        "reports.run_report": op("report.run", lambda w, a: reports.run_report(a, "trained-by-force", ReportParams())),
        # Analysts may run it (pseudonymised); clerks may print their own cohorts' rosters.
        "report_people.cohort_roster": op(
            ("report.run", "cohort.read"),
            lambda w, a: report_people.cohort_roster(a, ReportParams(cohort=w.cohort_code)),
            scoped=True,
            any_of=True,
        ),
        # person-level exports: pseudonymised for readers and analysts, names only with trainee.identify
        "report_trainees.export_trainees": op(
            ("report.run", "trainee.read"),
            lambda w, a: report_trainees.export_trainees(a, "csv", w.tmp / f"export-{_n()}.csv"),
            any_of=True,
        ),
        "report_trainees.export_trainees(identified)": op(
            "trainee.identify",
            lambda w, a: report_trainees.export_trainees(a, "csv", w.tmp / f"export-{_n()}.csv", identified=True),
        ),
        # accounts, audit, backups
        "users.create_user": op(
            "user.manage", lambda w, a: users.create_user(a, "newclerk", "analyst", "long enough pw")
        ),
        "users.list_users": op("user.manage", lambda w, a: users.list_users(a)),
        "users.set_disabled": op("user.manage", lambda w, a: users.set_disabled(a, w.user_id, True)),
        "users.set_role": op("user.manage", lambda w, a: users.set_role(a, w.user_id, "auditor")),
        "users.set_password": op("user.manage", lambda w, a: users.set_password(a, w.user_id, "another long one")),
        "users.clear_lockout": op("user.manage", lambda w, a: users.clear_lockout(a, w.user_id)),
        # encryption at rest: past the gate, a plain SQLite/PostgreSQL world refuses for its own reasons
        "encryption.encrypt_existing": op(
            "user.manage", lambda w, a: encryption.encrypt_existing("postgresql://nobody@localhost/none", a, "x")
        ),
        "encryption.rekey": op("user.manage", lambda w, a: encryption.rekey(a, "x")),
        "audit.history": op("record.history", lambda w, a: audit.history(a, "trainee", "x")),
        "audit.log": op("audit.read", lambda w, a: audit.log(a, limit=5)),
        "backup.backup": op(
            "backup.run", lambda w, a: backup.backup(w.tmp / f"b-{a.role}-{_n()}.bak", a), rollback=False
        ),
        "backup.set_schedule": op("backup.run", lambda w, a: backup.set_schedule(a, 24, str(w.tmp / "auto"))),
        "backup.restore": op("backup.restore", lambda w, a: backup.restore(_fresh_backup(w), a), rollback=False),
        # site identity and peers (rolled back: the world stays no site)
        "identity.init": op("site.manage", lambda w, a: identity.init(a, "HQ", "Baghdad HQ", hq=True)),
        "identity.show": op("site.manage", lambda w, a: (_as_hq(w), identity.show(a))),
        "identity.public_document": op("site.manage", lambda w, a: (_as_hq(w), identity.public_document(a))),
        "identity.trust": op("site.manage", lambda w, a: (_as_hq(w), identity.trust(a, "ERBIL", _peer_document()))),
        "identity.peers": op("site.manage", lambda w, a: identity.peers(a)),
        **_box_ops(),
    }


def _box(w: World, state: str = "received") -> str:
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


def _posting(w: World) -> tuple[int, int]:
    _box(w)
    p = models.Posting.create(
        trainee=w.trainee_id, station=models.Station.get(code="PERM-ST"), start_date=D(2025, 4, 1)
    )
    return p.id, p.version


def _box_ops() -> dict[str, Op]:
    from trainer.stations import detail, inventory, kits, posting_import, postings, stations
    from trainer.training import delivery

    def marks(serial):
        return {i.item: inventory.Mark("present") for i in kits.get_kit(SYSTEM_, serial).items}

    from trainer.accounts.access import SYSTEM as SYSTEM_

    def sheet(w):
        path = w.tmp / f"postings-{_n()}.csv"
        path.write_text("national_id,station,start_date\n100000000000,PERM-ST,2025-04-01\n", encoding="utf-8")
        _box(w)
        return path

    station_input = stations.StationInput("PERM-NEW", "border", "IQ-AN", "New post")
    return {
        "stations.create_station": op("station.write", lambda w, a: stations.create_station(a, station_input)),
        "stations.update_station": op(
            "station.write",
            lambda w, a: (
                _box(w),
                stations.update_station(a, stations.get_station(SYSTEM_, "PERM-ST").id, station_input, version=1),
            ),  # fmt: skip
        ),
        "stations.list_stations": op("station.read", lambda w, a: stations.list_stations(a)),
        "stations.count_stations": op("station.read", lambda w, a: stations.count_stations(a)),
        "stations.get_station": op("station.read", lambda w, a: stations.get_station(a, "NONE")),
        "detail.station_detail": op("station.read", lambda w, a: detail.station_detail(a, 0)),
        "kits.plan_kit": op("station.write", lambda w, a: kits.plan_kit(a, "PERM-NEW", "border")),
        "kits.receive": op(
            "kit.move",
            lambda w, a: (kits.plan_kit(SYSTEM_, "PERM-R", "police"), kits.receive(a, "PERM-R", w.centre_code, "x")),
            scoped=True,
        ),
        "kits.issue": op("kit.move", lambda w, a: kits.issue(a, _box(w), "PERM-ST", "Capt. Perm"), scoped=True),
        "kits.set_up": op("kit.move", lambda w, a: kits.set_up(a, _box(w, "issued"), "Capt. Perm"), scoped=True),
        "kits.transfer": op(
            "kit.move", lambda w, a: kits.transfer(a, _box(w, "issued"), "PERM-ST2", "Capt. Perm"), scoped=True
        ),
        "kits.get_kit": op("station.read", lambda w, a: kits.get_kit(a, "NONE")),
        "kits.list_kits": op("station.read", lambda w, a: kits.list_kits(a)),
        "inventory.check_kit": op(
            "kit.check", lambda w, a: inventory.check_kit(a, "PERM-K", marks(_box(w))), scoped=True
        ),
        "inventory.open_problems": op("station.read", lambda w, a: inventory.open_problems(a, "NONE")),
        "postings.post": op(
            "posting.write",
            lambda w, a: (_box(w), postings.post(a, w.trainee_id, "PERM-ST", D(2025, 4, 1))),
            scoped=True,
        ),
        "postings.post_cohort": op(
            "posting.write",
            lambda w, a: (_box(w), postings.post_cohort(a, w.cohort_code, "PERM-ST", D(2025, 4, 1))),
            scoped=True,
        ),
        "postings.end_posting": op(
            "posting.write",
            lambda w, a: postings.end_posting(a, *_posting(w)[:1], D(2025, 5, 1), "transferred", version=1),
            scoped=True,
        ),
        "postings.postings_at": op("posting.read", lambda w, a: postings.postings_at(a, 0)),
        "postings.postings_of": op("posting.read", lambda w, a: postings.postings_of(a, w.trainee_id)),
        "posting_import.import_postings": op(
            "posting.write", lambda w, a: posting_import.import_postings(a, sheet(w), dry_run=True)
        ),
        "delivery.add_program": op(
            "program.write", lambda w, a: delivery.add_program(a, "POI-PERM", "1", "Perm POI", w.course_code, "IT")
        ),
        "delivery.list_programs": op("course.read", lambda w, a: delivery.list_programs(a)),
        "delivery.set_delivery": op(
            "cohort.write", lambda w, a: delivery.set_delivery(a, w.cohort_code, None, ("IT",)), scoped=True
        ),
        "delivery.delivery": op("cohort.read", lambda w, a: delivery.delivery(a, w.cohort_code)),
    }


def _as_hq(w: World) -> None:
    from trainer.sync import identity

    identity.init(w.actors["admin"], "HQ", "Baghdad HQ", hq=True)


def _peer_document() -> str:
    import base64
    import json

    def key() -> str:
        return base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()

    return json.dumps(
        {"type": "trainer-site-key", "code": "ERBIL", "kind": "site", "block": 3, "ed25519": key(), "x25519": key()}
    )


_counter = iter(range(1_000_000))


def _n() -> int:
    return next(_counter)


def _fresh_backup(w: World) -> Path:
    """A backup of the world itself: restoring it changes nothing the other rows rely on."""
    from trainer.accounts import backup
    from trainer.accounts.access import SYSTEM

    return backup.backup(w.tmp / f"restore-{_n()}.bak", SYSTEM)[0]


OPERATIONS = _ops()
# Permissions enforced outside a service function (kept here so the key has its row).
CLI_ONLY = {"demo.load": "trainer demo (trainer/commands/core.py)"}


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


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request, tmp_path_factory):
    import os

    from trainer.setup import connect

    tmp = tmp_path_factory.mktemp(f"perm-{request.param}")
    old = {k: os.environ.get(k) for k in ("TRAINER_AUDIT_KEY", "XDG_CONFIG_HOME")}
    os.environ["TRAINER_AUDIT_KEY"] = "permissions-test-key-0123456789abcdef"
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    try:
        url = fresh_url(request.param, tmp)
        connect(url)
        yield build_world(tmp)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_role_against_the_matrix(world, name):
    row = OPERATIONS[name]
    wrong = []
    for role in ROLES:
        refused, error = run(row, world, world.actors[role])
        if refused == allowed(row, role):
            wrong.append(f"{role}: {'refused' if refused else 'allowed'} ({error})")
    assert not wrong, f"{name} {row.permissions}: " + "; ".join(wrong)


@pytest.mark.parametrize("name", sorted(n for n, r in OPERATIONS.items() if r.scoped))
def test_registrars_and_instructors_act_only_within_their_scope(world, name):
    row = OPERATIONS[name]
    for role, actor in world.outsiders.items():
        if allowed(row, role):
            refused, error = run(row, world, actor)
            assert refused, f"{name}: {actor.username} acted outside their {role} scope"


@pytest.mark.parametrize("name", sorted(n for n, r in OPERATIONS.items() if r.taught))
def test_instructors_read_only_the_trainees_they_teach(world, name):
    refused, error = run(OPERATIONS[name], world, world.outsiders["instructor"])
    assert refused, f"{name}: an instructor read a trainee of a cohort they do not teach"
    assert "teaches no cohort of this trainee" in str(error)
    refused, _ = run(OPERATIONS[name], world, world.actors["instructor"])
    assert not refused


def test_every_permission_has_a_row():
    covered = {p for row in OPERATIONS.values() for p in row.permissions} | set(CLI_ONLY)
    missing = sorted(set(PERMISSIONS) - covered)
    assert not missing, f"PERMISSIONS keys without a row in OPERATIONS: {missing}"
    unknown = sorted({p for row in OPERATIONS.values() for p in row.permissions} - set(PERMISSIONS))
    assert not unknown, f"rows name permissions the matrix lacks: {unknown}"


def gated_functions() -> set[str]:
    """module.function for every public function in trainer/ that checks a permission."""
    found = set()
    for path in sorted((ROOT / "trainer").glob("*.py")):
        if path.stem == "access":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    f = sub.func
                    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                    if name in GATES:
                        found.add(f"{path.stem}.{node.name}")
                        break
    return found


def test_every_gated_service_function_has_a_row():
    covered = {name.split("(")[0] for name in OPERATIONS} | HELPERS
    missing = sorted(gated_functions() - covered)
    assert not missing, f"service operations without a row in OPERATIONS: {missing}"
