"""The certificate PDF read back for real: its text, its QR code, and the badge export."""

from __future__ import annotations

import json

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.certification import badges, certificates, signing
from trainer.certification import pdf as certificate_pdf
from trainer.cli import main
from trainer.errors import TrainerError

pytestmark = pytest.mark.usefixtures("private_config")


def _issued(trainees: int = 3):
    w = build(trainees=trainees)
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    return w, certificates.issue_for_cohort(w.admin, w.cohort_id, on=D(2025, 3, 14)).issued


def _qr_text(pdf_bytes: bytes) -> str:
    import pypdfium2
    import zxingcpp

    page = pypdfium2.PdfDocument(pdf_bytes)[0]
    # Only QR codes: lines of Latin text can pass for a 1-D barcode to a scanner.
    found = zxingcpp.read_barcodes(page.render(scale=3).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return found[0].text


def test_the_pdf_holds_the_number_the_names_and_a_qr_that_verifies(sqlite_url):
    import io

    from pypdf import PdfReader

    _, issued = _issued()
    rebwar = issued[2]
    assert rebwar.name == "ڕێبوار ئەحمەد کاوە"  # Kurdish letters: ڕ ێ ە ک
    data = certificate_pdf.render(rebwar, certificates.payload(rebwar))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        rebwar.number,
        rebwar.verification_code,
        "Rebwar Ahmad Kawa",
        rebwar.name,
        "Basic Police Course",
        "دورة الشرطة الأساسية",
        "Certificate of Completion",
    ):
        assert expected in text, expected
    scanned = _qr_text(data)
    checked = signing.verify(scanned)
    assert (checked.number, checked.name_latin, checked.name_arabic) == (
        rebwar.number,
        "Rebwar Ahmad Kawa",
        rebwar.name,
    )
    # A partner's phone app: any JOSE library (jwcrypto here, not our code) with our published JWK set.
    from jwcrypto import jwk, jws

    token = jws.JWS()
    token.deserialize(scanned)
    keys = jwk.JWKSet.from_json(json.dumps({"keys": [signing.public_jwk()]}))
    token.verify(keys.get_key(token.jose_header["kid"]), alg="EdDSA")
    claims = json.loads(token.payload)
    assert claims["sub"] == rebwar.number and claims["name#ar"] == rebwar.name
    assert set(claims) <= {"sub", "name", "name#ar", "course", "iat", "exp"}  # nothing a checkpoint needn't see
    # A tampered payload (another name put into the same code) does not verify.
    forged = signing._b64(signing.canonical({**claims, "name": "Somebody Else"}))
    header, _, sig = scanned.split(".")
    with pytest.raises(signing.VerificationFailed):
        signing.verify(f"{header}.{forged}.{sig}")


def test_a_revoked_certificate_gets_no_pdf(sqlite_url):
    w, issued = _issued(1)
    revoked = certificates.revoke(w.admin, issued[0].id, "issued in error")
    with pytest.raises(TrainerError, match="revoked: issued in error"):
        certificates.payload(revoked)


def test_cli_pdf_and_badge(sqlite_url, tmp_path, capsys, monkeypatch):
    from trainer.accounts.users import hash_password

    w, issued = _issued(1)
    with database.connection_context():
        models.User.update(password_hash=hash_password("manager-pass")).where(
            models.User.username == "manager"
        ).execute()
    monkeypatch.setenv("TRAINER_PASSWORD", "manager-pass")
    out = tmp_path / "cert.pdf"
    base = ["--db", sqlite_url, "--user", "manager", "cert"]
    assert main([*base, "pdf", issued[0].number, "--output", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and _qr_text(out.read_bytes()).startswith("eyJ")
    assert main([*base, "pdf", "IQTC-0000000011"]) == 1
    assert "check digit" in capsys.readouterr().err
    badge_path = tmp_path / "badge.json"
    assert main([*base, "badge", issued[0].number, "--output", str(badge_path)]) == 0
    badge = json.loads(badge_path.read_text(encoding="utf-8"))
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["credentialSubject"]["achievement"]["humanCode"] == "BPC"
    assert badge["validUntil"] == "2026-03-14T00:00:00Z" and badge["issuer"]["id"].startswith("did:key:z6Mk")
    assert badges.verify(badge) and badge["proof"][0]["@context"] == badge["@context"]
    assert badge["credentialStatus"]["type"] == "BitstringStatusListEntry"
    badge["validUntil"] = "2036-03-14T00:00:00Z"
    assert not badges.verify(badge)
    assert main([*base, "expiring", "--days", "90"]) == 0
    assert "0 certificates expire within 90 days" in capsys.readouterr().out  # the test clock is past 2026-03


def _pdftoppm() -> str:
    import os
    import shutil

    found = shutil.which("pdftoppm")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must render with poppler: .ci/run installs poppler-utils (pdftoppm)")
        pytest.skip("poppler's pdftoppm is needed: apt-get install poppler-utils")
    return found


def test_a_phone_app_verifies_the_qr_of_a_poppler_rendered_pdf(db_url, tmp_path):
    """Another renderer (poppler), a scanner (zxing-cpp), then two verifiers that share no code with our
    signer's JWS handling: jwcrypto with the published JWK set, and the openssl command on the raw
    Ed25519 signature with the published PEM. docs/credentials.md has the worked example."""
    import base64
    import subprocess

    import zxingcpp
    from jwcrypto import jwk, jws
    from PIL import Image

    _, issued = _issued(1)
    (tmp_path / "cert.pdf").write_bytes(certificate_pdf.render(issued[0], certificates.payload(issued[0])))
    subprocess.run([_pdftoppm(), "-r", "200", "-png", "-singlefile", "cert.pdf", "page"], cwd=tmp_path, check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    scanned = found[0].text
    header_b64, payload_b64, sig_b64 = scanned.split(".")

    keys = jwk.JWKSet.from_json(json.dumps({"keys": [signing.public_jwk()]}))
    token = jws.JWS()
    token.deserialize(scanned)
    token.verify(keys.get_key(token.jose_header["kid"]), alg="EdDSA")
    claims = json.loads(token.payload)
    assert (claims["sub"], claims["name"], claims["name#ar"]) == (
        issued[0].number,
        issued[0].latin_name,
        issued[0].name,
    )

    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    (tmp_path / "site.pem").write_bytes(signing.public_pem())
    (tmp_path / "signed").write_bytes(f"{header_b64}.{payload_b64}".encode("ascii"))
    (tmp_path / "sig").write_bytes(unb64(sig_b64))
    openssl = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "site.pem", "-rawin", "-in", "signed"]
    done = subprocess.run([*openssl, "-sigfile", "sig"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stderr
    # One changed claim and neither accepts it.
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "name": "Somebody Else"}).encode()).rstrip(b"=")
    (tmp_path / "signed").write_bytes(f"{header_b64}.".encode("ascii") + forged)
    assert subprocess.run([*openssl, "-sigfile", "sig"], cwd=tmp_path, capture_output=True).returncode != 0
    token = jws.JWS()
    token.deserialize(f"{header_b64}.{forged.decode()}.{sig_b64}")
    with pytest.raises(jws.InvalidJWSSignature):
        token.verify(keys.get_key(token.jose_header["kid"]), alg="EdDSA")
