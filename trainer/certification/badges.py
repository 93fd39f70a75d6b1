"""A certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential, JSON).

The credential is secured with a Data Integrity proof of the `eddsa-jcs-2022`
cryptosuite (W3C VC-DI-EdDSA), signed with the same Ed25519 key as the QR
code; the key is named as a `did:key`, so a verifier needs nothing from us but
the file. As the cryptosuite says, the proof carries the document's
`@context`, and the signed bytes are SHA-256(JCS(proof options)) followed by
SHA-256(JCS(credential)), JCS being RFC 8785 (the `rfc8785` package). `proof`
is an array, as the Open Badges 3.0 schema has it.

Revocation is a W3C Bitstring Status List: each credential names its bit in
the site's status list credential, which `trainer cert status-list` writes as
a signed file for the site to publish at the address in the setting
`badge.status_list_url` (docs/credentials.md).

The holder is identified by a salted SHA-256 hash of their Latin name (an
IdentityObject), never by national ID.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from db import models
from db.connection import database
from trainer.accounts.access import Actor, require
from trainer.certification import signing
from trainer.certification.certificates import CertificateView

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
STATUS_CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
DEFAULT_STATUS_URL = "https://trainer.invalid/credentials/status/1"  # .invalid: a site sets its own
STATUS_BITS = 131_072  # the specification's minimum list length (16 KiB), so one bit tells nothing
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_MULTICODEC = b"\xed\x01"


def base58btc(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def unbase58btc(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + B58.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_key(key: Ed25519PublicKey) -> str:
    return "did:key:z" + base58btc(ED25519_MULTICODEC + signing.raw_public(key))


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON."""
    return rfc8785.dumps(value)


def _stamp(d: datetime.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def credential(
    view: CertificateView, *, salt: str | None = None, status_url: str = DEFAULT_STATUS_URL
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for one certificate."""
    salt = salt or secrets.token_hex(8)
    holder = view.latin_name or view.name
    doc = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{view.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{view.course_title_en} ({view.course_code})",
        "issuer": {"id": "", "type": ["Profile"], "name": view.centre_en or "Training centre"},
        "validFrom": _stamp(view.issued_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": True,
                    "salt": salt,
                    "identityHash": "sha256$" + hashlib.sha256((holder + salt).encode("utf-8")).hexdigest(),
                }
            ],
            "achievement": {
                "id": f"urn:trainer:course:{view.course_code}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": view.course_title_en,
                "description": f"{view.course_title_en} / {view.course_title_ar}".strip(" /"),
                "humanCode": view.course_code,
                "criteria": {
                    "narrative": "Attendance and every assessment passed under the course's pass "
                    "rule as it stood for the cohort."
                },
            },
        },
        "credentialStatus": {
            "id": f"{status_url}#{view.id}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(view.id),
            "statusListCredential": status_url,
        },
        "evidence": [
            {
                "type": ["Evidence"],
                "name": f"Certificate {view.number}",
                "description": f"Verification code {view.verification_code}; cohort {view.cohort_code}",
            }
        ],
    }
    if view.expires_on:
        doc["validUntil"] = _stamp(view.expires_on)
    return doc


def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return hashlib.sha256(jcs(proof_config)).digest() + hashlib.sha256(jcs(document)).digest()


def sign(
    document: dict[str, Any], key: Ed25519PrivateKey | None = None, created: datetime.datetime | None = None
) -> dict[str, Any]:
    """Add the issuer's did:key and an eddsa-jcs-2022 DataIntegrityProof (in a one-element array)."""
    key = key or signing.private_key()
    did = did_key(key.public_key())
    document = {**document, "issuer": _with_id(document["issuer"], did)}
    created = created or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    proof = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": f"{did}#{did[len('did:key:') :]}",
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, proof))
    return {**document, "proof": [{**proof, "proofValue": "z" + base58btc(signature)}]}


def _with_id(issuer: str | dict[str, Any], did: str) -> str | dict[str, Any]:
    return {**issuer, "id": did} if isinstance(issuer, dict) else did


def verify(signed: dict[str, Any]) -> bool:
    """True when the (single) proof matches the document and the did:key inside it."""
    from cryptography.exceptions import InvalidSignature

    proofs = signed.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if len(proofs) != 1 or not isinstance(proofs[0], dict):
        return False
    proof = dict(proofs[0])
    value = proof.pop("proofValue", "")
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or not isinstance(value, str) or not value.startswith("z"):
        return False
    document = {k: v for k, v in signed.items() if k != "proof"}
    if proof.get("@context", document.get("@context")) != document.get("@context"):
        return False
    method = proof.get("verificationMethod", "")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(method, str) or not method.startswith("did:key:z") or method.split("#")[0] != issuer_id:
        return False
    try:
        raw = unbase58btc(method.split("#")[0][len("did:key:z") :])
        if raw[:2] != ED25519_MULTICODEC:
            return False
        Ed25519PublicKey.from_public_bytes(raw[2:]).verify(
            unbase58btc(value[1:]), _hash_data(document, {**proof, "@context": document["@context"]})
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def encode_bits(revoked: Iterable[int], length: int = STATUS_BITS) -> str:
    """A Bitstring Status List's encodedList: bit i (left-most first) set when index i is revoked."""
    indexes = list(revoked)
    size = max(length, (max(indexes, default=0) // 8 + 1) * 8)
    bits = bytearray(size // 8)
    for i in indexes:
        bits[i // 8] |= 0x80 >> (i % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("a status list is multibase base64url (it starts with 'u')")
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


def is_revoked(status_list: dict[str, Any], index: int) -> bool:
    bits = decode_bits(status_list["credentialSubject"]["encodedList"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list(
    revoked: Iterable[int], *, url: str = DEFAULT_STATUS_URL, issuer_name: str = "Training records"
) -> dict[str, Any]:
    """The signed BitstringStatusListCredential that a verifier reads a badge's bit from."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    document = {
        "@context": STATUS_CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": "", "type": ["Profile"], "name": issuer_name},
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked),
        },
    }
    return sign(document, created=now)


STATUS_URL_SETTING = "badge.status_list_url"


def status_list_url(actor: Actor) -> str:
    """Where this site publishes its revocation list (a setting; docs/credentials.md)."""
    from trainer.accounts import settings

    with database.connection_context():
        return str(settings.get(actor, STATUS_URL_SETTING, DEFAULT_STATUS_URL))


def revoked_indexes(actor: Actor) -> tuple[str, list[int]]:
    """(status list URL, the status-list index of every revoked certificate): a badge's index is its id."""
    require(actor, "certificate.read")
    C = models.Certificate
    with database.connection_context():
        ids = [i for (i,) in C.select(C.id).where(C.status == "revoked").tuples()]
    return status_list_url(actor), ids


def export(view: CertificateView, *, status_url: str | None = None) -> str:
    """The signed badge as JSON text; the status list address from this site's setting unless given."""
    if status_url is None:
        from trainer.accounts.access import SYSTEM

        status_url = status_list_url(SYSTEM)
    return json.dumps(sign(credential(view, status_url=status_url)), ensure_ascii=False, indent=2)
