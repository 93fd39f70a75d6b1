"""Station kits: the manifest, and each movement (receipt at a centre, issue to a station,
set-up, transfer) signed for, audited and refused when out of order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from peewee import JOIN

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_centre
from trainer.errors import FieldProblem, NotFound, TrainerError, ValidationFailed

# (item code, name, quantity): what every kit holds; border kits add a tower (docs/stations.md).
MANIFEST: tuple[tuple[str, str, int], ...] = (
    ("CONTAINER", "Shipping container with tent and working space", 2),
    ("FURNITURE", "Desks, chairs and cots (set)", 1),
    ("LIGHTING", "Lighting set", 1),
    ("WATER", "Water tank", 2),
    ("GENERATOR", "Generator", 1),
    ("LAPTOP", "Laptop", 4),
    ("PHONE", "Mobile phone", 10),
    ("GPS", "GPS receiver", 2),
    ("ARMS-STORE", "Weapons storage locker", 1),
    ("CHECKPOINT", "Checkpoint equipment (set)", 1),
    ("VEHICLE", "Vehicle", 2),
)
BORDER_EXTRA: tuple[tuple[str, str, int], ...] = (("TOWER", "Observation tower (small)", 1),)


def manifest(kind: str) -> tuple[tuple[str, str, int], ...]:
    return MANIFEST + (BORDER_EXTRA if kind == "border" else ())


@dataclass(frozen=True)
class KitItemView:
    item: str
    name: str
    quantity: int
    condition: str  # unchecked | present | missing | damaged
    note: str


@dataclass(frozen=True)
class MovementView:
    action: str
    day: datetime.date
    place: str  # centre or station code
    signed_by: str
    username: str


@dataclass(frozen=True)
class KitView:
    id: int
    version: int
    serial: str
    kind: str
    state: str
    centre: str
    centre_id: int | None
    station: str
    station_id: int | None
    received_on: datetime.date | None
    received_by: str
    issued_on: datetime.date | None
    set_up_on: datetime.date | None
    items: tuple[KitItemView, ...]
    movements: tuple[MovementView, ...]
    set_up_checked: bool = False  # a set-up check was made at its present station (trainer.stations.inventory)

    @property
    def problems(self) -> tuple[KitItemView, ...]:
        """Items missing or damaged at the last check: they stay until a check finds them present."""
        return tuple(i for i in self.items if i.condition in ("missing", "damaged"))

    @property
    def complete(self) -> bool:
        return all(i.condition == "present" for i in self.items)


def plan_kit(actor: Actor, serial: str, kind: str) -> KitView:
    """A kit the programme has ordered: serial, kind and manifest."""
    require(actor, "station.write")
    serial = serial.strip().upper()
    if not serial:
        raise ValidationFailed([FieldProblem("serial", "required")])
    if kind not in models.STATION_KINDS:
        raise ValidationFailed([FieldProblem("kind", "police or border")])
    with database.connection_context(), database.atomic():
        if models.Kit.select().where(models.Kit.serial == serial).exists():
            raise ValidationFailed([FieldProblem("serial", f"kit {serial} already exists")])
        kit = models.Kit.create(serial=serial, kind=kind)
        models.KitItem.insert_many(
            [dict(kit=kit.id, item=i, name=n, quantity=q) for i, n, q in manifest(kind)]
        ).execute()
        audit.record(actor, "kit-plan", "kit", kit.uuid, after={"serial": serial, "kind": kind})
        return kit_view(kit.id)


def _kit(serial: str) -> models.Kit:
    kit = models.Kit.get_or_none(models.Kit.serial == serial.strip().upper())
    if kit is None:
        raise NotFound(f"no kit {serial.strip().upper()}")
    return kit


def _station(code: str) -> models.Station:
    station = models.Station.get_or_none(models.Station.code == code.strip().upper())
    if station is None:
        raise NotFound(f"no station {code.strip().upper()}")
    return station


def holder_centre(kit: models.Kit) -> int | None:
    """The centre answerable for a kit: where it was received, or the centre supporting its station."""
    if kit.station_id is not None:
        centre: int | None = (
            models.Station.select(models.Station.centre).where(models.Station.id == kit.station_id).scalar()
        )
        return centre
    return kit.centre_id


def _signed(signed_by: str) -> str:
    name = " ".join(signed_by.split())
    if not name:
        raise ValidationFailed([FieldProblem("signed_by", "the name of who signed for the kit is required")])
    return name


def _day(day: datetime.date | None, after: datetime.date | None, what: str) -> datetime.date:
    day = day or datetime.date.today()
    if day > datetime.date.today():
        raise ValidationFailed([FieldProblem("date", f"{day.isoformat()} is in the future")])
    if after is not None and day < after:
        raise ValidationFailed([FieldProblem("date", f"{what} cannot be before {after.isoformat()}")])
    return day


def _move(
    actor: Actor,
    kit: models.Kit,
    action: str,
    day: datetime.date,
    signed_by: str,
    place: dict[str, int | None],
    changes: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> KitView:
    """Apply `changes` to the kit (version-checked), log the movement at `place`, audit it."""
    K = models.Kit
    changed = (
        K.update(**changes, version=K.version + 1, updated_at=models.now())
        .where((K.id == kit.id) & (K.version == kit.version))
        .execute()
    )
    if not changed:
        raise TrainerError(f"kit {kit.serial} was moved by someone else meanwhile: look again")
    models.KitMovement.create(kit=kit.id, action=action, day=day, signed_by=signed_by, user=actor.user_id, **place)
    audit.record(
        actor,
        f"kit-{action}",
        "kit",
        kit.uuid,
        before=before,
        after={k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in changes.items()},
        signed_by=signed_by,
    )
    return kit_view(kit.id)


def receive(actor: Actor, serial: str, centre: str, signed_by: str, day: datetime.date | None = None) -> KitView:
    """A training centre signs for a kit the programme delivered."""
    require(actor, "kit.move")
    with database.connection_context(), database.atomic():
        kit = _kit(serial)
        centre_id = models.Centre.select(models.Centre.id).where(models.Centre.code == centre.strip()).scalar()
        if centre_id is None:
            raise ValidationFailed([FieldProblem("centre", f"no centre with code {centre!r}")])
        require_centre(actor, centre_id)
        if kit.state != "planned":
            raise TrainerError(f"kit {kit.serial} was already received on {kit.received_on}: a kit is received once")
        who = _signed(signed_by)
        day = _day(day, None, "receipt")
        changes = dict(state="received", centre=centre_id, received_on=day, received_by=who)
        return _move(actor, kit, "receive", day, who, {"centre": centre_id}, changes)


def issue(actor: Actor, serial: str, station: str, signed_by: str, day: datetime.date | None = None) -> KitView:
    """The receiving centre hands a kit to a station; a kit is issued once (then transferred)."""
    require(actor, "kit.move")
    with database.connection_context(), database.atomic():
        kit = _kit(serial)
        target = _station(station)
        require_centre(actor, holder_centre(kit) or 0)
        if kit.state == "planned":
            raise TrainerError(f"kit {kit.serial} has not been received by a centre yet")
        if kit.state in ("issued", "set-up"):
            where = models.Station.get_by_id(kit.station_id).code
            raise TrainerError(f"kit {kit.serial} is already issued to {where}: transfer it instead")
        _check_station_takes(kit, target)
        day = _day(day, kit.received_on, "issue")
        changes = dict(state="issued", station=target.id, issued_on=day)
        return _move(actor, kit, "issue", day, _signed(signed_by), {"station": target.id}, changes)


def _check_station_takes(kit: models.Kit, target: models.Station) -> None:
    if target.status == "closed":
        raise TrainerError(f"station {target.code} is closed")
    if target.kind != kit.kind:
        raise TrainerError(f"kit {kit.serial} is a {kit.kind} kit; {target.code} is a {target.kind} station")
    K = models.Kit
    other = K.select(K.serial).where((K.station == target.id) & (K.id != kit.id)).scalar()
    if other:
        raise TrainerError(f"station {target.code} already has kit {other}")


def set_up(actor: Actor, serial: str, signed_by: str, day: datetime.date | None = None) -> KitView:
    """The kit stands at its station; the station opens if it was planned."""
    require(actor, "kit.move")
    with database.connection_context(), database.atomic():
        kit = _kit(serial)
        require_centre(actor, holder_centre(kit) or 0)
        if kit.state != "issued":
            raise TrainerError(
                f"kit {kit.serial} is {kit.state}: only a kit issued to a station is set up"
                if kit.state != "set-up"
                else f"kit {kit.serial} was already set up on {kit.set_up_on}"
            )
        day = _day(day, kit.issued_on, "set-up")
        S = models.Station
        S.update(status="open", version=S.version + 1, updated_at=models.now()).where(
            (S.id == kit.station_id) & (S.status == "planned")
        ).execute()
        changes = dict(state="set-up", set_up_on=day)
        return _move(actor, kit, "set-up", day, _signed(signed_by), {"station": kit.station_id}, changes)


def transfer(actor: Actor, serial: str, station: str, signed_by: str, day: datetime.date | None = None) -> KitView:
    """A kit moves from one station to another; it must be set up again there."""
    require(actor, "kit.move")
    with database.connection_context(), database.atomic():
        kit = _kit(serial)
        target = _station(station)
        require_centre(actor, holder_centre(kit) or 0)
        if kit.state not in ("issued", "set-up"):
            raise TrainerError(f"kit {kit.serial} is not at a station: issue it first")
        if kit.station_id == target.id:
            raise TrainerError(f"kit {kit.serial} is already at {target.code}")
        _check_station_takes(kit, target)
        day = _day(day, kit.set_up_on or kit.issued_on, "transfer")
        changes = dict(state="issued", station=target.id, issued_on=day, set_up_on=None)
        before = {"station": kit.station_id}
        return _move(actor, kit, "transfer", day, _signed(signed_by), {"station": target.id}, changes, before)


def get_kit(actor: Actor, serial: str) -> KitView:
    require(actor, "station.read")
    with database.connection_context():
        return kit_view(_kit(serial).id)


def list_kits(actor: Actor, *, state: str | None = None, limit: int = 500) -> list[KitView]:
    require(actor, "station.read")
    K = models.Kit
    with database.connection_context():
        q = K.select(K.id).order_by(K.serial).limit(limit)
        if state:
            q = q.where(K.state == state)
        return [kit_view(kid) for (kid,) in q.tuples()]


def waiting(actor: Actor, move: str, kind: str, centre: str = "", *, limit: int = 6) -> tuple[list[str], int]:
    """Serials a movement could take, first by serial, and how many: for `receive` the kits of this
    kind not yet received; `issue`, those received at `centre` (any, if none) and not issued; `transfer`, those at
    stations. What the app's kit movement offers, since a serial cannot be guessed."""
    require(actor, "station.read")
    K = models.Kit
    q = K.select(K.serial).where(K.kind == kind)
    if move == "receive":
        q = q.where(K.state == "planned")
    elif move == "issue":  # at the station's centre; a station no centre supports takes one from any
        q = q.where(K.state == "received")
        if centre.strip():
            centre_id = models.Centre.select(models.Centre.id).where(models.Centre.code == centre.strip()).scalar()
            q = q.where(K.centre == centre_id)
    elif move == "transfer":
        q = q.where(K.state.in_(("issued", "set-up")))
    else:
        return [], 0
    with database.connection_context():
        return [serial for (serial,) in q.order_by(K.serial).limit(limit).tuples()], q.count()


