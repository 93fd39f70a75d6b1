"""One station as the app shows it: the station, its kit and inventory, readiness, posted officers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from db import models
from db.connection import database
from trainer.accounts.access import Actor, require
from trainer.reporting import summary
from trainer.stations import kits, postings, readiness, stations


@dataclass(frozen=True)
class StationDetail:
    station: stations.StationView
    kit: kits.KitView | None
    readiness: readiness.StationReadiness
    rule: str
    officers: tuple[postings.PostingView, ...]  # empty when the actor may not see names
    officers_shown: bool


def station_detail(actor: Actor, station_id: int, *, officers: int = 200) -> StationDetail:
    require(actor, "station.read")
    view = stations.get_station(actor, station_id)
    the_rule = readiness.rule(actor)
    summary.ensure_built()  # readiness reads the person summaries (left for first use by a bulk load)
    with database.connection_context():
        judged = readiness.assess(datetime.date.today(), the_rule, station_ids=[station_id])[0]
        serial = models.Kit.select(models.Kit.serial).where(models.Kit.station == station_id).scalar()
        kit = kits.kit_view(models.Kit.get(models.Kit.serial == serial).id) if serial else None
    shown = actor.may("posting.read")
    people = tuple(postings.postings_at(actor, station_id, limit=officers)) if shown else ()
    return StationDetail(view, kit, judged, the_rule.describe(), people, shown)
