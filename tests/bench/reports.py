"""The force × province × course × month report (`trained-by-course-month`), full history and one
quarter, through `trainer.reporting.catalogue.run_report` as the analyst runs it (it reads the summary table).

Baseline: the live join the summary table replaces: the same figures (enrolments, graduates,
results, results passed per month, force, province and course) computed from enrolments,
cohorts, trainees, results and assessments at query time. It leaves out the first-graduation
rule the summary applies, so it is if anything cheaper than the real thing.
"""

from __future__ import annotations

import datetime

from tests.bench.context import Context, actor, bind, missing
from tests.bench.measure import PeakMemory, Row, Target, attempt, not_measured, repeat

AREA = "reports"
REPORT = "trained-by-course-month"
FULL_OP = "report force x province x course x month, full history"
QUARTER_OP = "report force x province x course x month, one quarter"
TARGETS = {FULL_OP: (Target("median", 1.0),), QUARTER_OP: (Target("median", 0.100),)}
BASELINE = "live join"

LIVE = """
SELECT g.month, g.force_id, g.province_id, g.course_id, g.enrolled, g.graduated,
       COALESCE(r.results, 0), COALESCE(r.passed, 0)
FROM (SELECT {month} AS month, t.force_id, t.province_id, c.course_id,
             SUM(CASE WHEN e.status <> 'waitlisted' THEN 1 ELSE 0 END) AS enrolled,
             SUM(CASE WHEN e.status = 'graduated' THEN 1 ELSE 0 END) AS graduated
      FROM enrolment e JOIN cohort c ON c.id = e.cohort_id JOIN trainee t ON t.id = e.trainee_id
      WHERE {period}
      GROUP BY 1, 2, 3, 4) g
LEFT JOIN (SELECT {month} AS month, t.force_id, t.province_id, c.course_id, COUNT(*) AS results,
                  SUM(CASE WHEN r.score >= a.pass_mark THEN 1 ELSE 0 END) AS passed
           FROM result r JOIN enrolment e ON e.id = r.enrolment_id JOIN cohort c ON c.id = e.cohort_id
           JOIN trainee t ON t.id = e.trainee_id JOIN assessment a ON a.id = r.assessment_id
           WHERE {period}
           GROUP BY 1, 2, 3, 4) r
  ON r.month = g.month AND r.force_id = g.force_id AND r.province_id = g.province_id
 AND r.course_id = g.course_id
ORDER BY 1, 2, 3, 4
"""


def measure(ctx: Context) -> list[Row]:
    why = missing("trainer.reporting.catalogue:run_report", "trainer.reporting.base:ReportParams")
    if why:
        return [not_measured(AREA, op, why, TARGETS[op]) for op in (FULL_OP, QUARTER_OP)]
    from trainer.reporting import catalogue as reports

    if REPORT not in reports.CATALOGUE:
        return [not_measured(AREA, op, f"report {REPORT} missing", TARGETS[op]) for op in (FULL_OP, QUARTER_OP)]
    bind(ctx.url)
    quarter = last_full_quarter()
    rows = attempt(AREA, FULL_OP, TARGETS[FULL_OP], lambda: one(ctx, FULL_OP, None))
    rows += attempt(AREA, QUARTER_OP, TARGETS[QUARTER_OP], lambda: one(ctx, QUARTER_OP, quarter))
    return rows


def one(ctx: Context, op: str, period: tuple[datetime.date, datetime.date] | None) -> Row:
    from trainer.reporting.base import ReportParams
    from trainer.reporting.catalogue import run_report

    who = actor("analyst")
    params = ReportParams(date_from=period[0], date_to=period[1]) if period else ReportParams()
    result = run_report(who, REPORT, params)  # warm: summary built, caches
    with PeakMemory() as mem:
        stats = repeat(lambda: run_report(who, REPORT, params), ctx.runs(7, 5), warmup=0)
    live_rows = []
    base = repeat(lambda: live_rows.append(len(live_join(period))), ctx.runs(3, 3), warmup=1)
    what = f"{period[0]} to {period[1]}" if period else "full history"
    return Row(
        AREA,
        op,
        stats,
        mem.mb,
        TARGETS[op],
        BASELINE,
        base,
        memory_method=mem.method,
        note=f"run_report(trained-by-course-month), {what}: {len(result.rows):,} report rows from the "
        f"summary table; the live join gives {live_rows[-1]:,} rows",
    )


def live_join(period: tuple[datetime.date, datetime.date] | None) -> list[tuple]:
    from db.connection import database, is_postgres

    with database.connection_context():
        month = "to_char(c.end_date, 'YYYY-MM')" if is_postgres() else "strftime('%Y-%m', c.end_date)"
        params: list = []
        where = "1 = 1"
        if period:
            p = database.obj.param
            where = f"c.end_date >= {p} AND c.end_date <= {p}"
            params = [period[0], period[1]] * 2
        sql = LIVE.format(month=month, period=where)
        return database.execute_sql(sql, params).fetchall()


def last_full_quarter() -> tuple[datetime.date, datetime.date]:
    """The last whole quarter before the latest cohort end in the data (the demo's recent past)."""
    from db import models
    from db.connection import database
    from trainer.reporting.base import as_date

    C = models.Cohort
    with database.connection_context():
        latest = as_date(C.select(C.end_date).where(C.status == "completed").order_by(C.end_date.desc()).scalar())
    start_month = (latest.month - 1) // 3 * 3 + 1
    this_quarter = datetime.date(latest.year, start_month, 1)
    end = this_quarter - datetime.timedelta(days=1)
    start = datetime.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return start, end
