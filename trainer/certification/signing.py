"""Signed certificate payloads (Ed25519) that anyone with the public key checks offline.

The private key never enters the database: it is TRAINER_SIGNING_KEY (the
32-byte seed in base64, or a PEM private key), else a 0600 file in the
user's config directory, created on first use beside its public half
(`certificate-signing.pub`, the file to hand to whoever verifies).

A payload is the text a certificate's QR code carries: a JWS in compact
form (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037), a JWT (RFC 7519)
whose claims are only what a checkpoint compares with the holder's papers:

    header  {"alg": "EdDSA", "kid": <RFC 7638 thumbprint of the key>, "typ": "JWT"}
    claims  {"sub": certificate number, "name": holder (Latin), "name#ar": holder (Arabic),
             "course": course code, "iat": issued, "exp": expires (NumericDate, when it expires)}

Any JOSE library verifies it with the site's public key, published as a JWK
set (`trainer cert public-key --jwk`); docs/credentials.md has a worked
example. Certificates printed before this format carry `TRC1.<claims>.<sig>`
(the signature over "trainer-certificate-v1\n" + the claim bytes): those still
verify here, and nothing new is signed that way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trainer.accounts import keys
from trainer.errors import TrainerError
from trainer.text import read_small

KEY_ENV = "TRAINER_SIGNING_KEY"
KEY_FILE = "certificate-signing.key"
PUBLIC_FILE = "certificate-signing.pub"
PREFIX = "TRC1"
DOMAIN = b"trainer-certificate-v1\n"


class SigningKeyError(TrainerError):
    """No usable signing key."""


class VerificationFailed(TrainerError):
    """The payload is not a genuine, unchanged certificate payload."""


@dataclass(frozen=True)
class Verified:
    claims: dict[str, Any]
    key_id: str

    # The same facts whichever format the code came in (JWS now, TRC1 on older prints).
    @property
    def number(self) -> str:
        return str(self.claims.get("sub") or self.claims.get("n") or "")

    @property
    def name_latin(self) -> str:
        return str(self.claims.get("name") or self.claims.get("nm") or "")

    @property
    def name_arabic(self) -> str:
        return str(self.claims.get("name#ar") or self.claims.get("na") or "")

    @property
    def course(self) -> str:
        return str(self.claims.get("course") or self.claims.get("c") or "")

    @property
    def issued(self) -> str:
        return _day(self.claims.get("iat")) or str(self.claims.get("i") or "")

    @property
    def expires(self) -> str | None:
        return _day(self.claims.get("exp")) or self.claims.get("e")


def _day(stamp: object) -> str | None:
    import datetime

    if not isinstance(stamp, int) or isinstance(stamp, bool):
        return None
    try:
        return datetime.datetime.fromtimestamp(stamp, datetime.UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def key_path() -> Path:
    return keys.default_path(SIGNING_KEY)


def public_key_path() -> Path:
    return keys.config_dir() / PUBLIC_FILE


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_key() -> Ed25519PrivateKey:
    """TRAINER_SIGNING_KEY, else the key file (made on first use beside its public half): trainer.accounts.keys."""
    text = keys.load(SIGNING_KEY, key_path).strip()
    return _parse_private(text, KEY_ENV if os.environ.get(KEY_ENV) else str(key_path()))


def _parse_private(text: str, where: str) -> Ed25519PrivateKey:
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return key
        seed = base64.b64decode(text, validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise SigningKeyError(f"{where} holds no usable Ed25519 private key ({exc})") from None


def _new_key() -> str:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode("ascii")


def _write_public(path: Path, pem: str) -> None:
    """Beside a new key file: its public half, the file to hand to whoever verifies."""
    public = _parse_private(pem, str(path)).public_key()
    path.with_name(PUBLIC_FILE).write_bytes(public_pem(public))


SIGNING_KEY = keys.KeySpec(
    "the signing key", KEY_ENV, KEY_FILE, make=_new_key, error=SigningKeyError, created=_write_public
)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_pem(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """The JWK thumbprint (RFC 7638): what a JWS header's "kid" names the key by."""
    members = f'{{"crv":"Ed25519","kty":"OKP","x":"{_b64(raw_public(key))}"}}'
    return _b64(hashlib.sha256(members.encode("ascii")).digest())


