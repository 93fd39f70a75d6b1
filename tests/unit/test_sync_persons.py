"""One person, two sites (docs/sync.md): a person registered at two sites offline is held at
headquarters by the roster's duplicate check, listed and counted; the merge decided there
reaches the sites as a redirect. Headquarters on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.sync_places import hq_and_two_sites, send
from tests.unit.test_trainees import person
from trainer.errors import TrainerError
from trainer.registry.trainees import create_trainee
from trainer.sync import exchange, persons


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _trainees():
    with database.connection_context():
        T = models.Trainee
        return {str(u): (s, str(m.uuid) if m else None) for u, s, m in ((t.uuid, t.status, t.merged_into) for t in T)}


def test_a_person_registered_at_two_sites_is_held_then_merged_everywhere(world):
    hq, a, b, tmp = world
    a.use()
    first = create_trainee(a.admin, person())
    b.use()
    second = create_trainee(b.admin, person(national_id=""))  # the same person, ID not at hand
    assert send(a, hq, tmp / "1").persons_held == 0
    got = send(b, hq, tmp / "2")
    assert got.persons_held == 1 and got.review >= 1
    hq.use()
    assert exchange.status(hq.admin).persons_held == 1
    [item] = [r for r in exchange.reviews(hq.admin) if r.field == persons.FIELD]
    assert item.record_uuid == str(second.uuid) and str(first.uuid) in item.kept and item.origin == "BASRA"
    # Not held twice when the same person's bundle comes again.
    assert send(b, hq, tmp / "2b").persons_held == 0
    hq.use()
    with pytest.raises(TrainerError):
        persons.merge_held(hq.admin, item.id, into="00000000-0000-0000-0000-000000000000")
    done = persons.merge_held(hq.admin, item.id)
    assert done.survivor_uuid == str(first.uuid) and done.merged_uuid == str(second.uuid)
    assert persons.held_count() == 0
    with pytest.raises(TrainerError):
        persons.merge_held(hq.admin, item.id)  # decided once
    # The redirect travels: both sites end with the second record merged into the first.
    for site, path in ((b, tmp / "3"), (a, tmp / "4")):
        send(hq, site, path)
        site.use()
        held = _trainees()
        assert held[str(second.uuid)] == ("merged", str(first.uuid))
        assert held[str(first.uuid)][0] != "merged"
        with database.connection_context():
            assert models.Merge.select().count() == 1


def test_a_different_national_id_is_another_person_and_distinct_closes_an_item(world):
    hq, a, b, tmp = world
    a.use()
    create_trainee(a.admin, person(national_id="111111111111"))
    b.use()
    create_trainee(b.admin, person(national_id="222222222222"))
    create_trainee(b.admin, person(national_id="", date_of_birth=person().date_of_birth, phone="+9647701234568"))
    send(a, hq, tmp / "1")
    got = send(b, hq, tmp / "2")
    assert got.persons_held == 1  # the one without an ID; the contradicting ID is someone else
    hq.use()
    [item] = [r for r in exchange.reviews(hq.admin) if r.field == persons.FIELD]
    persons.distinct(hq.admin, item.id)
    assert persons.held_count() == 0
    with database.connection_context():
        assert models.Trainee.select().where(models.Trainee.status == "merged").count() == 0


def test_one_person_with_one_national_id_registered_at_two_sites_is_held_then_merged(world):
    """The common case: both sites typed the person's national ID. Headquarters cannot hold two
    records with one ID: the second is written without it and held as likely the first."""
    hq, a, b, tmp = world
    a.use()
    first = create_trainee(a.admin, person())
    b.use()
    second = create_trainee(b.admin, person())
    send(a, hq, tmp / "1")
    got = send(b, hq, tmp / "2")
    assert got.persons_held == 1
    hq.use()
    [item] = [r for r in exchange.reviews(hq.admin) if r.field == persons.FIELD]
    assert (item.field, item.record_uuid, item.origin) == (persons.FIELD, str(second.uuid), "BASRA")
    assert str(first.uuid) in item.kept and "123456789012" in item.reason
    assert send(b, hq, tmp / "2b").persons_held == 0  # the same bundle again: not held twice
    hq.use()
    persons.merge_held(hq.admin, item.id)
    with database.connection_context():
        T = models.Trainee
        assert T.get(T.uuid == first.uuid).national_id == "123456789012"
        assert T.get(T.uuid == second.uuid).status == "merged"
    # The merge reaches the second site as a redirect, and the ID moves to the survivor there, as
    # at headquarters; the first site never had the second record.
    send(hq, b, tmp / "3")
    b.use()
    assert _trainees()[str(second.uuid)] == ("merged", str(first.uuid))
    with database.connection_context():
        T = models.Trainee
        assert T.get(T.uuid == first.uuid).national_id == "123456789012"
        assert T.get(T.uuid == second.uuid).national_id is None
        assert not models.SyncReview.select().where(models.SyncReview.status == "open").exists()
    send(hq, a, tmp / "4")
    a.use()
    assert _trainees()[str(first.uuid)][0] == "active"
    # The first site receives the second record already merged into its own: the ID stays where it
    # is, and nothing is left for review there.
    assert _trainees()[str(second.uuid)] == ("merged", str(first.uuid))
    with database.connection_context():
        T = models.Trainee
        assert T.get(T.uuid == first.uuid).national_id == "123456789012"
        assert not models.SyncReview.select().where(models.SyncReview.status == "open").exists()
