"""Signed certificate payloads (Ed25519) that anyone with the public key checks offline.

The private key never enters the database: it is TRAINER_SIGNING_KEY (the
32-byte seed in base64, or a PEM private key), else a 0600 file in the
user's config directory, created on first use beside its public half
(`certificate-signing.pub`, the file to hand to whoever verifies).

A payload is the text a certificate's QR code carries:

    TRC1.<base64url of the claims as compact JSON>.<base64url of the signature>

The signature covers a fixed prefix plus the exact claim bytes, so any
changed character, a forged signature or a key other than the expected one
is refused. The claims carry the key's id so a verifier holding several
public keys (after a key change) picks the right one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trainer.accounts import keys
from trainer.errors import TrainerError

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
    claims: dict
    key_id: str


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
    where = KEY_ENV if os.environ.get(KEY_ENV) else str(key_path())
    return _parse_private(keys.load(SIGNING_KEY, key_path()).strip(), where)


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
    return hashlib.sha256(raw_public(key)).hexdigest()[:8]


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    data = Path(path).read_bytes()
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


def canonical(claims: dict) -> bytes:
    return json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_claims(claims: dict, key: Ed25519PrivateKey | None = None) -> str:
    key = key or private_key()
    body = canonical({**claims, "k": key_id(key.public_key())})
    return f"{PREFIX}.{_b64(body)}.{_b64(key.sign(DOMAIN + body))}"


def verify(text: str, keys: list[Ed25519PublicKey] | None = None) -> Verified:
    """The claims of a genuine payload; VerificationFailed (with the reason) otherwise."""
    keys = keys if keys is not None else [public_key()]
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise VerificationFailed("not a trainer certificate code")
    try:
        body, signature = _unb64(parts[1]), _unb64(parts[2])
        claims = json.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise VerificationFailed("the certificate code is damaged: it cannot be read") from None
    if not isinstance(claims, dict):
        raise VerificationFailed("the certificate code is damaged: it cannot be read")
    by_id = {key_id(k): k for k in keys}
    key = by_id.get(claims.get("k"))
    if key is None:
        raise VerificationFailed(
            f"signed with key {claims.get('k')!r}, which is not one of the "
            f"public keys given ({', '.join(by_id) or 'none'})"
        )
    try:
        key.verify(signature, DOMAIN + body)
    except InvalidSignature:
        raise VerificationFailed("the signature does not match: the code was changed or forged") from None
    return Verified(claims, claims["k"])
