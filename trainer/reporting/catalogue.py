"""The report catalogue: each report is a named query returning plain rows, and how results leave.

Names are a stable interface (docs/cli.md, "Reports"). Aggregate reports read
the summary tables and are suppressed (counts 1–4, plus secondary cells) in
every file format; person-level reports show names only to roles that may
identify trainees, and are never written as HXL.
"""

from __future__ import annotations

from db.connection import database
from trainer.accounts.access import Actor, require
from trainer.errors import PermissionDenied, TrainerError
from trainer.reporting import summary

# The public interface, re-exported: the report kinds and how results leave.
from trainer.reporting.base import Report as Report
from trainer.reporting.base import ReportParams as ReportParams
from trainer.reporting.base import ReportResult as ReportResult
from trainer.reporting.box_status import box_status
from trainer.reporting.deployment import DEFAULT_DAYS, LEAKAGE_BY, deployment_leakage, outcomes_by_program
from trainer.reporting.outcomes import attrition, certificates_expiring, pass_rates
from trainer.reporting.output import Written as Written
from trainer.reporting.output import write_result as write_result
from trainer.reporting.people import cohort_roster, vetting_compliance
from trainer.reporting.readiness import BY as READINESS_BY
from trainer.reporting.readiness import station_readiness
from trainer.reporting.trained import (
    ilp_transition,
    requirement_gap,
    trained_by_course_month,
    trained_by_force,
    trained_by_province,
)

_DATES_PLACES = ("date_from", "date_to", "force", "province", "centre")

CATALOGUE: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "trained-by-force", "unique persons who graduated their force's basic course, per force", trained_by_force
        ),
        Report("trained-by-province", "unique trained persons per province and force", trained_by_province),
        Report(
            "trained-by-course-month",
            "graduates per force, province, course and month (unique persons)",
            trained_by_course_month,
        ),
        Report(
            "requirement-gap",
            "required persons per province and force against trained and certified",
            requirement_gap,
            uses=("date_to", "force", "province"),
        ),
        Report("pass-rates", "graduated against failed, and assessment pass rates, per course", pass_rates),
        Report("attrition", "withdrawals per course with their reasons", attrition),
        Report(
            "certificates-expiring",
            "certificates expired and expiring in 30/60/90 days (--to: as of)",
            certificates_expiring,
            uses=("date_to", "force", "province", "centre"),
        ),
        Report(
            "ilp-transition",
            "share of active personnel with intelligence-led/community policing competencies",
            ilp_transition,
            uses=("date_from", "date_to", "force", "province"),
        ),
        Report(
            "vetting-compliance",
            "coalition-funded enrolments without approved vetting before the start",
            vetting_compliance,
            aggregate=False,
            uses=(*_DATES_PLACES, "cohort"),
        ),
        Report(
            "cohort-roster",
            "printable roster and results sheet of one cohort (--cohort CODE)",
            cohort_roster,
            aggregate=False,
            needs=("cohort",),
            uses=("cohort",),
        ),
        # Police in a Box (docs/stations.md)
        Report(
            "box-status",
            "station kits by kind and state, per province and centre, receipt dates, open inventory problems",
            box_status,
        ),
        Report(
            "station-readiness",
            "each station judged by the readiness rule (--by province: roll-up against requirements; --to: as of)",
            station_readiness,
            uses=("date_to", "force", "province", "by"),
            by_choices=READINESS_BY,
        ),
        Report(
            "deployment-leakage",
            "graduates posted within N days (--days, 90) or not, postings ended and why (--by cohort|centre|"
            "force|province|nation)",
            deployment_leakage,
            uses=(*_DATES_PLACES, "cohort", "days", "by"),
            by_choices=LEAKAGE_BY,
            days_default=DEFAULT_DAYS,
        ),
        Report(
            "outcomes-by-program",
            "per delivering nation and program of instruction: graduated, score, certified, posted, still serving",
            outcomes_by_program,
            uses=_DATES_PLACES,
        ),
    )
}


def _check(actor: Actor, report: Report) -> None:
    if report.name == "cohort-roster":
        # Centre staff print rosters too; the report checks their cohort scope.
        if not (actor.may("report.run") or actor.may("cohort.read")):
            raise PermissionDenied(f"{actor.username} ({actor.role}) may not run reports")
        return
    require(actor, "report.run")


def get(name: str) -> Report:
    report = CATALOGUE.get(name)
    if report is None:
        raise TrainerError(f"no report named {name!r}: see `trainer report --list`")
    return report


def run_report(actor: Actor, name: str, params: ReportParams) -> ReportResult:
    report = get(name)
    _check(actor, report)
    summary.ensure_built()
    with database.connection_context():
        return report.run(actor, params)
