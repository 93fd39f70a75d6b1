"""Readiness: is a station able to work, by a stated rule whose thresholds are settings.

A station is ready on a day when
* its kit is set up and complete (every manifest item present at the last check), and
* at least `strength_pct` % of its authorised strength (and at least one officer) are
  posted there that day who graduated their force's basic course and hold a basic-course
  certificate valid that day ("qualified"), and
* at least `ilp_pct` % of those qualified officers are trained in intelligence-led or
  community policing.

Officer counts come from one grouped query over the postings active that day,
joined to the person summaries (trainer.reporting.summary), so all ~2,000
stations are judged in one pass.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from peewee import JOIN, SQL, Case, Select, fn

from db import models
from trainer.accounts import settings, site_settings
from trainer.accounts.access import SYSTEM, Actor

# The stations to look at: a query of their ids, the ids themselves, or None for all.
StationFilter = Select | list[int] | None

# Site settings an admin changes (`trainer settings set`, Admin > Site settings): trainer.accounts.site_settings.
STRENGTH_KEY = "readiness.strength_pct"
ILP_KEY = "readiness.ilp_pct"
DEFAULTS = {key: site_settings.BY_KEY[key].default for key in (STRENGTH_KEY, ILP_KEY)}


@dataclass(frozen=True)
class Rule:
    strength_pct: int = 100
    ilp_pct: int = 20

    def describe(self) -> str:
        return (
            f"Ready: kit set up with every item present; qualified officers (basic course graduated, "
            f"basic certificate valid) at least {self.strength_pct}% of authorised strength (and at least one); "
            f"at least {self.ilp_pct}% of them trained in intelligence-led or community policing."
        )

    def needed(self, strength: int) -> int:
        return max(1, math.ceil(strength * self.strength_pct / 100))


def rule(actor: Actor = SYSTEM) -> Rule:
    """The rule as the site's settings have it (readiness.strength_pct, readiness.ilp_pct)."""
    return Rule(
        int(settings.get(actor, STRENGTH_KEY, DEFAULTS[STRENGTH_KEY])),
        int(settings.get(actor, ILP_KEY, DEFAULTS[ILP_KEY])),
    )


@dataclass(frozen=True)
class StationReadiness:
    station_id: int
    code: str
    name: str
    kind: str
    province: str
    status: str
    strength: int
    kit: str
    kit_state: str
    kit_problems: int  # items missing or damaged (or never checked)
    posted: int
    qualified: int
    ilp: int
    ready: bool
    reason: str  # what stands in the way ('' when ready)


def _kits(station_filter: StationFilter) -> dict[int, tuple[str, str, int]]:
    K, KI = models.Kit, models.KitItem
    bad = fn.SUM(Case(None, [(KI.condition != "present", 1)], 0))
    q = (
        K.select(K.station, K.serial, K.state, bad)
        .join(KI, JOIN.LEFT_OUTER, on=(KI.kit == K.id))
        .where(K.station.is_null(False))
        .group_by(K.station, K.serial, K.state)
    )
    if station_filter is not None:
        q = q.where(K.station.in_(station_filter))
    return {sid: (serial, state, int(n or 0)) for sid, serial, state, n in q.tuples()}


def _officers(station_filter: StationFilter, day: datetime.date) -> dict[int, tuple[int, int, int]]:
    """station -> (posted, qualified, qualified and ILP-trained) on `day`."""
    P, PS, Ce, K = models.Posting, models.PersonSummary, models.Certificate, models.Course
    basic = [k for (k,) in K.select(K.id).where(K.category == "basic").tuples()]  # a handful: no join per row
    certified = fn.EXISTS(
        Ce.select(Ce.id).where(
            (Ce.trainee == P.trainee)
            & Ce.course.in_(basic)
            & (Ce.status != "revoked")
            & (Ce.issued_on <= day)
            & (Ce.expires_on.is_null() | (Ce.expires_on > day))
        )
    )
    qualified = Case(None, [(PS.trained_on.is_null(False) & (PS.trained_on <= day) & certified, 1)], 0)
    ilp = Case(None, [(PS.ilp_on.is_null(False) & (PS.ilp_on <= day), 1)], 0)
    # one row per officer serving that day, each judged once (the certificate look-up is the cost)
    each = (
        P.select(P.station.alias("station"), qualified.alias("q"), ilp.alias("i"))
        .join(PS, JOIN.LEFT_OUTER, on=(PS.trainee == P.trainee))
        .where(P.station.is_null(False) & (P.start_date <= day) & (P.end_date.is_null() | (P.end_date >= day)))
    )
    if station_filter is not None:
        each = each.where(P.station.in_(station_filter))
    # OFFSET 0 keeps the inner query whole: flattened into the grouping (SQLite; PostgreSQL pulls it up
    # alike), `q` was written out twice below and each officer's certificate looked up twice (Ninawa at
    # full scale: 100 -> 74 ms CPU).
    each = each.offset(0)
    q = each.select_from(each.c.station, fn.COUNT(SQL("*")), fn.SUM(each.c.q), fn.SUM(each.c.q * each.c.i)).group_by(
        each.c.station
    )
    return {sid: (int(n), int(qn or 0), int(iln or 0)) for sid, n, qn, iln in q.tuples()}


def assess(
    day: datetime.date, the_rule: Rule, *, province: str | None = None, station_ids: list[int] | None = None
) -> list[StationReadiness]:
    """Every station (or a province's, or the given ones) judged by `the_rule` on `day`, by code.
    Callers check permissions and open the connection."""
    S = models.Station
    q = S.select(S.id, S.code, S.name_en, S.kind, S.province, S.status, S.authorised_strength).order_by(S.code)
    station_filter: StationFilter = None
    if province:
        q = q.where(S.province == province)
        station_filter = S.select(S.id).where(S.province == province)
    if station_ids is not None:
        q = q.where(S.id.in_(station_ids))
        station_filter = station_ids
    kits = _kits(station_filter)
    officers = _officers(station_filter, day)
    out = []
    for sid, code, name, kind, prov, status, strength in q.tuples():
        serial, state, problems = kits.get(sid, ("", "", 0))
        posted, qualified, ilp = officers.get(sid, (0, 0, 0))
        why = []
        if not serial:
            why.append("no kit")
        elif state != "set-up":
            why.append(f"kit {state}")
        elif problems:
            why.append(f"kit: {problems} item(s) not present")
        need = the_rule.needed(strength)
        if qualified < need:
            why.append(f"{qualified}/{need} qualified officers")
        elif qualified and 100 * ilp < the_rule.ilp_pct * qualified:
            why.append(f"ILP/community {ilp}/{qualified} below {the_rule.ilp_pct}%")
        if status == "closed":
            why.append("closed")
        out.append(
            StationReadiness(
                sid,
                code,
                name,
                kind,
                prov,
                status,
                strength,
                serial,
                state,
                problems,
                posted,
                qualified,
                ilp,
                not why,
                "; ".join(why),
            )  # fmt: skip
        )
    return out
