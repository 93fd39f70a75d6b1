"""A certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential, JSON).

The credential is secured with a Data Integrity proof of the `eddsa-jcs-2022`
cryptosuite, signed with the same Ed25519 key as the QR payload; the key is
named as a `did:key`, so a verifier needs nothing from us but the file. The
holder is identified by a salted SHA-256 hash of their Latin name (an
IdentityObject), never by national ID.

JCS (RFC 8785) canonical form is `json.dumps` with sorted keys and no spaces
for what we put in a credential (strings, integers, booleans, nested objects,
ASCII keys): no floats to format.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trainer.certification import signing
from trainer.certification.certificates import CertificateView

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
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


def jcs(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _stamp(d: datetime.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def credential(view: CertificateView, *, salt: str | None = None) -> dict:
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
            "id": f"urn:trainer:certificate:{view.number}",
            "type": "TrainerCertificateStatus",
            "status": view.status,
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


def _hash_data(document: dict, proof_config: dict) -> bytes:
    return hashlib.sha256(jcs(proof_config)).digest() + hashlib.sha256(jcs(document)).digest()


def sign(document: dict, key: Ed25519PrivateKey | None = None, created: datetime.datetime | None = None) -> dict:
    """Add the issuer's did:key and an eddsa-jcs-2022 DataIntegrityProof."""
    key = key or signing.private_key()
    did = did_key(key.public_key())
    document = {**document, "issuer": {**document["issuer"], "id": did}}
    created = created or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": f"{did}#{did[len('did:key:') :]}",
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    signature = key.sign(_hash_data(document, proof))
    proof.pop("@context")
    return {**document, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}


def verify(signed: dict) -> bool:
    """True when the proof matches the document and the did:key inside it."""
    from cryptography.exceptions import InvalidSignature

    proof = dict(signed.get("proof") or {})
    value = proof.pop("proofValue", "")
    if proof.get("cryptosuite") != "eddsa-jcs-2022" or not value.startswith("z"):
        return False
    document = {k: v for k, v in signed.items() if k != "proof"}
    method = proof.get("verificationMethod", "")
    if not method.startswith("did:key:z") or method.split("#")[0] != document.get("issuer", {}).get("id"):
        return False
    raw = unbase58btc(method.split("#")[0][len("did:key:z") :])
    if raw[:2] != ED25519_MULTICODEC:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw[2:]).verify(
            unbase58btc(value[1:]), _hash_data(document, {**proof, "@context": document["@context"]})
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def export(view: CertificateView) -> str:
    return json.dumps(sign(credential(view)), ensure_ascii=False, indent=2)
