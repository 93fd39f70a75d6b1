"""Person-level reports: vetting compliance exceptions and the cohort roster with results.

Persons appear by name only for roles allowed to identify them
(PERMISSIONS "trainee.identify"); everyone else sees keyed pseudonyms.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from dateutil.relativedelta import relativedelta

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts.access import Actor, require_cohort
from trainer.errors import FieldProblem, PermissionDenied, ValidationFailed
from trainer.registry import vetting
from trainer.reporting.base import ReportParams, ReportResult, as_date, narrow_sql, resolve
from trainer.reporting.pseudonyms import Pseudonymiser


def labeller(actor: Actor) -> Callable[..., str]:
    """trainee (uuid, name parts) -> the label this actor may see."""
    if actor.may("trainee.identify"):
        return lambda uuid, *parts: " ".join(p for p in parts if p)
    tokens = Pseudonymiser()
    return lambda uuid, *parts: tokens.token(str(uuid))


# The latest approved decision dated before the start, per enrolment: the
# person's own, or their unit's on the start date (the rule of trainer.registry.vetting).
# Only enrolments whose latest decision is missing or near/over the validity
# limit come back; Python then applies the exact rule (relativedelta months).
_CANDIDATES = """
SELECT x.trainee_id, t.uuid, t.given_name, t.father_name, t.grandfather_name, t.family_name,
       x.code, x.start_date, x.funder, x.status, x.individual, x.unit
