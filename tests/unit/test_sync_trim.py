"""Trimming the change log (docs/sync.md, "Trimming the change log"), headquarters on SQLite and
PostgreSQL: only updates every peer has acknowledged and later changes override are emptied;
records stay as they were, a replayed bundle is still "already held", and the exchange goes on
converging after a trim."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.sync_places import Place, hq_and_two_sites, send
from tests.unit.test_trainees import person
from trainer.registry.trainees import create_trainee, get_trainee, update_trainee, with_changes
from trainer.sync import exchange, trim


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _names(place: Place) -> dict[str, str]:
    place.use()
    with database.connection_context():
        return {str(t.uuid): t.given_name for t in models.Trainee.select()}


def _log(place: Place) -> tuple[int, int]:
    """(log rows, emptied updates)."""
    place.use()
    C = models.SyncChange
    with database.connection_context():
        return C.select().count(), C.select().where((C.op == "u") & (C.fields == "{}")).count()


def test_only_acknowledged_overridden_updates_go_and_nothing_else_changes(world):
    hq, a, b, tmp = world
    a.use()
    t = create_trainee(a.admin, person())
    for name in ("Ali", "Omar", "Zaid"):
        t = update_trainee(a.admin, t.id, t.version, with_changes(t, given_name=name))
    assert trim.trim(a.admin).emptied == 0  # headquarters has acknowledged nothing yet

    send(a, hq, tmp / "a1")
    send(hq, a, tmp / "h1")  # headquarters acknowledges Erbil's positions
    rows = _log(a)[0]
    done = trim.trim(a.admin)
    assert done.emptied == 2 and _log(a) == (rows, 2)  # the Ali and Omar updates; Zaid's stays
    assert _names(a) == {t.uuid: "Zaid"}

    # Headquarters trims once both sites have acknowledged; Basra's records are untouched.
    send(a, hq, tmp / "a1-ack")  # Erbil acknowledges headquarters' positions
    assert trim.trim(hq.admin).emptied == 0  # Basra has acknowledged nothing
    send(hq, b, tmp / "h-b")
    send(b, hq, tmp / "b1")
    send(hq, b, tmp / "h-b2")
    send(b, hq, tmp / "b2")
    hq.use()
    assert trim.trim(hq.admin).emptied == 2
    assert _names(hq) == {t.uuid: "Zaid"}

    # Erbil's first bundle replayed at headquarters: already held, nothing changed.
    hq.use()
    again = exchange.import_bundle(hq.admin, tmp / "a1")
    assert again.applied == 0 and _names(hq) == {t.uuid: "Zaid"}
    # And the exchange goes on: a later change reaches headquarters and comes back.
    a.use()
    t = get_trainee(a.admin, t.id)
    update_trainee(a.admin, t.id, t.version, with_changes(t, given_name="Yusuf"))
    send(a, hq, tmp / "a2")
    assert _names(hq) == {t.uuid: "Yusuf"} == _names(a)