def kit_view(kit_id: int) -> KitView:
    K, KI, M, S, Ce, U = models.Kit, models.KitItem, models.KitMovement, models.Station, models.Centre, models.User
    kit = K.get_by_id(kit_id)
    codes = {}
    if kit.centre_id:
        codes["c"] = Ce.select(Ce.code).where(Ce.id == kit.centre_id).scalar()
    if kit.station_id:
        codes["s"] = S.select(S.code).where(S.id == kit.station_id).scalar()
    items = tuple(
        KitItemView(*row)
        for row in KI.select(KI.item, KI.name, KI.quantity, KI.condition, KI.note)
        .where(KI.kit == kit_id)
        .order_by(KI.id)
        .tuples()
    )
    IC = models.InventoryCheck
    set_up_checked = (
        kit.station_id is not None
        and IC.select()
        .where((IC.kit == kit_id) & (IC.stage == "set-up") & (IC.station == kit.station_id) & (IC.day >= kit.issued_on))
        .exists()
    )
    moves = []
    for action, day, centre, station, signed, user in (
        M.select(M.action, M.day, Ce.code, S.code, M.signed_by, U.username)
        .join(Ce, join_type=JOIN.LEFT_OUTER, on=(Ce.id == M.centre))
        .switch(M)
        .join(S, join_type=JOIN.LEFT_OUTER, on=(S.id == M.station))
        .switch(M)
        .join(U, join_type=JOIN.LEFT_OUTER, on=(U.id == M.user))
        .where(M.kit == kit_id)
        .order_by(M.id)
        .tuples()
    ):
        moves.append(MovementView(action, day, station or centre or "", signed, user or "system"))
    return KitView(
        id=kit.id,
        version=kit.version,
        serial=kit.serial,
        kind=kit.kind,
        state=kit.state,
        centre=codes.get("c", ""),
        centre_id=kit.centre_id,
        station=codes.get("s", ""),
        station_id=kit.station_id,
        received_on=kit.received_on,
        received_by=kit.received_by,
        issued_on=kit.issued_on,
        set_up_on=kit.set_up_on,
        items=items,
        movements=tuple(moves),
        set_up_checked=set_up_checked,
    )
