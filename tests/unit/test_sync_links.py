"""Stations, kits (manifest, inventory checks), postings and a cohort's delivery travel
(docs/sync.md, "Capture"); headquarters on SQLite and PostgreSQL.

A site plans, receives, checks and issues a kit to a station it made, posts a person there,
and records who delivered its cohort with which program of instruction; headquarters then
holds the same rows. Headquarters edits in place (a missing item found, the delivering
nations and program changed) and both sites follow, the other site included (none of these
is a person's record, so every site gets them).
"""

from __future__ import annotations

import datetime

import pytest
from peewee import JOIN

from db import models
from db.connection import database
from tests.sync_places import Place, hq_and_two_sites, send
from tests.unit.test_sync_numbers import _catalogue, _same_cohort
from tests.unit.test_trainees import person
from trainer.registry.trainees import create_trainee
from trainer.stations import kits
from trainer.stations.inventory import Mark, check_kit
from trainer.stations.stations import StationInput, create_station
from trainer.sync import log
from trainer.training.cohorts import create_cohort
from trainer.training.delivery import add_program, set_delivery

DAY = datetime.date(2026, 2, 1)


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _state(place: Place) -> dict[str, object]:
    """What these tables hold, in words every database shares (codes, serials, UUIDs)."""
    place.use()
    K, KI, IC, IL, S, P = (
        models.Kit,
        models.KitItem,
        models.InventoryCheck,
        models.InventoryLine,
        models.Station,
        models.Posting,
    )
    D, N, C, Pr = models.CohortDelivery, models.CohortNation, models.Cohort, models.Program
    KM = models.KitMovement
    with database.connection_context():
        return {
            "stations": sorted(s for (s,) in S.select(S.code).tuples()),
            "kits": sorted(K.select(K.serial, K.state, S.code).join(S, on=K.station == S.id).tuples()),
            "items": sorted(KI.select(K.serial, KI.item, KI.condition, KI.note).join(K).tuples()),
            "checks": sorted((str(u), s) for u, s in IC.select(IC.uuid, IC.stage).tuples()),
            "lines": sorted(IL.select(IC.uuid, IL.item, IL.condition).join(IC).tuples()),
            "postings": sorted((str(u), s) for u, s in P.select(P.uuid, S.code).join(S).tuples()),
            "delivery": sorted(
                D.select(C.code, Pr.code).join(C).switch(D).join(Pr, join_type=JOIN.LEFT_OUTER).tuples()
            ),
            "nations": sorted(N.select(C.code, N.nation).join(C).tuples()),
            "movements": sorted(
                (str(u), *rest)
                for u, *rest in KM.select(KM.uuid, K.serial, KM.action, KM.day, KM.signed_by).join(K).tuples()
            ),
        }


def test_kits_stations_postings_and_deliveries_reach_headquarters_and_back(world):
    hq, a, b, tmp = world
    _catalogue(world)
    hq.use()
    add_program(hq.admin, "POI1", "1", "Basic police POI", "BPC", "US")
    send(hq, a, tmp / "p-a")

    a.use()
    create_station(a.admin, StationInput("ST-1", "police", "IQ-NI", "Station one", centre="MOSUL"))
    kits.plan_kit(a.admin, "K-1", "police")
    kits.receive(a.admin, "K-1", "MOSUL", "Sgt Karim", DAY)
    items = [i for i, _n, _q in kits.manifest("police")]
    marks = {i: Mark("present") for i in items}
    marks[items[0]] = Mark("missing", "not in the crate")
    check_kit(a.admin, "K-1", marks, day=DAY)
    kits.issue(a.admin, "K-1", "ST-1", "Lt Hassan", DAY)
    trainee = create_trainee(a.admin, person())
    with database.connection_context(), database.atomic():  # the service wants a graduate: the row is the point
        station = models.Station.get(models.Station.code == "ST-1")
        models.Posting.create(trainee=trainee.id, station=station.id, start_date=DAY, source="test")
    cohort = create_cohort(a.admin, _same_cohort())
    set_delivery(a.admin, cohort.code, "POI1", ("US", "GB"))
    at_site = _state(a)
    assert at_site["items"] and at_site["lines"] and at_site["postings"] and at_site["nations"]
    assert sorted(m[2:] for m in at_site["movements"]) == [("issue", DAY, "Lt Hassan"), ("receive", DAY, "Sgt Karim")]
    assert (items[0], "missing") in [(i, c) for _k, i, c, _n in at_site["items"]]

    got = send(a, hq, tmp / "a1")
    assert got.review == 0 and got.waiting == 0
    assert _state(hq) == at_site

    # Edited in place at headquarters: the missing item found, the delivery changed.
    hq.use()
    check_kit(hq.admin, "K-1", {i: Mark("present") for i in items}, day=DAY + datetime.timedelta(days=1))
    set_delivery(hq.admin, cohort.code, None, ("FR",))
    at_hq = _state(hq)
    assert {c for _k, _i, c, _n in at_hq["items"]} == {"present"}
    assert at_hq["nations"] == [(cohort.code, "FR")] and at_hq["delivery"] == [(cohort.code, None)]
    send(hq, a, tmp / "h-a")
    send(hq, b, tmp / "h-b")
    assert _state(a) == at_hq
    at_b = _state(b)
    assert {k: v for k, v in at_b.items() if k != "postings"} == {k: v for k, v in at_hq.items() if k != "postings"}
    assert at_b["postings"] == []  # a person's record: not Basra's person


