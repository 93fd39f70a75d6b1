"""Site <-> headquarters exchange (docs/sync.md): the change log, peers' positions, held conflicts."""

from __future__ import annotations

from peewee import AutoField, BigIntegerField, CharField, DateTimeField, IntegerField, TextField

from db.models.base import BaseModel, now


class SyncChange(BaseModel):
    """One changed record: written by the capture triggers (db/capture.py) in the writer's own
    transaction, or by an import for a change that came from a peer (then `origin` is its site).

    `id` is this database's position in its stream to peers; (origin, seq) is the change's
    identity everywhere (origin '' is this database itself, named by its site code on export).
    `hlc` is a hybrid logical clock: milliseconds << 16 plus a counter.
    """

    id = AutoField()
    origin = CharField(default="", max_length=16)
    seq = BigIntegerField()
    hlc = BigIntegerField(index=True)
    table_name = CharField(max_length=64)
    record_uuid = CharField(max_length=100, index=True)  # a link row: "<uuid>|<uuid or code>"
    op = CharField(max_length=1)  # i(nsert), u(pdate), d(elete)
    fields = TextField(default="{}")  # JSON: column -> new value (foreign keys as local ids)

    class Meta:
        indexes = ((("origin", "seq"), True),)


class SyncMute(BaseModel):
    """A row here (SQLite, inside an import's transaction) stops the capture triggers: what an
    import applies is logged by the import itself, with its origin, never as this site's own."""

    id = AutoField()


class SyncClock(BaseModel):
    """At most one row: milliseconds added to this database's clock when it stamps a change.

    For a laptop whose clock is known wrong and may not be reset (and for the tests, which
    skew each site's clock); no row means the clock as it is."""

    id = AutoField()
    offset_ms = BigIntegerField(default=0)


class SyncPeer(BaseModel):
    """Where the exchange with one trusted peer stands."""

    code = CharField(primary_key=True, max_length=16)
    acked = BigIntegerField(default=0)  # our positions the peer has acknowledged holding
    received = BigIntegerField(default=0)  # the peer's positions we hold (acknowledged on our next export)
    last_export_at = DateTimeField(null=True)
    last_import_at = DateTimeField(null=True)
    exports = IntegerField(default=0)
    imports = IntegerField(default=0)
    audit_acked = BigIntegerField(default=0)  # at a site: our last audit event headquarters holds
    audit_hash = CharField(default="", max_length=64)  # ... and the public hash chain there


class SyncReview(BaseModel):
    """A value that last-writer-wins would have dropped silently: kept for a person to decide at HQ."""

    id = AutoField()
    at = DateTimeField(default=now)
    table_name = CharField(max_length=64)
    record_uuid = CharField(max_length=100)
    field = CharField(max_length=64)
    kept = TextField(default="")  # JSON value now in the record
    held = TextField(default="")  # JSON value that lost
    origin = CharField(default="", max_length=16)
    reason = CharField(default="", max_length=64)
    status = CharField(default="open", max_length=16)


class SyncAuditEvent(BaseModel):
    """At headquarters: one audit event a site sent, as the site wrote it (trainer/sync/audit_chains.py).

    `event` is the canonical JSON of the site's row (its HMAC chain value included); `hash` the
    public hash chain over that site's events up to this one, which the site's signed heads cover."""

    id = AutoField()
    origin = CharField(max_length=16)
    event_id = BigIntegerField()
    event = TextField()
    hash = CharField(max_length=64)

    class Meta:
        indexes = ((("origin", "event_id"), True),)


class SyncAuditHead(BaseModel):
    """At headquarters: a head of a site's audit chain as the site signed it in a bundle."""

    id = AutoField()
    origin = CharField(max_length=16)
    event_id = BigIntegerField()
    hash = CharField(max_length=64)
    breaks = TextField()  # JSON: the events that did not verify at the site when it sent them
    signature = CharField(max_length=128)
    at = DateTimeField(default=now)

    class Meta:
        indexes = ((("origin", "event_id"), True),)
