"""The base model: every table lives in the one proxied database."""

from __future__ import annotations

import datetime

from peewee import AutoField, DateTimeField, IntegerField, Model

from db.connection import database
from db.fields import IdField


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Record(BaseModel):
    """A record people create and edit: cross-site identity, optimistic-lock version, times."""

    # Declared for the type checker, as beside every foreign key `x` its key `x_id`:
    # peewee adds both at run time, its stubs cannot know them.
    id: AutoField[int]

    uuid = IdField()
    version = IntegerField(default=1)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
