"""One person, two records: review of held roster rows, and merges.

A held row waits for a clerk: the same person as a candidate (the row's new
facts are added to that record), a new person, or discard. Two registered
records a clerk confirms are one person are merged: everything that hangs on
the merged-away record moves to the survivor in one transaction, and the
merged-away record stays as a tombstone (status 'merged', merged_into).
Nothing here ever decides by itself.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass
from typing import Any

from peewee import Field, IntegrityError

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from trainer.registry import names, trainees
from trainer.registry.trainees import TraineeInput, TraineeView
from trainer.reporting import summary
from trainer.rosters import imports

_SCRIPT_PAIRS = (
    ("given_name", "given_name_latin"),
    ("father_name", "father_name_latin"),
    ("grandfather_name", "grandfather_name_latin"),
    ("family_name", "family_name_latin"),
)
# Facts that change over time: a newer roster's value replaces the registered one.
_CURRENT = ("rank", "phone")
# Identity facts: filled when the record has none, never overwritten.
_FILL = ("mother_name", "national_id")


@dataclass(frozen=True)
class HeldView:
    id: int
    version: int
    batch_uuid: str
    file: str
    row: int
    data: TraineeInput
    unit: str
    candidates: tuple[TraineeView, ...]
    status: str
    candidate_units: tuple[str, ...] = ()  # each candidate's current unit(s), as named

    @property
    def name(self) -> str:
        d = self.data
        return " ".join(p for p in (d.given_name, d.father_name, d.grandfather_name, d.family_name) if p)


@dataclass(frozen=True)
class Decision:
    held_id: int
    status: str  # same | new | discarded
    trainee: TraineeView | None
    added: tuple[str, ...] = ()  # fields the row added to the record
    kept: tuple[tuple[str, str, str], ...] = ()  # (field, registered value, row's differing value)


@dataclass(frozen=True)
class MergeView:
    id: int
    uuid: str
    at: datetime.datetime
    survivor_id: int
    survivor_uuid: str
    survivor_name: str
    merged_id: int
    merged_uuid: str
    merged_name: str
    username: str
    reason: str
    moved: dict[str, int]


# --- held rows ---------------------------------------------------------------


def _data(values: str) -> tuple[TraineeInput, str]:
    raw = json.loads(values)
    unit = raw.pop("unit", "")
    raw["date_of_birth"] = datetime.date.fromisoformat(raw["date_of_birth"])
    return TraineeInput(**raw), unit


def _candidates(actor: Actor, uuids: list[str]) -> tuple[TraineeView, ...]:
    """The registered persons a row may be; a candidate merged since shows as its survivor."""
    T = models.Trainee
    ids = []
    for tid, status, into in T.select(T.id, T.status, T.merged_into).where(T.uuid.in_(uuids)).tuples():
        seen = set()
        while status == "merged" and into is not None and into not in seen:
            seen.add(into)
            tid, status, into = T.select(T.id, T.status, T.merged_into).where(T.id == into).tuples().get()
        ids.append(tid)
    return tuple(trainees.get_trainee(actor, i) for i in dict.fromkeys(ids))


def list_held(actor: Actor, *, status: str = "pending", limit: int = 100, offset: int = 0) -> list[HeldView]:
    require(actor, "import.run")
    H, B = models.HeldRow, models.ImportBatch
    with database.connection_context():
        query = (
            H.select(H, B.uuid, B.file_name)
            .join(B)
            .where(H.status == status)
            .order_by(H.id)
            .limit(limit)
            .offset(offset)
        )
        out = []
        for h in query:
            data, unit = _data(h.values)
            candidates = _candidates(actor, json.loads(h.candidates))
            out.append(
                HeldView(
                    h.id,
                    h.version,
                    str(h.batch.uuid),
                    h.batch.file_name,
                    h.row_number,
                    data,
                    unit,
                    candidates,
                    h.status,
                    tuple(current_units(c.id) for c in candidates),
                )
            )
        return out


def current_units(trainee_id: int) -> str:
    A, U = models.UnitAssignment, models.Unit
    rows = (
        U.select(U.name)
        .join(A, on=(A.unit == U.id))
        .where((A.trainee == trainee_id) & A.end_date.is_null())
        .order_by(A.start_date)
        .tuples()
    )
    return ", ".join(n for (n,) in rows)


def count_held(actor: Actor, *, status: str = "pending") -> int:
    require(actor, "import.run")
    with database.connection_context():
        return models.HeldRow.select().where(models.HeldRow.status == status).count()


def _take(actor: Actor, held_id: int, version: int, status: str, trainee_id: int | None = None) -> models.HeldRow:
    """Mark a pending held row decided; a row someone else decided first is a Conflict."""
    H = models.HeldRow
    held = H.get_or_none(H.id == held_id)
    if held is None:
        raise NotFound(f"no held row {held_id}")
    changed = (
        H.update(
            status=status,
            trainee=trainee_id,
            decided_by=actor.user_id,
            decided_at=models.now(),
            version=H.version + 1,
            updated_at=models.now(),
        )
        .where((H.id == held_id) & (H.version == version) & (H.status == "pending"))
        .execute()
    )
    if not changed:
        raise Conflict("this row was already decided (or changed) by someone else: reload the list")
    return held


def new_facts(
    current: TraineeView, row: TraineeInput, *, newer: bool = True
) -> tuple[dict[str, Any], tuple[str, ...], tuple[Any, ...]]:
    """What the row adds to the record: (changes, fields added, differing values kept).

    `newer`: the row is more recent than the record (a roster), so its rank and phone
    replace the record's; otherwise (a merged-away record) they only fill blanks."""
    changes, kept = {}, []
    for main, latin in _SCRIPT_PAIRS:
        have, new, have_latin = getattr(current, main), getattr(row, main), getattr(current, latin)
        if not new or names.normalise(new) == names.normalise(have):
            continue
        if not have:
            changes[main] = new
        elif names.is_arabic(new) and not names.is_arabic(have) and not have_latin:
            changes[main], changes[latin] = new, have  # Arabic where it belongs, Latin beside it
        elif not names.is_arabic(new) and names.is_arabic(have) and not have_latin:
            changes[latin] = new
        elif new != have_latin:
            kept.append((main, have, new))
    for f in _FILL + (() if newer else _CURRENT):
        have, new = getattr(current, f), getattr(row, f)
        if new and not have:
            changes[f] = new
        elif new and new != have:
            kept.append((f, have, new))
    for f in _CURRENT if newer else ():
        new = getattr(row, f)
        if new and new != getattr(current, f):
            changes[f] = new
    for f in ("force", "province"):
        if getattr(row, f) != getattr(current, f):
            kept.append((f, getattr(current, f), getattr(row, f)))
    return changes, tuple(changes), tuple(kept)


