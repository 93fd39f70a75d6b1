"""The course catalogue: create, edit (optimistic locking), retire.

A course carries its forces, prerequisites, competencies (tagged), assessments,
pass rule and certificate validity. A retired course keeps its cohorts and
history; it only stops taking new cohorts. Past outcomes never change with a
course edit: cohorts freeze the rule they ran under (cohort.rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from peewee import IntegrityError, fn

from db import models
from db.connection import database
from trainer.accounts import audit, owned_settings
from trainer.accounts.access import Actor, require
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.registry import reference
from trainer.text import problems as unsafe_text

CATEGORIES = models.COURSE_CATEGORIES
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@dataclass(frozen=True)
class AssessmentSpec:
    code: str
    title: str
    max_score: float
    pass_mark: float
    weight: float = 1.0


@dataclass(frozen=True)
class CompetencySpec:
    code: str
    name_en: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CourseInput:
    code: str
    title_en: str
    category: str
    duration_days: int
    title_ar: str = ""
    curriculum_version: str = "1"
    forces: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()  # course codes
    competencies: tuple[CompetencySpec, ...] = ()
    assessments: tuple[AssessmentSpec, ...] = ()
    rule_all_assessments: bool = True
    rule_min_attendance: int = 80
    rule_min_weighted: int = 0
    grants_certificate: bool = True
    certificate_months: int | None = None  # None: never expires
    recert_window_days: int = 90


@dataclass(frozen=True)
class CourseView(CourseInput):
    id: int = 0
    uuid: str = ""
    version: int = 0
    status: str = "active"
    cohorts: int = 0

    def as_input(self) -> CourseInput:
        keep = {f.name for f in fields(CourseInput)}
        return CourseInput(**{k: getattr(self, k) for k in keep})

    @property
    def pass_rule(self) -> str:
        parts = []
        if self.rule_all_assessments:
            parts.append("every assessment passed")
        parts.append(f"attendance ≥ {self.rule_min_attendance} %")
        if self.rule_min_weighted:
            parts.append(f"weighted score ≥ {self.rule_min_weighted} %")
        return ", ".join(parts)

    @property
    def validity(self) -> str:
        if not self.grants_certificate:
            return "no certificate"
        return f"{self.certificate_months} months" if self.certificate_months else "never expires"


def clean(data: CourseInput) -> tuple[CourseInput, list[FieldProblem]]:
    """Normalise what is plain (case, spaces, force spellings) and list what is wrong."""
    problems: list[FieldProblem] = unsafe_text(
        {
            **{f.name: getattr(data, f.name) for f in fields(data)},
            "competencies": [t for c in data.competencies for t in (c.code, c.name_en, *c.tags)],
            "assessments": [t for a in data.assessments for t in (a.code, a.title)],
        }
    )
    code = data.code.strip().upper()
    if not _CODE.match(code):
        problems.append(FieldProblem("code", "required: letters, digits, '-' or '_', at most 32"))
    title_en = " ".join(data.title_en.split())
    if not title_en:
        problems.append(FieldProblem("title_en", "required"))
    if data.category not in CATEGORIES:
        problems.append(FieldProblem("category", f"one of {', '.join(CATEGORIES)}"))
    if not isinstance(data.duration_days, int) or data.duration_days <= 0:
        problems.append(FieldProblem("duration_days", "a whole number of days above 0"))
    forces = []
    for f in data.forces:
        code_f = reference.resolve_force(f)
        if code_f is None:
            problems.append(FieldProblem("forces", f"unknown force {f!r}"))
        elif code_f not in forces:
            forces.append(code_f)
    if not data.forces:
        problems.append(FieldProblem("forces", "open to at least one force"))
    prereqs = tuple(dict.fromkeys(p.strip().upper() for p in data.prerequisites if p.strip()))
    if code in prereqs:
        problems.append(FieldProblem("prerequisites", "a course cannot require itself"))
    comps = []
    for c in data.competencies:
        ccode = c.code.strip().lower()
        tags = tuple(dict.fromkeys(t.strip().lower() for t in c.tags if t.strip()))
        if not _TAG.match(ccode):
            problems.append(FieldProblem("competencies", f"{c.code!r}: lower-case letters, digits, '-'"))
        for t in tags:
            if not _TAG.match(t):
                problems.append(FieldProblem("competencies", f"tag {t!r}: lower-case letters, digits, '-'"))
        comps.append(CompetencySpec(ccode, " ".join(c.name_en.split()) or ccode, tags))
    seen, assessments = set(), []
    for a in data.assessments:
        acode = a.code.strip().upper()
        where = f"assessment {acode or '?'}"
        if not acode:
            problems.append(FieldProblem("assessments", "every assessment needs a code"))
        elif acode in seen:
            problems.append(FieldProblem("assessments", f"{where} appears twice"))
        seen.add(acode)
        if not a.max_score > 0:
            problems.append(FieldProblem("assessments", f"{where}: max score must be above 0"))
        elif not 0 <= a.pass_mark <= a.max_score:
            problems.append(FieldProblem("assessments", f"{where}: pass mark between 0 and {a.max_score:g}"))
        if a.weight < 0:
            problems.append(FieldProblem("assessments", f"{where}: weight cannot be negative"))
        assessments.append(
            AssessmentSpec(
                acode, " ".join(a.title.split()) or acode, float(a.max_score), float(a.pass_mark), float(a.weight)
            )
        )
    for name in ("rule_min_attendance", "rule_min_weighted"):
        if not 0 <= getattr(data, name) <= 100:
            problems.append(FieldProblem(name, "a percentage, 0 to 100"))
    months = data.certificate_months if data.grants_certificate else None
    if months is not None and months <= 0:
        problems.append(FieldProblem("certificate_months", "above 0, or empty for no expiry"))
    cleaned = replace(
        data,
        code=code,
        title_en=title_en,
        title_ar=" ".join(data.title_ar.split()),
        curriculum_version=data.curriculum_version.strip() or "1",
        forces=tuple(forces),
        prerequisites=prereqs,
        competencies=tuple(comps),
        assessments=tuple(assessments),
        certificate_months=months,
    )
    return cleaned, problems


# --- reading ---------------------------------------------------------------


def _views(query: Iterable[models.Course]) -> list[CourseView]:
    M = models
    rows = list(query)
    ids = [r.id for r in rows]
    if not ids:
        return []
    forces: dict[int, list[str]] = {}
    for cid, f in (
        M.CourseForce.select(M.CourseForce.course, M.CourseForce.force)
        .where(M.CourseForce.course.in_(ids))
        .order_by(M.CourseForce.force)
        .tuples()
    ):
        forces.setdefault(cid, []).append(f)
    P, K = M.CoursePrerequisite, M.Course.alias()
    prereqs: dict[int, list[str]] = {}
    for cid, code in (
        P.select(P.course, K.code).join(K, on=(P.requires == K.id)).where(P.course.in_(ids)).order_by(K.code).tuples()
    ):
        prereqs.setdefault(cid, []).append(code)
    CC, Co, T = M.CourseCompetency, M.Competency, M.CompetencyTag
    tags: dict[int, list[str]] = {}
    for comp_id, tag in T.select(T.competency, T.tag).order_by(T.tag).tuples():
        tags.setdefault(comp_id, []).append(tag)
    comps: dict[int, list[CompetencySpec]] = {}
    for cid, comp_id, code, name in (
        CC.select(CC.course, Co.id, Co.code, Co.name_en).join(Co).where(CC.course.in_(ids)).order_by(Co.code).tuples()
    ):
        comps.setdefault(cid, []).append(CompetencySpec(code, name, tuple(tags.get(comp_id, ()))))
    A = M.Assessment
    assessments: dict[int, list[AssessmentSpec]] = {}
    for cid, code, title, mx, mark, w in (
        A.select(A.course, A.code, A.title, A.max_score, A.pass_mark, A.weight)
        .where(A.course.in_(ids))
        .order_by(A.position, A.id)
        .tuples()
    ):
        assessments.setdefault(cid, []).append(AssessmentSpec(code, title, mx, mark, w))
    C = M.Cohort
    cohorts: dict[int, int] = dict(
        C.select(C.course, fn.COUNT(C.id)).where(C.course.in_(ids)).group_by(C.course).tuples()
    )
    out = []
    for r in rows:
        base = {
            f.name: getattr(r, f.name)
            for f in fields(CourseInput)
            if f.name not in ("forces", "prerequisites", "competencies", "assessments")
        }
        out.append(
            CourseView(
                **base,
                forces=tuple(forces.get(r.id, ())),
                prerequisites=tuple(prereqs.get(r.id, ())),
                competencies=tuple(comps.get(r.id, ())),
                assessments=tuple(assessments.get(r.id, ())),
                id=r.id,
                uuid=str(r.uuid),
                version=r.version,
                status=r.status,
                cohorts=cohorts.get(r.id, 0),
            )
        )
    return out


def list_courses(actor: Actor, *, include_retired: bool = True) -> list[CourseView]:
    require(actor, "course.read")
    C = models.Course
    with database.connection_context():
        query = C.select().order_by(C.status, C.code)
        if not include_retired:
            query = query.where(C.status == "active")
        return _views(query)


def get_course(actor: Actor, course_id: int) -> CourseView:
    require(actor, "course.read")
    with database.connection_context():
        found = _views(models.Course.select().where(models.Course.id == course_id))
    if not found:
        raise NotFound(f"no course {course_id}")
    return found[0]


def find_course(actor: Actor, code: str) -> CourseView:
    require(actor, "course.read")
    with database.connection_context():
        found = _views(models.Course.select().where(models.Course.code == code.strip().upper()))
    if not found:
        raise NotFound(f"no course {code}")
    return found[0]


# --- writing ---------------------------------------------------------------


def _scalar_values(data: CourseInput) -> dict[str, Any]:
    skip = ("forces", "prerequisites", "competencies", "assessments")
    return {k: v for k, v in asdict(data).items() if k not in skip}


def _write_links(course: models.Course, data: CourseInput) -> None:
    """Replace forces, prerequisites and competencies; sync assessments by code."""
    M = models
    M.CourseForce.delete().where(M.CourseForce.course == course.id).execute()
    for f in data.forces:
        M.CourseForce.create(course=course.id, force=f)
    M.CoursePrerequisite.delete().where(M.CoursePrerequisite.course == course.id).execute()
    if data.prerequisites:
        required = {
            c.code: c.id
            for c in M.Course.select(M.Course.id, M.Course.code).where(M.Course.code.in_(data.prerequisites))
        }
        missing = [p for p in data.prerequisites if p not in required]
        if missing:
            raise ValidationFailed([FieldProblem("prerequisites", f"no course {', '.join(missing)}")])
        for code in data.prerequisites:
            if _requires(required[code], course.id):
                raise ValidationFailed(
                    [FieldProblem("prerequisites", f"{code} already requires {course.code}: that would be a cycle")]
                )
            M.CoursePrerequisite.create(course=course.id, requires=required[code])
    M.CourseCompetency.delete().where(M.CourseCompetency.course == course.id).execute()
    for spec in data.competencies:
        comp, created = M.Competency.get_or_create(code=spec.code, defaults={"name_en": spec.name_en})
        if not created and spec.name_en and spec.name_en != spec.code and comp.name_en != spec.name_en:
            M.Competency.update(name_en=spec.name_en).where(M.Competency.id == comp.id).execute()
        if spec.tags:
            M.CompetencyTag.delete().where(M.CompetencyTag.competency == comp.id).execute()
            for tag in spec.tags:
                M.CompetencyTag.create(competency=comp.id, tag=tag)
        M.CourseCompetency.create(course=course.id, competency=comp.id)
    A = M.Assessment
    existing = {a.code: a for a in A.select().where(A.course == course.id)}
    wanted = {a.code for a in data.assessments}
    for code, row in existing.items():
        if code not in wanted:
            if M.Result.select().where(M.Result.assessment == row.id).exists():
                raise ValidationFailed(
                    [FieldProblem("assessments", f"{code} has recorded results: it cannot be removed")]
                )
            row.delete_instance()
    for position, assessment in enumerate(data.assessments):
        values = dict(
            title=assessment.title,
            max_score=assessment.max_score,
            pass_mark=assessment.pass_mark,
            weight=assessment.weight,
            position=position,
        )
        if assessment.code in existing:
            A.update(**values, version=A.version + 1, updated_at=models.now()).where(
                A.id == existing[assessment.code].id
            ).execute()
        else:
            A.create(course=course.id, code=assessment.code, **values)


def _requires(start: int, target: int) -> bool:
    """Does course `start` (transitively) require course `target`?"""
    P = models.CoursePrerequisite
    seen, todo = set(), [start]
    while todo:
        cid = todo.pop()
        if cid == target:
            return True
        if cid in seen:
            continue
        seen.add(cid)
        todo += [r[0] for r in P.select(P.requires).where(P.course == cid).tuples()]
    return False


def _checked(data: CourseInput) -> CourseInput:
    data, problems = clean(data)
    if problems:
        raise ValidationFailed(problems)
    return data


def create_course(actor: Actor, data: CourseInput) -> CourseView:
    require(actor, "course.write")
    data = _checked(data)
    with database.connection_context():
        owned_settings.refuse_catalogue_at_site("course")
        try:
            with database.atomic():
                row = models.Course.create(**_scalar_values(data))
                _write_links(row, data)
                audit.record(actor, "create", "course", row.uuid, after=asdict(data))
        except IntegrityError:
            raise ValidationFailed([FieldProblem("code", f"{data.code} is taken")]) from None
    return get_course(actor, row.id)


def update_course(actor: Actor, course_id: int, version: int, data: CourseInput) -> CourseView:
    """Save an edit made from `version`; a newer saved version is a Conflict."""
    require(actor, "course.write")
    data = _checked(data)
    C = models.Course
    with database.connection_context():
        owned_settings.refuse_catalogue_at_site("course")
        try:
            with database.atomic():
                before = get_course(actor, course_id)
                changed = (
                    C.update(**_scalar_values(data), version=C.version + 1, updated_at=models.now())
                    .where((C.id == course_id) & (C.version == version))
                    .execute()
                )
                if not changed:
                    raise Conflict("another user saved this course first: reload to see their changes", current=before)
                _write_links(C.get_by_id(course_id), data)
                audit.record(
                    actor, "update", "course", before.uuid, before=asdict(before.as_input()), after=asdict(data)
                )
        except IntegrityError:
            raise ValidationFailed([FieldProblem("code", f"{data.code} is taken")]) from None
    return get_course(actor, course_id)


def set_status(actor: Actor, course_id: int, version: int, status: str) -> CourseView:
    """Retire a course (it keeps its cohorts and history) or bring it back."""
    require(actor, "course.write")
    if status not in models.COURSE_STATUSES:
        raise ValidationFailed([FieldProblem("status", f"one of {', '.join(models.COURSE_STATUSES)}")])
    C = models.Course
    with database.connection_context(), database.atomic():
        owned_settings.refuse_catalogue_at_site("course")
        before = get_course(actor, course_id)
        changed = (
            C.update(status=status, version=C.version + 1, updated_at=models.now())
            .where((C.id == course_id) & (C.version == version))
            .execute()
        )
        if not changed:
            raise Conflict("another user saved this course first: reload to see their changes", current=before)
        audit.record(
            actor,
            "retire" if status == "retired" else "update",
            "course",
            before.uuid,
            before={"status": before.status},
            after={"status": status},
        )
    return get_course(actor, course_id)


def retire_course(actor: Actor, course_id: int, version: int) -> CourseView:
    return set_status(actor, course_id, version, "retired")
