"""Each site's audit chain carried to headquarters and checked there (docs/sync.md, "Audit across sites").

A site's trail is chained by an HMAC whose key never leaves the site, so headquarters cannot
recompute that chain. What travels instead, after the changes in every bundle a site sends:

- each event headquarters does not hold yet, as the site wrote it (its HMAC value included),
  with a public hash chain over the site's events: h(n) = SHA-256(h(n-1) "\\n" event n);
- a head: the last event's number and h, the events whose HMAC did not verify at the site
  when it sent them (the site holds the key and checks its own chain as it sends), and the
  site's Ed25519 signature over all three.

Headquarters recomputes h from the copy it holds and refuses a bundle whose events do not
reach the head the site signed (an event altered in the bundle), or that sends again an
event it holds with other contents (history rewritten at the site). It keeps the events and
the signed heads, so `trainer audit verify` there can recheck every site's chain at any time,
naming the site and the event where it breaks. Headquarters tells the site, in its own
bundles, how far it holds the site's trail; a lost bundle is covered by the next, as changes are.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.sync import identity
from trainer.sync.bundle import BundleRefused

MAX_BREAKS = 50
_COLUMNS = '"id", "at", "user_id", "username", "action", "entity", "entity_uuid", "detail", "chain"'


def text(event: list[Any]) -> bytes:
    """The exact bytes an event's public hash covers (its values as the site stored them)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def step(previous: str, event_text: bytes) -> str:
    return hashlib.sha256(previous.encode("ascii") + b"\n" + event_text).hexdigest()


def head_message(origin: str, event_id: int, chain_hash: str, breaks: list[Any]) -> bytes:
    return text(["trainer-audit-head", origin, event_id, chain_hash, breaks])


# --- at a site: what goes out -------------------------------------------------------------


def _event(row: tuple[Any, ...], key: bytes, previous_chain: str) -> tuple[list[Any], str | None]:
    """(the event as it travels, why its HMAC does not verify here or None)."""
    id_, at, user_id, username, action, entity, entity_uuid, detail, chain = row
    try:
        when = datetime.datetime.fromisoformat(at) if isinstance(at, str) else at
        canonical = audit.canonical(when, user_id, username, action, entity, entity_uuid, detail)
        expected = audit.link(key, previous_chain, canonical)
        event = [int(id_), when.isoformat(timespec="microseconds"), user_id, username, action, entity]
        event += [entity_uuid, detail, chain]
        ok = isinstance(chain, str) and hmac.compare_digest(expected, chain)
        return event, None if ok else "its HMAC chain does not verify at the site: altered, inserted or one deleted"
    except (ValueError, TypeError, AttributeError, UnicodeError) as exc:
        event = [int(id_), *(None if v is None else str(v) for v in row[1:])]
        return event, f"malformed ({type(exc).__name__}): written outside trainer"


def outgoing(code: str, acked: int, acked_hash: str) -> Iterator[dict[str, Any]]:
    """At a site, inside the export's transaction: the audit events past `acked` (what headquarters
    said it holds, with its hash), each checked against the site's own HMAC chain, then the signed head."""
    key = audit.audit_key()
    E = models.AuditEvent
    previous_chain = E.select(E.chain).where(E.id == acked).scalar() or "" if acked else ""
    last_id, last_hash = acked, acked_hash
    breaks: list[list[Any]] = []
    stream = dialect().stream(
        f'SELECT {_COLUMNS} FROM "audit_event" WHERE "id" > {dialect().param} ORDER BY "id"', (acked,), size=2000
    )
    for row in (r for batch in stream for r in batch):
        event, problem = _event(tuple(row), key, previous_chain)
        if problem and len(breaks) < MAX_BREAKS:
            breaks.append([event[0], problem])
        previous_chain = str(row[-1])
        last_id, last_hash = event[0], step(last_hash, text(event))
        yield {"kind": "audit", "e": event, "h": last_hash}
    signature = identity.signing_key().sign(head_message(code, last_id, last_hash, breaks)).hex()
    yield {"kind": "audit-head", "id": last_id, "hash": last_hash, "breaks": breaks, "sig": signature}