def _assign_unit(trainee_id: int, force: str, unit: str, on: datetime.date) -> bool:
    """Start a unit in the person's history unless it is the current one already."""
    if not unit:
        return False
    A = models.UnitAssignment
    units, _ = imports.ensure_units({(force, unit)})
    unit_id = units[(force, unit)]
    current = A.select().where((A.trainee == trainee_id) & A.end_date.is_null()).order_by(A.start_date.desc())
    if any(a.unit_id == unit_id for a in current):
        return False
    for a in current:
        A.update(end_date=max(on, a.start_date), version=A.version + 1, updated_at=models.now()).where(
            A.id == a.id
        ).execute()
    A.create(trainee=trainee_id, unit=unit_id, start_date=on)
    return True


def same_person(actor: Actor, held_id: int, version: int, trainee_id: int) -> Decision:
    """The held row is this registered person: add the row's new facts to the record."""
    require(actor, "import.run")
    require(actor, "trainee.write")
    T = models.Trainee
    with database.connection_context():
        try:
            with database.atomic():
                held = _take(actor, held_id, version, "same", trainee_id)
                data, unit = _data(held.values)
                allowed = {c.id for c in _candidates(actor, json.loads(held.candidates))}
                if trainee_id not in allowed:
                    raise ValidationFailed([FieldProblem("trainee", "not one of this row's candidates")])
                current = trainees.get_trainee(actor, trainee_id)
                changes, added, kept = new_facts(current, data)
                if changes:
                    after = trainees.with_changes(current, **changes)
                    values = imports.trainee_values(after, "")
                    keep = set(changes) | {"search_text", "match_key"}
                    done = (
                        T.update(
                            **{k: v for k, v in values.items() if k in keep},
                            version=T.version + 1,
                            updated_at=models.now(),
                        )
                        .where((T.id == trainee_id) & (T.version == current.version))
                        .execute()
                    )
                    if not done:
                        raise Conflict("someone saved this trainee meanwhile: reload and decide again")
                moved_unit = _assign_unit(trainee_id, current.force, unit, datetime.date.today())
                audit.record(
                    actor,
                    "review-same",
                    "trainee",
                    current.uuid,
                    before={k: getattr(current, k) for k in changes},
                    after=changes,
                    held_row=str(held.uuid),
                    unit=unit if moved_unit else "",
                    kept=[list(k) for k in kept],
                )
        except IntegrityError:
            raise ValidationFailed([FieldProblem("national_id", "already registered to another person")]) from None
        return Decision(held_id, "same", trainees.get_trainee(actor, trainee_id), added, kept)


