"""This database's site identity, its two key pairs, and the peers it trusts (docs/sync.md).

The identity (code, name, kind, number block) and each trusted peer are rows of the
`setting` table (`site.identity`, `site.peer.CODE`): a handful of small JSON values that
need no schema of their own. The private keys live outside the database, in the config
directory, under trainer.accounts.keys's rules (0600, created once, refused when others can
read them): an Ed25519 key to sign bundles and an X25519 key others encrypt bundles to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from peewee import IntegrityError

from db import models
from db.connection import database
from trainer.accounts import audit, keys
from trainer.accounts.access import Actor, require
from trainer.errors import FieldProblem, TrainerError, ValidationFailed

_Key = TypeVar("_Key", bound=Ed25519PrivateKey | X25519PrivateKey, covariant=True)


class _KeyClass(Protocol[_Key]):
    """Ed25519PrivateKey or X25519PrivateKey, the class: what `_private` reads a key file as."""

    def from_private_bytes(self, data: bytes) -> _Key: ...


IDENTITY_KEY, PEER_PREFIX = "site.identity", "site.peer."
KINDS = ("site", "hq")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
MAX_BLOCK = 99  # two leading serial digits (trainer.certification.numbers)
DOCUMENT_TYPE = "trainer-site-key"


class SiteKeyError(TrainerError):
    """A site key file missing, unreadable or not a key."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> str:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return _b64(raw) + "\n"  # 43 characters: passes keys.MIN_CHARS


SIGN_KEY = keys.KeySpec(
    "the site signing key",
    "TRAINER_SITE_SIGN_KEY",
    "site-ed25519.key",
    make=lambda: _raw_private(Ed25519PrivateKey.generate()),
    error=SiteKeyError,
)
BOX_KEY = keys.KeySpec(
    "the site encryption key",
    "TRAINER_SITE_BOX_KEY",
    "site-x25519.key",
    make=lambda: _raw_private(X25519PrivateKey.generate()),
    error=SiteKeyError,
)


def _private(spec: keys.KeySpec, cls: _KeyClass[_Key], *, create: bool) -> _Key:
    text = keys.load(spec, create=create).strip()
    try:
        return cls.from_private_bytes(_unb64(text))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise SiteKeyError(f"{spec.what} ({spec.env} or {keys.default_path(spec)}) is not a key ({exc})") from None


