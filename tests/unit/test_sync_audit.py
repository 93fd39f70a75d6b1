"""Each site's audit trail travels with its bundles and is checked at headquarters (docs/sync.md,
"Audit across sites"); headquarters on SQLite and PostgreSQL.

A site's events reach headquarters once each (a bundle imported twice adds none, a lost one is
covered by the next); an event altered at the site is reported by name; one altered inside a
bundle, or sent again with other contents, is refused with nothing applied; headquarters' own
copy altered, deleted or rewritten whole is named by site and event by `verify_sites`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from db import models
from db.connection import database
from tests.sync_places import Place, hq_and_two_sites, send
from tests.unit.test_audit import tamper
from tests.unit.test_trainees import person
from trainer.registry.trainees import create_trainee
from trainer.sync import audit_chains, bundle, exchange, identity
from trainer.sync.bundle import BundleRefused


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _events(place: Place) -> list[int]:
    place.use()
    with database.connection_context():
        return [i for (i,) in models.AuditEvent.select(models.AuditEvent.id).order_by(models.AuditEvent.id).tuples()]


def _held(hq: Place, origin: str) -> list[int]:
    hq.use()
    A = models.SyncAuditEvent
    with database.connection_context():
        return [i for (i,) in A.select(A.event_id).where(A.origin == origin).order_by(A.event_id).tuples()]


def _chains(hq: Place) -> dict[str, audit_chains.SiteChain]:
    hq.use()
    return {c.code: c for c in audit_chains.verify_sites()}


def _hq_counts(hq: Place) -> tuple[int, int]:
    hq.use()
    with database.connection_context():
        return models.Trainee.select().count(), models.SyncAuditEvent.select().count()


def test_each_sites_trail_reaches_headquarters_once_and_verifies(world):
    hq, a, b, tmp = world
    a.use()
    create_trainee(a.admin, person())
    b.use()
    create_trainee(b.admin, person(national_id="222222222222"))
    before_export = _events(a)
    got = send(a, hq, tmp / "a1")
    assert got.audit is not None and got.audit.events == len(before_export) and got.audit.breaks == 0
    send(b, hq, tmp / "b1")
    assert _held(hq, "ERBIL") == before_export  # the export's own event travels in the next bundle

    hq.use()
    again = exchange.import_bundle(hq.admin, tmp / "a1")
    assert again.audit is not None and again.audit.events == 0 and again.applied == 0
    chains = _chains(hq)
    assert set(chains) == {"ERBIL", "BASRA"}
    assert chains["ERBIL"].problems == () and chains["ERBIL"].events == len(before_export)
    assert chains["BASRA"].problems == () and chains["BASRA"].events > 0

    # A lost bundle is covered by the next; once headquarters acknowledges, only new events go.
    a.use()
    create_trainee(a.admin, person(national_id="333333333333"))
    exchange.export(a.admin, tmp / "lost", None)
    create_trainee(a.admin, person(national_id="444444444444"))
    got = send(a, hq, tmp / "a2")
    assert _held(hq, "ERBIL") == _events(a)[:-1]
    assert got.audit.events == len(_events(a)) - 1 - len(before_export)
    send(hq, a, tmp / "back")
    a.use()
    with database.connection_context():
        assert models.SyncPeer.get(models.SyncPeer.code == "HQ").audit_acked == _held(hq, "ERBIL")[-1]
    got = send(a, hq, tmp / "a3")
    assert got.audit.events == 2  # the export of a2 and the import of HQ's bundle
    assert _held(hq, "ERBIL") == _events(a)[:-1] and _chains(hq)["ERBIL"].problems == ()


def test_an_event_altered_at_the_site_is_reported_at_headquarters_by_name(world):
    hq, a, _b, tmp = world
    a.use()
    create_trainee(a.admin, person())
    victim = _events(a)[-1]
    tamper('UPDATE "audit_event" SET "detail" = ? WHERE "id" = ?', ('{"after": {"family_name": "x"}}', victim))
    got = send(a, hq, tmp / "a1")
    assert got.audit.breaks == 1 and got.applied > 0
    (problem,) = _chains(hq)["ERBIL"].problems
    assert f"site ERBIL: event #{victim} did not verify at the site" in problem


def _rewrite(a: Place, hq: Place, path: Path, out: Path, edit: Any) -> None:
    """The bundle `path` from site `a`, its lines passed through `edit`, signed again with a's key:
    what someone holding the site's key (or its export code) could send."""
    hq.use()
    lines = list(bundle.read(path, identity.box_key()))
    lines = edit(lines)
    a.use()
    box = identity.public_keys(identity.peer("HQ"))[1]
    bundle.write(
        out, lines, sender="ERBIL", recipient="HQ", sign_key=identity.signing_key(), recipient_box=box, created="x"
    )


