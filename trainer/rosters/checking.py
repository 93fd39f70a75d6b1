"""Checking one roster row by the registry's rules, fast: what trainer.rosters.imports writes.

Written out here rather than calling trainees.clean() so that 100,000 rows take
seconds: reference look-ups and name keys are cached per distinct text.
tests/unit/test_imports.py checks that both agree.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import MISSING, asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any

from trainer.errors import FieldProblem
from trainer.registry import names, reference
from trainer.registry.trainees import MAX_AGE, MIN_AGE, TraineeInput
from trainer.rosters import reading as roster
from trainer.rosters.report import Candidate
from trainer.rosters.writing import match_key

_GENDERS = {"m": "m", "f": "f", "male": "m", "female": "f", "ذكر": "m", "انثى": "f", "أنثى": "f"}


@dataclass(slots=True)
class _Row:
    """A checked roster row: an invalid one (its problems) is a _Row, a valid one a _ValidRow."""

    number: int
    data: TraineeInput | None  # cleaned, when the row is valid
    unit: str
    values: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)
    status: str = "invalid"
    candidates: tuple[Candidate, ...] = ()
    fingerprint: str = ""
    key: str = ""  # match_key of a valid row


@dataclass(slots=True, kw_only=True)
class _ValidRow(_Row):
    """A row that passed every check: its cleaned data is there, date of birth included (`dob`,
    the data's, which TraineeInput itself leaves optional). Its status is then valid, new,
    present, held or already held; a row found invalid later (a duplicate) becomes a _Row."""

    data: TraineeInput
    dob: datetime.date


_force = lru_cache(maxsize=4096)(reference.resolve_force)
_province = lru_cache(maxsize=4096)(reference.resolve_province)


@lru_cache(maxsize=65536)
def _tidy(value: str) -> str:
    """Inner runs of spaces as one, none at the ends (as trainees.clean); cached: values repeat."""
    return " ".join(value.split())


@lru_cache(maxsize=65536)
def _name(value: str) -> str:
    """A name part tidied and NFC (docs/domain.md: names are stored NFC); cached: names repeat."""
    value = " ".join(value.split())
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _digits(value: str) -> str:
    """Tidied, Arabic-Indic digits as ASCII; not cached: IDs and phones hardly repeat."""
    value = " ".join(value.split())
    return value if value.isascii() else names.to_ascii_digits(value)


def check_row(row: roster.RosterRow, today: datetime.date) -> _Row:
    """The row as a TraineeInput, by the registry's rules (trainees.clean), or its problems.

    Written out here rather than calling clean() so that 100,000 rows take
    seconds: reference look-ups and name keys are cached per distinct text.
    tests/unit/test_imports.py checks that both agree.
    """
    v, number = row.values, row.number
    problems = list(row.problems)
    given, father, grandfather = _name(v["given_name"]), _name(v["father_name"]), _name(v["grandfather_name"])
    for part, text in (("given_name", given), ("father_name", father), ("grandfather_name", grandfather)):
        if not text:
            problems.append(FieldProblem(part, "required", number))
    dob = row.date_of_birth
    if dob is None:
        if not any(p.field == "date_of_birth" for p in problems):
            problems.append(FieldProblem("date_of_birth", "required", number))
    elif dob > today:
        problems.append(FieldProblem("date_of_birth", f"{dob.isoformat()} is in the future", number))
    else:
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        if not MIN_AGE <= age <= MAX_AGE:
            problems.append(FieldProblem("date_of_birth", f"age {age} is outside {MIN_AGE}–{MAX_AGE}", number))
    nid = _digits(v["national_id"]).replace(" ", "")
    if nid and not (nid.isdigit() and 8 <= len(nid) <= 20):
        problems.append(FieldProblem("national_id", "digits only, 8 to 20 of them", number))
    force_text, province_text = _tidy(v["force"]), _tidy(v["province"])
    force = _force(force_text) if force_text else None
    if force is None:
        problems.append(FieldProblem("force", f"unknown force {force_text!r}" if force_text else "required", number))
    province = _province(province_text) if province_text else None
    if province is None:
        problems.append(
            FieldProblem("province", f"unknown province {province_text!r}" if province_text else "required", number)
        )
    gender_text = _tidy(v["gender"])
    gender = _GENDERS.get(gender_text.lower() if gender_text else "m")
    if gender is None:
        problems.append(FieldProblem("gender", f"{gender_text!r} is not m or f", number))
    if problems or dob is None:  # (a missing date of birth is among the problems)
        return _Row(number, None, v["unit"].strip(), v, problems)
    data = _input(
        given_name=given,
        father_name=father,
        grandfather_name=grandfather,
        family_name=_name(v["family_name"]),
        mother_name=_name(v["mother_name"]),
        date_of_birth=dob,
        force=force,
        province=province,
        gender=gender,
        national_id=nid,
        rank=_tidy(v["rank"]),
        phone=_digits(v["phone"]),
    )
    # Unit text is kept exactly (a formula-like cell stays inert text).
    return _ValidRow(
        number=number, data=data, dob=dob, unit=v["unit"].strip(), values=v, status="valid", key=match_key(data)
    )


_INPUT_DEFAULTS = {f.name: f.default for f in fields(TraineeInput) if f.default is not MISSING}


def _input(**values: Any) -> TraineeInput:
    """A TraineeInput made three times faster than by the frozen dataclass __init__ (which
    calls object.__setattr__ per field): same fields, same value, same hash."""
    data = object.__new__(TraineeInput)
    data.__dict__.update(_INPUT_DEFAULTS, **values)
    return data


def fingerprint(data: TraineeInput, unit: str) -> str:
    payload = json.dumps([asdict(data), unit], ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _check_rows(raws: Iterable[roster.RosterRow], today: datetime.date, first_by_id: dict[str, int]) -> list[_Row]:
    """check_row for each, and a later row repeating an earlier one's national ID marked a
    duplicate (`first_by_id` carries the IDs seen so far from one call to the next)."""
    rows = []
    for raw in raws:
        row = check_row(raw, today)
        nid = row.data.national_id if row.data else _digits(raw.values["national_id"]).replace(" ", "")
        if nid:
            earlier = first_by_id.setdefault(nid, row.number)
            if earlier != row.number:
                problem = FieldProblem("national_id", f"duplicate of row {earlier}", row.number)
                row = _Row(row.number, None, row.unit, row.values, [*row.problems, problem], status="duplicate")
        rows.append(row)
    return rows
