"""Site identity, trusted peers and per-site certificate number blocks (docs/sync.md), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat

import pytest

from db import models
from db.connection import database
from tests import instructor_fixtures
from tests.instructor_fixtures import D, build, user  # noqa: F401
from trainer.accounts import keys
from trainer.certification import certificates as certs
from trainer.certification import numbers
from trainer.errors import PermissionDenied, TrainerError, ValidationFailed
from trainer.setup import connect
from trainer.sync import identity

pytestmark = pytest.mark.usefixtures("private_config")
private_config = instructor_fixtures.private_config


def _graduate_all(w):
    with database.connection_context():
        models.Enrolment.update(status="graduated").where(models.Enrolment.id.in_(w.enrolments)).execute()


def test_init_once_stores_identity_and_makes_private_key_files(db_url, private_config):
    w = build(trainees=1)
    with pytest.raises(PermissionDenied):
        identity.init(w.instructor, "ERBIL", "Erbil", block=3)
    with pytest.raises(ValidationFailed, match="needs --block"):
        identity.init(w.admin, "ERBIL", "Erbil")
    with pytest.raises(ValidationFailed, match="2-16 letters"):
        identity.init(w.admin, "e", "Erbil", block=3)
    site = identity.init(w.admin, "erbil", "Erbil Training Site", block=3)
    assert (site.code, site.kind, site.block) == ("ERBIL", "site", 3)
    with pytest.raises(ValidationFailed, match="already field site ERBIL"):
        identity.init(w.admin, "HQ", "Baghdad", hq=True)
    for spec in (identity.SIGN_KEY, identity.BOX_KEY):
        path = keys.default_path(spec)
        assert path.parent == private_config / "trainer" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert identity.show(w.admin) == site and identity.number_block() == 3
    with database.connection_context():
        stored = json.loads(models.Setting.get(models.Setting.key == "site.identity").value)
        event = models.AuditEvent.get(models.AuditEvent.entity == "site")
    assert stored["ed25519"] == site.ed25519 and "PRIVATE" not in json.dumps(stored)
    assert (event.action, event.entity_uuid) == ("create", "ERBIL")
    # A key file others can read is refused; a key file replaced by another key is caught.
    path = keys.default_path(identity.SIGN_KEY)
    os.chmod(path, 0o644)
    with pytest.raises(TrainerError, match="readable by other users"):
        identity.show(w.admin)
    os.chmod(path, 0o600)
    path.unlink()
    keys.load(identity.SIGN_KEY)  # a fresh key in its place
    with pytest.raises(TrainerError, match="not the key site ERBIL was made with"):
        identity.show(w.admin)


def test_trust_checks_the_document_and_the_blocks(db_url):
    w = build(trainees=1)
    with pytest.raises(TrainerError, match="not a site yet"):
        identity.trust(w.admin, "ERBIL", _document("ERBIL", 3))
    identity.init(w.admin, "HQ", "Baghdad HQ", hq=True)
    with pytest.raises(ValidationFailed, match="is for site ERBIL, not BASRA"):
        identity.trust(w.admin, "BASRA", _document("ERBIL", 3))
    with pytest.raises(ValidationFailed, match="not JSON"):
        identity.trust(w.admin, "ERBIL", "-----BEGIN PUBLIC KEY-----")
    with pytest.raises(ValidationFailed, match="not a site key document"):
        identity.trust(w.admin, "ERBIL", json.dumps({"keys": []}))
    with pytest.raises(ValidationFailed, match="x25519.*32-byte"):
        identity.trust(w.admin, "ERBIL", _document("ERBIL", 3, x25519="AAAA"))
    # Headquarters takes bundles from sites, a site from headquarters: never hq to hq, site to site.
    with pytest.raises(
        ValidationFailed, match="is headquarters MOSUL; this headquarters exchanges bundles with field sites only"
    ):
        identity.trust(w.admin, "MOSUL", _document("MOSUL", 5, kind="hq"))
    with pytest.raises(ValidationFailed, match="block 0 is already HQ's"):
        identity.trust(w.admin, "ERBIL", _document("ERBIL", 0))
    identity.trust(w.admin, "ERBIL", _document("ERBIL", 3))
    with pytest.raises(ValidationFailed, match="block 3 is already ERBIL's"):
        identity.trust(w.admin, "BASRA", _document("BASRA", 3))
    # One config directory behind two sites gives both the same keys: refused, whoever holds them.
    with pytest.raises(ValidationFailed, match="holds ERBIL's own keys"):
        identity.trust(w.admin, "BASRA", _document("BASRA", 4))
    with pytest.raises(ValidationFailed, match="holds HQ's own keys"):
        identity.trust(w.admin, "BASRA", _document("BASRA", 4, ed25519=identity.current().ed25519))
    identity.trust(w.admin, "BASRA", _document("BASRA", 4, ed25519=_b64(b"\x05" * 32), x25519=_b64(b"\x06" * 32)))
    identity.trust(w.admin, "ERBIL", _document("ERBIL", 3, ed25519=_b64(b"\x07" * 32)))  # a new key replaces
    with pytest.raises(PermissionDenied):
        identity.peers(w.instructor)
    peers = identity.peers(w.admin)
    assert [(p.code, p.block) for p in peers] == [("BASRA", 4), ("ERBIL", 3)]
    assert peers[1].ed25519 == _b64(b"\x07" * 32)
    with database.connection_context():
        actions = [e.action for e in models.AuditEvent.select().where(models.AuditEvent.entity == "site_peer")]
    assert actions == ["create", "create", "update"]


def test_numbers_carry_the_block_and_stay_valid():
    assert numbers.next_in_block(0, None) == "IQTC-0000000018"  # as before any site existed
    assert numbers.next_in_block(0, "IQTC-0000001230") == numbers.format_number(124)
    first = numbers.next_in_block(7, None)
    assert first.startswith("IQTC-07") and numbers.valid_number(first) and numbers.serial_of(first) == 70_000_001
    with pytest.raises(ValueError, match="block 7 is used up"):
        numbers.next_in_block(7, numbers.format_number(79_999_999))
    assert numbers.block_prefix(12) == "IQTC-12"


def test_two_sites_issuing_offline_on_the_same_day_never_collide(db_url, tmp_path):
    """Site A on this backend and site B on its own SQLite file issue the same day, each unaware of
    the other; headquarters would then hold both sets, and they must not share a number."""
    issued = {}
    for name, url, block in (("A", db_url, 1), ("B", f"sqlite:///{tmp_path / 'b.db'}", 2)):
        connect(url)
        w = build(trainees=3)
        _graduate_all(w)
        identity.init(w.admin, f"SITE-{name}", f"Site {name}", block=block)
        issued[name] = [c.number for c in certs.issue_for_cohort(w.admin, w.cohort_id, on=D(2025, 3, 14)).issued]
    a, b = issued["A"], issued["B"]
    assert len(a) == len(b) == 3 and not set(a) & set(b)
    assert all(n.startswith("IQTC-01") for n in a) and all(n.startswith("IQTC-02") for n in b)
    assert all(numbers.valid_number(n) for n in a + b)
    connect(db_url)


def test_a_database_with_older_numbers_continues_in_its_block(db_url):
    w = build(trainees=2)
    _graduate_all(w)
    old = certs.issue(w.admin, w.enrolments[0], on=D(2025, 3, 14))
    assert old.number == "IQTC-0000000018"
    identity.init(w.admin, "MOSUL", "Mosul site", block=5)
    new = certs.issue(w.admin, w.enrolments[1], on=D(2025, 3, 14))
    assert new.number == numbers.format_number(50_000_001)
    assert certs.by_number(w.admin, old.number).id == old.id  # the old number still reads


def _b64(raw: bytes) -> str:
    return identity._b64(raw)


def _document(code: str, block: int, kind: str = "site", **keys_) -> str:
    doc = {"type": "trainer-site-key", "code": code, "kind": kind, "block": block}
    doc["ed25519"] = keys_.get("ed25519", _b64(bytes(range(32))))
    doc["x25519"] = keys_.get("x25519", _b64(bytes(range(1, 33))))
    return json.dumps(doc)


def test_a_site_trusts_headquarters_only(db_url):
    w = build(trainees=1)
    identity.init(w.admin, "NIN", "Ninawa centre", block=7)
    with pytest.raises(
        ValidationFailed, match="is field site KRK; this field site exchanges bundles with headquarters only"
    ):
        identity.trust(w.admin, "KRK", _document("KRK", 8))
    identity.trust(w.admin, "HQ", _document("HQ", 0, kind="hq"))
    assert [(p.code, p.kind) for p in identity.peers(w.admin)] == [("HQ", "hq")]


def test_an_init_that_loses_a_race_is_refused_cleanly(db_url, monkeypatch):
    """Two inits at once: both see no identity, the second insert meets the first's row."""
    w = build(trainees=1)
    identity.init(w.admin, "HQ", "Baghdad HQ", hq=True)
    with monkeypatch.context() as patch:
        patch.setattr(identity, "_read", lambda key: None)
        with pytest.raises(ValidationFailed, match="made a site meanwhile"):
            identity.init(w.admin, "ERBIL", "Erbil", block=3)
    assert identity.current().code == "HQ"
    with database.connection_context():
        assert models.AuditEvent.select().where(models.AuditEvent.entity == "site").count() == 1
