"""Open Badges a stranger can verify: the OB 3.0 data model, and Digital Bazaar's verifier.

The verifier is tests/node/verify-credential.mjs: @digitalbazaar/vc with the eddsa-jcs-2022
cryptosuite and their Bitstring Status List library, installed by `.ci/run`
(`npm ci --prefix tests/node`). Outside CI, without Node.js or those packages, the Node test
says so and is skipped; in CI a missing verifier fails it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema  # the test extra: a missing one fails, never skips
import pytest

from tests.instructor_fixtures import build
from trainer.certification import badges, certificates

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "ob3" / "openbadgecredential.schema.json"
VERIFIER = ROOT / "tests" / "node" / "verify-credential.mjs"
URL = "https://training.example.org/credentials/status/1"


def _issued(trainees: int):
    """Certificates issued today, so that they are within their validity for any verifier."""
    import datetime

    from db import models
    from db.connection import database

    w = build(trainees=trainees)
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    return w, certificates.issue_for_cohort(w.admin, w.cohort_id, on=datetime.date.today()).issued


def node_verifier() -> str:
    node = shutil.which("node")
    ready = node and (ROOT / "tests" / "node" / "node_modules" / "@digitalbazaar" / "vc").is_dir()
    if not ready:
        if os.environ.get("CI"):
            pytest.fail("CI must run the independent verifier: .ci/run installs tests/node (npm ci)")
        pytest.skip("Node.js and tests/node's packages are needed: npm ci --prefix tests/node")
    return str(node)


def verify_with_node(tmp_path: Path, badge: dict, status: dict) -> dict:
    (tmp_path / "badge.json").write_text(json.dumps(badge), encoding="utf-8")
    (tmp_path / "status.json").write_text(json.dumps(status), encoding="utf-8")
    done = subprocess.run(
        [node_verifier(), str(VERIFIER), str(tmp_path / "badge.json"), str(tmp_path / "status.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_badge_fits_the_open_badges_data_model(db_url, private_config):
    _, issued = _issued(1)
    badge = json.loads(badges.export(issued[0], status_url=URL))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(badge, schema)
    assert badge["credentialStatus"] == {
        "id": f"{URL}#{issued[0].id}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(issued[0].id),
        "statusListCredential": URL,
    }
    broken = {**badge, "proof": badge["proof"][0]}  # a bare object, as before
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    # The identity is one of the data model's identifier types, hashed as it prescribes.
    identity = badge["credentialSubject"]["identifier"][0]
    assert identity["identityType"] == "name" and identity["identityHash"].startswith("sha256$")
    for wrong in ({"identityType": "nationalId"}, {"identityHash": "sha1$00ff"}, {"nationalId": "1234"}):
        subject = {**badge["credentialSubject"], "identifier": [{**identity, **wrong}]}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**badge, "credentialSubject": subject}, schema)


def test_an_independent_verifier_accepts_the_badge_and_reads_its_revocation(db_url, private_config, tmp_path):
    w, issued = _issued(2)
    badge = json.loads(badges.export(issued[0], status_url=URL))
    url, revoked = badges.revoked_indexes(w.admin)
    assert revoked == []
    status = badges.status_list(revoked, url=URL)
    assert verify_with_node(tmp_path, badge, status) == {"verified": True, "revoked": False, "error": None}
    # Revoked at the site: the next published list flips the badge's bit.
    clean = status
    certificates.revoke(w.admin, issued[0].id, "issued in error")
    _, revoked = badges.revoked_indexes(w.admin)
    assert revoked == [issued[0].id]
    status = badges.status_list(revoked, url=URL)
    assert badges.is_revoked(status, issued[0].id) and not badges.is_revoked(status, issued[1].id)
    assert verify_with_node(tmp_path, badge, status)["revoked"] is True
    # A forged list (the bit cleared, the signature kept) is refused, not read as "not revoked".
    forged = json.loads(json.dumps(status))
    forged["credentialSubject"]["encodedList"] = clean["credentialSubject"]["encodedList"]
    result = verify_with_node(tmp_path, badge, forged)
    assert result["verified"] is False and "BitstringStatusListCredential" in result["error"], result
    # A changed credential no longer verifies.
    tampered = json.loads(json.dumps(badge))
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Investigations"
    result = verify_with_node(tmp_path, tampered, status)
    assert result["verified"] is False and "signature" in result["error"].lower()


def test_cli_status_list_and_jwk(db_url, private_config, tmp_path, capsys, monkeypatch):
    from db import models
    from db.connection import database
    from trainer.accounts.users import hash_password
    from trainer.cli import main

    w, issued = _issued(1)
    with database.connection_context():
        models.User.update(password_hash=hash_password("manager-pass")).where(
            models.User.username == "manager"
        ).execute()
    monkeypatch.setenv("TRAINER_PASSWORD", "manager-pass")
    out = tmp_path / "status.json"
    assert main(["--db", db_url, "--user", "manager", "cert", "status-list", "--output", str(out)]) == 0
    status = json.loads(out.read_text(encoding="utf-8"))
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"] and badges.verify(status)
    assert len(badges.decode_bits(status["credentialSubject"]["encodedList"])) * 8 >= badges.STATUS_BITS
    assert "publish it at https://trainer.invalid/" in capsys.readouterr().out
