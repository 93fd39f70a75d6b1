"""The trainee registry: validation, create and edit with optimistic locking, search."""
from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, fields, replace

from peewee import IntegrityError

from db import models
from db.connection import database, is_postgres
from db.search import search_ids
from trainer import audit, names, reference
from trainer.access import Actor, require
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed

MIN_AGE, MAX_AGE = 16, 70
NAME_PARTS = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name")
LATIN_PARTS = ("given_name_latin", "father_name_latin", "grandfather_name_latin", "family_name_latin")


@dataclass(frozen=True)
class TraineeInput:
    """What a clerk types or a roster row holds (text as entered, logical order)."""

    given_name: str
    father_name: str
    grandfather_name: str
    date_of_birth: datetime.date | None
    force: str
    province: str
    family_name: str = ""
    mother_name: str = ""
    given_name_latin: str = ""
    father_name_latin: str = ""
    grandfather_name_latin: str = ""
    family_name_latin: str = ""
    gender: str = "m"
    national_id: str = ""
    service_number: str = ""
    rank: str = ""
    phone: str = ""


@dataclass(frozen=True)
class TraineeView:
    id: int
    uuid: str
    version: int
    given_name: str
    father_name: str
    grandfather_name: str
    family_name: str
    mother_name: str
    given_name_latin: str
    father_name_latin: str
    grandfather_name_latin: str
    family_name_latin: str
    date_of_birth: datetime.date
    gender: str
    national_id: str
    service_number: str
    force: str
    province: str
    rank: str
    phone: str
    status: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.father_name, self.grandfather_name,
                                    self.family_name) if p)

    @property
    def latin_name(self) -> str:
        return " ".join(p for p in (self.given_name_latin, self.father_name_latin,
                                    self.grandfather_name_latin, self.family_name_latin) if p)

    def as_input(self) -> TraineeInput:
        keep = {f.name for f in fields(TraineeInput)}
        return TraineeInput(**{k: v for k, v in asdict(self).items() if k in keep})


def clean(data: TraineeInput, *, today: datetime.date | None = None) -> tuple[TraineeInput, list[FieldProblem]]:
    """Normalise what can be normalised without guessing; list what is wrong."""
    today = today or datetime.date.today()
    problems: list[FieldProblem] = []
    text = {f.name: getattr(data, f.name) for f in fields(TraineeInput)}
    for key, value in text.items():
        if isinstance(value, str):
            text[key] = " ".join(value.split())
    for part in ("given_name", "father_name", "grandfather_name"):
        if not text[part]:
            problems.append(FieldProblem(part, "required"))
    dob = text["date_of_birth"]
    if dob is None:
        problems.append(FieldProblem("date_of_birth", "required"))
    elif dob > today:
        problems.append(FieldProblem("date_of_birth", f"{dob.isoformat()} is in the future"))
    else:
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        if not MIN_AGE <= age <= MAX_AGE:
            problems.append(FieldProblem("date_of_birth", f"age {age} is outside {MIN_AGE}–{MAX_AGE}"))
    nid = names.to_ascii_digits(text["national_id"]).replace(" ", "")
    if nid and not (nid.isdigit() and 8 <= len(nid) <= 20):
        problems.append(FieldProblem("national_id", "digits only, 8 to 20 of them"))
    text["national_id"] = nid
    text["service_number"] = names.to_ascii_digits(text["service_number"]).upper()
    text["phone"] = names.to_ascii_digits(text["phone"])
    force = reference.resolve_force(text["force"]) if text["force"] else None
    if force is None:
        problems.append(FieldProblem("force", f"unknown force {text['force']!r}" if text["force"] else "required"))
    province = reference.resolve_province(text["province"]) if text["province"] else None
    if province is None:
        problems.append(FieldProblem("province", f"unknown province {text['province']!r}"
                                     if text["province"] else "required"))
    gender = {"m": "m", "f": "f", "male": "m", "female": "f", "ذكر": "m", "انثى": "f", "أنثى": "f"}.get(
        text["gender"].strip().lower() if text["gender"] else "m")
    if gender is None:
        problems.append(FieldProblem("gender", f"{text['gender']!r} is not m or f"))
    text.update(force=force or text["force"], province=province or text["province"], gender=gender or "m")
    return TraineeInput(**text), problems


def search_text(data: TraineeInput) -> str:
    parts = [getattr(data, p) for p in NAME_PARTS + LATIN_PARTS]
    return " ".join(filter(None, (names.keys(*parts), data.national_id, data.service_number.lower())))


def _row_values(data: TraineeInput) -> dict:
    values = asdict(data)
    values["national_id"] = data.national_id or None
    values["service_number"] = data.service_number or None
    values["search_text"] = search_text(data)
    values["match_key"] = names.name_skeleton(data.given_name, data.father_name)
    return values


