"""`trainer sync export` / `import`: what to send a peer, and taking in what a peer sent (docs/sync.md).

Hub and spoke: a site exchanges with headquarters only; headquarters with each site,
passing on to each what the others sent. A bundle carries every logged change the
peer has not acknowledged (not those that came from the peer itself) and this side's
acknowledgement of the peer's positions. "Delivered" means acknowledged by the peer in
a later bundle, never "written to a file": a lost bundle is simply sent again in the next.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db import capture, models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit, owned_settings
from trainer.accounts.access import Actor, require
from trainer.errors import TrainerError
from trainer.sync import audit_chains, bundle, identity, log, merge, persons, scope, summaries
from trainer.sync.bundle import BundleRefused

# A peer clock this far ahead of ours is refused: one wrong clock would win every field for days.
MAX_AHEAD_MS = 24 * 3600 * 1000
APPLY_BATCH = 5000
# Planted for the convergence test's self-check only: mark delivered on send, not on receipt.
ACK_ON_SEND = False

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Exported:
    peer: str
    changes: int
    bytes: int
    path: Path


@dataclass(frozen=True)
class Imported:
    peer: str
    applied: int
    held: int  # already in this database
    review: int
    waiting: int
    persons_held: int = 0  # new persons held as likely duplicates (headquarters only)
    audit: audit_chains.Taken | None = None  # the site's audit events taken in (headquarters only)
    settings: int = 0  # settings headquarters owns that changed here (a site only)


def _me() -> identity.Site:
    me = identity.current()
    if me is None:
        raise TrainerError("this database is not a site yet: run `trainer site init` first")
    return me


def _partner(me: identity.Site, code: str | None) -> identity.Site:
    if code is None:
        if me.kind == "hq":
            raise TrainerError("headquarters exports for one site: add --for CODE")
        hqs = [p for p in identity.peers_unchecked() if p.kind == "hq"]
        if not hqs:
            raise TrainerError("no headquarters trusted yet: `trainer site trust CODE --public-key FILE`")
        return hqs[0]
    site = identity.peer(code.strip().upper())
    if site is None:
        raise TrainerError(f"{code} is not a trusted peer (`trainer site peers` lists them)")
    if me.kind == "site" and site.kind != "hq":
        raise TrainerError(f"{site.code} is a field site: a site exchanges with headquarters only")
    return site


def _peer_row(code: str) -> models.SyncPeer:
    row, _ = models.SyncPeer.get_or_create(code=code)
    return row


def export(actor: Actor, output: Path, for_code: str | None = None, progress: Progress | None = None) -> Exported:
    """Write what `for_code` (a site: headquarters) has not acknowledged, with our acknowledgement."""
    require(actor, "site.manage")
    me = _me()
    peer = _partner(me, for_code)
    sign, (_, box) = identity.signing_key(), identity.public_keys(peer)
    count = 0
    with database.connection_context(), database.atomic():
        state = _peer_row(peer.code)
        top = models.SyncChange.select(models.SyncChange.id).order_by(models.SyncChange.id.desc()).scalar() or 0

        # Headquarters sends a site only what it may have (trainer/sync/scope.py).
        only = scope.Scope(peer.code) if me.kind == "hq" else None

        def lines() -> Iterator[Any]:
            nonlocal count
            head: dict[str, Any] = {"kind": "head", "ack": state.received, "from": state.acked, "to": top}
            if me.kind == "hq":  # how far we hold the site's audit trail (audit_chains)
                head["audit"] = audit_chains.ack_for(peer.code)
            yield head
            earlier = only.backfill(state.acked, top, me.code) if only else iter(())
            for change in earlier:
                count += 1
                yield change.line()
            for change in log.pending(state.acked, peer.code, me.code, log.Ids(), own_only=me.kind == "site"):
                if change.position > top:
                    break
                if only and not only.wants(change):
                    continue
                count += 1
                if progress and count % 1000 == 0:
                    progress(count)
                yield change.line()
            yield {"kind": "end", "count": count}
            if me.kind == "site":  # after the changes: our audit trail (trainer/sync/audit_chains.py)
                yield from audit_chains.outgoing(me.code, state.audit_acked, state.audit_hash)
            else:  # the settings headquarters owns (trainer/accounts/owned_settings.py)
                yield {"kind": "settings", "stamp": time.time_ns() // 1000, "values": owned_settings.snapshot()}

        created = models.now().isoformat(timespec="seconds")
        size = bundle.write(
            output, lines(), sender=me.code, recipient=peer.code, sign_key=sign, recipient_box=box, created=created
        )
        S = models.SyncPeer
        changes: dict[Any, Any] = {S.last_export_at: models.now(), S.exports: S.exports + 1}
        if ACK_ON_SEND:
            changes[S.acked] = top
        S.update(changes).where(S.code == peer.code).execute()
        audit.record(actor, "export", "sync_bundle", peer.code, changes=count, bytes=size)
    return Exported(peer.code, count, size, output)


def _check_clock(change: log.Change) -> None:
    ahead = (change.hlc >> 16) - int(time.time() * 1000)
    if ahead > MAX_AHEAD_MS:
        hours = ahead // 3_600_000
        raise BundleRefused(f"{change.origin}'s clock runs {hours} h ahead of ours: bundle refused, fix its clock")


def import_bundle(actor: Actor, path: Path, progress: Progress | None = None) -> Imported:
    """Check a peer's bundle whole (addressed to us, from a trusted peer, signed) and apply it, once."""
    require(actor, "site.manage")
    me = _me()
    head = bundle.header(path)
    if head["to"] != me.code:
        raise BundleRefused(f"this bundle is addressed to {head['to']}, not to {me.code}")
    peer = identity.peer(str(head["from"]))
    if peer is None:
        raise BundleRefused(f"this bundle comes from {head['from']}, which this site does not trust")
    if me.kind == "site" and peer.kind != "hq":
        raise BundleRefused(f"{peer.code} is a field site: a site takes bundles from headquarters only")
    sign_public, _ = identity.public_keys(peer)
    bundle.verify(path, sign_public)
    box = identity.box_key()
    tally = merge.Tally()
    with database.connection_context(), database.atomic():
        # The writers' lock for the whole import (PostgreSQL; SQLite's transaction holds its own):
        # the log rows it adds take positions in commit order, as every local writer's do.
        dialect().writer_first()
        items = bundle.read(path, box)
        first = next(items, None)
        if not isinstance(first, dict) or first.get("kind") != "head":
            raise BundleRefused("damaged bundle: no head")
        top_position, before, held_before = 0, persons.last_trainee_id(), persons.held_count()
        batch: list[log.Change] = []
        ended, batches = False, 0
        for item in items:
            if isinstance(item, dict) and item.get("kind") == "end":
                ended = True
                break
            try:
                change = log.from_line(item)
            except log.NotShared:
                tally.skipped += 1
                continue
            except (ValueError, TypeError, KeyError) as exc:
                raise BundleRefused(f"damaged bundle: a change that is not one ({exc})") from None
            top_position = max(top_position, change.position)
            batch.append(change)
            if len(batch) >= APPLY_BATCH:
                _check_clock(max(batch, key=lambda c: c.hlc))  # the batch's furthest clock
                _apply(batch, me, tally, progress)
                batch, batches = [], batches + 1
                if batches in (1, 4, 16):  # PostgreSQL's planner needs them for look-ups by key
                    dialect().analyze_filled(_lookup_columns(tally.touched))
        if not ended:
            raise BundleRefused("damaged bundle: no end")
        if batch:
            _check_clock(max(batch, key=lambda c: c.hlc))
        _apply(batch, me, tally, progress)
        trail = audit_chains.take(items, peer.code, sign_public) if me.kind == "hq" else None
        owned = 0
        if me.kind == "site":
            audit_chains.remember_ack(peer.code, first.get("audit"))
            owned = _take_settings(actor, items, peer.code)
        merge.retry_waiting(me.code, hq=me.kind == "hq", tally=tally)
        merge.settle_national_ids(tally, peer.code)
        tally.review += persons.hold_likely_duplicates(actor, before, peer.code) if me.kind == "hq" else 0
        held_persons = persons.held_count() - held_before  # with those held as they arrived (same ID)
        summaries.refresh(tally.touched)
        S = models.SyncPeer
        state = _peer_row(peer.code)
        S.update(
            {
                S.received: max(state.received, top_position, int(first.get("to") or 0)),
                S.acked: max(state.acked, int(first.get("ack") or 0)),
                S.last_import_at: models.now(),
                S.imports: S.imports + 1,
            }
        ).where(S.code == peer.code).execute()
        audit.record(
            actor, "import", "sync_bundle", peer.code, applied=tally.applied, held=tally.held, review=tally.review
        )
    return Imported(peer.code, tally.applied, tally.held, tally.review, len(tally.waiting), held_persons, trail, owned)


