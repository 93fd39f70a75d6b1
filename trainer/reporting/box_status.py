"""box-status: Police in a Box kits by kind and state, per province and centre, with receipt
dates and open inventory problems (docs/stations.md).

Kits are equipment, not persons: nothing here can single anyone out, so no
count is suppressed (the note says so in every format).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from peewee import JOIN, Case, fn

from db import models
from trainer.accounts.access import Actor
from trainer.reporting.base import ReportParams, ReportResult, as_date, resolve
from trainer.stations import readiness

COLUMNS = (
    "level",
    "kind",
    "province",
    "centre",
    "kits",
    "received",
    "at_stations",
    "set_up",
    "first_received",
    "last_received",
    "items_missing",
    "items_damaged",
    "kits_with_problems",
)


def box_status(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    K, KI, S, Ce = models.Kit, models.KitItem, models.Station, models.Centre
    missing = fn.SUM(Case(None, [(KI.condition == "missing", 1)], 0))
    damaged = fn.SUM(Case(None, [(KI.condition == "damaged", 1)], 0))
    per_kit = (
        K.select(K.id, K.kind, K.state, K.received_on, S.province, Ce.province, Ce.code, missing, damaged)
        .join(KI, JOIN.LEFT_OUTER, on=(KI.kit == K.id))
        .switch(K)
        .join(S, JOIN.LEFT_OUTER, on=(S.id == K.station))
        .switch(K)
        .join(Ce, JOIN.LEFT_OUTER, on=(Ce.id == K.centre))
        .group_by(K.id, K.kind, K.state, K.received_on, S.province, Ce.province, Ce.code)
    )
    if p.force in ("police", "border"):
        per_kit = per_kit.where(K.kind == p.force)
    if p.centre_id:
        per_kit = per_kit.where(K.centre == p.centre_id)
    groups: dict[Any, list[Any]] = defaultdict(lambda: [0, 0, 0, 0, None, None, 0, 0, 0])
    for _kid, kind, state, received, station_prov, centre_prov, centre, miss, dmg in per_kit.tuples():
        received = as_date(received)
        if p.date_from and (received is None or received < p.date_from):
            continue
        if p.date_to and (received is None or received > p.date_to):
            continue
        province = station_prov or centre_prov or ""
        if p.province and province != p.province:
            continue
        miss, dmg = int(miss or 0), int(dmg or 0)
        for key in (("all", kind, "", ""), ("location", kind, province, centre or "(not received)")):
            g = groups[key]
            g[0] += 1
            g[1] += state != "planned"
            g[2] += state in ("issued", "set-up")
            g[3] += state == "set-up"
            if received:
                g[4] = min(g[4] or received, received)
                g[5] = max(g[5] or received, received)
            g[6] += miss
            g[7] += dmg
            g[8] += bool(miss or dmg)
    order = {"all": 0, "location": 1}
    rows = tuple(
        (*key, *g[:4], g[4].isoformat() if g[4] else "", g[5].isoformat() if g[5] else "", *g[6:])
        for key, g in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2], kv[0][3]))
    )
    notes = [
        "level all: every kit of the kind the programme planned; level location: by the province the kit "
        "is in (its station's, else its receiving centre's) and the centre that received it.",
        "received counts kits ever received (also those since issued); items missing or damaged stay counted "
        "until a later inventory check finds them present.",
        "No suppression: kits are equipment, not persons.",
    ]
    if p.date_from or p.date_to:
        notes.append("Only kits received in the period (--from/--to on the receipt date).")
    return ReportResult(
        "box-status",
        "Police in a Box: kits by kind, state and place",
        COLUMNS,
        rows,
        notes=tuple(notes),
        layout=None,
        hxl=(
            "#meta+level",
            "#item+type",
            "#adm1+code",
            "#org+centre",
            "#indicator+num+kits",
            "#indicator+num+received",
            "#indicator+num+at_stations",
            "#indicator+num+set_up",
            "#date+received+first",
            "#date+received+last",
            "#indicator+num+missing",
            "#indicator+num+damaged",
            "#indicator+num+problem_kits",
        ),
        params=params,
        total_rows=(0, "all"),  # a data file holds the location rows; the kind totals are its metadata
    )


@dataclass(frozen=True)
class BoxFigures:
    """Police in a Box on the dashboard: kits, ready stations, Ninawa's police posted against required."""

    kits_received: int
    kits_set_up: int
    kits_at_stations: int
    stations: int
    stations_ready: int  # of `stations`, which leaves closed stations out
    ninawa_posted: int  # police serving at Ninawa's police stations or in its police units
    ninawa_required: int


def box_figures(as_of: datetime.date) -> BoxFigures:
    """Counts only (no person appears); the caller opens the connection."""
    K, S, P, U, R = models.Kit, models.Station, models.Posting, models.Unit, models.Requirement
    states: dict[str, int] = dict(K.select(K.state, fn.COUNT(K.id)).group_by(K.state).tuples())
    judged = readiness.assess(as_of, readiness.rule())
    active = (P.start_date <= as_of) & (P.end_date.is_null() | (P.end_date >= as_of))
    at_stations = (
        P.select(P.trainee)
        .join(S, on=(S.id == P.station))
        .where(active & (S.province == "IQ-NI") & (S.kind == "police"))
    )
    in_units = (
        P.select(P.trainee).join(U, on=(U.id == P.unit)).where(active & (U.province == "IQ-NI") & (U.force == "police"))
    )
    posted = models.Trainee.select().where(models.Trainee.id.in_(at_stations | in_units)).count()
    required = R.select(R.required).where((R.province == "IQ-NI") & (R.force == "police")).scalar() or 0
    return BoxFigures(
        sum(n for state, n in states.items() if state != "planned"),
        states.get("set-up", 0),
        states.get("issued", 0) + states.get("set-up", 0),
        sum(r.status != "closed" for r in judged),
        sum(r.ready for r in judged),
        posted,
        required,
    )
