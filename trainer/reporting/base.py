"""What every report shares: parameters, the result shape, filters and labels."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from peewee import ModelSelect

from db import models
from trainer.accounts.access import Actor
from trainer.errors import FieldProblem, ValidationFailed
from trainer.registry import reference
from trainer.reporting.suppression import Layout


@dataclass(frozen=True)
class ReportParams:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    force: str | None = None
    province: str | None = None
    centre: str | None = None
    cohort: str | None = None
    as_of: datetime.date | None = None  # "today" for expiry windows; tests pin it
    days: int | None = None  # a window in days (deployment-leakage: posted within N days)
    by: str | None = None  # how a report groups its rows, where it offers a choice


@dataclass(frozen=True)
class ReportResult:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    aggregate: bool = True  # counts only, no person-level data
    notes: tuple[str, ...] = field(default_factory=tuple)
    layout: Layout | None = None  # how to suppress small counts in an export (aggregate reports)
    hxl: tuple[str, ...] = ()  # one HXL hashtag per column (aggregate reports)
    params: ReportParams = field(default_factory=ReportParams)
    # (column, value): rows holding that value are the report's own totals (box-status's level "all"),
    # shown to people but metadata in a data file, where a sum over the records would count them twice.
    total_rows: tuple[int, str] | None = None


@dataclass(frozen=True)
class Report:
    name: str
    summary: str
    run: Callable[[Actor, ReportParams], ReportResult]
    aggregate: bool = True
    needs: tuple[str, ...] = ()  # parameters that must be given, e.g. ("cohort",)
    uses: tuple[str, ...] = ("date_from", "date_to", "force", "province", "centre")
    by_choices: tuple[str, ...] = ()  # the groupings `by` takes, the first the default (screens offer them)
    days_default: int | None = None  # the window `days` means when not given


@dataclass(frozen=True)
class Resolved:
    """Parameters checked against the reference data: codes and database ids."""

    date_from: datetime.date | None
    date_to: datetime.date | None
    force: str | None
    province: str | None
    centre_id: int | None
    cohort_id: int | None
    as_of: datetime.date


def resolve(params: ReportParams) -> Resolved:
    """Force and province in any known spelling, centre and cohort by code; refuse what is unknown."""
    problems = []
    force = province = None
    if params.force:
        force = reference.resolve_force(params.force)
        if force is None:
            problems.append(FieldProblem("force", f"no force called {params.force!r}"))
    if params.province:
        province = reference.resolve_province(params.province)
        if province is None:
            problems.append(FieldProblem("province", f"no province called {params.province!r}"))
    centre_id = cohort_id = None
    if params.centre:
        centre_id = models.Centre.select(models.Centre.id).where(models.Centre.code == params.centre).scalar()
        if centre_id is None:
            problems.append(FieldProblem("centre", f"no centre with code {params.centre!r}"))
    if params.cohort:
        cohort_id = models.Cohort.select(models.Cohort.id).where(models.Cohort.code == params.cohort).scalar()
        if cohort_id is None:
            problems.append(FieldProblem("cohort", f"no cohort with code {params.cohort!r}"))
    if params.date_from and params.date_to and params.date_from > params.date_to:
        problems.append(FieldProblem("from", "the start date is after the end date"))
    if problems:
        raise ValidationFailed(problems)
    return Resolved(
        params.date_from, params.date_to, force, province, centre_id, cohort_id, params.as_of or datetime.date.today()
    )


def month_start(d: datetime.date) -> datetime.date:
    return d.replace(day=1)


# --- the filter chain: every report narrows by these, each on the column it names ---

_OPS = {">=": operator.ge, "<=": operator.le, "=": operator.eq}
_Q = TypeVar("_Q", bound="ModelSelect[Any]")  # a query, narrowed as its own type


def _conditions(
    p: Resolved, date: Any, force: Any, province: Any, centre: Any, cohort: Any
) -> Iterator[tuple[Any, str, Any]]:
    """(column, operator, value) for each filter that is set and that the report has a column for."""
    for column, op, value in (
        (date, ">=", p.date_from),
        (date, "<=", p.date_to),
        (force, "=", p.force),
        (province, "=", p.province),
        (centre, "=", p.centre_id),
        (cohort, "=", p.cohort_id),
    ):
        if column is not None and value:
            yield column, op, value


def narrow(
    query: _Q,
    p: Resolved,
    *,
    date: Any = None,
    force: Any = None,
    province: Any = None,
    centre: Any = None,
    cohort: Any = None,
) -> _Q:
    """`query` (peewee) restricted by the period (on the `date` column) and the force, province,
    centre and cohort filters; a filter whose column is not given does not apply to the report."""
    for column, op, value in _conditions(p, date, force, province, centre, cohort):
        query = query.where(_OPS[op](column, value))
    return query


def narrow_sql(
    p: Resolved,
    param: str,
    *,
    date: str | None = None,
    force: str | None = None,
    province: str | None = None,
    centre: str | None = None,
    cohort: str | None = None,
) -> tuple[list[str], list[Any]]:
    """`narrow` for hand-written SQL: ("AND column op ?" clauses, their parameters); columns are SQL text."""
    clauses, args = [], []
    for column, op, value in _conditions(p, date, force, province, centre, cohort):
        clauses.append(f"AND {column} {op} {param}")
        args.append(value)
    return clauses, args


def period_note(p: Resolved, what: str = "cohorts ending") -> tuple[str, ...]:
    if p.date_from and p.date_to:
        return (f"Period: {what} from {p.date_from.isoformat()} to {p.date_to.isoformat()}.",)
    if p.date_from:
        return (f"Period: {what} on or after {p.date_from.isoformat()}.",)
    if p.date_to:
        return (f"Period: {what} on or before {p.date_to.isoformat()}.",)
    return ("Period: full history.",)


def force_names() -> dict[str, tuple[str, str]]:
    F = models.Force
    return {code: (en, ar) for code, en, ar in F.select(F.code, F.name_en, F.name_ar).order_by(F.code).tuples()}


def province_names() -> dict[str, tuple[str, str]]:
    P = models.Province
    return {code: (en, ar) for code, en, ar in P.select(P.code, P.name_en, P.name_ar).order_by(P.code).tuples()}


@overload
def as_date(value: None) -> None: ...
@overload
def as_date(value: datetime.date | str) -> datetime.date: ...
def as_date(value: datetime.date | str | None) -> datetime.date | None:
    """Dates read back from SQLite aggregates (MIN, MAX) arrive as text."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
