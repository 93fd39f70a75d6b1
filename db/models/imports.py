"""Roster imports, rows held for a person's review, and merges of duplicate records."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from db.fields import ChoiceField
from db.models.access import User
from db.models.base import Record
from db.models.people import Trainee

HELD_STATUSES = ("pending", "same", "new", "discarded")


class ImportBatch(Record):
    """One committed roster import: what file, who, and what it did (counts)."""

    file_name = CharField()
    file_sha256 = CharField(max_length=64, index=True)
    encoding = CharField(max_length=32)
    date_order = CharField(max_length=16, default="")
    skip_invalid = BooleanField(default=False)
    rows_read = IntegerField(default=0)
    added = IntegerField(default=0)
    already_present = IntegerField(default=0)
    held = IntegerField(default=0)
    rejected = IntegerField(default=0)
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    user_id: int | None
    username = CharField(default="")


class HeldRow(Record):
    """A roster row that may be a registered person: waits for a clerk's decision."""

    batch = ForeignKeyField(ImportBatch, backref="held_rows", on_delete="CASCADE")
    batch_id: int
    row_number = IntegerField()
    values = TextField()  # JSON: the checked row (names, date, force …, unit)
    candidates = TextField(default="[]")  # JSON: uuids of the registered persons it may be
    fingerprint = CharField(max_length=64, index=True)  # same row imported again → not held twice
    status = ChoiceField(HELD_STATUSES, default="pending", index=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_by_id: int | None
    decided_at = DateTimeField(null=True)
    trainee = ForeignKeyField(Trainee, null=True, backref="held_rows", on_delete="RESTRICT")
    trainee_id: int | None


class Merge(Record):
    """Two records found to be one person: `merged` now points at `survivor`."""

    survivor = ForeignKeyField(Trainee, backref="merges_kept", on_delete="RESTRICT")
    survivor_id: int
    merged = ForeignKeyField(Trainee, backref="merges_absorbed", unique=True, on_delete="RESTRICT")
    merged_id: int
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    user_id: int | None
    username = CharField(default="")
    reason = TextField(default="")
    moved = TextField(default="{}")  # JSON: rows moved per table
