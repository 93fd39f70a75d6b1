"""The training calendar: days no session is held (public and religious holidays)."""

from peewee import CharField, DateField

from db.models.base import Record


class Holiday(Record):
    """A day without sessions everywhere; Islamic holidays move each year, so sites enter them."""

    day = DateField(unique=True)
    name_en = CharField(default="")
    name_ar = CharField(default="")