FROM (
  SELECT e.trainee_id, c.code, c.start_date, c.funder, e.status, e.id AS eid,
    (SELECT MAX(v.decision_date) FROM vetting_record v
       WHERE v.trainee_id = e.trainee_id AND v.result = 'approved' AND v.decision_date < c.start_date) AS individual,
    (SELECT MAX(v.decision_date) FROM vetting_record v
       JOIN unit_assignment u ON u.unit_id = v.unit_id
       WHERE v.kind = 'unit' AND u.trainee_id = e.trainee_id AND v.result = 'approved'
         AND v.decision_date < c.start_date AND u.start_date <= c.start_date
         AND (u.end_date IS NULL OR u.end_date >= c.start_date)) AS unit
  FROM enrolment e JOIN cohort c ON c.id = e.cohort_id JOIN trainee t0 ON t0.id = e.trainee_id
  WHERE {funded} AND e.status <> 'waitlisted' {where}
) x JOIN trainee t ON t.id = x.trainee_id
WHERE (x.individual IS NULL OR x.individual < {limit}) AND (x.unit IS NULL OR x.unit < {limit})
ORDER BY x.start_date, x.code, x.eid
"""
_COUNT = """
SELECT COUNT(*) FROM enrolment e JOIN cohort c ON c.id = e.cohort_id JOIN trainee t0 ON t0.id = e.trainee_id
WHERE {funded} AND e.status <> 'waitlisted' {where}
"""


def vetting_compliance(actor: Actor, params: ReportParams) -> ReportResult:
    """Coalition-funded enrolments need an approved vetting decision before the cohort starts
    (trainer.registry.vetting)."""
    p = resolve(params)
    d = dialect()
    where, args = narrow_sql(
        p,
        d.param,
        date="c.start_date",
        force="t0.force_id",
        province="t0.province_id",
        centre="c.centre_id",
        cohort="c.id",
    )
    months = vetting.validity_months()
    # A few days of slack: calendar months (relativedelta) and SQL month
    # arithmetic differ by at most 3 days at month ends.
    limit = d.months_before("x.start_date", months, plus_days=4)
    parts = {"funded": d.truthy("c.coalition_funded"), "where": " ".join(where)}
    checked = database.execute_sql(_COUNT.format(**parts), args).fetchone()[0]
    label = labeller(actor)
    rows = []
    for trainee_id, uuid, g, f, gf, fam, code, start, funder, status, individual, unit in database.execute_sql(
        _CANDIDATES.format(limit=limit, **parts), args
    ).fetchall():
        start = as_date(start)
        latest = max((d for d in (as_date(individual), as_date(unit)) if d is not None), default=None)
        if latest is not None and latest >= start - relativedelta(months=months):
            continue
        # The exception's reason in the gate's own words (the same rule, per person).
        reason = vetting.why_not_cleared(trainee_id, start) or "cleared"
        rows.append((code, start, funder, label(uuid, g, f, gf, fam), status, reason))
    cleared = checked - len(rows)
    share = f"{100.0 * cleared / checked:.1f} %" if checked else "n/a"
    return ReportResult(
        "vetting-compliance",
        "Vetting compliance of coalition-funded enrolments: exceptions",
        ("cohort", "cohort_start", "funder", "trainee", "enrolment_status", "reason"),
        tuple(rows),
        aggregate=False,
        notes=(
            f"{checked} coalition-funded enrolment(s) checked; {cleared} had an approved vetting decision "
            f"dated before the cohort start and within {months} months ({share}); "
            f"{len(rows)} exception(s) listed.",
        ),
        params=params,
    )


def cohort_roster(actor: Actor, params: ReportParams) -> ReportResult:
    """The printable roster and results sheet of one cohort (--cohort CODE)."""
    if not params.cohort:
        raise ValidationFailed([FieldProblem("cohort", "give the cohort code (--cohort CODE)")])
    p = resolve(params)
    assert p.cohort_id is not None  # resolve() refuses a code it cannot find
    if not actor.may("report.run"):
        if not actor.may("cohort.read"):
            raise PermissionDenied(f"{actor.username} ({actor.role}) may not read cohort rosters")
        require_cohort(actor, p.cohort_id, "cohort.read")
    C, CO, CE, E, T = models.Cohort, models.Course, models.Centre, models.Enrolment, models.Trainee
    code, start, end, course_id, course_code, title, centre = (
        C.select(C.code, C.start_date, C.end_date, C.course, CO.code, CO.title_en, CE.name_en)
        .join(CO, on=(CO.id == C.course))
        .switch(C)
        .join(CE, on=(CE.id == C.centre))
        .where(C.id == p.cohort_id)
        .tuples()
        .get()
    )
    A = models.Assessment
    assessments = list(
        A.select(A.id, A.code, A.max_score).where(A.course == course_id).order_by(A.position, A.code).tuples()
    )
    enrolments = list(
        E.select(
            E.id,
            E.status,
            E.enrolled_on,
            T.uuid,
            T.given_name,
            T.father_name,
            T.grandfather_name,
            T.family_name,
            T.service_number,
            T.force,
        )
        .join(T, on=(T.id == E.trainee))
        .where((E.cohort == p.cohort_id) & (E.status != "waitlisted"))
        .order_by(T.given_name, T.father_name, T.grandfather_name, E.id)
        .tuples()
    )
    scores = _latest_scores(p.cohort_id)
    attendance = _attendance(p.cohort_id)
    K = models.Certificate
    certs: dict[int, str] = dict(
        K.select(K.enrolment, K.number).join(E, on=(E.id == K.enrolment)).where(E.cohort == p.cohort_id).tuples()
    )
    label = labeller(actor)
    identify = actor.may("trainee.identify")
    rows = []
    for n, (eid, status, _enrolled_on, uuid, g, f, gf, fam, service, force) in enumerate(enrolments, start=1):
        marks = [scores.get((eid, a_id)) for a_id, _c, _m in assessments]
        rows.append(
            (
                n,
                label(uuid, g, f, gf, fam),
                (service or "") if identify else "",
                force,
                attendance.get(eid),
                *marks,
                status,
                certs.get(eid, ""),
            )
        )
    return ReportResult(
        "cohort-roster",
        f"Roster and results: {code}, {course_code} {title}, {centre}, "
        f"{as_date(start).isoformat()} to {as_date(end).isoformat()}",
        (
            "no",
            "trainee",
            "service_number",
            "force",
            "attendance_pct",
            *(f"{c} (/{m:g})" for _i, c, m in assessments),
            "outcome",
            "certificate",
        ),
        tuple(rows),
        aggregate=False,
        notes=(
            "Scores: the latest attempt. Attendance: sessions held since the trainee's enrolment.",
            *(() if identify else ("Trainees appear as pseudonyms: this role may not see names.",)),
        ),
        params=params,
    )


def _latest_scores(cohort_id: int) -> dict[tuple[int, int], float]:
    R, E = models.Result, models.Enrolment
    best: dict[tuple[int, int], float] = {}
    for eid, aid, _attempt, score in (
        R.select(R.enrolment, R.assessment, R.attempt, R.score)
        .join(E, on=(E.id == R.enrolment))
        .where(E.cohort == cohort_id)
        .order_by(R.attempt)
        .tuples()
    ):
        best[(eid, aid)] = score
    return best


def _attendance(cohort_id: int) -> dict[int, float | None]:
    """Present or late over sessions held on or after each trainee's enrolment date."""
    S, A, E = models.Session, models.Attendance, models.Enrolment
    held = [as_date(d) for (d,) in S.select(S.day).where((S.cohort == cohort_id) & (S.status == "held")).tuples()]
    present: dict[tuple[int, datetime.date | None], int] = defaultdict(int)
    for eid, day in (
        A.select(A.enrolment, S.day)
        .join(S, on=(S.id == A.session))
        .where((S.cohort == cohort_id) & (S.status == "held") & A.mark.in_(("present", "late")))
        .tuples()
    ):
        present[(eid, as_date(day))] += 1
    out = {}
    for eid, since in E.select(E.id, E.enrolled_on).where(E.cohort == cohort_id).tuples():
        since = as_date(since)
        days = [d for d in held if d >= since]
        out[eid] = round(100.0 * sum(present.get((eid, d), 0) for d in days) / len(days), 1) if days else None
    return out