def remember_ack(peer_code: str, value: Any) -> None:
    """At a site, importing headquarters' bundle: how far headquarters holds our trail."""
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return  # headquarters holds none of it yet (or runs code from before the audit travelled)
    S = models.SyncPeer
    S.update({S.audit_acked: value[0], S.audit_hash: value[1]}).where(
        (S.code == peer_code) & (S.audit_acked < value[0])
    ).execute()


# --- at headquarters: what comes in -------------------------------------------------------


def held_head(origin: str) -> tuple[int, str]:
    """The last event of this site's trail headquarters holds, and its hash ((0, '') for none)."""
    A = models.SyncAuditEvent
    row = A.select(A.event_id, A.hash).where(A.origin == origin).order_by(A.event_id.desc()).limit(1).tuples().first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def ack_for(origin: str) -> list[Any] | None:
    """For headquarters' bundle to a site: how far it holds that site's trail."""
    event_id, chain_hash = held_head(origin)
    return [event_id, chain_hash] if event_id else None


@dataclass
class Taken:
    events: int = 0  # new events of the site's trail
    breaks: int = 0  # events the site reported as not verifying there


def take(items: Iterator[Any], origin: str, sign_public: Ed25519PublicKey) -> Taken:
    """At headquarters, inside the import's transaction: the audit section after the changes.
    Refuses (BundleRefused, so nothing of the bundle is applied) events that do not reach the
    head the site signed, or that differ from the copy held."""
    A = models.SyncAuditEvent
    held_id, held_hash = held_head(origin)
    last_id, last_hash = held_id, held_hash
    fresh: list[dict[str, Any]] = []
    again: dict[int, bytes] = {}
    found = Taken()
    for item in items:
        if not isinstance(item, dict) or item.get("kind") not in ("audit", "audit-head"):
            raise BundleRefused("damaged bundle: unexpected lines after its changes")
        if item["kind"] == "audit-head":
            _check_again(origin, again)
            _check_head(item, origin, sign_public, last_id, last_hash, fresh)
            for start in range(0, len(fresh), 500):
                A.insert_many(fresh[start : start + 500]).execute()
            found.events = len(fresh)
            found.breaks = len(item["breaks"])
            return found
        event = item.get("e")
        if not (isinstance(event, list) and len(event) == 9 and isinstance(event[0], int)):
            raise BundleRefused("damaged bundle: an audit event that is not one")
        event_text = text(event)
        if event[0] <= held_id:
            again[event[0]] = event_text
            continue
        if event[0] <= last_id:
            raise BundleRefused(f"damaged bundle: {origin}'s audit event #{event[0]} out of order")
        if again:  # what was sent again must be what is held before anything new is chained onto it
            _check_again(origin, again)
            again.clear()
        last_id, last_hash = event[0], step(last_hash, event_text)
        if item.get("h") != last_hash:
            raise BundleRefused(
                f"{origin}'s audit event #{event[0]} in this bundle does not follow its chain (altered): "
                "bundle refused, nothing applied"
            )
        fresh.append(dict(origin=origin, event_id=event[0], event=event_text.decode("utf-8"), hash=last_hash))
    if fresh or again:
        raise BundleRefused(f"damaged bundle: {origin}'s audit events without the head it signed")
    return found  # a bundle from before the audit travelled


def _check_again(origin: str, again: dict[int, bytes]) -> None:
    """Events sent again (a bundle after a lost one, or imported twice) must be the ones held."""
    A = models.SyncAuditEvent
    ids = sorted(again)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for event_id, stored in (
            A.select(A.event_id, A.event).where((A.origin == origin) & A.event_id.in_(chunk)).tuples()
        ):
            if stored.encode("utf-8") != again[event_id]:
                raise BundleRefused(
                    f"{origin}'s audit event #{event_id} differs from the copy headquarters holds "
                    "(rewritten at the site): bundle refused, nothing applied"
                )