def _public_raw(key: Ed25519PrivateKey | X25519PrivateKey) -> str:
    return _b64(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def fingerprint(public_b64: str) -> str:
    """The first 16 bytes of SHA-256 of the raw public key, hex in groups of four (read aloud)."""
    digest = hashlib.sha256(_unb64(public_b64)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    kind: str  # "site" or "hq"
    block: int  # certificate serial block: 0 at headquarters, 1..99 at field sites
    ed25519: str  # public keys, base64url
    x25519: str

    def document(self) -> dict[str, Any]:
        """The public-key document handed to peers."""
        return {
            "type": DOCUMENT_TYPE,
            "code": self.code,
            "kind": self.kind,
            "block": self.block,
            "ed25519": self.ed25519,
            "x25519": self.x25519,
        }


def kind_name(kind: str) -> str:
    return "headquarters" if kind == "hq" else "field site"


def _site(value: dict[str, Any]) -> Site:
    return Site(value["code"], value.get("name", ""), value["kind"], value["block"], value["ed25519"], value["x25519"])


def _read(key: str) -> dict[str, Any] | None:
    row = models.Setting.get_or_none(models.Setting.key == key)
    return json.loads(row.value) if row else None


def current() -> Site | None:
    """This database's identity; None until `trainer site init`."""
    with database.connection_context():
        value = _read(IDENTITY_KEY)
    return _site(value) if value else None


def _check_code(code: str) -> str:
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise ValidationFailed([FieldProblem("code", f"{code!r}: 2-16 letters, digits or '-', starting with a letter")])
    return code


def init(actor: Actor, code: str, name: str, *, hq: bool = False, block: int | None = None) -> Site:
    """Make this database a site (or the headquarters), once; create its key pairs."""
    require(actor, "site.manage")
    code, name = _check_code(code), " ".join(name.split())
    if not name:
        raise ValidationFailed([FieldProblem("name", "a site needs a name")])
    if hq:
        if block not in (None, 0):
            raise ValidationFailed([FieldProblem("block", "the headquarters issues from block 0")])
        block = 0
    elif block is None or not 1 <= block <= MAX_BLOCK:
        raise ValidationFailed([FieldProblem("block", f"a field site needs --block 1 to {MAX_BLOCK}, given by HQ")])
    with database.connection_context(), database.atomic():
        existing = _read(IDENTITY_KEY)
        if existing:
            raise ValidationFailed(
                [FieldProblem("site", f"this database is already {kind_name(existing['kind'])} {existing['code']}")]
            )
        sign = _private(SIGN_KEY, Ed25519PrivateKey, create=True)
        box = _private(BOX_KEY, X25519PrivateKey, create=True)
        site = Site(code, name, "hq" if hq else "site", block, _public_raw(sign), _public_raw(box))
        value = {**site.document(), "name": name}
        del value["type"]
        try:
            with database.atomic():  # a savepoint: an init racing this one wins, this one is refused
                models.Setting.insert(key=IDENTITY_KEY, value=json.dumps(value, ensure_ascii=False)).execute()
        except IntegrityError:
            raise ValidationFailed([FieldProblem("site", "this database was made a site meanwhile")]) from None
        audit.record(actor, "create", "site", code, after=value)
    return site


def show(actor: Actor) -> Site:
    """The identity, its private keys checked against the public halves stored at init."""
    require(actor, "site.manage")
    site = current()
    if site is None:
        raise TrainerError("this database is not a site yet: run `trainer site init CODE --name NAME`")
    pairs: tuple[tuple[keys.KeySpec, _KeyClass[Ed25519PrivateKey | X25519PrivateKey], str], ...] = (
        (SIGN_KEY, Ed25519PrivateKey, site.ed25519),
        (BOX_KEY, X25519PrivateKey, site.x25519),
    )
    for spec, cls, public in pairs:
        if _public_raw(_private(spec, cls, create=False)) != public:
            raise SiteKeyError(f"{spec.what} ({keys.default_path(spec)}) is not the key site {site.code} was made with")
    return site


def public_document(actor: Actor) -> dict[str, Any]:
    return show(actor).document()


def parse_document(text: str, where: str) -> dict[str, Any]:
    """A peer's public-key document, checked field by field; one-line errors name the file."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("public-key", f"{where} is not JSON ({exc.args[0]})")]) from None
    if not isinstance(doc, dict) or doc.get("type") != DOCUMENT_TYPE:
        raise ValidationFailed([FieldProblem("public-key", f"{where} is not a site key document (`trainer site key`)")])
    if doc.get("kind") not in KINDS:
        raise ValidationFailed([FieldProblem("kind", f"{where}: kind must be site or hq")])
    if not isinstance(doc.get("block"), int) or not 0 <= doc["block"] <= MAX_BLOCK:
        raise ValidationFailed([FieldProblem("block", f"{where}: block must be 0 to {MAX_BLOCK}")])
    for field in ("ed25519", "x25519"):
        value = doc.get(field)
        try:
            ok = isinstance(value, str) and len(_unb64(value)) == 32
        except (ValueError, binascii.Error):
            ok = False
        if not ok:
            raise ValidationFailed([FieldProblem(field, f"{where}: not a 32-byte base64url public key")])
    if not isinstance(doc.get("code"), str):
        raise ValidationFailed([FieldProblem("code", f"{where}: no site code")])
    return doc


def trust(actor: Actor, code: str, text: str, where: str = "the key document") -> Site:
    """Record a peer's public keys; the document must name the same code, and its block be its own."""
    require(actor, "site.manage")
    code, doc = _check_code(code), parse_document(text, where)
    if _check_code(doc["code"]) != code:
        raise ValidationFailed([FieldProblem("code", f"{where} is for site {doc['code']}, not {code}")])
    with database.connection_context(), database.atomic():
        me = _read(IDENTITY_KEY)
        if me is None:
            raise TrainerError("this database is not a site yet: run `trainer site init` first")
        if code == me["code"]:
            raise ValidationFailed([FieldProblem("code", f"{code} is this site's own code")])
        # Bundles go between headquarters and each site, never site to site (docs/sync.md).
        if (me["kind"] == "hq") == (doc["kind"] == "hq"):
            takes = "field sites" if me["kind"] == "hq" else "headquarters"
            raise ValidationFailed(
                [
                    FieldProblem(
                        "kind",
                        f"{where} is {kind_name(doc['kind'])} {doc['code']}; this {kind_name(me['kind'])} "
                        f"exchanges bundles with {takes} only",
                    )
                ]
            )
        for other in [me] + [v for k, v in _peers() if k != code]:
            if other["block"] == doc["block"]:
                raise ValidationFailed(
                    [FieldProblem("block", f"block {doc['block']} is already {other['code']}'s: numbers would collide")]
                )
            # Keys live in the user's config directory, not in the database: two databases set up
            # under one config directory share a key pair, and their bundles could not be told apart.
            if other["ed25519"] == doc["ed25519"] or other["x25519"] == doc["x25519"]:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "public-key",
                            f"{where} holds {other['code']}'s own keys: each site needs key files of its own "
                            "(were both set up under one config directory? docs/sync.md)",
                        )
                    ]
                )
        before = _read(PEER_PREFIX + code)
        value = {k: doc[k] for k in ("code", "kind", "block", "ed25519", "x25519")}
        text_value = json.dumps(value)
        (
            models.Setting.insert(key=PEER_PREFIX + code, value=text_value)
            .on_conflict(conflict_target=[models.Setting.key], update={models.Setting.value: text_value})
            .execute()
        )
        audit.record(actor, "update" if before else "create", "site_peer", code, before=before, after=value)
    return _site(value)


