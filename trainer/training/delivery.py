"""Who delivered a cohort: the coalition nation(s) and the program of instruction (POI) it followed.

A POI is named and versioned (code + revision) and belongs to one course; a
course can have several (each nation's). Reports group outcomes by nation x POI
(trainer/reporting/deployment.py; docs/stations.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_cohort
from trainer.errors import FieldProblem, NotFound, ValidationFailed

# ISO 3166-1 alpha-2 codes of nations that trained Iraqi forces, with their names.
NATIONS: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "IT": "Italy",
    "ES": "Spain",
    "DE": "Germany",
    "AU": "Australia",
    "NZ": "New Zealand",
    "CA": "Canada",
    "NL": "Netherlands",
    "DK": "Denmark",
    "NO": "Norway",
    "FR": "France",
    "IQ": "Iraq",
}


@dataclass(frozen=True)
class ProgramView:
    id: int
    code: str
    revision: str
    name: str
    course: str
    nation: str

    @property
    def label(self) -> str:
        return f"{self.code} v{self.revision}"


@dataclass(frozen=True)
class Delivery:
    cohort: str
    program: ProgramView | None
    nations: tuple[str, ...]


def nation_code(text: str) -> str | None:
    t = text.strip()
    if t.upper() in NATIONS:
        return t.upper()
    for code, name in NATIONS.items():
        if name.lower() == t.lower():
            return code
    return None


def add_program(actor: Actor, code: str, revision: str, name: str, course: str, nation: str = "") -> ProgramView:
    require(actor, "program.write")
    P, K = models.Program, models.Course
    code, revision = code.strip().upper(), revision.strip() or "1"
    with database.connection_context(), database.atomic():
        problems = []
        course_id = K.select(K.id).where(K.code == course.strip().upper()).scalar()
        if course_id is None:
            problems.append(FieldProblem("course", f"no course {course!r}"))
        if not code:
            problems.append(FieldProblem("code", "required"))
        if not name.strip():
            problems.append(FieldProblem("name", "required"))
        nat = nation_code(nation) if nation.strip() else ""
        if nat is None:
            problems.append(FieldProblem("nation", f"unknown nation {nation!r}: one of {', '.join(NATIONS)}"))
        if code and P.select().where((P.code == code) & (P.revision == revision)).exists():
            problems.append(FieldProblem("code", f"program {code} v{revision} already exists"))
        if problems:
            raise ValidationFailed(problems)
        assert nat is not None  # an unknown nation is a problem above
        program = P.create(code=code, revision=revision, name=name.strip(), course=course_id, nation=nat)
        audit.record(actor, "create", "program", program.uuid, after={"code": code, "revision": revision, "name": name})
        return ProgramView(program.id, code, revision, name.strip(), course.strip().upper(), nat)


def list_programs(actor: Actor) -> list[ProgramView]:
    require(actor, "course.read")
    P, K = models.Program, models.Course
    with database.connection_context():
        return [
            ProgramView(*row)
            for row in P.select(P.id, P.code, P.revision, P.name, K.code, P.nation)
            .join(K)
            .order_by(P.code, P.revision)
            .tuples()
        ]


def set_delivery(actor: Actor, cohort: str, program: str | None, nations: tuple[str, ...]) -> Delivery:
    """Record the POI ("CODE" or "CODE@REVISION") and the delivering nations of a cohort, replacing earlier ones."""
    C, P = models.Cohort, models.Program
    with database.connection_context(), database.atomic():
        row = C.select(C.id, C.course, C.uuid).where(C.code == cohort.strip().upper()).tuples().first()
        if row is None:
            raise NotFound(f"no cohort {cohort.strip().upper()}")
        cohort_id, course_id, uuid = row
        require_cohort(actor, cohort_id, "cohort.write")
        problems = []
        program_id = None
        if program:
            code, _, revision = program.strip().upper().partition("@")
            q = P.select(P.id, P.course).where(P.code == code)
            if revision:
                q = q.where(P.revision == revision)
            found = q.order_by(P.id.desc()).tuples().first()
            if found is None:
                problems.append(FieldProblem("program", f"no program of instruction {program!r}"))
            elif found[1] != course_id:
                problems.append(FieldProblem("program", f"{program} is for another course than cohort {cohort}"))
            else:
                program_id = found[0]
        codes = []
        for n in nations:
            nat = nation_code(n)
            if nat is None:
                problems.append(FieldProblem("nation", f"unknown nation {n!r}: one of {', '.join(NATIONS)}"))
            elif nat not in codes:
                codes.append(nat)
        if problems:
            raise ValidationFailed(problems)
        models.CohortDelivery.insert(cohort=cohort_id, program=program_id).on_conflict(
            conflict_target=[models.CohortDelivery.cohort], update={models.CohortDelivery.program: program_id}
        ).execute()
        models.CohortNation.delete().where(models.CohortNation.cohort == cohort_id).execute()
        if codes:
            models.CohortNation.insert_many([dict(cohort=cohort_id, nation=c) for c in codes]).execute()
        audit.record(actor, "set-delivery", "cohort", uuid, after={"program": program or "", "nations": codes})
    return delivery(actor, cohort)


def delivery(actor: Actor, cohort: str) -> Delivery:
    require(actor, "cohort.read")
    C, D, P, K, N = models.Cohort, models.CohortDelivery, models.Program, models.Course, models.CohortNation
    with database.connection_context():
        cohort_id = C.select(C.id).where(C.code == cohort.strip().upper()).scalar()
        if cohort_id is None:
            raise NotFound(f"no cohort {cohort.strip().upper()}")
        row = (
            P.select(P.id, P.code, P.revision, P.name, K.code, P.nation)
            .join(K)
            .switch(P)
            .join(D, on=(D.program == P.id))
            .where(D.cohort == cohort_id)
            .tuples()
            .first()
        )
        nations = tuple(n for (n,) in N.select(N.nation).where(N.cohort == cohort_id).order_by(N.nation).tuples())
    return Delivery(cohort.strip().upper(), ProgramView(*row) if row else None, nations)