def legacy_key_id(key: Ed25519PublicKey) -> str:
    """How TRC1 payloads named the key: 8 hex digits of SHA-256 of the raw key."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:8]


def public_jwk(key: Ed25519PublicKey | None = None) -> dict[str, Any]:
    key = key or public_key()
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64(raw_public(key)),
        "kid": key_id(key),
        "alg": "EdDSA",
        "use": "sig",
    }


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """A public key from a file: PEM, base64 of the raw key, or a JWK (or a JWK set of one key)."""
    data = read_small(path, 64 * 1024, "public key file")
    if data.lstrip().startswith(b"{"):
        return _from_jwk(data, path)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
        except (ValueError, binascii.Error):
            raise VerificationFailed(f"{path} holds no Ed25519 public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationFailed(f"{path} holds no Ed25519 public key")
    return key


def _from_jwk(data: bytes, path: str | Path) -> Ed25519PublicKey:
    try:
        jwk = json.loads(data.decode("utf-8"))
        if isinstance(jwk, dict) and isinstance(jwk.get("keys"), list) and len(jwk["keys"]) == 1:
            jwk = jwk["keys"][0]
        if not (isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519"):
            raise ValueError
        return Ed25519PublicKey.from_public_bytes(_unb64(str(jwk["x"])))
    except (ValueError, KeyError, UnicodeDecodeError, binascii.Error, RecursionError):
        raise VerificationFailed(f"{path} holds no Ed25519 public key (JWK)") from None


def canonical(claims: dict[str, Any]) -> bytes:
    return json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


JWS_HEADER = {"alg": "EdDSA", "typ": "JWT"}


def sign_claims(claims: dict[str, Any], key: Ed25519PrivateKey | None = None) -> str:
    """A compact JWS (EdDSA) of the claims: header.payload.signature, all base64url."""
    key = key or private_key()
    header = _b64(canonical({**JWS_HEADER, "kid": key_id(key.public_key())}))
    body = _b64(canonical({k: v for k, v in claims.items() if v is not None}))
    signing_input = f"{header}.{body}".encode("ascii")
    return f"{header}.{body}.{_b64(key.sign(signing_input))}"


def verify(text: str, keys: list[Ed25519PublicKey] | None = None) -> Verified:
    """The claims of a genuine payload; VerificationFailed (with the reason) otherwise."""
    keys = keys if keys is not None else [public_key()]
    parts = text.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise VerificationFailed("not a trainer certificate code")
    if parts[0] == PREFIX:
        return _verify_legacy(parts, keys)
    try:
        header = json.loads(_unb64(parts[0]).decode("utf-8"))
        claims = json.loads(_unb64(parts[1]).decode("utf-8"))
        signature = _unb64(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise VerificationFailed("not a trainer certificate code") from None
    if not isinstance(header, dict) or header.get("alg") != "EdDSA" or not isinstance(claims, dict):
        raise VerificationFailed("not a trainer certificate code")
    by_id = {key_id(k): k for k in keys}
    key = by_id.get(str(header.get("kid")))
    if key is None:
        raise VerificationFailed(
            f"signed with key {str(header.get('kid'))[:60]!r}, which is not one of the "
            f"public keys given ({', '.join(by_id) or 'none'})"
        )
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        raise VerificationFailed("the signature does not match: the code was changed or forged") from None
    return Verified(claims, header["kid"])


def _verify_legacy(parts: list[str], keys: list[Ed25519PublicKey]) -> Verified:
    try:
        body, signature = _unb64(parts[1]), _unb64(parts[2])
        claims = json.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise VerificationFailed("the certificate code is damaged: it cannot be read") from None
    if not isinstance(claims, dict):
        raise VerificationFailed("the certificate code is damaged: it cannot be read")
    by_id = {legacy_key_id(k): k for k in keys}
    key = by_id.get(str(claims.get("k")))
    if key is None:
        raise VerificationFailed(
            f"signed with key {str(claims.get('k'))[:60]!r}, which is not one of the "
            f"public keys given ({', '.join(by_id) or 'none'})"
        )
    try:
        key.verify(signature, DOMAIN + body)
    except InvalidSignature:
        raise VerificationFailed("the signature does not match: the code was changed or forged") from None
    return Verified(claims, str(claims["k"]))
