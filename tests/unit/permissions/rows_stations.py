"""Rows of the permission matrix: Police in a Box (stations, kits, inventory checks, postings)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.permissions.world import D, Op, World, box, next_n, op, posting
from trainer.accounts.access import SYSTEM


def rows() -> dict[str, Op]:
    from trainer.stations import detail, inventory, kits, posting_import, postings, stations

    def marks(serial: str) -> dict[str, inventory.Mark]:
        return {i.item: inventory.Mark("present") for i in kits.get_kit(SYSTEM, serial).items}

    def sheet(w: World) -> Path:
        path = w.tmp / f"postings-{next_n()}.csv"
        path.write_text("national_id,station,start_date\n100000000000,PERM-ST,2025-04-01\n", encoding="utf-8")
        box(w)
        return path

    station_input = stations.StationInput("PERM-NEW", "border", "IQ-AN", "New post")
    return {
        "stations.stations.create_station": op("station.write", lambda w, a: stations.create_station(a, station_input)),
        "stations.stations.update_station": op(
            "station.write",
            lambda w, a: (
                box(w),
                stations.update_station(a, stations.get_station(SYSTEM, "PERM-ST").id, station_input, version=1),
            ),  # fmt: skip
        ),
        "stations.stations.list_stations": op("station.read", lambda w, a: stations.list_stations(a)),
        "stations.stations.count_stations": op("station.read", lambda w, a: stations.count_stations(a)),
        "stations.stations.get_station": op("station.read", lambda w, a: stations.get_station(a, "NONE")),
        "stations.detail.station_detail": op("station.read", lambda w, a: detail.station_detail(a, 0)),
        "stations.kits.plan_kit": op("station.write", lambda w, a: kits.plan_kit(a, "PERM-NEW", "border")),
        "stations.kits.receive": op(
            "kit.move",
            lambda w, a: (kits.plan_kit(SYSTEM, "PERM-R", "police"), kits.receive(a, "PERM-R", w.centre_code, "x")),
            scoped=True,
        ),
        "stations.kits.issue": op("kit.move", lambda w, a: kits.issue(a, box(w), "PERM-ST", "Capt. Perm"), scoped=True),
        "stations.kits.set_up": op(
            "kit.move", lambda w, a: kits.set_up(a, box(w, "issued"), "Capt. Perm"), scoped=True
        ),
        "stations.kits.transfer": op(
            "kit.move", lambda w, a: kits.transfer(a, box(w, "issued"), "PERM-ST2", "Capt. Perm"), scoped=True
        ),
        "stations.kits.get_kit": op("station.read", lambda w, a: kits.get_kit(a, "NONE")),
        "stations.kits.list_kits": op("station.read", lambda w, a: kits.list_kits(a)),
        "stations.kits.waiting": op("station.read", lambda w, a: kits.waiting(a, "receive", "police")),
        "stations.inventory.check_kit": op(
            "kit.check", lambda w, a: inventory.check_kit(a, "PERM-K", marks(box(w))), scoped=True
        ),
        "stations.inventory.open_problems": op("station.read", lambda w, a: inventory.open_problems(a, "NONE")),
        "stations.postings.post": op(
            "posting.write",
            lambda w, a: (box(w), postings.post(a, w.trainee_id, "PERM-ST", D(2025, 4, 1))),
            scoped=True,
        ),
        "stations.postings.post_cohort": op(
            "posting.write",
            lambda w, a: (box(w), postings.post_cohort(a, w.cohort_code, "PERM-ST", D(2025, 4, 1))),
            scoped=True,
        ),
        "stations.postings.end_posting": op(
            "posting.write",
            lambda w, a: postings.end_posting(a, *posting(w)[:1], D(2025, 5, 1), "transferred", version=1),
            scoped=True,
        ),
        "stations.postings.postings_at": op("posting.read", lambda w, a: postings.postings_at(a, 0)),
        "stations.postings.postings_of": op("posting.read", lambda w, a: postings.postings_of(a, w.trainee_id)),
        "stations.posting_import.import_postings": op(
            "posting.write", lambda w, a: posting_import.import_postings(a, sheet(w), dry_run=True)
        ),
    }