def test_a_bundle_applied_in_batches_of_three_gives_the_same_rows(world, monkeypatch):
    """Kits, their items, checks and lines fall into different batches of the import: a link
    row's parent is then found in the database, not in the batch (trainer/sync/link_rows.py),
    and on PostgreSQL the import takes statistics of the tables it fills mid-way."""
    from db.connection import is_postgres
    from trainer.sync import exchange

    hq, a, _b, tmp = world
    _catalogue(world)
    send(hq, a, tmp / "h-a")
    a.use()
    items = [i for i, _n, _q in kits.manifest("police")]
    for n, serial in ((1, "K-1"), (2, "K-2")):
        create_station(a.admin, StationInput(f"ST-{n}", "police", "IQ-NI", f"Station {n}", centre="MOSUL"))
        kits.plan_kit(a.admin, serial, "police")
        kits.receive(a.admin, serial, "MOSUL", "Sgt Karim", DAY)
        check_kit(
            a.admin, serial, {i: Mark("missing", "gone") if i == items[-1] else Mark("present") for i in items}, day=DAY
        )
        kits.issue(a.admin, serial, f"ST-{n}", "Lt Hassan", DAY)
    cohort = create_cohort(a.admin, _same_cohort())
    set_delivery(a.admin, cohort.code, None, ("US", "GB"))
    at_site = _state(a)
    assert len(at_site["items"]) == 2 * len(items) and at_site["lines"] and at_site["nations"]

    monkeypatch.setattr(exchange, "APPLY_BATCH", 3)
    got = send(a, hq, tmp / "a1")
    assert got.review == 0 and got.waiting == 0
    assert _state(hq) == at_site
    if is_postgres():
        with database.connection_context():  # ANALYZE ran inside the import (no autovacuum this soon)
            sql = "SELECT count(*) FROM pg_stats WHERE tablename = 'sync_change' AND attname = 'record_uuid'"
            assert database.execute_sql(sql).fetchone()[0] == 1


def test_rows_made_before_their_capture_are_logged_once_on_upgrade(backend, tmp_path):
    """A database at version 0013 whose kit items were written by code that did not capture them
    (muted here): upgrading to 0014 logs each once, as an insert, so they travel too."""
    from db import capture
    from db.connection import open_database
    from db.schema import upgrade
    from tests.conftest import fresh_url
    from trainer.setup import connect, seed_reference

    url = fresh_url(backend, tmp_path)
    db = open_database(url)
    with database.connection_context():
        upgrade(db, target="0013_sync", backup=False)
        seed_reference()
        with database.atomic(), capture.muted():
            kit = models.Kit.create(serial="K-OLD", kind="police")
            models.KitItem.insert_many(
                [dict(kit=kit.id, item=i, name=n, quantity=q) for i, n, q in kits.manifest("police")]
            ).execute()
    assert "0014_sync_more" in connect(url).applied
    C = models.SyncChange
    with database.connection_context():
        logged = C.select().where(C.table_name == "kit_item").count()
        assert logged == len(kits.manifest("police")) and {
            c.op for c in C.select(C.op).where(C.table_name == "kit_item")
        } == {"i"}
        assert C.select().where(C.table_name == "kit").count() == 0  # only the tables captured since


def test_kit_movements_made_before_0016_get_their_own_uuid_and_are_logged_once(backend, tmp_path):
    """Two alike movements on one day, written at version 0015 (no UUID column yet): the upgrade
    gives each its own UUID and logs each once, as an insert, so they travel as two."""
    from db.connection import open_database
    from db.schema import upgrade
    from tests.conftest import fresh_url
    from trainer.setup import connect, seed_reference

    url = fresh_url(backend, tmp_path)
    db = open_database(url)
    with database.connection_context():
        upgrade(db, target="0015_search_word_index", backup=False)
        seed_reference()
        kit = models.Kit.create(serial="K-OLD", kind="police")
        for _ in range(2):
            mark = "%s" if backend == "postgres" else "?"
            db.execute_sql(
                f'INSERT INTO "kit_movement" ("kit_id", "action", "day", "signed_by") VALUES ({", ".join([mark] * 4)})',
                (kit.id, "receive", DAY, "Sgt Karim"),
            )
    assert "0016_sync_units" in connect(url).applied
    C, M = models.SyncChange, models.KitMovement
    with database.connection_context():
        uuids = {str(u) for (u,) in M.select(M.uuid).tuples()}
        assert len(uuids) == 2
        logged = list(C.select(C.record_uuid, C.op).where(C.table_name == "kit_movement").tuples())
        assert len(logged) == 2 and {op for _u, op in logged} == {"i"}
        assert {log.canonical_uuid(u) for u, _op in logged} == uuids
        assert C.select().where(C.table_name == "kit").count() == 1  # logged when made, not again
