"""The report summary tables, kept current by the services that change outcomes.

Full-history reports read `cohort_summary` (one row per cohort × the
trainees' force × province) and `person_summary` (one row per person: when
they were first trained) instead of joining 2.5 million results live.

Who calls what:
- graduation, results, certificates, enrolment and withdrawal services:
  `refresh_cohort(cohort_id)` inside their own transaction, after the change;
- a trainee's force, province or status changed, or records merged:
  `refresh_trainees([trainee_id, ...])`;
- bulk loads: `rebuild()` once at the end (demo data), `add_new_persons` (imports).
An empty summary over existing records is rebuilt on first use (`ensure_built`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from db import models
from db.connection import database
from db.dialect import dialect

_CHUNK = 500

# "Trained" (docs/domain.md, "Reporting"): graduated a basic course open to the person's force.
_TRAINED_FROM = """
    FROM enrolment e2
    JOIN cohort c2 ON c2.id = e2.cohort_id
    JOIN course co2 ON co2.id = c2.course_id
    JOIN course_force cf2 ON cf2.course_id = co2.id AND cf2.force_id = t.force_id
    WHERE e2.trainee_id = t.id AND e2.status = 'graduated' AND co2.category = 'basic'"""

_PERSONS = f"""
INSERT INTO person_summary (trainee, force, province, active, first_seen, trained_on, trained_centre, ilp_on)
SELECT t.id, t.force_id, t.province_id, t.status = 'active',
  COALESCE((SELECT MIN(e1.enrolled_on) FROM enrolment e1 WHERE e1.trainee_id = t.id), {{created}}),
  (SELECT MIN(c2.end_date) {_TRAINED_FROM}),
  (SELECT c2.centre_id {_TRAINED_FROM} ORDER BY c2.end_date, c2.id LIMIT 1),
  (SELECT MIN(c3.end_date) FROM enrolment e3
     JOIN cohort c3 ON c3.id = e3.cohort_id
     JOIN course_competency cc ON cc.course_id = c3.course_id
     JOIN competency_tag ct ON ct.competency_id = cc.competency_id AND ct.tag IN ('ilp', 'community')
     WHERE e3.trainee_id = t.id AND e3.status = 'graduated')
FROM trainee t
WHERE t.status <> 'merged' {{where}}
"""

# Enrolment counts, results and certificates per cohort × force × province,
# aggregated separately (a join of all three would multiply rows).
_COHORTS = """
INSERT INTO cohort_summary (cohort, course, centre, force, province, end_date, month, enrolled, withdrawn,
                            graduated, failed, trained, results, results_passed, certificates)
SELECT g.cohort_id, c.course_id, c.centre_id, g.force_id, g.province_id, c.end_date, {month},
       g.enrolled, g.withdrawn, g.graduated, g.failed, g.trained,
       COALESCE(r.results, 0), COALESCE(r.passed, 0), COALESCE(k.certificates, 0)
