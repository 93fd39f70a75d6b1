"""Units made at two sites (docs/sync.md): two sites import rosters naming the same unit offline;
headquarters keeps the one it held first and makes the other its alias, which travels, so every
database ends with one unit and every assignment on it, whatever order the bundles come in.
Headquarters on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.fixtures.make_roster import make_rows, write_roster
from tests.sync_places import hq_and_two_sites, send
from trainer.rosters import imports
from trainer.sync import exchange

CODE = "army:3 Bn"


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _roster(place, tmp, seed, id_start):
    """Three persons of the army's 3 Bn (another unit for the last), imported at `place`."""
    rows = make_rows(3, seed=seed, id_start=id_start)
    for r in rows:
        r.update(force="army", unit="3 Bn")
    rows[-1]["unit"] = f"{place.code} Coy"  # a unit only this site names: travels as it is
    place.use()
    imports.import_trainees(place.admin, write_roster(tmp / f"{place.code}.csv", rows))
    with database.connection_context():
        return str(models.Unit.get(models.Unit.code == CODE).uuid)


def _held():
    """(uuid of each unit of CODE, {assignment uuid: its unit's code}, open reviews, waiting)."""
    with database.connection_context():
        U, A, R = models.Unit, models.UnitAssignment, models.SyncReview
        units = [str(u) for (u,) in U.select(U.uuid).where(U.code == CODE).tuples()]
        assigned = {str(a): c for a, c in A.select(A.uuid, U.code).join(U).tuples()}
        open_, waiting = (R.select().where(R.status == s).count() for s in ("open", "waiting"))
        return units, assigned, open_, waiting


ORDERS = {
    "erbil-first": ["a>hq", "b>hq", "hq>a", "hq>b"],
    "basra-first": ["b>hq", "a>hq", "hq>b", "hq>a"],
    # Basra gets Erbil's unit before headquarters knows Basra's: it waits, then takes the alias.
    "hq-between": ["a>hq", "hq>b", "hq>a", "b>hq", "hq>b", "hq>a"],
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_one_unit_made_at_two_sites_is_one_unit_everywhere(world, order):
    hq, a, b, tmp = world
    made = {"a": _roster(a, tmp, 1, 100_000_000_000), "b": _roster(b, tmp, 2, 200_000_000_000)}
    assert made["a"] != made["b"]
    places = {"a": a, "b": b, "hq": hq}
    for n, step in enumerate(ORDERS[order]):
        sender, recipient = step.split(">")
        got = send(places[sender], places[recipient], tmp / f"{n}.bundle")
        assert got.review == 0, step  # never a review item: the same unit is recognised
    kept = made[ORDERS[order][0][0]]  # the unit headquarters held first
    lost = made["b" if kept == made["a"] else "a"]
    everywhere = {}
    for name, place in places.items():
        place.use()
        units, assigned, reviews, waiting = _held()
        assert units == [kept], name
        assert (reviews, waiting) == (0, 0), name
        assert list(assigned.values()).count(CODE) == (4 if name == "hq" else 2), name
        everywhere[name] = assigned
        with database.connection_context():
            alias = models.UnitAlias.get()
            assert (str(alias.uuid), str(alias.unit.uuid), alias.code) == (lost, kept, CODE)
    # Headquarters holds every assignment; each site its own persons', the same rows.
    assert everywhere["hq"] == everywhere["a"] | everywhere["b"]
    assert len(everywhere["hq"]) == 6 and {f"army:{p.code} Coy" for p in (a, b)} <= set(everywhere["hq"].values())


def test_a_change_to_the_aliased_unit_elsewhere_is_not_applied_and_the_kept_one_travels(world):
    """After the alias: the site that made the second unit edits it (now the kept one), and the
    edit reaches headquarters and the other site; the alias stays."""
    hq, a, b, tmp = world
    _roster(a, tmp, 1, 100_000_000_000)
    _roster(b, tmp, 2, 200_000_000_000)
    for n, (s, r) in enumerate(((a, hq), (b, hq), (hq, a), (hq, b))):
        send(s, r, tmp / f"{n}.bundle")
    b.use()
    with database.connection_context():
        U = models.Unit
        U.update(name="3rd Battalion", version=U.version + 1).where(U.code == CODE).execute()
    send(b, hq, tmp / "5.bundle")
    send(hq, a, tmp / "6.bundle")
    for place in (hq, a, b):
        place.use()
        with database.connection_context():
            assert [u.name for u in models.Unit.select().where(models.Unit.code == CODE)] == ["3rd Battalion"]
        assert exchange.status(place.admin).review == 0
