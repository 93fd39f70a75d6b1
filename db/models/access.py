"""Users, roles and the audit trail."""

from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from db.fields import ChoiceField
from db.models.base import BaseModel, Record, now
from db.models.reference import Centre

ROLES = ("admin", "registrar", "instructor", "analyst", "auditor")


class User(Record):
    username = CharField(unique=True, max_length=64)
    display_name = CharField(default="")
    password_hash = CharField()
    role = ChoiceField(ROLES)
    disabled = BooleanField(default=False)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_login = DateTimeField(null=True)


class UserCentre(BaseModel):
    """The centres a registrar (or instructor) works at."""

    id: AutoField[int]

    user = ForeignKeyField(User, on_delete="CASCADE")
    user_id: int
    centre = ForeignKeyField(Centre, on_delete="CASCADE")
    centre_id: int

    class Meta:
        indexes = ((("user", "centre"), True),)


class AuditEvent(BaseModel):
    """Append-only; each row chained to the previous by an HMAC (key kept outside the database)."""

    id = AutoField()
    at = DateTimeField(default=now)
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    user_id: int | None
    username = CharField(default="")
    action = CharField(max_length=32)  # create, update, delete, login, login-failed, import, export, merge …
    entity = CharField(default="", max_length=64)
    entity_uuid = CharField(default="", max_length=36)
    detail = TextField(default="")  # JSON: before/after values, counts
    chain = CharField(default="", max_length=64)

    class Meta:
        indexes = ((("entity", "entity_uuid"), False),)  # a record's history (0007)
