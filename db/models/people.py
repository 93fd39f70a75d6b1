"""Persons: trainees, their unit history and vetting records."""

from __future__ import annotations

from peewee import CharField, Check, DateField, ForeignKeyField, TextField

from db.fields import ChoiceField
from db.models.base import Record
from db.models.reference import Centre, Force, Province, Unit

GENDERS = ("m", "f")
TRAINEE_STATUSES = ("active", "inactive", "dismissed", "deceased", "merged")
VETTING_KINDS = ("individual", "unit")
VETTING_RESULTS = ("pending", "approved", "denied", "suspended")


class Trainee(Record):
    # Names in Arabic script as written (logical order, NFC); Latin where known.
    given_name = CharField()
    father_name = CharField()
    grandfather_name = CharField()
    family_name = CharField(default="")
    mother_name = CharField(default="")
    given_name_latin = CharField(default="")
    father_name_latin = CharField(default="")
    grandfather_name_latin = CharField(default="")
    family_name_latin = CharField(default="")
    # Normalised words and consonant skeletons of every name part, national ID
    # and service number: what the full-text indexes cover.
    search_text = TextField(default="")
    # Skeletons of given and father's name: the duplicate-candidate key.
    match_key = CharField(default="", index=True)
    date_of_birth = DateField(index=True)
    gender = ChoiceField(GENDERS, default="m")
    national_id = CharField(
        null=True,
        unique=True,
        max_length=20,
        constraints=[Check("national_id IS NULL OR length(national_id) BETWEEN 8 AND 20")],
    )
    service_number = CharField(null=True, unique=True, max_length=32)
    force = ForeignKeyField(Force, on_delete="RESTRICT", index=True)
    force_id: str
    province = ForeignKeyField(Province, on_delete="RESTRICT", index=True)
    province_id: str
    rank = CharField(default="")
    phone = CharField(default="")
    status = ChoiceField(TRAINEE_STATUSES, default="active")
    merged_into = ForeignKeyField("self", null=True, on_delete="RESTRICT")
    merged_into_id: int | None
    # The centre whose registrar registered the person (None: an admin, or before migration
    # 0010); with the centres of their cohorts it is a registrar's scope (docs/robustness.md).
    registered_centre = ForeignKeyField(Centre, null=True, on_delete="SET NULL", index=True)
    # A site-chosen key (roster import batch) — lets an import be traced.
    source = CharField(default="")


# The persons among the records (not merged into another): partial indexes the registry list's
# counts and pages read (migration 0020, trainer.registry.listing.PERSONS).
for _name, _field in (
    ("trainee_person", Trainee.id),
    ("trainee_person_force", Trainee.force),
    ("trainee_person_province", Trainee.province),
):
    Trainee.add_index(Trainee.index(_field, name=_name, where=(Trainee.status != "merged")))
del _name, _field


class UnitAssignment(Record):
    """A person's unit history: which unit (hence force) from when to when."""

    trainee = ForeignKeyField(Trainee, backref="unit_history", on_delete="CASCADE")
    trainee_id: int
    unit = ForeignKeyField(Unit, on_delete="RESTRICT")
    unit_id: int
    start_date = DateField()
    end_date = DateField(null=True)

    class Meta:
        constraints = [Check("end_date IS NULL OR end_date >= start_date")]


class VettingRecord(Record):
    """Evidence of a Leahy vetting decision for a person or a whole unit."""

    trainee = ForeignKeyField(Trainee, null=True, backref="vetting", on_delete="RESTRICT")
    trainee_id: int | None
    unit = ForeignKeyField(Unit, null=True, on_delete="RESTRICT")
    unit_id: int | None
    kind = ChoiceField(VETTING_KINDS)
    case_ref = CharField()
    result = ChoiceField(VETTING_RESULTS)
    decision_date = DateField(null=True)
    funder = CharField(default="")
    note = TextField(default="")

    class Meta:
        constraints = [
            Check("(kind = 'individual' AND trainee_id IS NOT NULL) OR (kind = 'unit' AND unit_id IS NOT NULL)"),
            Check("result = 'pending' OR decision_date IS NOT NULL"),
        ]