def _view(row: models.Trainee) -> TraineeView:
    return TraineeView(
        id=row.id, uuid=str(row.uuid), version=row.version,
        **{p: getattr(row, p) for p in NAME_PARTS + LATIN_PARTS},
        date_of_birth=row.date_of_birth, gender=row.gender, national_id=row.national_id or "",
        service_number=row.service_number or "", force=row.force_id, province=row.province_id,
        rank=row.rank, phone=row.phone, status=row.status)


def _unique_problem(exc: IntegrityError) -> ValidationFailed:
    text = str(exc).lower()
    field = "service_number" if "service_number" in text else "national_id"
    return ValidationFailed([FieldProblem(field, "already registered to another person")])


def create_trainee(actor: Actor, data: TraineeInput) -> TraineeView:
    require(actor, "trainee.write")
    data, problems = clean(data)
    if problems:
        raise ValidationFailed(problems)
    with database.connection_context():
        try:
            with database.atomic():
                row = models.Trainee.create(**_row_values(data))
                audit.record(actor, "create", "trainee", row.uuid, after=asdict(data))
        except IntegrityError as exc:
            raise _unique_problem(exc) from None
        return _view(row)


def update_trainee(actor: Actor, trainee_id: int, version: int, data: TraineeInput) -> TraineeView:
    """Save an edit made from `version`; a newer saved version is a Conflict, never overwritten."""
    require(actor, "trainee.write")
    data, problems = clean(data)
    if problems:
        raise ValidationFailed(problems)
    with database.connection_context():
        try:
            with database.atomic():
                current = models.Trainee.get_or_none(models.Trainee.id == trainee_id)
                if current is None:
                    raise NotFound(f"no trainee {trainee_id}")
                before = _view(current).as_input()
                T = models.Trainee
                changed = (T.update(**_row_values(data), version=T.version + 1, updated_at=models.now())
                           .where((T.id == trainee_id) & (T.version == version)).execute())
                if not changed:
                    raise Conflict("another user saved this trainee first: reload to see their changes",
                                   current=_view(current))
                audit.record(actor, "update", "trainee", current.uuid, before=asdict(before), after=asdict(data))
        except IntegrityError as exc:
            raise _unique_problem(exc) from None
        return _view(models.Trainee.get_by_id(trainee_id))


def get_trainee(actor: Actor, trainee_id: int) -> TraineeView:
    require(actor, "trainee.read")
    with database.connection_context():
        row = models.Trainee.get_or_none(models.Trainee.id == trainee_id)
        if row is None:
            raise NotFound(f"no trainee {trainee_id}")
        return _view(row)


def search(actor: Actor, text: str, *, limit: int = 50, offset: int = 0) -> list[TraineeView]:
    """Trainees matching every typed word: word prefix first, substring when prefixes find nothing.

    Arabic or Latin, any spelling the skeleton bridges; national ID and service number too.
    """
    require(actor, "trainee.read")
    words = query_words(text)
    with database.connection_context():
        db = database.obj
        pg = is_postgres()
        ids = search_ids(db, words, postgres=pg, limit=limit, offset=offset)
        if not ids:
            ids = search_ids(db, words, postgres=pg, limit=limit, offset=offset, substring=True)
        rows = {r.id: r for r in models.Trainee.select().where(models.Trainee.id.in_(ids))} if ids else {}
        return [_view(rows[i]) for i in ids if i in rows]


def query_words(text: str) -> list[tuple[str, ...]]:
    """Typed words as index terms: each normalised word, with its consonant skeleton as an
    alternative so that Mohamed finds محمد (skeletons of two letters or more, as names.matches)."""
    terms = []
    for word in names.normalise(text).split():
        skel = names.skeleton(word)
        alts = (skel,) if len(skel) >= 2 and skel != word and " " not in skel else ()
        terms.append((word, *alts))
    return terms


def possible_duplicates(data: TraineeInput, *, exclude_id: int | None = None) -> list[TraineeView]:
    """Registered persons who may be this one: same national ID, or same given+father skeleton
    and date of birth. Only a suggestion: a person decides."""
    data, _ = clean(data)
    key = names.name_skeleton(data.given_name, data.father_name)
    T = models.Trainee
    with database.connection_context():
        cond = (T.match_key == key) & (T.date_of_birth == data.date_of_birth)
        if data.national_id:
            cond = cond | (T.national_id == data.national_id)
        query = T.select().where(cond & (T.status != "merged"))
        if exclude_id is not None:
            query = query.where(T.id != exclude_id)
        return [_view(r) for r in query.limit(20)]


def count(actor: Actor) -> int:
    require(actor, "trainee.read")
    with database.connection_context():
        return models.Trainee.select().count()


def with_changes(view: TraineeView, **changes) -> TraineeInput:
    return replace(view.as_input(), **changes)
