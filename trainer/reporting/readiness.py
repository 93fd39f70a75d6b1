"""station-readiness: each station judged by the readiness rule (trainer/stations/readiness.py),
or (--by province) the province roll-up against the force requirement."""

from __future__ import annotations

import datetime
from collections import defaultdict

from peewee import fn

from db import models
from trainer.accounts.access import Actor
from trainer.errors import FieldProblem, ValidationFailed
from trainer.reporting.base import ReportParams, ReportResult, Resolved, province_names, resolve
from trainer.reporting.suppression import Layout
from trainer.stations import readiness

BY = ("station", "province")
KIND_FORCE = {"police": "police", "border": "border"}  # a station's kind is the force that staffs it


def station_readiness(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    by = params.by or "station"
    if by not in BY:
        raise ValidationFailed([FieldProblem("by", f"station-readiness groups by {' or '.join(BY)}")])
    day = p.date_to or p.as_of
    the_rule = readiness.rule(actor)
    judged = readiness.assess(day, the_rule, province=p.province)
    if p.force:
        judged = [r for r in judged if KIND_FORCE.get(r.kind) == p.force]
    notes = (f"As of {day.isoformat()} (--to sets the date).", f"Rule: {the_rule.describe()}")
    if by == "province":
        return _by_province(params, p, judged, day, notes)
    rows = tuple(
        (
            r.code,
            r.name,
            r.kind,
            r.province,
            r.status,
            r.strength,
            r.kit,
            r.kit_state,
            r.kit_problems,
            r.posted,
            r.qualified,
            r.ilp,
            "yes" if r.ready else "no",
            r.reason,
        )
        for r in judged
    )
    return ReportResult(
        "station-readiness",
        f"Station readiness on {day.isoformat()}",
        (
            "station",
            "name",
            "kind",
            "province",
            "status",
            "authorised_strength",
            "kit",
            "kit_state",
            "kit_items_not_present",
            "posted",
            "qualified",
            "ilp_trained",
            "ready",
            "why_not",
        ),
        rows,
        notes=notes,
        layout=Layout(counts=(9, 10, 11)),
        hxl=(
            "#loc+code",
            "#loc+name",
            "#loc+type",
            "#adm1+code",
            "#status",
            "#indicator+num+strength",
            "#item+code",
            "#item+status",
            "#indicator+num+items_missing",
            "#indicator+num+posted",
            "#indicator+num+qualified",
            "#indicator+num+ilp",
            "#indicator+bool+ready",
            "#description",
        ),
        params=params,
    )


def _by_province(
    params: ReportParams,
    p: Resolved,
    judged: list[readiness.StationReadiness],
    day: datetime.date,
    notes: tuple[str, ...],
) -> ReportResult:
    R, PS = models.Requirement, models.PersonSummary
    forces = (p.force,) if p.force else ("police", "border")
    required = defaultdict(int)
    for prov, n in R.select(R.province, fn.SUM(R.required)).where(R.force.in_(forces)).group_by(R.province).tuples():
        required[prov] = int(n or 0)
    trained = defaultdict(int)
    for prov, n in (
        PS.select(PS.province, fn.COUNT(PS.trainee))
        .where(PS.force.in_(forces) & PS.trained_on.is_null(False) & (PS.trained_on <= day) & PS.active)
        .group_by(PS.province)
        .tuples()
    ):
        trained[prov] = int(n)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # posted, qualified, stations, ready
    for r in judged:
        s = stats[r.province]
        s[0] += r.posted
        s[1] += r.qualified
        s[2] += 1
        s[3] += r.ready
    names = province_names()
    provinces = sorted(set(stats) | ({p.province} if p.province else set(required)))
    rows = tuple(
        (prov, names.get(prov, (prov,))[0], required[prov], trained[prov], *stats[prov])
        for prov in provinces
        if required[prov] or trained[prov] or prov in stats
    )
    return ReportResult(
        "station-readiness",
        f"Station readiness by province on {day.isoformat()}",
        ("province", "name", "required", "trained", "posted", "posted_certified", "stations", "ready_stations"),
        rows,
        notes=(
            *notes,
            f"required and trained: {' and '.join(forces)} (trained: unique persons, basic course of their force, "
            "still active); posted: officers at the province's stations that day; posted_certified: of them, "
            "qualified by the rule.",
        ),
        layout=Layout(counts=(3, 4, 5)),
        hxl=(
            "#adm1+code",
            "#adm1+name",
            "#indicator+num+required",
            "#indicator+num+trained",
            "#indicator+num+posted",
            "#indicator+num+posted_certified",
            "#indicator+num+stations",
            "#indicator+num+ready_stations",
        ),
        params=params,
    )
