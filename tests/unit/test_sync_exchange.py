"""Exchange rules one by one (docs/sync.md), headquarters on SQLite and PostgreSQL: a conflicting
national ID kept for review at HQ, a record that cannot be written held with its reason, a peer
clock far ahead refused whole, an unsigned or cut-off bundle refused, and acknowledgements."""

from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from tests.sync_places import hq_and_two_sites, send
from tests.unit.test_trainees import person
from trainer.errors import TrainerError
from trainer.registry.centres import create_centre
from trainer.registry.trainees import create_trainee, get_trainee, update_trainee, with_changes
from trainer.sync import exchange, persons
from trainer.sync.bundle import BundleRefused


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def test_a_national_id_changed_differently_at_two_sites_is_kept_for_review(world):
    hq, a, b, tmp = world
    b.use()
    create_centre(b.admin, "BSR1", "Basra centre", "IQ-NI")
    send(b, hq, tmp / "0")
    send(hq, a, tmp / "0a")
    a.use()
    t = create_trainee(a.admin, person())
    with database.connection_context(), database.atomic():  # registered at Basra's centre: Basra gets them too
        centre = models.Centre.get(models.Centre.code == "BSR1")
        models.Trainee.update(registered_centre=centre.id).where(models.Trainee.id == t.id).execute()
    t = get_trainee(a.admin, t.id)
    send(a, hq, tmp / "1")
    send(hq, b, tmp / "2")
    a.use()
    update_trainee(a.admin, t.id, t.version, with_changes(t, national_id="111111111111"))
    b.use()
    with database.connection_context():
        bid = models.Trainee.get().id
    tb = get_trainee(b.admin, bid)
    update_trainee(b.admin, tb.id, tb.version, with_changes(tb, national_id="222222222222"))
    send(a, hq, tmp / "3")
    got = send(b, hq, tmp / "4")
    assert got.review >= 1
    hq.use()
    items = exchange.reviews(hq.admin)
    assert [(r.table, r.field) for r in items] == [("trainee", "national_id")]
    with database.connection_context():
        kept = models.Trainee.get().national_id
    assert {kept, items[0].held.strip('"')} == {"111111111111", "222222222222"}
    assert items[0].kept.strip('"') == kept


def test_a_person_whose_national_id_is_taken_is_written_without_it_and_held(world):
    """The same ID typed for another name at a site: written without the ID (it is unique), held
    for a person's decision with the ID in the reason; `distinct` keeps both, the ID stays the first's."""
    hq, a, b, tmp = world
    hq.use()
    first = create_trainee(hq.admin, person(national_id="333333333333", given_name="علي"))
    a.use()
    second = create_trainee(a.admin, person(national_id="333333333333"))  # the same ID, offline
    got = send(a, hq, tmp / "1")
    assert got.applied == 1 and got.review == 1 and got.persons_held == 1
    hq.use()
    (item,) = exchange.reviews(hq.admin)
    assert (item.table, item.field, item.record_uuid) == ("trainee", persons.FIELD, str(second.uuid))
    assert "333333333333" in item.reason and str(first.uuid) in item.kept
    with database.connection_context():
        T = models.Trainee
        assert T.get(T.uuid == second.uuid).national_id is None
        assert T.get(T.uuid == first.uuid).national_id == "333333333333"
    persons.distinct(hq.admin, item.id)
    assert exchange.reviews(hq.admin) == []


def test_a_record_that_cannot_be_written_is_held_with_its_reason(world):
    hq, a, b, tmp = world
    hq.use()
    create_trainee(hq.admin, person(national_id="333333333333", given_name="علي"))
    a.use()
    create_trainee(a.admin, person(national_id="333333333333", service_number="SN-1"))
    b.use()
    create_trainee(b.admin, person(national_id="444444444444", service_number="SN-1"))  # another unique key
    send(a, hq, tmp / "1")
    got = send(b, hq, tmp / "2")
    assert got.applied == 1 and got.review == 1
    hq.use()
    [item] = [r for r in exchange.reviews(hq.admin) if r.field != persons.FIELD]
    assert item.table == "trainee" and item.reason.startswith("not applied") and "444444444444" in item.held
    with database.connection_context():
        assert models.Trainee.select().count() == 2


def test_a_clock_far_ahead_is_refused_whole(world):
    hq, a, _b, tmp = world
    a.use()
    with database.connection_context():
        models.SyncClock.create(offset_ms=3 * 24 * 3600 * 1000)
    create_trainee(a.admin, person())
    a.use()
    exchange.export(a.admin, tmp / "ahead", None)
    hq.use()
    with pytest.raises(BundleRefused, match="clock runs 7[12] h ahead"):
        exchange.import_bundle(hq.admin, tmp / "ahead")
    with database.connection_context():
        assert models.SyncChange.select().count() == 0 and models.Trainee.select().count() == 0


