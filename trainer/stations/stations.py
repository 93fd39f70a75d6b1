"""Stations and border posts: create, edit (version-checked), list, find."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from peewee import JOIN, IntegrityError, fn

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.registry import reference

if TYPE_CHECKING:
    from db.models.base import Select

KIND_LABEL = {"police": "police station", "border": "border post"}

MAX_STRENGTH = 100_000  # officers at one station: far above any real one, within a database integer


@dataclass(frozen=True)
class StationInput:
    code: str
    kind: str  # police | border
    province: str  # any spelling reference.resolve_province knows
    name_en: str
    name_ar: str = ""
    district: str = ""
    authorised_strength: int = 0
    status: str = "planned"
    latitude: float | None = None
    longitude: float | None = None
    centre: str = ""  # code of the supporting training centre


@dataclass(frozen=True)
class StationView:
    id: int
    uuid: str
    version: int
    code: str
    kind: str
    province: str
    province_name: str
    district: str
    name_en: str
    name_ar: str
    status: str
    authorised_strength: int
    latitude: float | None
    longitude: float | None
    centre: str
    kit: str  # serial of the kit there ('' if none)
    kit_state: str
    posted: int  # officers serving there today

    def as_input(self) -> StationInput:
        return StationInput(
            self.code,
            self.kind,
            self.province,
            self.name_en,
            self.name_ar,
            self.district,
            self.authorised_strength,
            self.status,
            self.latitude,
            self.longitude,
            self.centre,
        )


def _checked(data: StationInput) -> dict[str, Any]:
    problems = []
    code = data.code.strip().upper()
    if not code:
        problems.append(FieldProblem("code", "required"))
    if data.kind not in models.STATION_KINDS:
        problems.append(FieldProblem("kind", "police or border"))
    province = reference.resolve_province(data.province)
    if province is None:
        problems.append(FieldProblem("province", f"no province called {data.province!r}"))
    if not data.name_en.strip():
        problems.append(FieldProblem("name_en", "required"))
    if data.status not in models.STATION_STATUSES:
        problems.append(FieldProblem("status", "planned, open or closed"))
    if not isinstance(data.authorised_strength, int) or not 0 <= data.authorised_strength <= MAX_STRENGTH:
        problems.append(FieldProblem("authorised_strength", f"a whole number from 0 to {MAX_STRENGTH:,}"))
    if (data.latitude is None) != (data.longitude is None):
        problems.append(FieldProblem("coordinates", "give both latitude and longitude, or neither"))
    elif (
        data.latitude is not None
        and data.longitude is not None
        and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180)
    ):
        problems.append(FieldProblem("coordinates", "latitude -90..90, longitude -180..180"))
    centre_id = None
    if data.centre.strip():
        centre_id = models.Centre.select(models.Centre.id).where(models.Centre.code == data.centre.strip()).scalar()
        if centre_id is None:
            problems.append(FieldProblem("centre", f"no centre with code {data.centre!r}"))
    if problems:
        raise ValidationFailed(problems)
    return dict(
        code=code,
        kind=data.kind,
        province=province,
        district=data.district.strip(),
        name_en=data.name_en.strip(),
        name_ar=data.name_ar.strip(),
        status=data.status,
        authorised_strength=data.authorised_strength,
        latitude=data.latitude,
        longitude=data.longitude,
        centre=centre_id,
    )


def create_station(actor: Actor, data: StationInput) -> StationView:
    require(actor, "station.write")
    with database.connection_context(), database.atomic():
        values = _checked(data)
        if models.Station.select().where(models.Station.code == values["code"]).exists():
            raise ValidationFailed([FieldProblem("code", f"station {values['code']} already exists")])
        try:
            station = models.Station.create(**values)
        except IntegrityError as exc:
            raise ValidationFailed([FieldProblem("station", f"refused by the database: {exc}")]) from None
        audit.record(actor, "create", "station", station.uuid, after=_audit_values(values))
        return _views(models.Station.select().where(models.Station.id == station.id))[0]


def update_station(actor: Actor, station_id: int, data: StationInput, *, version: int) -> StationView:
    require(actor, "station.write")
    S = models.Station
    with database.connection_context(), database.atomic():
        current = S.get_or_none(S.id == station_id)
        if current is None:
            raise NotFound(f"no station {station_id}")
        values = _checked(data)
        if values["code"] != current.code and S.select().where(S.code == values["code"]).exists():
            raise ValidationFailed([FieldProblem("code", f"station {values['code']} already exists")])
        if values["status"] == "planned" and current.status != "planned":
            # A station that has opened existed: closing it is a fact, reopening is "open".
            raise ValidationFailed(
                [FieldProblem("status", f"station {current.code} is {current.status}: it cannot be planned again")]
            )
        before = {k: getattr(current, k if k not in ("province", "centre") else f"{k}_id") for k in values}
        changed = (
            S.update(**values, version=S.version + 1, updated_at=models.now())
            .where((S.id == station_id) & (S.version == version))
            .execute()
        )
        if not changed:
            view = _views(S.select().where(S.id == station_id))[0]
            raise Conflict(f"station {current.code} was changed by someone else: review and save again", view)
        audit.record(
            actor, "update", "station", current.uuid, before=_audit_values(before), after=_audit_values(values)
        )
        return _views(S.select().where(S.id == station_id))[0]


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in values.items()}


def _matching(text: str = "", province: str | None = None) -> Select[models.Station]:
    S = models.Station
    query = S.select()
    text = text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(
            S.code.ilike(like) | S.name_en.ilike(like) | S.name_ar.contains(text) | S.district.ilike(like)
        )
    if province:
        code = reference.resolve_province(province)
        if code is None:
            raise ValidationFailed([FieldProblem("province", f"no province called {province!r}")])
        query = query.where(S.province == code)
    return query


def list_stations(
    actor: Actor, text: str = "", *, province: str | None = None, offset: int = 0, limit: int = 100
) -> list[StationView]:
    """Stations matching `text` (code, name or district), by code; one page."""
    require(actor, "station.read")
    S = models.Station
    with database.connection_context():
        return _views(_matching(text, province).order_by(S.code).offset(offset).limit(limit))


def count_stations(actor: Actor, text: str = "", *, province: str | None = None) -> int:
    require(actor, "station.read")
    with database.connection_context():
        return int(_matching(text, province).count())


def get_station(actor: Actor, code_or_id: int | str) -> StationView:
    require(actor, "station.read")
    S = models.Station
    where = S.id == code_or_id if isinstance(code_or_id, int) else S.code == str(code_or_id).strip().upper()
    with database.connection_context():
        found = _views(S.select().where(where))
    if not found:
        raise NotFound(f"no station {code_or_id}")
    return found[0]


def _views(query: Select[models.Station]) -> list[StationView]:
    """Views for one page of stations in one statement: its kit joined (a station holds one at
    most), officers serving today counted through the posting index."""
    S, P, Ce, K, Po = models.Station, models.Province, models.Centre, models.Kit, models.Posting
    today = datetime.date.today()
    posted = (
        Po.select(fn.COUNT(Po.id))
        .where((Po.station == S.id) & (Po.start_date <= today) & (Po.end_date.is_null() | (Po.end_date >= today)))
        .alias("posted")
    )  # fmt: skip
    rows = (
        query.select(
            S,
            P.name_en.alias("province_name"),
            Ce.code.alias("centre_code"),
            K.serial.alias("kit_serial"),
            K.state.alias("kit_state"),
            posted,
        )  # fmt: skip
        .join(P)
        .switch(S)
        .join(Ce, JOIN.LEFT_OUTER)
        .switch(S)
        .join(K, JOIN.LEFT_OUTER, on=(K.station == S.id))
        .dicts()
    )
    return [
        StationView(
            id=r["id"],
            uuid=str(r["uuid"]),
            version=r["version"],
            code=r["code"],
            kind=r["kind"],
            province=r["province"],
            province_name=r["province_name"],
            district=r["district"],
            name_en=r["name_en"],
            name_ar=r["name_ar"],
            status=r["status"],
            authorised_strength=r["authorised_strength"],
            latitude=r["latitude"],
            longitude=r["longitude"],
            centre=r["centre_code"] or "",
            kit=r["kit_serial"] or "",
            kit_state=r["kit_state"] or "",
            posted=r["posted"] or 0,
        )
        for r in rows
    ]


def as_dict(view: StationView) -> dict[str, Any]:
    return asdict(view)