def _check_head(
    item: dict[str, Any],
    origin: str,
    sign_public: Ed25519PublicKey,
    last_id: int,
    last_hash: str,
    fresh: list[dict[str, Any]],
) -> None:
    try:
        event_id, chain_hash, breaks = int(item["id"]), str(item["hash"]), list(item["breaks"])
        sign_public.verify(bytes.fromhex(str(item["sig"])), head_message(origin, event_id, chain_hash, breaks))
    except (KeyError, ValueError, TypeError, InvalidSignature):
        raise BundleRefused(f"{origin}'s audit head does not verify: bundle refused, nothing applied") from None
    if event_id == 0:
        return  # the site has no audit event yet
    if event_id == last_id:
        expected = last_hash
    else:  # a late bundle: its head is one headquarters holds already
        A = models.SyncAuditEvent
        expected = A.select(A.hash).where((A.origin == origin) & (A.event_id == event_id)).scalar() or ""
    if chain_hash != expected:
        raise BundleRefused(
            f"{origin}'s audit events up to #{event_id} do not match the head it signed (altered): "
            "bundle refused, nothing applied"
        )
    H = models.SyncAuditHead
    H.insert(
        origin=origin, event_id=event_id, hash=chain_hash, breaks=json.dumps(breaks), signature=str(item["sig"])
    ).on_conflict_ignore().execute()


# --- at headquarters: checking every site's chain ------------------------------------------


@dataclass(frozen=True)
class SiteChain:
    code: str
    events: int
    head: int  # the last event held
    problems: tuple[str, ...]


def verify_sites(max_problems: int = 50) -> list[SiteChain]:
    """Every site's trail held here, rechecked: each event's hash follows the one before, every
    head the site signed verifies with its key and matches what is held, and what the site said
    did not verify at its end is reported."""
    A, H = models.SyncAuditEvent, models.SyncAuditHead
    out = []
    with database.connection_context():
        origins = sorted(
            {o for (o,) in A.select(A.origin).distinct().tuples()}
            | {o for (o,) in H.select(H.origin).distinct().tuples()}
        )
        for origin in origins:
            problems: list[str] = []
            hashes: dict[int, str] = {}
            heads = {
                int(e): (h, b, s)
                for e, h, b, s in H.select(H.event_id, H.hash, H.breaks, H.signature).where(H.origin == origin).tuples()
            }
            previous_hash, previous_id, count = "", 0, 0
            stream = dialect().stream(
                f'SELECT "event_id", "event", "hash" FROM "sync_audit_event" WHERE "origin" = {dialect().param} '
                'ORDER BY "event_id"',
                (origin,),
                size=2000,
            )
            for event_id, event, stored in (r for batch in stream for r in batch):
                count += 1
                if step(previous_hash, str(event).encode("utf-8")) != stored:
                    problems.append(
                        f"site {origin}: event #{event_id} does not follow event #{previous_id} "
                        "in the copy held here: altered, or events between them deleted"
                    )
                if int(event_id) in heads:
                    hashes[int(event_id)] = str(stored)
                previous_hash, previous_id = str(stored), int(event_id)
            problems += _check_heads(origin, heads, hashes, previous_id)
            out.append(SiteChain(origin, count, previous_id, tuple(problems[:max_problems])))
    return out


def _check_heads(origin: str, heads: dict[int, tuple[str, str, str]], hashes: dict[int, str], last: int) -> list[str]:
    site = identity.peer(origin)
    if site is None:
        return [f"site {origin} is no longer trusted here: the heads it signed cannot be checked"]
    sign_public = identity.public_keys(site)[0]
    problems: list[str] = []
    reported: set[int] = set()
    before = 0
    for event_id in sorted(heads):
        chain_hash, breaks_text, signature = heads[event_id]
        try:
            breaks = json.loads(breaks_text)
            sign_public.verify(bytes.fromhex(signature), head_message(origin, event_id, chain_hash, breaks))
        except (ValueError, TypeError, InvalidSignature):
            problems.append(
                f"site {origin}: the head it signed at event #{event_id} does not verify "
                "(altered here, or the site's key was replaced since)"
            )
            continue
        if hashes.get(event_id) != chain_hash:
            problems.append(
                f"site {origin}: the events held here between #{before + 1} and #{event_id} do not match "
                f"the head the site signed at #{event_id}: altered, deleted or inserted here"
            )
        for bad_id, why in breaks:
            if bad_id not in reported:
                reported.add(bad_id)
                problems.append(f"site {origin}: event #{bad_id} did not verify at the site when sent ({why})")
        before = event_id
    if last > before:
        problems.append(f"site {origin}: events after #{before}, the last the site signed, were added here")
    return problems
