"""Who gets what (docs/sync.md): headquarters sends a site every centre but only the persons it
works with — registered there, registered at one of its centres — and a person who becomes the
site's later arrives whole, earlier records included. Headquarters on SQLite and PostgreSQL."""

from __future__ import annotations

import os

import pytest

from db import models
from db.connection import database
from tests.sync_places import AUDIT_KEY, Place, link
from tests.unit.test_trainees import person
from trainer.registry.centres import create_centre
from trainer.registry.trainees import create_trainee
from trainer.sync import exchange


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", AUDIT_KEY)
    monkeypatch.setenv("XDG_CONFIG_HOME", os.environ.get("XDG_CONFIG_HOME", str(tmp_path / "cfg")))
    hq = Place("HQ", db_url, tmp_path / "hq-config", hq=True).setup()
    a = Place("ERBIL", f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a-config", block=3).setup()
    b = Place("BASRA", f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b-config", block=4).setup()
    link(hq, [a, b], tmp_path)
    yield hq, a, b, tmp_path
    for p in (a, b):
        p.close()


def _send(sender: Place, recipient: Place, path):
    sender.use()
    exchange.export(sender.admin, path, recipient.code if sender.hq else None)
    recipient.use()
    return exchange.import_bundle(recipient.admin, path)


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
    _send(a, hq, tmp / "1")
    _send(b, hq, tmp / "2")
    hq.use()
    national = create_trainee(hq.admin, person(national_id="333333333333"))
    _send(hq, a, tmp / "3")
    _send(hq, b, tmp / "4")
    b.use()
    persons, centres = _held()
    assert str(theirs.uuid) in persons and str(mine.uuid) not in persons and str(national.uuid) not in persons
    assert "ERB1" in centres  # centres are everyone's
    a.use()
    assert _held()[0] == {str(mine.uuid)}

    # The headquarters' person is registered at Erbil's centre after Erbil acknowledged
    # the earlier bundle: Erbil now gets the person whole, and Basra still does not.
    _send(a, hq, tmp / "5")  # acknowledges bundle 3
    hq.use()
    with database.connection_context(), database.atomic():
        centre = models.Centre.get(models.Centre.code == "ERB1")
        T = models.Trainee
        T.update(registered_centre=centre.id, rank="sergeant").where(T.uuid == national.uuid).execute()
    got = _send(hq, a, tmp / "6")
    assert got.waiting == 0
    a.use()
    assert _held()[0] == {str(mine.uuid), str(national.uuid)}
    with database.connection_context():
        row = models.Trainee.get(models.Trainee.uuid == national.uuid)
        assert (row.national_id, row.rank, row.registered_centre.code) == ("333333333333", "sergeant", "ERB1")
    _send(hq, b, tmp / "7")
    b.use()
    assert str(national.uuid) not in _held()[0]


def test_a_lost_backfill_is_sent_again(world):
    hq, a, _b, tmp = world
    a.use()
    create_centre(a.admin, "ERB1", "Erbil centre", "IQ-NI")
    _send(a, hq, tmp / "1")
    hq.use()
    national = create_trainee(hq.admin, person(national_id="333333333333"))
    _send(hq, a, tmp / "2")
    _send(a, hq, tmp / "3")
    hq.use()
    with database.connection_context(), database.atomic():
        centre = models.Centre.get(models.Centre.code == "ERB1")
        models.Trainee.update(registered_centre=centre.id).where(models.Trainee.uuid == national.uuid).execute()
    exchange.export(hq.admin, tmp / "lost", a.code)  # never arrives
    _send(hq, a, tmp / "4")
    a.use()
    assert str(national.uuid) in _held()[0]
