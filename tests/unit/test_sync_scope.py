"""Who gets what (docs/sync.md): headquarters sends a site every centre but only the persons it
works with — registered there, registered at one of its centres — and a person who becomes the
site's later arrives whole, earlier records included. Headquarters on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.sync_places import hq_and_two_sites, send
from tests.unit.test_trainees import person
from trainer.registry.centres import create_centre
from trainer.registry.trainees import create_trainee
from trainer.sync import exchange


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _held() -> tuple[set[str], set[str]]:
    with database.connection_context():
        return {str(t.uuid) for t in models.Trainee.select()}, {c.code for c in models.Centre.select()}


def test_a_site_gets_every_centre_and_only_its_persons(world):
    hq, a, b, tmp = world
    a.use()
    create_centre(a.admin, "ERB1", "Erbil centre", "IQ-NI")
    mine = create_trainee(a.admin, person(national_id="111111111111"))
    b.use()
    theirs = create_trainee(b.admin, person(national_id="222222222222", date_of_birth=person().date_of_birth))
    send(a, hq, tmp / "1")
    send(b, hq, tmp / "2")
    hq.use()
    national = create_trainee(hq.admin, person(national_id="333333333333"))
    send(hq, a, tmp / "3")
    send(hq, b, tmp / "4")
    b.use()
    persons, centres = _held()
    assert str(theirs.uuid) in persons and str(mine.uuid) not in persons and str(national.uuid) not in persons
    assert "ERB1" in centres  # centres are everyone's
    a.use()
    assert _held()[0] == {str(mine.uuid)}

    # The headquarters' person is registered at Erbil's centre after Erbil acknowledged
    # the earlier bundle: Erbil now gets the person whole, and Basra still does not.
    send(a, hq, tmp / "5")  # acknowledges bundle 3
    hq.use()
    with database.connection_context(), database.atomic():
        centre = models.Centre.get(models.Centre.code == "ERB1")
        T = models.Trainee
        T.update(registered_centre=centre.id, rank="sergeant").where(T.uuid == national.uuid).execute()
    got = send(hq, a, tmp / "6")
    assert got.waiting == 0
    a.use()
    assert _held()[0] == {str(mine.uuid), str(national.uuid)}
    with database.connection_context():
        row = models.Trainee.get(models.Trainee.uuid == national.uuid)
        assert (row.national_id, row.rank, row.registered_centre.code) == ("333333333333", "sergeant", "ERB1")
    send(hq, b, tmp / "7")
    b.use()
    assert str(national.uuid) not in _held()[0]


def test_a_lost_backfill_is_sent_again(world):
    hq, a, _b, tmp = world
    a.use()
    create_centre(a.admin, "ERB1", "Erbil centre", "IQ-NI")
    send(a, hq, tmp / "1")
    hq.use()
    national = create_trainee(hq.admin, person(national_id="333333333333"))
    send(hq, a, tmp / "2")
    send(a, hq, tmp / "3")
    hq.use()
    with database.connection_context(), database.atomic():
        centre = models.Centre.get(models.Centre.code == "ERB1")
        models.Trainee.update(registered_centre=centre.id).where(models.Trainee.uuid == national.uuid).execute()
    exchange.export(hq.admin, tmp / "lost", a.code)  # never arrives
    send(hq, a, tmp / "4")
    a.use()
    assert str(national.uuid) in _held()[0]


def test_status_at_headquarters_counts_what_each_site_will_get(world):
    hq, a, b, tmp = world
    a.use()
    create_centre(a.admin, "ERB1", "Erbil centre", "IQ-NI")
    create_trainee(a.admin, person(national_id="111111111111"))
    send(a, hq, tmp / "1")
    hq.use()
    national = create_trainee(hq.admin, person(national_id="333333333333"))
    send(hq, a, tmp / "2")
    send(a, hq, tmp / "3")  # acknowledges bundle 2
    hq.use()
    with database.connection_context(), database.atomic():  # the person becomes Erbil's: a backfill is due
        centre = models.Centre.get(models.Centre.code == "ERB1")
        models.Trainee.update(registered_centre=centre.id).where(models.Trainee.uuid == national.uuid).execute()
    waiting = {p.code: p.waiting for p in exchange.status(hq.admin).peers}
    with database.connection_context():
        C = models.SyncChange
        unfiltered = C.select().where((C.id > 0) & (C.origin != b.code)).count()
    assert waiting[b.code] < unfiltered  # neither Erbil's person nor the national one is Basra's
    assert waiting[a.code] == exchange.export(hq.admin, tmp / "4", a.code).changes
    assert waiting[b.code] == exchange.export(hq.admin, tmp / "5", b.code).changes
    # The backfill is not acknowledged yet: the next export carries it again, and status says so.
    again = {p.code: p.waiting for p in exchange.status(hq.admin).peers}
    assert again[a.code] == waiting[a.code] == exchange.export(hq.admin, tmp / "6", a.code).changes


def test_a_units_vetting_decision_reaches_every_site(world):
    """It names no person, so no site's persons select it; the sites' enrolment gates need it."""
    import datetime

    from trainer.registry import vetting_decisions as vd

    hq, a, b, tmp = world
    hq.use()
    with database.connection_context():
        models.Unit.create(code="NI-POL-3", name="3rd Ninawa police battalion", force="police")
    decision = vd.DecisionInput("LV-U1", "approved", datetime.date(2026, 1, 20), "UK", unit="ni-pol-3")
    vd.record_decision(hq.admin, decision)
    for site, name in ((a, "a"), (b, "b")):
        send(hq, site, tmp / name)
        site.use()
        with database.connection_context():
            V = models.VettingRecord
            held = [(r.case_ref, r.kind, r.unit.code, r.trainee_id) for r in V.select().where(V.case_ref == "LV-U1")]
        assert held == [("LV-U1", "unit", "NI-POL-3", None)], name