def new_person(actor: Actor, held_id: int, version: int) -> Decision:
    """The held row is someone not yet registered: register them (checked again as of today)."""
    require(actor, "import.run")
    require(actor, "trainee.write")
    with database.connection_context():
        try:
            with database.atomic():
                held = models.HeldRow.get_or_none(models.HeldRow.id == held_id)
                if held is None:
                    raise NotFound(f"no held row {held_id}")
                data, unit = _data(held.values)
                data, problems = trainees.clean(data)
                if problems:
                    raise ValidationFailed(problems)
                batch = models.ImportBatch.get_by_id(held.batch_id)
                row = models.Trainee.create(**imports.trainee_values(data, f"import:{batch.uuid}"))
                _take(actor, held_id, version, "new", row.id)
                _assign_unit(row.id, data.force, unit, datetime.date.today())
                audit.record(actor, "create", "trainee", row.uuid, after=asdict(data), held_row=str(held.uuid))
                summary.refresh_trainees([row.id])
        except IntegrityError:
            raise ValidationFailed([FieldProblem("national_id", "already registered to another person")]) from None
        return Decision(held_id, "new", trainees.get_trainee(actor, row.id))


def discard(actor: Actor, held_id: int, version: int) -> Decision:
    """The held row is dropped (e.g. a stale or mistaken line); the decision is audited."""
    require(actor, "import.run")
    with database.connection_context(), database.atomic():
        held = _take(actor, held_id, version, "discarded")
        audit.record(actor, "review-discard", "held_row", held.uuid, before=json.loads(held.values))
    return Decision(held_id, "discarded", None)


# --- merges ------------------------------------------------------------------


# Foreign keys to a trainee that a merge never moves: the tombstone link and merge history.
def _fixed_links() -> set[Field[Any]]:
    return {models.Trainee.merged_into, models.Merge.survivor, models.Merge.merged}


def _name(row: models.Trainee) -> str:
    return " ".join(p for p in (row.given_name, row.father_name, row.grandfather_name, row.family_name) if p)


