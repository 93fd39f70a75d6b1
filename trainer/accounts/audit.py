"""The audit trail: append-only events, each chained to the previous by an HMAC.

`record()` runs inside the caller's transaction, so an event exists exactly
when its change does. Each event's `chain` is

    HMAC-SHA256(key, previous event's chain + "\\n" + canonical text of this event)

with a key kept outside the database (TRAINER_AUDIT_KEY, else a 0600 file in
the user's config directory). Without the key nobody can edit, insert or
delete an event and leave a chain that verifies; a cut-off tail is found by
comparing with the chain head recorded in a backup or export manifest
(`verify(head=...)`).

Writers are serialised so that two cannot chain onto the same predecessor:
SQLite's write transactions are IMMEDIATE (one writer at a time); on
PostgreSQL each writer takes a transaction-level advisory lock first.

On PostgreSQL the application's database role should hold only SELECT and
INSERT on audit_event: migration 0007 revokes UPDATE/DELETE/TRUNCATE from
PUBLIC and adds triggers that refuse them for everyone but a role that drops
the triggers (the table's owner). Run the app as a role that does not own the
tables, e.g.:

    CREATE ROLE trainer_app LOGIN PASSWORD '…';
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO trainer_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM trainer_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO trainer_app;

Passwords, password hashes, national IDs and search text (which contains the
national ID) are never written into an event.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

from peewee import Field

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit_heads, keys
from trainer.accounts.access import SYSTEM, Actor, require
from trainer.errors import FieldProblem, TrainerError, ValidationFailed
from trainer.text import deep_unsafe
from trainer.text import describe as describe_unsafe

KEY_ENV = "TRAINER_AUDIT_KEY"
KEY_ID_SETTING = "audit.key_id"
ADVISORY_LOCK = 0x7472_6169_6E65  # "traine": one lock for the whole trail
MAX_UUID = 36

# Never written into audit text: secrets and identity numbers (at any depth).
REDACTED_FIELDS = frozenset({"password", "new_password", "password_hash", "national_id", "search_text"})


class AuditKeyError(TrainerError):
    """No usable audit key, or not the key this database's trail was written with."""


# --- the key -----------------------------------------------------------------


AUDIT_KEY = keys.KeySpec("the audit key", KEY_ENV, "audit.key", error=AuditKeyError)


def key_path() -> Path:
    return keys.default_path(AUDIT_KEY)


def audit_key() -> bytes:
    """TRAINER_AUDIT_KEY, else the key file (created with mode 0600 on first use): trainer.accounts.keys."""
    return keys.load(AUDIT_KEY, key_path).encode("utf-8")  # key_path: what tests point elsewhere


def key_id(key: bytes) -> str:
    """A fingerprint that names the key without revealing it."""
    return hmac.new(key, b"trainer audit key id", hashlib.sha256).hexdigest()[:16]


def _check_key(key: bytes) -> None:
    """The first event fixes the key id; a different key later would fork the trail."""
    kid = key_id(key)
    row = models.Setting.get_or_none(models.Setting.key == KEY_ID_SETTING)
    if row is None:
        models.Setting.insert(key=KEY_ID_SETTING, value=json.dumps(kid)).on_conflict_ignore().execute()
        return
    if json.loads(row.value) != kid:
        raise AuditKeyError(
            f"this computer's audit key ({kid}) is not the one this database's trail was written with "
            f"({json.loads(row.value)}): set {KEY_ENV} or copy that key to {key_path()}"
        )


# --- writing -----------------------------------------------------------------


def redact(values: Any) -> Any:
    """A copy with secrets and identity numbers masked, at any depth."""
    if isinstance(values, dict):
        return {k: ("***" if k in REDACTED_FIELDS and v else redact(v)) for k, v in values.items()}
    if isinstance(values, (list, tuple)):
        return [redact(v) for v in values]
    return values