def _alter_first_event(lines: list[Any], rehash: bool) -> list[Any]:
    audits = [x for x in lines if isinstance(x, dict) and x.get("kind") == "audit"]
    audits[0]["e"][7] = json.dumps({"after": {"role": "admin"}})
    if rehash:  # a careful forger recomputes the public hashes: the signed head still differs
        h = ""
        for x in audits:
            h = audit_chains.step(h, audit_chains.text(x["e"]))
            x["h"] = h
    return lines


def test_an_event_altered_inside_a_bundle_is_refused_and_nothing_applied(world):
    hq, a, _b, tmp = world
    a.use()
    create_trainee(a.admin, person())
    a.use()
    exchange.export(a.admin, tmp / "a1", None)
    first = _events(a)[0]
    _rewrite(a, hq, tmp / "a1", tmp / "forged", lambda lines: _alter_first_event(lines, rehash=False))
    hq.use()
    with pytest.raises(BundleRefused, match=f"ERBIL's audit event #{first} in this bundle does not follow"):
        exchange.import_bundle(hq.admin, tmp / "forged")
    assert _hq_counts(hq) == (0, 0)

    _rewrite(a, hq, tmp / "a1", tmp / "forged2", lambda lines: _alter_first_event(lines, rehash=True))
    hq.use()
    with pytest.raises(BundleRefused, match="ERBIL's audit events up to #[0-9]+ do not match the head it signed"):
        exchange.import_bundle(hq.admin, tmp / "forged2")
    assert _hq_counts(hq) == (0, 0)

    # The untouched bundle goes in; the same history sent again with an event rewritten is refused.
    hq.use()
    exchange.import_bundle(hq.admin, tmp / "a1")
    a.use()
    tamper('UPDATE "audit_event" SET "detail" = ? WHERE "id" = ?', ("{}", first))
    a.use()
    exchange.export(a.admin, tmp / "a2", None)  # headquarters has acknowledged nothing yet: all again
    hq.use()
    trainees, held = _hq_counts(hq)
    with pytest.raises(BundleRefused, match=f"ERBIL's audit event #{first} differs from the copy headquarters holds"):
        exchange.import_bundle(hq.admin, tmp / "a2")
    assert _hq_counts(hq) == (trainees, held)


def test_headquarters_copy_altered_deleted_or_rewritten_is_named(world):
    hq, a, _b, tmp = world
    a.use()
    for n in range(3):
        create_trainee(a.admin, person(national_id=f"55555555555{n}"))
    send(a, hq, tmp / "a1")
    ids = _held(hq, "ERBIL")
    assert len(ids) >= 4 and _chains(hq)["ERBIL"].problems == ()
    A = models.SyncAuditEvent
    hq.use()
    with database.connection_context():
        original = A.get((A.origin == "ERBIL") & (A.event_id == ids[1])).event
        event = json.loads(original)
        event[3] = "mallory"  # who did it
        A.update(event=audit_chains.text(event).decode()).where(A.event_id == ids[1]).execute()
    problems = _chains(hq)["ERBIL"].problems
    assert problems == (
        f"site ERBIL: event #{ids[1]} does not follow event #{ids[0]} in the copy held here: "
        "altered, or events between them deleted",
    )

    hq.use()
    with database.connection_context():
        A.update(event=original).where(A.event_id == ids[1]).execute()
        A.delete().where(A.event_id == ids[2]).execute()
    (problem,) = _chains(hq)["ERBIL"].problems
    assert f"event #{ids[3]} does not follow event #{ids[1]}" in problem

    # Rewritten whole (every hash recomputed after the edit): the head the site signed still tells.
    hq.use()
    with database.connection_context():
        rows = list(A.select().where(A.origin == "ERBIL").order_by(A.event_id))
        h = ""
        for row in rows:
            h = audit_chains.step(h, row.event.encode())
            A.update(hash=h).where(A.id == row.id).execute()
    (problem,) = _chains(hq)["ERBIL"].problems
    assert f"site ERBIL: the events held here between #1 and #{ids[-1]} do not match the head" in problem