def _peers() -> list[tuple[str, dict[str, Any]]]:
    rows = models.Setting.select().where(models.Setting.key.startswith(PEER_PREFIX)).order_by(models.Setting.key)
    return [(r.key[len(PEER_PREFIX) :], json.loads(r.value)) for r in rows]


def peers(actor: Actor) -> list[Site]:
    require(actor, "site.manage")
    with database.connection_context():
        return [_site(v) for _, v in _peers()]


def number_block() -> int:
    """The serial block certificates issued here take: 0 until `site init` (and at HQ)."""
    with database.connection_context():
        value = _read(IDENTITY_KEY)
    return value["block"] if value else 0


def signing_key() -> Ed25519PrivateKey:
    """This site's private signing key (bundles it sends); never created here, made by init."""
    key: Ed25519PrivateKey = _private(SIGN_KEY, Ed25519PrivateKey, create=False)
    return key


def box_key() -> X25519PrivateKey:
    """This site's private X25519 key (bundles sent to it are encrypted to its public half)."""
    key: X25519PrivateKey = _private(BOX_KEY, X25519PrivateKey, create=False)
    return key


def peer(code: str) -> Site | None:
    """A trusted peer by code; None when this database does not trust it."""
    with database.connection_context():
        value = _read(PEER_PREFIX + code)
    return _site(value) if value else None


def public_keys(site: Site) -> tuple[Ed25519PublicKey, X25519PublicKey]:
    return Ed25519PublicKey.from_public_bytes(_unb64(site.ed25519)), X25519PublicKey.from_public_bytes(
        _unb64(site.x25519)
    )


def peers_unchecked() -> list[Site]:
    """The trusted peers, for the exchange (its callers check the actor)."""
    with database.connection_context():
        return [_site(v) for _, v in _peers()]
