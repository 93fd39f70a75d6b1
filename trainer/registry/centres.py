"""Training centres: where cohorts run."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import FieldProblem, ValidationFailed
from trainer.registry import reference


@dataclass(frozen=True)
class CentreView:
    id: int
    code: str
    name_en: str
    name_ar: str
    province: str


def _view(r: models.Centre) -> CentreView:
    return CentreView(r.id, r.code, r.name_en, r.name_ar, r.province_id)


def list_centres(actor: Actor) -> list[CentreView]:
    require(actor, "cohort.read")
    with database.connection_context():
        return [_view(r) for r in models.Centre.select().order_by(models.Centre.code)]


def create_centre(actor: Actor, code: str, name_en: str, province: str, name_ar: str = "") -> CentreView:
    require(actor, "reference.write")
    code, name_en, name_ar = code.strip().upper(), " ".join(name_en.split()), " ".join(name_ar.split())
    problems = []
    if not code or not code.replace("-", "").replace("_", "").isalnum():
        problems.append(FieldProblem("code", "letters, digits, '-' and '_' only"))
    if not name_en:
        problems.append(FieldProblem("name_en", "required"))
    prov = reference.resolve_province(province) if province else None
    if prov is None:
        problems.append(FieldProblem("province", f"unknown province {province!r}" if province else "required"))
    if problems:
        raise ValidationFailed(problems)
    with database.connection_context():
        try:
            with database.atomic():
                row = models.Centre.create(code=code, name_en=name_en, name_ar=name_ar, province=prov)
                audit.record(
                    actor, "create", "centre", row.uuid, after={"code": code, "name_en": name_en, "province": prov}
                )
        except IntegrityError:
            raise ValidationFailed([FieldProblem("code", f"{code} is taken")]) from None
        return _view(row)
