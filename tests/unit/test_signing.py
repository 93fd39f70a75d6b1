"""Ed25519-signed certificate payloads: offline verification refuses any change or forgery."""

from __future__ import annotations

import base64
import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trainer.certification import signing
from trainer.cli import main

CLAIMS = {
    "sub": "IQTC-0000000018",
    "name": "Rebwar Ahmad Kawa",
    "name#ar": "ڕێبوار ئەحمەد کاوە",
    "course": "BPC",
    "iat": 1741910400,  # 2025-03-14
    "exp": 4077129600,  # 2099-03-14
}
LEGACY = {
    "n": "IQTC-0000000018",
    "v": "ABCDE-FGHJK",
    "nm": "Rebwar Ahmad Kawa",
    "na": "ڕێبوار ئەحمەد کاوە",
    "c": "BPC",
    "i": "2025-03-14",
    "e": "2099-03-14",
}


def _reencode(payload: str, **changes) -> str:
    header, body, sig = payload.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    return ".".join((header, signing._b64(signing.canonical(claims)), sig))


def _legacy(claims: dict, key: Ed25519PrivateKey) -> str:
    """A TRC1 payload as certificates printed before the JWS format carried it."""
    body = signing.canonical({**claims, "k": signing.legacy_key_id(key.public_key())})
    return f"TRC1.{signing._b64(body)}.{signing._b64(key.sign(signing.DOMAIN + body))}"


def test_round_trip(private_config):
    payload = signing.sign_claims(CLAIMS)
    checked = signing.verify(payload)
    assert checked.claims == CLAIMS and checked.key_id == signing.key_id(signing.public_key())
    header = json.loads(base64.urlsafe_b64decode(payload.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "kid": checked.key_id, "typ": "JWT"}
    assert (checked.number, checked.issued, checked.expires) == ("IQTC-0000000018", "2025-03-14", "2099-03-14")
    assert len(payload) < 500  # fits a QR code comfortably


def test_a_jose_library_verifies_the_payload_with_the_published_key(private_config):
    """jwcrypto (not the code that signs) checks signature, algorithm and key id from our JWK set."""
    from jwcrypto import jwk, jws

    payload = signing.sign_claims(CLAIMS)
    keys = jwk.JWKSet.from_json(json.dumps({"keys": [signing.public_jwk()]}))
    token = jws.JWS()
    token.deserialize(payload)
    header = token.jose_header
    token.verify(keys.get_key(header["kid"]), alg="EdDSA")
    assert json.loads(token.payload) == CLAIMS
    forged = jws.JWS()
    forged.deserialize(_reencode(payload, exp=4_200_000_000))
    with pytest.raises(jws.InvalidJWSSignature):
        forged.verify(keys.get_key(header["kid"]), alg="EdDSA")


def test_certificates_printed_with_trc1_still_verify(private_config):
    key = signing.private_key()
    checked = signing.verify(_legacy(LEGACY, key))
    assert (checked.number, checked.name_arabic, checked.expires) == ("IQTC-0000000018", LEGACY["na"], "2099-03-14")
    forger = Ed25519PrivateKey.generate()
    body = signing.canonical({**LEGACY, "k": signing.legacy_key_id(key.public_key())})
    with pytest.raises(signing.VerificationFailed, match="changed or forged"):
        signing.verify(f"TRC1.{signing._b64(body)}.{signing._b64(forger.sign(signing.DOMAIN + body))}")


def test_a_changed_payload_is_refused(private_config):
    payload = signing.sign_claims(CLAIMS)
    with pytest.raises(signing.VerificationFailed, match="changed or forged"):
        signing.verify(_reencode(payload, exp=7234560000))  # extended expiry
    with pytest.raises(signing.VerificationFailed, match="changed or forged"):
        signing.verify(_reencode(payload, **{"name#ar": "علي حسن"}))
    with pytest.raises(signing.VerificationFailed):  # one character of the signature
        signing.verify(payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1])
    with pytest.raises(signing.VerificationFailed, match="not a trainer certificate code"):
        signing.verify("https://example.org/cert/1")
    with pytest.raises(signing.VerificationFailed, match="damaged"):
        signing.verify("TRC1.!!!.???")


def test_a_forged_signature_is_refused(private_config):
    forger = Ed25519PrivateKey.generate()
    real_id = signing.key_id(signing.public_key())
    # The forger signs with their own key but names the site's key.
    header = signing._b64(signing.canonical({"alg": "EdDSA", "kid": real_id, "typ": "JWT"}))
    body = signing._b64(signing.canonical(CLAIMS))
    forged = f"{header}.{body}.{signing._b64(forger.sign(f'{header}.{body}'.encode()))}"
    with pytest.raises(signing.VerificationFailed, match="changed or forged"):
        signing.verify(forged)
    # Signed honestly with another key: refused unless that public key is given.
    other = signing.sign_claims(CLAIMS, forger)
    with pytest.raises(signing.VerificationFailed, match="not one of the public keys"):
        signing.verify(other)
    assert signing.verify(other, [forger.public_key(), signing.public_key()]).number == CLAIMS["sub"]


def test_the_key_file_is_private_and_outside_the_database(private_config, monkeypatch):
    monkeypatch.delenv("TRAINER_SIGNING_KEY")
    payload = signing.sign_claims(CLAIMS)
    key = private_config / "trainer" / signing.KEY_FILE
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    public = private_config / "trainer" / signing.PUBLIC_FILE
    assert signing.verify(payload, [signing.load_public_key(public)])
    os.chmod(key, 0o644)
    with pytest.raises(signing.SigningKeyError, match="readable by other users"):
        signing.sign_claims(CLAIMS)
    monkeypatch.setenv("TRAINER_SIGNING_KEY", "not a key")
    with pytest.raises(signing.SigningKeyError, match="TRAINER_SIGNING_KEY is too short"):
        signing.sign_claims(CLAIMS)
    monkeypatch.setenv("TRAINER_SIGNING_KEY", "not a key, though long enough to be one" * 2)
    with pytest.raises(signing.SigningKeyError, match="TRAINER_SIGNING_KEY holds no usable Ed25519 private key"):
        signing.sign_claims(CLAIMS)


def test_cli_verify(private_config, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TRAINER_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no default database here
    payload = signing.sign_claims(CLAIMS)
    assert main(["cert", "verify", payload]) == 0
    out = capsys.readouterr().out
    assert "genuine: certificate IQTC-0000000018" in out and "ڕێبوار ئەحمەد کاوە" in out
    held = tmp_path / "qr.txt"
    held.write_text(payload + "\n", encoding="utf-8")
    assert main(["cert", "verify", str(held)]) == 0
    assert main(["cert", "verify", _reencode(payload, name="Someone Else")]) == 1
    assert "the signature does not match" in capsys.readouterr().err
    # Verifying elsewhere with only the public key file.
    pem = tmp_path / "site.pub"
    key_env = os.environ["TRAINER_SIGNING_KEY"]
    assert main(["cert", "public-key", "--output", str(pem)]) == 0
    monkeypatch.delenv("TRAINER_SIGNING_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert main(["cert", "verify", payload, "--public-key", str(pem)]) == 0
    jwks = tmp_path / "site.jwks.json"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(private_config))
    monkeypatch.setenv("TRAINER_SIGNING_KEY", key_env)
    assert main(["cert", "public-key", "--jwk", "--output", str(jwks)]) == 0
    monkeypatch.delenv("TRAINER_SIGNING_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert main(["cert", "verify", payload, "--public-key", str(jwks)]) == 0
    assert main(["cert", "verify", payload]) == 1
    assert "no public key to verify with" in capsys.readouterr().err