FROM (
  SELECT e.cohort_id, t.force_id, t.province_id,
    SUM(CASE WHEN e.status <> 'waitlisted' THEN 1 ELSE 0 END) AS enrolled,
    SUM(CASE WHEN e.status = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn,
    SUM(CASE WHEN e.status = 'graduated' THEN 1 ELSE 0 END) AS graduated,
    SUM(CASE WHEN e.status = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN e.status = 'graduated' AND NOT EXISTS (
          SELECT 1 FROM enrolment e2 JOIN cohort c2 ON c2.id = e2.cohort_id
          WHERE e2.trainee_id = e.trainee_id AND e2.status = 'graduated' AND c2.course_id = ce.course_id
            AND (c2.end_date < ce.end_date OR (c2.end_date = ce.end_date AND c2.id < ce.id)))
        THEN 1 ELSE 0 END) AS trained
  FROM enrolment e JOIN trainee t ON t.id = e.trainee_id JOIN cohort ce ON ce.id = e.cohort_id
  WHERE 1 = 1 {where_e}
  GROUP BY e.cohort_id, t.force_id, t.province_id
) g
JOIN cohort c ON c.id = g.cohort_id
LEFT JOIN (
  SELECT e.cohort_id, t.force_id, t.province_id, COUNT(*) AS results,
    SUM(CASE WHEN r.score >= a.pass_mark THEN 1 ELSE 0 END) AS passed
  FROM result r JOIN enrolment e ON e.id = r.enrolment_id JOIN trainee t ON t.id = e.trainee_id
  JOIN assessment a ON a.id = r.assessment_id
  WHERE 1 = 1 {where_e}
  GROUP BY e.cohort_id, t.force_id, t.province_id
) r ON r.cohort_id = g.cohort_id AND r.force_id = g.force_id AND r.province_id = g.province_id
LEFT JOIN (
  SELECT e.cohort_id, t.force_id, t.province_id, COUNT(*) AS certificates
  FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id JOIN trainee t ON t.id = e.trainee_id
  WHERE 1 = 1 {where_e}
  GROUP BY e.cohort_id, t.force_id, t.province_id
) k ON k.cohort_id = g.cohort_id AND k.force_id = g.force_id AND k.province_id = g.province_id
"""


# The whole table at once (rebuild): the same figures as _COHORTS over every cohort, but each
# graduation's "first in this course for this person" is numbered by one window over all enrolments
# instead of a NOT EXISTS look-up per graduated enrolment (full scale: 27 s of CPU down to about 4).
# Only right over all enrolments, so the per-cohort refresh keeps _COHORTS.
_ALL_COHORTS = _COHORTS.replace(
    """    SUM(CASE WHEN e.status = 'graduated' AND NOT EXISTS (
          SELECT 1 FROM enrolment e2 JOIN cohort c2 ON c2.id = e2.cohort_id
          WHERE e2.trainee_id = e.trainee_id AND e2.status = 'graduated' AND c2.course_id = ce.course_id
            AND (c2.end_date < ce.end_date OR (c2.end_date = ce.end_date AND c2.id < ce.id)))
        THEN 1 ELSE 0 END) AS trained
  FROM enrolment e JOIN trainee t ON t.id = e.trainee_id JOIN cohort ce ON ce.id = e.cohort_id
  WHERE 1 = 1 {where_e}
  GROUP BY e.cohort_id, t.force_id, t.province_id
) g""",
    """    SUM(CASE WHEN e.nth = 1 THEN 1 ELSE 0 END) AS trained
  FROM (
    SELECT e.cohort_id, e.trainee_id, e.status,
      CASE WHEN e.status = 'graduated' THEN ROW_NUMBER() OVER (
        PARTITION BY e.trainee_id, ce.course_id, e.status = 'graduated' ORDER BY ce.end_date, ce.id) END AS nth
    FROM enrolment e JOIN cohort ce ON ce.id = e.cohort_id
  ) e JOIN trainee t ON t.id = e.trainee_id
  GROUP BY e.cohort_id, t.force_id, t.province_id
) g""",
).replace("{where_e}", "")
assert "NOT EXISTS" not in _ALL_COHORTS and "nth" in _ALL_COHORTS


def _dialect() -> dict[str, str]:
    d = dialect()
    return {"month": d.month_start("c.end_date"), "created": d.date_of("t.created_at")}


def _marks(n: int) -> str:
    return dialect().marks(n)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(int(i) for i in ids))
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _refresh_cohort_rows(cohort_ids: Iterable[int]) -> None:
    d = _dialect()
    for chunk in _chunks(cohort_ids):
        marks = _marks(len(chunk))
        models.CohortSummary.delete().where(models.CohortSummary.cohort.in_(chunk)).execute()
        sql = _COHORTS.format(month=d["month"], where_e=f"AND e.cohort_id IN ({marks})")
        database.execute_sql(sql, chunk * 3)


def _refresh_person_rows(trainee_ids: Iterable[int]) -> None:
    d = _dialect()
    for chunk in _chunks(trainee_ids):
        models.PersonSummary.delete().where(models.PersonSummary.trainee.in_(chunk)).execute()
        sql = _PERSONS.format(created=d["created"], where=f"AND t.id IN ({_marks(len(chunk))})")
        database.execute_sql(sql, chunk)


def refresh_cohort(cohort_id: int) -> None:
    """Bring the summaries up to date after any change to one cohort's enrolments, results or certificates.

    Call it inside the service's own transaction, after the change. It also
    refreshes the persons enrolled and the other cohorts of the same course
    that they attended (whose first-graduation counts may shift).
    """
    E, C = models.Enrolment, models.Cohort
    with database.connection_context(), database.atomic():
        course = C.select(C.course).where(C.id == cohort_id).scalar()
        trainees = [t for (t,) in E.select(E.trainee).where(E.cohort == cohort_id).tuples()]
        cohorts = {cohort_id}
        if course is not None and trainees:
            for chunk in _chunks(trainees):
                cohorts.update(
                    c
                    for (c,) in E.select(E.cohort)
                    .join(C, on=(C.id == E.cohort))
                    .where((C.course == course) & E.trainee.in_(chunk))
                    .distinct()
                    .tuples()
                )
        _refresh_cohort_rows(cohorts)
        _refresh_person_rows(trainees)


def refresh_cohort_results(cohort_id: int) -> None:
    """After a score: only this cohort's own rows (result counts). A score decides
    nobody's graduation, so no other cohort or person can change; this keeps a
    grid cell's save in milliseconds where refresh_cohort re-aggregates the course."""
    with database.connection_context(), database.atomic():
        _refresh_cohort_rows([cohort_id])