def merge_trainees(actor: Actor, survivor_id: int, merged_id: int, *, reason: str = "") -> MergeView:
    """Move everything of `merged_id` to `survivor_id`; `merged_id` becomes a tombstone."""
    require(actor, "merge.run")
    require(actor, "trainee.write")
    if survivor_id == merged_id:
        raise ValidationFailed([FieldProblem("merged", "a record cannot be merged into itself")])
    T, E, C = models.Trainee, models.Enrolment, models.Cohort
    with database.connection_context():
        try:
            with database.atomic():
                keep, gone = T.get_or_none(T.id == survivor_id), T.get_or_none(T.id == merged_id)
                if keep is None or gone is None:
                    raise NotFound(f"no trainee {survivor_id if keep is None else merged_id}")
                for row in (keep, gone):
                    if row.status == "merged":
                        raise ValidationFailed(
                            [FieldProblem("trainee", f"{_name(row)} was already merged into another record")]
                        )
                both = C.select(C.code).join(E).where(E.trainee == merged_id) & C.select(C.code).join(E).where(
                    E.trainee == survivor_id
                )
                shared = [c for (c,) in both.tuples()]
                if shared:
                    raise ValidationFailed(
                        [
                            FieldProblem(
                                "enrolment",
                                (
                                    f"both records are enrolled in cohort {', '.join(sorted(shared))}: "
                                    "one person cannot be enrolled twice; settle the enrolments first"
                                ),
                            )
                        ]
                    )
                moved = _move_links(merged_id, survivor_id)
                filled, kept = _fill_blanks(actor, keep, gone)
                T.update(merged_into=survivor_id).where(T.merged_into == merged_id).execute()
                T.update(
                    status="merged", merged_into=survivor_id, version=T.version + 1, updated_at=models.now()
                ).where(T.id == merged_id).execute()
                merge = models.Merge.create(
                    survivor=survivor_id,
                    merged=merged_id,
                    user=actor.user_id,
                    username=actor.username,
                    reason=reason.strip(),
                    moved=json.dumps(moved),
                )
                audit.record(
                    actor,
                    "merge",
                    "trainee",
                    keep.uuid,
                    before={k: getattr(keep, k) or "" for k in filled},
                    after=filled,
                    merged_uuid=str(gone.uuid),
                    moved=moved,
                    reason=reason.strip(),
                    kept=[list(k) for k in kept],
                )
                summary.refresh_trainees([survivor_id, merged_id])
        except IntegrityError as exc:
            raise ValidationFailed(
                [FieldProblem("merge", f"the records cannot be joined: {exc}".splitlines()[0])]
            ) from None
        return _merge_view(models.Merge.get_by_id(merge.id))


def _move_links(merged_id: int, survivor_id: int) -> dict[str, int]:
    """Every row that points at the merged record now points at the survivor (any table)."""
    moved: dict[str, int] = {}
    fixed = _fixed_links()
    E, R = models.Enrolment, models.Result
    moved["result"] = R.select().join(E).where(E.trainee == merged_id).count()
    for fk, model in models.Trainee._meta.backrefs.items():
        if fk in fixed:
            continue
        count = model.update({fk: survivor_id}).where(fk == merged_id).execute()
        if count:
            moved[model._meta.table_name] = moved.get(model._meta.table_name, 0) + count
    if not moved["result"]:
        del moved["result"]
    return moved


def _fill_blanks(actor: Actor, keep: models.Trainee, gone: models.Trainee) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """Facts only the merged-away record had move to the survivor (names in the other
    script, identity numbers too); differing values stay as they are and are listed."""
    T = models.Trainee
    survivor, other = trainees.get_trainee(actor, keep.id), trainees.get_trainee(actor, gone.id)
    changes, _, kept = new_facts(survivor, other.as_input(), newer=False)
    for latin in trainees.LATIN_PARTS:  # Latin spellings the other record knew
        if getattr(other, latin) and not getattr(survivor, latin) and latin not in changes:
            changes[latin] = getattr(other, latin)
    if other.service_number and not survivor.service_number:
        changes["service_number"] = other.service_number
    if not changes:
        return {}, kept
    unique = {f: None for f in ("national_id", "service_number") if f in changes}
    if unique:  # the tombstone gives up a number the survivor takes (unique columns)
        T.update(**unique).where(T.id == gone.id).execute()
    values = imports.trainee_values(trainees.with_changes(survivor, **changes), keep.source)
    T.update(
        **{k: values[k] for k in set(changes) | {"search_text", "match_key"}},
        version=T.version + 1,
        updated_at=models.now(),
    ).where(T.id == keep.id).execute()
    return changes, kept


def list_merges(actor: Actor, *, limit: int = 100, offset: int = 0) -> list[MergeView]:
    require(actor, "trainee.read")
    with database.connection_context():
        M = models.Merge
        return [_merge_view(m) for m in M.select().order_by(M.id.desc()).limit(limit).offset(offset)]


def _merge_view(m: models.Merge) -> MergeView:
    keep, gone = m.survivor, m.merged
    return MergeView(
        m.id,
        str(m.uuid),
        m.created_at,
        keep.id,
        str(keep.uuid),
        _name(keep),
        gone.id,
        str(gone.uuid),
        _name(gone),
        m.username,
        m.reason,
        json.loads(m.moved),
    )
