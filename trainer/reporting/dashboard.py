"""Headline figures for the dashboard: trained police and border guards, the gap, cohorts, expiries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from peewee import fn

from db import models
from db.connection import database
from trainer.accounts.access import Actor
from trainer.reporting import summary
from trainer.reporting.box_status import BoxFigures, box_figures


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    value: int


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime.date
    trained_police: int
    trained_border: int
    trained_total: int
    required: int  # every requirement (province × force)
    trained_against_required: int  # trained persons in those same province × force cells
    cohorts_running: int
    expiring_30: int
    expiring_90: int
    expired: int
    by_force: tuple[Bar, ...]
    by_province: tuple[Bar, ...]
    box: BoxFigures | None = None  # Police in a Box (trainer/reporting/box_status.py)

    @property
    def gap(self) -> int:
        return max(self.required - self.trained_against_required, 0)

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
        for p, f, n in R.select(R.province, R.force, R.required).tuples():
            required += n
            against += min(cells.get((f, p), 0), n)
        running = C.select().where(C.status == "running").count()
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
        box,
    )
