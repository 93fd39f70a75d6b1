"""The base model: every table lives in the one proxied database."""

import datetime

from peewee import DateTimeField, IntegerField, Model

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

    uuid = IdField()
    version = IntegerField(default=1)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