def test_cut_off_and_unsigned_bundles_are_refused(world):
    hq, a, _b, tmp = world
    a.use()
    create_trainee(a.admin, person())
    exchange.export(a.admin, tmp / "whole", None)
    data = (tmp / "whole").read_bytes()
    (tmp / "cut").write_bytes(data[: len(data) // 2])
    (tmp / "unsigned").write_bytes(data[:-64])
    hq.use()
    for name, words in (("cut", "cut off"), ("unsigned", "no signature")):
        with pytest.raises(BundleRefused, match=words):
            exchange.import_bundle(hq.admin, tmp / name)


def test_an_export_that_cannot_be_written_names_the_bundle_and_leaves_nothing(world, monkeypatch):
    _hq, a, _b, tmp = world
    a.use()
    create_trainee(a.admin, person())
    with pytest.raises(TrainerError, match=r"usb: no such folder \(the bundle hq.bundle was not written\)"):
        exchange.export(a.admin, tmp / "usb" / "hq.bundle", None)

    def full(*_args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr("trainer.sync.bundle.zlib.compressobj", full)  # the first write after the header
        with pytest.raises(TrainerError, match=r"cannot write the bundle .*hq.bundle: No space left on device"):
            exchange.export(a.admin, tmp / "hq.bundle", None)
    assert sorted(p.name for p in tmp.iterdir() if "bundle" in p.name) == []
    assert exchange.export(a.admin, tmp / "hq.bundle", None).changes == 1  # nothing counted as sent


def test_delivered_means_acknowledged_and_a_lost_bundle_is_covered_by_the_next(world):
    hq, a, _b, tmp = world
    a.use()
    create_trainee(a.admin, person())
    lost = exchange.export(a.admin, tmp / "lost", None)
    assert lost.changes == 1
    create_trainee(a.admin, person(national_id="444444444444", date_of_birth=datetime.date(1980, 1, 1)))
    again = exchange.export(a.admin, tmp / "next", None)
    assert again.changes == 2  # nothing was acknowledged: everything again
    hq.use()
    assert exchange.import_bundle(hq.admin, tmp / "next").applied == 2
    assert exchange.import_bundle(hq.admin, tmp / "lost").applied == 0  # late and replayed: held already
    send(hq, a, tmp / "ack")
    a.use()
    assert exchange.export(a.admin, tmp / "after", None).changes == 0
    st = exchange.status(a.admin)
    assert [(p.code, p.waiting) for p in st.peers] == [("HQ", 0)]


def test_a_record_that_arrives_before_the_record_it_refers_to_is_written_when_that_one_comes(db_url):
    from trainer.sync import log, merge

    def trainee(key: str, n: int, merged_into: str | None) -> list:
        fields = dict(
            uuid=key,
            given_name="علي",
            father_name="حسن",
            grandfather_name="كاظم",
            date_of_birth="1990-01-02",
            force_id="police",
            province_id="IQ-NI",
            national_id=f"55555555555{n}",
            status="merged" if merged_into else "active",
            merged_into_id=merged_into,
        )
        return [n, "ERBIL", n, (1 << 40) + n, "trainee", key, "i", fields]

    child, parent = "01900000-0000-7000-8000-000000000001", "01900000-0000-7000-8000-000000000002"
    first = [log.from_line(trainee(child, 1, parent))]
    with database.connection_context(), database.atomic():
        tally = merge.Tally()
        merge.materialise(merge.log_changes(first, "HQ", tally), "HQ", hq=True, tally=tally)
        merge.retry_waiting("HQ", hq=True, tally=tally)
        assert tally.waiting == [("trainee", child)] and models.Trainee.select().count() == 0
    # The next import brings the parent: the child is written too, pointing at it.
    with database.connection_context(), database.atomic():
        tally = merge.Tally()
        second = [log.from_line(trainee(parent, 2, None))]
        merge.materialise(merge.log_changes(second, "HQ", tally), "HQ", hq=True, tally=tally)
        merge.retry_waiting("HQ", hq=True, tally=tally)
        assert tally.waiting == []
        rows = {str(t.uuid): t.merged_into_id for t in models.Trainee.select()}
        ids = {str(t.uuid): t.id for t in models.Trainee.select()}
    assert rows == {parent: None, child: ids[parent]}
