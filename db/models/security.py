"""Sign-in sessions: a running app holds one; disabling an account ends them all."""

from __future__ import annotations

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from db.models.access import User
from db.models.base import BaseModel, now

SESSION_END_REASONS = ("", "signed-out", "disabled", "role-changed", "password-changed")


class UserSession(BaseModel):
    """One signed-in app. Services refuse an actor whose session has ended."""

    id = AutoField()
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    user_id: int
    client = CharField(default="", max_length=64)  # "tui", "cli" …: for the admin's list
    started_at = DateTimeField(default=now)
    ended_at = DateTimeField(null=True, index=True)
    end_reason = CharField(default="", max_length=32)
