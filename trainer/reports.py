"""The report catalogue: each report is a named query returning plain rows."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Callable

from peewee import JOIN, fn

from db import models
from db.connection import database
from trainer.access import Actor, require
from trainer.errors import TrainerError


@dataclass(frozen=True)
class ReportParams:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    force: str | None = None
    province: str | None = None
    centre: str | None = None
    cohort: str | None = None


@dataclass(frozen=True)
class ReportResult:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    aggregate: bool = True  # counts only, no person-level data
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Report:
    name: str
    summary: str
    run: Callable[[ReportParams], ReportResult]


def trained_by_force(params: ReportParams) -> ReportResult:
    """Unique persons who graduated a basic course open to their force (never enrolments)."""
    T, E, C, CO, CF, F = (models.Trainee, models.Enrolment, models.Cohort, models.Course,
                          models.CourseForce, models.Force)
    trained = (T.select(T.force, fn.COUNT(fn.DISTINCT(T.id)).alias("n"))
               .join(E, on=(E.trainee == T.id))
               .join(C, on=(C.id == E.cohort))
               .join(CO, on=(CO.id == C.course))
               .join(CF, on=((CF.course == CO.id) & (CF.force == T.force)))
               .where((E.status == "graduated") & (CO.category == "basic")))
    if params.date_from:
        trained = trained.where(C.end_date >= params.date_from)
    if params.date_to:
        trained = trained.where(C.end_date <= params.date_to)
    if params.force:
        trained = trained.where(T.force == params.force)
    if params.province:
        trained = trained.where(T.province == params.province)
    counts = dict(trained.group_by(T.force).tuples())
    forces = F.select(F.code, F.name_en, F.name_ar).order_by(F.code)
    if params.force:
        forces = forces.where(F.code == params.force)
    rows = tuple((code, en, ar, counts.get(code, 0)) for code, en, ar in forces.tuples())
    return ReportResult("trained-by-force", "Trained persons by force (unique persons, basic course graduates)",
                        ("force", "name_en", "name_ar", "trained"), rows)


CATALOGUE: dict[str, Report] = {
    r.name: r for r in (
        Report("trained-by-force", "unique persons who graduated their force's basic course, per force",
               trained_by_force),
    )
}


def run_report(actor: Actor, name: str, params: ReportParams) -> ReportResult:
    require(actor, "report.run")
    report = CATALOGUE.get(name)
    if report is None:
        raise TrainerError(f"no report named {name!r}: see `trainer report --list`")
    with database.connection_context():
        return report.run(params)