def _lookup_columns(tables: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The columns an import looks rows up by: the log's (merge.log_changes, merge._log_of), a
    record's UUID (log.Ids.learn_uuids), a link row's parent (link_rows.LinkIds.load)."""
    out: dict[str, tuple[str, ...]] = {"sync_change": ("origin", "seq", "record_uuid")}
    for table in tables:
        out[table] = tuple(dict.fromkeys(capture.LINKS[table])) if table in capture.LINKS else ("uuid",)
    return out


def _take_settings(actor: Actor, items: Iterator[Any], origin: str) -> int:
    """At a site: the settings headquarters owns, sent after its changes (none from older code)."""
    for item in items:
        if not (isinstance(item, dict) and item.get("kind") == "settings" and isinstance(item.get("values"), dict)):
            raise BundleRefused("damaged bundle: unexpected lines after its changes")
        try:
            stamp = int(item["stamp"])
        except (KeyError, TypeError, ValueError):
            raise BundleRefused("damaged bundle: settings without their time") from None
        return owned_settings.take(actor, item["values"], stamp, origin)
    return 0


def _apply(batch: list[log.Change], me: identity.Site, tally: merge.Tally, progress: Progress | None) -> None:
    touched = merge.log_changes(batch, me.code, tally)
    merge.materialise(touched, me.code, hq=me.kind == "hq", tally=tally)
    if progress:
        progress(tally.applied + tally.held)


@dataclass(frozen=True)
class PeerState:
    code: str
    kind: str
    waiting: int  # what the next export to it would carry (at headquarters: after "who gets what")
    acked: int
    received: int
    last_export_at: datetime.datetime | None
    last_import_at: datetime.datetime | None


@dataclass(frozen=True)
class Status:
    site: identity.Site | None
    logged: int
    peers: list[PeerState]
    review: int
    persons_held: int = 0  # of the open review items, persons held as likely duplicates


def status(actor: Actor) -> Status:
    """This site, its change log, and where the exchange with each peer stands."""
    require(actor, "site.manage")
    me = identity.current()
    C, S = models.SyncChange, models.SyncPeer
    with database.connection_context():
        peers = []
        for p in identity.peers_unchecked():
            row = S.get_or_none(S.code == p.code)
            acked = row.acked if row else 0
            if me and me.kind == "hq":  # what the site will get: its scope, and any backfill
                waiting = scope.Scope(p.code).waiting(acked)
            else:
                mine = (C.origin == "") if me and me.kind == "site" else (C.origin != p.code)
                waiting = C.select().where((C.id > acked) & mine).count()
            peers.append(
                PeerState(
                    p.code,
                    p.kind,
                    waiting,
                    acked,
                    row.received if row else 0,
                    row.last_export_at if row else None,
                    row.last_import_at if row else None,
                )
            )
        review = models.SyncReview.select().where(models.SyncReview.status == "open").count()
        return Status(me, C.select().count(), peers, review, persons.held_count())


@dataclass(frozen=True)
class Review:
    id: int
    at: datetime.datetime
    table: str
    record_uuid: str
    field: str
    kept: str
    held: str
    origin: str
    reason: str


def reviews(actor: Actor) -> list[Review]:
    """What waits for a person's decision (open items, oldest first)."""
    require(actor, "site.manage")
    R = models.SyncReview
    with database.connection_context():
        return [
            Review(r.id, r.at, r.table_name, r.record_uuid, r.field, r.kept, r.held, r.origin, r.reason)
            for r in R.select().where(R.status == "open").order_by(R.id)
        ]
