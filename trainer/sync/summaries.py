"""After an import: the summary tables the reports read, brought up to date in the same transaction."""

from __future__ import annotations

from db import models
from trainer.reporting import summary

# Changes here can move anyone's "trained" status: the whole summary is recomputed.
CATALOGUE = {"course", "course_force", "course_prerequisite", "course_competency", "competency_tag", "competency"}
# Past this many persons, one rebuild beats refreshing each.
REBUILD_OVER = 5000


def refresh(touched: dict[str, set[int]]) -> None:
    if not touched:
        return
    if CATALOGUE & set(touched):
        summary.rebuild()
        return
    E = models.Enrolment
    persons = set(touched.get("trainee", ()))
    enrolments = set(touched.get("enrolment", ()))
    for model in (models.Result, models.Attendance):
        ids = list(touched.get(model._meta.table_name, ()))
        for start in range(0, len(ids), 900):
            enrolments.update(
                e for (e,) in model.select(model.enrolment).where(model.id.in_(ids[start : start + 900])).tuples()
            )
    ids = list(touched.get("certificate", ()))
    for start in range(0, len(ids), 900):
        C = models.Certificate
        persons.update(t for (t,) in C.select(C.trainee).where(C.id.in_(ids[start : start + 900])).tuples())
    found = list(enrolments)
    for start in range(0, len(found), 900):
        persons.update(t for (t,) in E.select(E.trainee).where(E.id.in_(found[start : start + 900])).tuples())
    cohorts = touched.get("cohort", set())
    if len(persons) > REBUILD_OVER:
        summary.rebuild()
        return
    for cohort in cohorts:
        summary.refresh_cohort(cohort)
    if persons:
        summary.refresh_trainees(persons)