def refresh_trainees(trainee_ids: Iterable[int]) -> None:
    """After a person's force, province or status changed (or records were merged)."""
    E = models.Enrolment
    ids = list(trainee_ids)
    with database.connection_context(), database.atomic():
        cohorts: set[int] = set()
        for chunk in _chunks(ids):
            cohorts.update(c for (c,) in E.select(E.cohort).where(E.trainee.in_(chunk)).distinct().tuples())
        _refresh_cohort_rows(cohorts)
        _refresh_person_rows(ids)


# A person with no enrolment yet: first seen when registered, not trained (what _PERSONS gives them).
_NEW_PERSONS = """
INSERT INTO person_summary (trainee, force, province, active, first_seen)
SELECT t.id, t.force_id, t.province_id, t.status = 'active', {created}
FROM trainee t
WHERE t.status <> 'merged' AND t.id > {p} AND t.source = {p}
"""


def add_new_persons(after_id: int, source: str) -> None:
    """Person rows for trainees just bulk-added (ids above `after_id` from `source`), who have no
    enrolment yet, so no cohort row can change and theirs needs no look at the records: one plain
    statement (the correlated look-ups of _PERSONS cost 0.5 s per 100,000 new persons)."""
    p = _marks(1)
    with database.connection_context(), database.atomic():
        database.execute_sql(_NEW_PERSONS.format(created=_dialect()["created"], p=p), (after_id, source))


# The tables the summaries are computed from: rebuild gives them statistics first.
SOURCES = (
    "trainee",
    "enrolment",
    "cohort",
    "course",
    "course_force",
    "course_competency",
    "competency_tag",
    "result",
    "assessment",
    "certificate",
)


def rebuild() -> None:
    """Recompute both summaries from the records, in one transaction (after bulk loads)."""
    d = _dialect()
    # After a bulk load PostgreSQL has no statistics yet and picks nested
    # loops: 190 s instead of 3.4 s for the demo's 34,000 trainees.
    dialect().analyze(*SOURCES)
    with database.connection_context(), database.atomic():
        models.CohortSummary.delete().execute()
        models.PersonSummary.delete().execute()
        database.execute_sql(_ALL_COHORTS.format(month=d["month"]))
        database.execute_sql(_PERSONS.format(created=d["created"], where=""))
    dialect().analyze("cohort_summary", "person_summary")


def ensure_built() -> bool:
    """Rebuild an empty summary over existing records (a database upgraded to this schema). True if rebuilt."""
    with database.connection_context():
        empty = not models.PersonSummary.select().limit(1).exists()
        if not empty or not models.Trainee.select().limit(1).exists():
            return False
    rebuild()
    return True
