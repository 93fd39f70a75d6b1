"""Reference data: forces, provinces, centres, units, force requirements."""

from __future__ import annotations

from peewee import BooleanField, CharField, Check, DateField, ForeignKeyField, IntegerField, TextField

from db.models.base import BaseModel, Record


class Force(BaseModel):
    code = CharField(primary_key=True, max_length=16)
    name_en = CharField()
    name_ar = CharField()


class Province(BaseModel):
    code = CharField(primary_key=True, max_length=8)  # ISO 3166-2:IQ, e.g. IQ-NI
    name_en = CharField()
    name_ar = CharField()
    aliases = TextField(default="")  # '|'-separated spellings accepted from field files
    liberated = BooleanField(default=False)


class Centre(Record):
    code = CharField(unique=True, max_length=32)
    name_en = CharField()
    name_ar = CharField(default="")
    province = ForeignKeyField(Province, on_delete="RESTRICT")
    province_id: str


class Unit(Record):
    code = CharField(unique=True, max_length=64)
    name = CharField()
    force = ForeignKeyField(Force, on_delete="RESTRICT")
    force_id: str
    province = ForeignKeyField(Province, null=True, on_delete="RESTRICT")
    province_id: str | None


class UnitAlias(Record):
    """A unit made at a second site under a code headquarters already held: that record's UUID
    (this row's own) names the unit headquarters kept, everywhere (docs/sync.md, "Units made at
    two sites"). Written by headquarters only; it travels like any record."""

    unit = ForeignKeyField(Unit, on_delete="RESTRICT")
    unit_id: int
    code = CharField(max_length=64)  # the code both sites gave it, for a reader


class Requirement(Record):
    """How many trained persons a force needs in a province (e.g. Ninawa police 25,000)."""

    province = ForeignKeyField(Province, on_delete="RESTRICT")
    province_id: str
    force = ForeignKeyField(Force, on_delete="RESTRICT")
    force_id: str
    required = IntegerField(constraints=[Check("required >= 0")])
    as_of = DateField()
    source = CharField(default="")

    class Meta:
        indexes = ((("province", "force"), True),)


class Setting(BaseModel):
    """Site settings people change (vetting validity, working week, idle lock …); JSON values."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField(default="null")
