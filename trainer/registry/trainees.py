"""The trainee registry: validation, create and edit with optimistic locking, search."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any
from uuid import UUID

from peewee import IntegrityError

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor, home_centre, require, require_trainee
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.registry import listing as trainee_list
from trainer.registry import names, reference, scope
from trainer.reporting import summary
from trainer.text import problems as unsafe_text

if TYPE_CHECKING:
    from trainer.registry.detail import TraineeDetail

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
        return " ".join(p for p in (self.given_name, self.father_name, self.grandfather_name, self.family_name) if p)

    @property
    def latin_name(self) -> str:
        return " ".join(
            p
            for p in (
                self.given_name_latin,
                self.father_name_latin,
                self.grandfather_name_latin,
                self.family_name_latin,
            )
            if p
        )

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
    problems += unsafe_text(text)  # ESC sequences and bidi overrides: the form path as well as imports
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
        problems.append(
            FieldProblem("province", f"unknown province {text['province']!r}" if text["province"] else "required")
        )
    gender = {"m": "m", "f": "f", "male": "m", "female": "f", "ذكر": "m", "انثى": "f", "أنثى": "f"}.get(
        text["gender"].strip().lower() if text["gender"] else "m"
    )
    if gender is None:
        problems.append(FieldProblem("gender", f"{text['gender']!r} is not m or f"))
    text.update(force=force or text["force"], province=province or text["province"], gender=gender or "m")
    return TraineeInput(**text), problems


def search_text(data: TraineeInput) -> str:
    parts = [getattr(data, p) for p in NAME_PARTS + LATIN_PARTS]
    return " ".join(filter(None, (names.keys(*parts), data.national_id, data.service_number.lower())))


def _row_values(data: TraineeInput) -> dict[str, Any]:
    values = asdict(data)
    values["national_id"] = data.national_id or None
    values["service_number"] = data.service_number or None
    values["search_text"] = search_text(data)
    values["match_key"] = names.name_skeleton(data.given_name, data.father_name)
    return values


def _view(row: models.Trainee) -> TraineeView:
    return TraineeView(
        id=row.id,
        uuid=str(row.uuid),
        version=row.version,
        **{p: getattr(row, p) for p in NAME_PARTS + LATIN_PARTS},
        date_of_birth=row.date_of_birth,
        gender=row.gender,
        national_id=row.national_id or "",
        service_number=row.service_number or "",
        force=row.force_id,
        province=row.province_id,
        rank=row.rank,
        phone=row.phone,
        status=row.status,
    )


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
                row = models.Trainee.create(**_row_values(data), registered_centre=home_centre(actor))
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
                require_trainee(actor, trainee_id)
                before = _view(current).as_input()
                T = models.Trainee
                changed = (
                    T.update(**_row_values(data), version=T.version + 1, updated_at=models.now())
                    .where((T.id == trainee_id) & (T.version == version))
                    .execute()
                )
                if not changed:
                    raise Conflict(
                        "another user saved this trainee first: reload to see their changes", current=_view(current)
                    )
                audit.record(actor, "update", "trainee", current.uuid, before=asdict(before), after=asdict(data))
                if (before.force, before.province) != (data.force, data.province):
                    summary.refresh_trainees([trainee_id])  # reports count people by force and province
        except IntegrityError as exc:
            raise _unique_problem(exc) from None
        return _view(models.Trainee.get_by_id(trainee_id))


def get_trainee(actor: Actor, trainee_id: int) -> TraineeView:
    require(actor, "trainee.read")
    with database.connection_context():
        row = models.Trainee.get_or_none(models.Trainee.id == trainee_id)
        if row is None:
            raise NotFound(f"no trainee {trainee_id}")
        scope.require_sees(actor, trainee_id)
        return scope.shown(actor, _view(row))


def search(actor: Actor, text: str, *, limit: int = 50, offset: int = 0) -> list[TraineeView]:
    """Trainees matching every typed word: word prefix first, substring when prefixes find nothing.

    Arabic or Latin, any spelling the skeleton bridges; national ID and service number too.
    Persons only: a merged record is left out (so a page may hold fewer than `limit`; `offset`
    counts matches). The registry list's status filter "merged" still finds one.
    """
    require(actor, "trainee.read")
    words = query_words(text)
    with database.connection_context():
        db, d = database.obj, dialect()
        ids = d.search_ids(words, limit=limit, offset=offset)
        if not ids:
            ids = d.search_ids(words, limit=limit, offset=offset, substring=True)
        if not ids:
            return []
        # Plain tuples: building 50 model objects cost more than the index query itself.
        marks = ", ".join([db.param] * len(ids))
        columns = ", ".join(trainee_list.FIELDS)
        sql = f"SELECT {columns} FROM trainee t WHERE t.id IN ({marks}) AND {trainee_list.PERSONS}"
        teacher = scope.taught_by(actor)
        if teacher is not None:
            sql += " AND " + scope.TAUGHT.format(p=db.param)
        rows = {r[0]: r for r in db.execute_sql(sql, ids + ([teacher] if teacher is not None else [])).fetchall()}
        return [scope.shown(actor, _from_tuple(rows[i])) for i in ids if i in rows]


def query_words(text: str) -> list[tuple[str, ...]]:
    """Typed words as index terms: each normalised word, with its consonant skeleton as an
    alternative so that Mohamed finds محمد (skeletons of two letters or more, as names.matches)."""
    terms = []
    for word in names.normalise(text).split():
        skel = names.skeleton(word)
        alts = (skel,) if len(skel) >= 2 and skel != word and " " not in skel else ()
        terms.append((word, *alts))
    return terms


def typing_terms(text: str) -> list[tuple[str, ...]]:
    """`query_words` for search-as-you-type: the last word, still being typed, also
    matches by the prefix of its skeleton, so "moh" already finds محمد."""
    terms = query_words(text)
    if terms and text and not text[-1].isspace():
        word, *alts = terms[-1]
        skel = names.skeleton(word)
        if len(skel) >= 2 and " " not in skel:
            terms[-1] = (word, *alts, skel + "*")
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


# --- the registry list: filtered pages for a list that fetches only what it shows ---

VETTING_STATES = ("approved", "pending", "denied", "none")


@dataclass(frozen=True)
class TraineeFilters:
    """What narrows the registry list. `substring` is decided by `open_list` (prefix first)."""

    text: str = ""
    force: str = ""
    province: str = ""
    status: str = ""
    vetting: str = ""  # approved | pending | denied (or suspended) | none (no record at all)
    substring: bool = False

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.force or self.province or self.status or self.vetting)


@dataclass(frozen=True)
class ListPage:
    filters: TraineeFilters  # as resolved (substring chosen)
    total: int  # matches, up to the cap
    capped: bool  # True: there are more than `total`
    rows: tuple[TraineeView, ...]


def _from_tuple(r: tuple[Any, ...]) -> TraineeView:
    (
        id_,
        uuid,
        version,
        given,
        father,
        grandfather,
        family,
        mother,
        given_l,
        father_l,
        grandfather_l,
        family_l,
        dob,
        gender,
        nid,
        service,
        force,
        province,
        rank,
        phone,
        status,
    ) = r
    if isinstance(dob, str):
        dob = datetime.date.fromisoformat(dob[:10])
    # SQLite returns the UUID as 32 hex digits, PostgreSQL as a UUID: one canonical text form
    # (formatted directly: a list page makes 100 of them on every scroll).
    if isinstance(uuid, UUID):
        uuid = str(uuid)
    elif len(uuid) == 32:
        uuid = f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}".lower()
    else:
        uuid = str(UUID(uuid))
    return TraineeView(
        id_,
        uuid,
        version,
        given,
        father,
        grandfather,
        family,
        mother,
        given_l,
        father_l,
        grandfather_l,
        family_l,
        dob,
        gender,
        nid or "",
        service or "",
        force,
        province,
        rank,
        phone,
        status,
    )


def _checked(filters: TraineeFilters | None) -> TraineeFilters:
    filters = filters or TraineeFilters()
    if filters.vetting and filters.vetting not in VETTING_STATES:
        raise ValidationFailed([FieldProblem("vetting", f"one of {', '.join(VETTING_STATES)}")])
    return filters


def page(
    actor: Actor,
    filters: TraineeFilters | None,
    offset: int,
    limit: int,
    *,
    after_id: int | None = None,
    before_id: int | None = None,
    total: int | None = None,
) -> list[TraineeView]:
    """Rows offset..offset+limit of the filtered registry, in registration order.

    Scrolling passes the id of the row just before (`after_id`) or after (`before_id`)
    the page instead, which costs the same anywhere in the registry; `total` (exact)
    lets a jump into the second half count from the end."""
    require(actor, "trainee.read")
    filters = _checked(filters)
    with database.connection_context():
        found = trainee_list.rows(
            filters,
            typing_terms(filters.text),
            limit=max(0, limit),
            offset=max(0, offset),
            after_id=after_id,
            before_id=before_id,
            total=total,
            taught_by=scope.taught_by(actor),
        )
    return [scope.shown(actor, _from_tuple(r)) for r in found]


def count(actor: Actor, filters: TraineeFilters | None = None, *, cap: int | None = None) -> int:
    """How many trainees the filters keep; with `cap`, at most cap (counting stops there)."""
    require(actor, "trainee.read")
    filters = _checked(filters)
    with database.connection_context():
        return trainee_list.count(filters, typing_terms(filters.text), cap=cap, taught_by=scope.taught_by(actor))


def open_list(actor: Actor, filters: TraineeFilters, limit: int, *, cap: int = 10_000) -> ListPage:
    """The first page and the (capped) count: word-prefix search first, then substring
    when prefixes find nothing, as `search` does. Later pages pass `result.filters` on."""
    require(actor, "trainee.read")
    first = first_page(actor, filters, limit)
    return count_page(actor, first, limit, cap=cap)


def first_page(actor: Actor, filters: TraineeFilters, limit: int) -> ListPage:
    """`open_list` without the count, for a screen that draws the rows before counting: `total` is
    the rows found and `capped` says a full page came back (there may be more: see `count_page`).
    Gated by `page` (trainee.read), its first call; the permission tests reach it through open_list."""
    filters = replace(_checked(filters), substring=False)
    rows = page(actor, filters, 0, limit)
    if not rows and query_words(filters.text):
        filters = replace(filters, substring=True)
        rows = page(actor, filters, 0, limit)
    return ListPage(filters, len(rows), len(rows) >= limit > 0, tuple(rows))


def count_page(actor: Actor, first: ListPage, limit: int, *, cap: int = 10_000) -> ListPage:
    """`first` (from `first_page` with the same `limit`) with its count: exact without search text
    (the indexes count fast), else stopping at `cap`."""
    filters, rows = first.filters, first.rows
    if len(rows) < limit:
        return ListPage(filters, len(rows), False, rows)
    if not filters.text.strip():
        return ListPage(filters, count(actor, filters), False, rows)
    total = count(actor, filters, cap=cap + 1)  # a broad search: counting every match costs more than it tells
    return ListPage(filters, min(total, cap), total > cap, rows)


def detail(actor: Actor, trainee_id: int) -> TraineeDetail:
    """Everything the detail pane shows (trainer.registry.detail.TraineeDetail)."""
    from trainer.registry.detail import load

    return load(actor, trainee_id)


def with_changes(view: TraineeView, **changes: Any) -> TraineeInput:
    return replace(view.as_input(), **changes)
