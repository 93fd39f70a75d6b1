"""Headline figures for the dashboard: trained police and border guards, the gap, cohorts, expiries.

The figures reconcile with the requirement-gap report: "trained in required
cells" is that report's trained total, and gap = required - that. Each figure's
definition is in DEFINITIONS, shown on screen one line each (docs/dashboard.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from peewee import fn

from db import models
from db.connection import database
from trainer.accounts import settings
from trainer.accounts.access import Actor
from trainer.reporting import summary
from trainer.reporting.base import ReportParams, resolve
from trainer.reporting.box_status import BoxFigures, box_figures
from trainer.reporting.trained import certified_persons


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    value: int


# The requirement the dashboard shows on its own line: the seed's headline ("25,000 police
# needed in Ninawa"); a site changes it with the `dashboard_requirement` setting.
HEADLINE_SETTING = "dashboard_requirement"
DEFAULT_HEADLINE = ("IQ-NI", "police")

DEFINITIONS = (  # one line each on screen: each fits the panel at 80 columns (66 cells)
    ("Trained", "unique persons who graduated their force's basic course"),
    ("In required cells", "the trained where a requirement is set"),
    ("Required", "the sum of the requirements set, province by force"),
    ("Gap", "required minus trained in required cells (gap report total)"),
    ("Certified", "the trained holding a valid, unexpired certificate"),
    ("Cohorts running", "started, not ended, not cancelled or graduated"),
)


@dataclass(frozen=True)
class Headline:
    province: str
    province_name: str
    force: str
    force_name: str
    required: int
    trained: int
    certified: int

    @property
    def gap(self) -> int:
        return self.required - self.trained


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime.date
    trained_police: int
    trained_border: int
    trained_total: int
    required: int  # every requirement (province × force)
    trained_against_required: int  # trained persons in those same province × force cells (the report's total)
    cohorts_running: int
    expiring_30: int
    expiring_90: int
    expired: int
    by_force: tuple[Bar, ...]
    by_province: tuple[Bar, ...]
    headline: Headline | None = None
    box: BoxFigures | None = None  # Police in a Box (trainer/reporting/box_status.py)

    @property
    def gap(self) -> int:
        """As the requirement-gap report's total: negative when more are trained than required."""
        return self.required - self.trained_against_required

    @property
    def progress_pct(self) -> float | None:
        return round(100.0 * self.trained_against_required / self.required, 1) if self.required else None


def dashboard(actor: Actor, as_of: datetime.date | None = None) -> Dashboard:
    """Aggregate counts only (no person appears), so every signed-in role may see them."""
    as_of = as_of or datetime.date.today()
    summary.ensure_built()
    PS, R, C, K = models.PersonSummary, models.Requirement, models.Cohort, models.Certificate
    F, P = models.Force, models.Province
    with database.connection_context():
        cells = {
            (f, p): n
            for f, p, n in PS.select(PS.force, PS.province, fn.COUNT(PS.trainee))
            .where(PS.trained_on.is_null(False) & (PS.trained_on <= as_of))
            .group_by(PS.force, PS.province)
            .tuples()
        }
        by_force: dict[str, int] = {}
        by_prov: dict[str, int] = {}
        for (f, p), n in cells.items():
            by_force[f] = by_force.get(f, 0) + n
            by_prov[p] = by_prov.get(p, 0) + n
        required = against = 0
        wanted = _headline_cell(actor)
        headline_required = None
        for p, f, n in R.select(R.province, R.force, R.required).tuples():
            required += n
            against += cells.get((f, p), 0)
            if (p, f) == wanted:
                headline_required = n
        running = (
            C.select()
            .where(C.status.not_in(("cancelled", "completed")) & (C.start_date <= as_of) & (C.end_date >= as_of))
            .count()
        )
        valid = (K.status == "valid") & K.expires_on.is_null(False)
        expiring_30 = K.select().where(valid & K.expires_on.between(as_of, as_of + datetime.timedelta(days=30))).count()
        expiring_90 = K.select().where(valid & K.expires_on.between(as_of, as_of + datetime.timedelta(days=90))).count()
        expired = K.select().where((K.status == "expired") | (valid & (K.expires_on < as_of))).count()
        forces = [Bar(code, en, by_force.get(code, 0)) for code, en in F.select(F.code, F.name_en).tuples()]
        provinces = [
            Bar(code, en, by_prov.get(code, 0))
            for code, en in P.select(P.code, P.name_en).tuples()
            if by_prov.get(code)
        ]
        headline = None
        if headline_required is not None:
            p, f = wanted
            certified = certified_persons(resolve(ReportParams(province=p, force=f)), as_of).get((p, f), 0)
            headline = Headline(
                p,
                P.select(P.name_en).where(P.code == p).scalar() or p,
                f,
                F.select(F.name_en).where(F.code == f).scalar() or f,
                headline_required,
                cells.get((f, p), 0),
                certified,
            )
        box = box_figures(as_of)
    return Dashboard(
        as_of,
        by_force.get("police", 0),
        by_force.get("border", 0),
        sum(by_force.values()),
        required,
        against,
        running,
        expiring_30,
        expiring_90,
        expired,
        tuple(sorted(forces, key=lambda b: -b.value)),
        tuple(sorted(provinces, key=lambda b: -b.value)),
        headline,
        box,
    )


def _headline_cell(actor: Actor) -> tuple[str, str]:
    """(province, force) from the setting's text "IQ-NI police", else the seed's headline."""
    text = settings.get(actor, HEADLINE_SETTING, "") or ""
    parts = text.split()
    return (parts[0].upper(), parts[1].lower()) if len(parts) == 2 else DEFAULT_HEADLINE