def canonical(
    at: datetime.datetime, user_id: int | None, username: str, action: str, entity: str, entity_uuid: str, detail: str
) -> bytes:
    """The exact text an event's HMAC covers (the stored values, in a fixed order)."""
    return json.dumps(
        [at.isoformat(timespec="microseconds"), user_id, username, action, entity, entity_uuid, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def link(key: bytes, previous: str, text: bytes) -> str:
    return hmac.new(key, previous.encode("ascii") + b"\n" + text, hashlib.sha256).hexdigest()


class Pending(NamedTuple):
    """One event for `record_many`."""

    action: str
    entity: str = ""
    entity_uuid: str | UUID = ""  # a UUID is written as its text
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None


def record(
    actor: Actor,
    action: str,
    entity: str = "",
    entity_uuid: str | UUID = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    """Append one event; the caller's transaction makes it atomic with the change."""
    record_many(actor, [Pending(action, entity, entity_uuid, before, after, extra)])


def refuse_unsafe(ev: Pending) -> None:
    """Every write records what it stored here, so this is the last check that no stored
    text holds a terminal control or bidi-override character (trainer/text.py): the
    caller's transaction, change and all, is refused with the field named."""
    hit = deep_unsafe({"after": ev.after or {}, **(ev.extra or {})})
    if hit is not None:
        where, char = hit
        field = where.removeprefix("after.") or "text"
        raise ValidationFailed([FieldProblem(field, describe_unsafe(char))])


def catch_up() -> None:
    """Inside a write transaction: chain what waits in the sign-in ledger (sign-ins made while
    another writer held SQLite's lock, trainer/accounts/sign_in_ledger.py)."""
    record_many(SYSTEM, [])


@contextmanager
def caught_up() -> Iterator[None]:
    """Entered inside a write transaction: `catch_up` first (users._reserve counts with it)."""
    catch_up()
    yield


def record_many(actor: Actor, events: Iterable[Pending]) -> int:
    """Append events in order, chained, in one statement per 500 (bulk imports).

    Sign-ins kept in the ledger while another writer held the lock go first, with their own
    actors and times: every writer replays them (trainer/accounts/sign_in_ledger.py)."""
    from trainer.accounts import sign_in_ledger

    events = list(events)
    if not events and sign_in_ledger.ledger_path() is None:
        return 0
    key = audit_key()
    for ev in events:
        refuse_unsafe(ev)
    with database.connection_context(), database.atomic():
        dialect().serialise_writers(ADVISORY_LOCK)
        _check_key(key)
        queued = sign_in_ledger.drain()
        items = [*queued, *((actor, None, ev) for ev in events)]
        last = _head_row()
        previous = last[1] if last else ""
        if last:
            # The head before this append is committed (writers are serialised): anchoring it
            # again costs nothing when the last commit anchored it, and repairs the file when
            # that process died between its commit and its anchor.
            anchor(Head(last[0], last[1], 0))
        rows = []
        for by, when, ev in items:
            at = when or models.now()
            entity_uuid = str(ev.entity_uuid or "")
            extra = dict(ev.extra or {})
            if len(entity_uuid) > MAX_UUID:  # a setting's key, say: keep it whole in the detail
                extra["entity_key"], entity_uuid = entity_uuid, entity_uuid[:MAX_UUID]
            detail = json.dumps(
                {"before": redact(ev.before), "after": redact(ev.after), **redact(extra)},
                ensure_ascii=False,
                default=str,
                sort_keys=True,
            )
            previous = link(
                key, previous, canonical(at, by.user_id, by.username, ev.action, ev.entity, entity_uuid, detail)
            )
            rows.append(
                dict(
                    at=at,
                    user=by.user_id,
                    username=by.username,
                    action=ev.action,
                    entity=ev.entity,
                    entity_uuid=entity_uuid,
                    detail=detail,
                    chain=previous,
                )
            )
        for start in range(0, len(rows), 500):
            models.AuditEvent.insert_many(rows[start : start + 500]).execute()
        if rows:
            # The new head is anchored once the caller's outermost transaction commits, so the
            # file never names an event that was rolled back, and never trails the trail by one.
            database.after_commit(_anchor_committed_head)
    return len(rows)


def _anchor_committed_head() -> None:
    """After a commit: anchor the trail's committed head (read back, not assumed: a savepoint
    that was rolled back inside the transaction took its events with it)."""
    last = _head_row()
    if last:
        anchor(Head(last[0], last[1], 0))


def _head_row() -> tuple[int, str] | None:
    E = models.AuditEvent
    row: tuple[int, str] | None = E.select(E.id, E.chain).order_by(E.id.desc()).limit(1).tuples().first()
    return row


# --- the head, anchored outside the database (trainer/accounts/audit_heads.py) ---


def anchor(head: Head, *, force: bool = False) -> None:
    audit_heads.anchor(head.id, head.chain, force=force)


def anchored() -> Head | None:
    found = audit_heads.anchored()
    return Head(found[0], found[1], 0) if found else None


heads_path = audit_heads.heads_path


# --- checking ----------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The last event when a backup or export was made: what a later trail must still contain."""

    id: int
    chain: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "chain": self.chain, "count": self.count}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Head:
        return cls(int(d["id"]), str(d["chain"]), int(d["count"]))


@dataclass(frozen=True)
class Verification:
    events: int
    head: Head
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def head() -> Head:
    E = models.AuditEvent
    with database.connection_context():
        last = E.select(E.id, E.chain).order_by(E.id.desc()).limit(1).tuples().first()
        return Head(last[0], last[1], E.select().count()) if last else Head(0, "", 0)


def verify(expected: Head | None = None, *, max_problems: int = 50) -> Verification:
    """Walk the whole trail; name every event whose chain does not follow, and a lost tail.

    Without `expected` (a manifest's head) the head anchored outside the database is used.
    A row that cannot even be read as an event (a time that is no time, a binary detail)
    is reported as tampering, never a crash.
    """
    key = audit_key()
    if expected is None:
        with database.connection_context():
            expected = anchored()
    problems: list[str] = []
    with database.connection_context():
        row = models.Setting.get_or_none(models.Setting.key == KEY_ID_SETTING)
        if row is not None and json.loads(row.value) != key_id(key):
            return Verification(
                0,
                Head(0, "", 0),
                (
                    f"the audit key here ({key_id(key)}) is not the one the trail was written with "
                    f"({json.loads(row.value)}): nothing can be checked with it",
                ),
            )
        previous, previous_id, count = "", 0, 0
        chains: dict[int, str | None] = {}
        # Raw values, not peewee's conversions: a row written outside trainer may hold bytes
        # or a number where text belongs, and must be reported, not crash the walk.
        stream = dialect().stream(
            'SELECT "id", "at", "user_id", "username", "action", "entity", "entity_uuid", "detail", "chain" '
            'FROM "audit_event" ORDER BY "id"',
            size=2000,
        )
        for id_, at, user_id, username, action, entity, entity_uuid, detail, chain in (
            row for batch in stream for row in batch
        ):
            count += 1
            try:
                if isinstance(at, str):  # SQLite keeps times as text; an edited row may hold any text
                    at = datetime.datetime.fromisoformat(at)
                if not all(isinstance(v, str) for v in (username, action, entity, entity_uuid, detail)):
                    raise TypeError("a text column holds something else")
                text = canonical(at, user_id, username, action, entity, entity_uuid, detail)
                expected_chain = link(key, previous, text)
                ok = isinstance(chain, str) and hmac.compare_digest(expected_chain, chain)
            except (ValueError, TypeError, AttributeError, UnicodeError) as exc:
                problems.append(f"event #{id_} is malformed ({type(exc).__name__}): it was written outside trainer")
                if expected is not None and id_ <= expected.id:
                    chains[id_] = None
                previous, previous_id = str(chain), id_
                continue
            if not ok:
                if count == 1 and id_ != 1:
                    problems.append(
                        f"event #{id_} is the first left: the events before it were deleted, or it was altered"
                    )
                elif id_ != previous_id + 1 and dialect().dense_ids:
                    problems.append(
                        f"event #{id_} does not follow event #{previous_id}: "
                        "events between them were deleted, or it was altered"
                    )
                else:
                    problems.append(
                        f"event #{id_} ({action} {entity} by {username or '?'}, "
                        f"{at:%Y-%m-%d %H:%M}) was altered or inserted: its chain does not verify"
                    )
            if expected is not None and id_ <= expected.id:
                chains[id_] = chain if id_ == expected.id else None
            previous, previous_id = chain, id_
        last = Head(previous_id, previous, count)
    if expected is not None and expected.id:
        if expected.id not in chains:
            problems.append(
                f"event #{expected.id}, the newest one recorded outside the database (manifest or anchored "
                f"head), is missing: "
                f"the trail now ends at #{last.id} (events deleted from the end)"
            )
        elif chains[expected.id] != expected.chain:
            problems.append(f"event #{expected.id} differs from the record of it outside the database: rewritten")
        kept = sum(1 for i in chains)  # events up to the manifest's head that remain
        if expected.id in chains and kept < expected.count:
            problems.append(
                f"{expected.count - kept} of the {expected.count} events recorded by the manifest are missing"
            )
    if len(problems) > max_problems:
        problems = problems[:max_problems] + [f"… and {len(problems) - max_problems} more"]
    return Verification(count, last, tuple(problems))


# --- reading -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime.datetime
    username: str
    action: str
    entity: str
    entity_uuid: str
    changes: tuple[Change, ...]
    note: str  # what else the event says (counts, reasons), one line

    def summary(self) -> str:
        return ", ".join(f"{c.field}: {_short(c.before)} → {_short(c.after)}" for c in self.changes) or self.note


def _short(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _entry(row: tuple[Any, ...]) -> Entry:
    id_, at, username, action, entity, entity_uuid, detail = row
    try:
        d = json.loads(detail) if detail else {}
    except ValueError:
        d = {"text": detail}
    before, after = d.pop("before", None) or {}, d.pop("after", None) or {}
    changes = tuple(
        Change(k, before.get(k), after.get(k))
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    )
    note = "; ".join(f"{k}: {v}" for k, v in sorted(d.items()))
    return Entry(id_, at, username, action, entity, entity_uuid, changes, note)


def _ENTRY_COLUMNS(E: type[models.AuditEvent]) -> tuple[Field[Any], ...]:  # noqa: N802
    return (E.id, E.at, E.username, E.action, E.entity, E.entity_uuid, E.detail)


def history(actor: Actor, entity: str, entity_uuid: str) -> list[Entry]:
    """Every event about one record, oldest first: who changed what, when."""
    require(actor, "record.history")
    E = models.AuditEvent
    with database.connection_context():
        rows = (
            E.select(*_ENTRY_COLUMNS(E))
            .where((E.entity == entity) & (E.entity_uuid == str(entity_uuid)[:MAX_UUID]))
            .order_by(E.id)
            .tuples()
        )
        return [_entry(r) for r in rows]


def log(
    actor: Actor,
    *,
    entity: str | None = None,
    entity_uuid: str | None = None,
    username: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[Entry]:
    """The trail, newest first, one page at a time (`before_id` = the last id of the previous page)."""
    require(actor, "audit.read")
    E = models.AuditEvent
    query = E.select(*_ENTRY_COLUMNS(E))
    for column, value in ((E.entity, entity), (E.entity_uuid, entity_uuid), (E.username, username), (E.action, action)):
        if value:
            query = query.where(column == value)
    if before_id:
        query = query.where(E.id < before_id)
    with database.connection_context():
        return [_entry(r) for r in query.order_by(E.id.desc()).limit(limit).tuples()]
