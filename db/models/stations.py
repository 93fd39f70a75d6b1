"""Police in a Box: stations and border posts, station kits and their inventory, postings of
graduates, and who delivered a cohort (coalition nations, program of instruction)."""

from __future__ import annotations

from peewee import AutoField, CharField, Check, DateField, FloatField, ForeignKeyField, IntegerField, TextField

from db.fields import ChoiceField
from db.models.access import User
from db.models.base import BaseModel, Record
from db.models.cohorts import Cohort
from db.models.courses import Course
from db.models.people import Trainee
from db.models.reference import Centre, Province, Unit

STATION_KINDS = ("police", "border")  # a police station or a border post
STATION_STATUSES = ("planned", "open", "closed")
KIT_STATES = ("planned", "received", "issued", "set-up")
KIT_ACTIONS = ("receive", "issue", "set-up", "transfer")
ITEM_CONDITIONS = ("unchecked", "present", "missing", "damaged")
CHECK_STAGES = ("receipt", "set-up", "routine")
END_REASONS = ("transferred", "dismissed", "deserted", "killed", "retired", "resigned", "other")


class Station(Record):
    code = CharField(unique=True, max_length=32)
    kind = ChoiceField(STATION_KINDS)
    province = ForeignKeyField(Province, on_delete="RESTRICT", index=True)
    province_id: str
    district = CharField(default="")
    name_en = CharField()
    name_ar = CharField(default="")
    latitude = FloatField(null=True, constraints=[Check("latitude IS NULL OR latitude BETWEEN -90 AND 90")])
    longitude = FloatField(null=True, constraints=[Check("longitude IS NULL OR longitude BETWEEN -180 AND 180")])
    status = ChoiceField(STATION_STATUSES, default="planned")
    authorised_strength = IntegerField(default=0, constraints=[Check("authorised_strength >= 0")])
    # The training centre that supports the station: its staff check the station's kit.
    centre = ForeignKeyField(Centre, null=True, on_delete="RESTRICT")
    centre_id: int | None


class Kit(Record):
    serial = CharField(unique=True, max_length=32)
    kind = ChoiceField(STATION_KINDS)
    state = ChoiceField(KIT_STATES, default="planned")
    centre = ForeignKeyField(Centre, null=True, on_delete="RESTRICT", index=True)  # where it was received
    centre_id: int | None
    station = ForeignKeyField(Station, null=True, backref="kits", on_delete="RESTRICT", index=True)
    station_id: int | None
    received_on = DateField(null=True)
    received_by = CharField(default="")  # who signed for it
    issued_on = DateField(null=True)
    set_up_on = DateField(null=True)

    class Meta:
        constraints = [
            Check("state = 'planned' OR (centre_id IS NOT NULL AND received_on IS NOT NULL)"),
            Check("state NOT IN ('issued', 'set-up') OR station_id IS NOT NULL"),
        ]


class KitItem(BaseModel):
    """One line of a kit's manifest and its condition at the last check (missing stays until found)."""

    id: AutoField[int]

    kit = ForeignKeyField(Kit, backref="items", on_delete="CASCADE")
    kit_id: int
    item = CharField(max_length=32)
    name = CharField()
    quantity = IntegerField(constraints=[Check("quantity > 0")])
    condition = ChoiceField(ITEM_CONDITIONS, default="unchecked")
    note = TextField(default="")

    class Meta:
        indexes = ((("kit", "item"), True), (("condition", "kit"), False))


class KitMovement(Record):
    """Receipt, issue, set-up and transfer of a kit: who signed, where, when. A record (with a
    UUID since 0016) so that it travels: two alike on one day are still two."""

    kit = ForeignKeyField(Kit, backref="movements", on_delete="CASCADE", index=True)
    kit_id: int
    action = ChoiceField(KIT_ACTIONS)
    day = DateField()
    centre = ForeignKeyField(Centre, null=True, on_delete="RESTRICT")
    centre_id: int | None
    station = ForeignKeyField(Station, null=True, on_delete="RESTRICT")
    station_id: int | None
    signed_by = CharField()
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    user_id: int | None


class InventoryCheck(Record):
    kit = ForeignKeyField(Kit, backref="checks", on_delete="CASCADE", index=True)
    kit_id: int
    stage = ChoiceField(CHECK_STAGES)
    day = DateField()
    centre = ForeignKeyField(Centre, null=True, on_delete="RESTRICT")
    centre_id: int | None
    station = ForeignKeyField(Station, null=True, on_delete="RESTRICT")
    station_id: int | None
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    user_id: int | None
    present = IntegerField(default=0)
    missing = IntegerField(default=0)
    damaged = IntegerField(default=0)


class InventoryLine(BaseModel):
    id: AutoField[int]
    check = ForeignKeyField(InventoryCheck, backref="lines", on_delete="CASCADE", index=True)
    check_id: int
    item = CharField(max_length=32)
    condition = ChoiceField(ITEM_CONDITIONS[1:])
    note = TextField(default="")


class Posting(Record):
    """A person serving at a station or in a unit from one date to another (open: still serving)."""

    trainee = ForeignKeyField(Trainee, backref="postings", on_delete="RESTRICT", index=True)
    trainee_id: int
    station = ForeignKeyField(Station, null=True, backref="postings", on_delete="RESTRICT", index=True)
    station_id: int | None
    unit = ForeignKeyField(Unit, null=True, on_delete="RESTRICT")
    unit_id: int | None
    start_date = DateField()
    end_date = DateField(null=True)
    end_reason = CharField(default="", max_length=32)
    source = CharField(default="")  # cohort code or import file: how it was made

    class Meta:
        constraints = [
            Check("end_date IS NULL OR end_date >= start_date"),
            Check("station_id IS NOT NULL OR unit_id IS NOT NULL"),
            Check("(end_date IS NULL) = (end_reason = '')"),
        ]


class Program(Record):
    """A program of instruction: named and versioned; a course can follow several."""

    code = CharField(max_length=32)
    revision = CharField(max_length=16, default="1")  # the POI's own version ("version" is the row's lock)
    name = CharField()
    course = ForeignKeyField(Course, on_delete="RESTRICT", index=True)
    course_id: int
    nation = CharField(default="", max_length=8)  # who wrote it (ISO 3166 alpha-2)

    class Meta:
        indexes = ((("code", "revision"), True),)


class CohortDelivery(BaseModel):
    """Which program of instruction a cohort followed."""

    cohort = ForeignKeyField(Cohort, primary_key=True, on_delete="CASCADE")
    program = ForeignKeyField(Program, null=True, on_delete="RESTRICT", index=True)
    program_id: int | None


class CohortNation(BaseModel):
    """A coalition nation that delivered (part of) a cohort."""

    id: AutoField[int]

    cohort = ForeignKeyField(Cohort, backref="nations", on_delete="CASCADE")
    cohort_id: int
    nation = CharField(max_length=8)

    class Meta:
        indexes = ((("cohort", "nation"), True),)
