"""Who has been trained: by force, by province, by course and month, against requirements, toward ILP.

All read the summary tables (trainer.reporting.summary). "Trained" counts unique
persons who graduated a basic course open to their force, dated by the end
of the first such course; never enrolments.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from typing import TYPE_CHECKING

from peewee import fn

from db import models
from trainer.accounts.access import Actor
from trainer.reporting.base import (
    ReportParams,
    ReportResult,
    Resolved,
    as_date,
    force_names,
    month_start,
    narrow,
    period_note,
    province_names,
    resolve,
)
from trainer.reporting.suppression import Layout, percent

if TYPE_CHECKING:
    from db.models.base import Select

TRAINED_NOTE = (
    "Trained: unique persons who graduated a basic course open to their force; "
    "a person counts once, in the period of their first such graduation."
)


def _trained_query(p: Resolved) -> Select[models.PersonSummary]:
    PS = models.PersonSummary
    q = PS.select().where(PS.trained_on.is_null(False))
    return narrow(q, p, date=PS.trained_on, force=PS.force, province=PS.province, centre=PS.trained_centre)


def trained_by_force(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    PS = models.PersonSummary
    counts: dict[str, int] = dict(_trained_query(p).select(PS.force, fn.COUNT(PS.trainee)).group_by(PS.force).tuples())
    rows = tuple(
        (code, en, ar, counts.get(code, 0))
        for code, (en, ar) in force_names().items()
        if not p.force or code == p.force
    )
    return ReportResult(
        "trained-by-force",
        "Trained persons by force (unique persons, basic course graduates)",
        ("force", "name_en", "name_ar", "trained"),
        rows,
        notes=(TRAINED_NOTE, *period_note(p, "first trained")),
        layout=Layout(counts=(3,)),
        hxl=("#org+code", "#org+name", "#org+name+i_ar", "#indicator+num+trained"),
        params=params,
    )


def trained_by_province(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    PS = models.PersonSummary
    cells = {
        (prov, force): n
        for prov, force, n in _trained_query(p)
        .select(PS.province, PS.force, fn.COUNT(PS.trainee))
        .group_by(PS.province, PS.force)
        .tuples()
    }
    forces = [code for code in force_names() if not p.force or code == p.force]
    rows = []
    for code, (en, ar) in province_names().items():
        if p.province and code != p.province:
            continue
        counts = [cells.get((code, f), 0) for f in forces]
        rows.append((code, en, ar, *counts, sum(counts)))
    k = len(forces)
    return ReportResult(
        "trained-by-province",
        "Trained persons by province and force (unique persons)",
        ("province", "name_en", "name_ar", *forces, "total"),
        tuple(rows),
        notes=(TRAINED_NOTE, *period_note(p, "first trained")),
        layout=Layout(counts=tuple(range(3, 4 + k)), row_sums=((3 + k, tuple(range(3, 3 + k))),)),
        hxl=(
            "#adm1+code",
            "#adm1+name",
            "#adm1+name+i_ar",
            *(f"#indicator+num+trained+{f}" for f in forces),
            "#indicator+num+trained+total",
        ),
        params=params,
    )


def _summary_query(p: Resolved) -> Select[models.CohortSummary]:
    """cohort_summary rows within the period (by the cohort's end date) and filters."""
    CS = models.CohortSummary
    q = CS.select()
    # The month bounds the period too: the summary's indexes lead with it.
    if p.date_from:
        q = q.where(CS.month >= month_start(p.date_from))
    if p.date_to:
        q = q.where(CS.month <= month_start(p.date_to))
    return narrow(q, p, date=CS.end_date, force=CS.force, province=CS.province, centre=CS.centre, cohort=CS.cohort)


def courses() -> dict[int, tuple[str, str, str]]:
    C = models.Course
    return {i: (code, title, cat) for i, code, title, cat in C.select(C.id, C.code, C.title_en, C.category).tuples()}


def trained_by_course_month(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    CS = models.CohortSummary
    q = (
        _summary_query(p)
        .select(
            CS.month,
            CS.force,
            CS.province,
            CS.course,
            fn.SUM(CS.enrolled),
            fn.SUM(CS.trained),
            fn.SUM(CS.results),
            fn.SUM(CS.results_passed),
        )
        .group_by(CS.month, CS.force, CS.province, CS.course)
        .order_by(CS.month, CS.force, CS.province, CS.course)
    )
    names = courses()
    rows = []
    for month, force, prov, course, enrolled, trained, results, passed in q.tuples():
        code, title, _cat = names.get(course, (str(course), "", ""))
        rows.append(
            (
                month[:7] if isinstance(month, str) else month.strftime("%Y-%m"),
                force,
                prov,
                code,
                title,
                int(enrolled),
                int(trained),
                int(results),
                int(passed),
            )
        )
    return ReportResult(
        "trained-by-course-month",
        "Graduates by force, province, course and month (unique persons per course)",
        (
            "month",
            "force",
            "province",
            "course",
            "course_title",
            "enrolments",
            "persons_graduated",
            "results",
            "results_passed",
        ),
        tuple(rows),
        notes=(
            "persons_graduated: persons graduating that course for the first time, so a month's figure "
            "counts each person once per course; the totals row adds rows up (one person may appear "
            "under several courses).",
            *period_note(p),
        ),
        layout=Layout(counts=(5, 6, 7, 8)),
        hxl=(
            "#date+month",
            "#org+code",
            "#adm1+code",
            "#activity+code",
            "#activity+name",
            "#indicator+num+enrolments",
            "#indicator+num+graduated",
            "#indicator+num+results",
            "#indicator+num+results_passed",
        ),
        params=params,
    )


def certified_persons(p: Resolved, as_of: datetime.date) -> dict[tuple[str, str], int]:
    """(province, force) -> trained persons holding a valid, unexpired certificate on `as_of`.

    Only the trained count: a leadership or specialist certificate held by someone who never
    graduated their force's basic course made "certified" exceed "trained" (Anbar army in the
    demo data: 214 certified, 205 trained)."""
    K, T, PS = models.Certificate, models.Trainee, models.PersonSummary
    q = (
        K.select(T.province, T.force, fn.COUNT(fn.DISTINCT(K.trainee)))
        .join(T, on=(T.id == K.trainee))
        .join(PS, on=(PS.trainee == K.trainee))
        .where(
            (K.status == "valid")
            & (K.issued_on <= as_of)
            & (K.expires_on.is_null() | (K.expires_on >= as_of))
            & (T.status != "merged")
            & PS.trained_on.is_null(False)
            & (PS.trained_on <= as_of)
        )
    )
    q = narrow(q, p, force=T.force, province=T.province)
    return {(prov, force): n for prov, force, n in q.group_by(T.province, T.force).tuples()}


def requirement_gap(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    R, PS = models.Requirement, models.PersonSummary
    as_of = p.date_to or p.as_of
    trained = {
        (prov, force): n
        for prov, force, n in _trained_query(dataclasses.replace(p, date_from=None))
        .select(PS.province, PS.force, fn.COUNT(PS.trainee))
        .group_by(PS.province, PS.force)
        .tuples()
    }
    certified = certified_persons(p, as_of)
    reqs = narrow(
        R.select(R.province, R.force, R.required).order_by(R.province, R.force), p, force=R.force, province=R.province
    )
    provinces = province_names()
    rows = []
    for prov, force, required in reqs.tuples():
        t = trained.get((prov, force), 0)
        rows.append(
            (
                prov,
                provinces.get(prov, ("", ""))[0],
                force,
                required,
                t,
                certified.get((prov, force), 0),
                required - t,
                percent(t, required),
            )
        )
    return ReportResult(
        "requirement-gap",
        f"Requirements against trained and certified persons, as of {as_of.isoformat()}",
        ("province", "province_en", "force", "required", "trained", "certified", "gap", "trained_pct"),
        tuple(rows),
        notes=(
            TRAINED_NOTE,
            "Certified: of the trained, persons holding a valid, unexpired certificate on that date "
            "(never more than trained).",
            "gap = required - trained (negative: more trained than required).",
        ),
        layout=Layout(counts=(3, 4, 5, 6), row_sums=((3, (4, 6)),), derived=((7, (4,), (3,)),)),
        hxl=(
            "#adm1+code",
            "#adm1+name",
            "#org+code",
            "#indicator+num+required",
            "#indicator+num+trained",
            "#indicator+num+certified",
            "#indicator+num+gap",
            "#indicator+pct+trained",
        ),
        params=params,
    )


def _periods(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Quarter ends from `first` to `last` (year ends when that is more than 16 quarters)."""
    months = 3 if (last.year - first.year) * 4 + (last.month - first.month) // 3 <= 16 else 12
    ends = []
    year, month = first.year, ((first.month - 1) // months + 1) * months
    while True:
        end = (
            datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
            if month < 12
            else datetime.date(year, 12, 31)
        )
        ends.append(min(end, last))
        if end >= last:
            return ends
        month += months
        if month > 12:
            year, month = year + 1, month - 12


def ilp_transition(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    PS = models.PersonSummary
    base = narrow(PS.select().where(PS.active == True), p, force=PS.force, province=PS.province)  # noqa: E712
    seen = list(
        base.select(PS.force, PS.province, PS.first_seen, fn.COUNT(PS.trainee))
        .where(PS.first_seen.is_null(False))
        .group_by(PS.force, PS.province, PS.first_seen)
        .tuples()
    )
    held = list(
        base.select(PS.force, PS.province, PS.ilp_on, fn.COUNT(PS.trainee))
        .where(PS.ilp_on.is_null(False))
        .group_by(PS.force, PS.province, PS.ilp_on)
        .tuples()
    )
    last = p.date_to or p.as_of
    dates = [as_date(d) for _f, _p, d, _n in seen]
    first = p.date_from or (min(dates) if dates else last)
    ends = _periods(first, last) if first <= last else [last]
    people: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(ends))
    holding: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(ends))
    for target, rows in ((people, seen), (holding, held)):
        for force, prov, d, n in rows:
            d = as_date(d)
            for k, end in enumerate(ends):
                if d <= end:
                    target[(force, prov)][k] += n
    out = []
    for k, end in enumerate(ends):
        for force, prov in sorted(people):
            n, h = people[(force, prov)][k], holding[(force, prov)][k]
            if n:
                out.append((end, force, prov, n, h, percent(h, n)))
    return ReportResult(
        "ilp-transition",
        "Share of active personnel holding intelligence-led or community policing competencies",
        ("period_end", "force", "province", "personnel", "holding_ilp_or_community", "share_pct"),
        tuple(out),
        notes=(
            "Personnel at a date: active persons whose first enrolment (or registration) is on or before it; "
            "holding: those who had by then graduated a course building a competency tagged ilp or community.",
        ),
        layout=Layout(counts=(3, 4), derived=((5, (4,), (3,)),), column_totals=False),
        hxl=(
            "#date",
            "#org+code",
            "#adm1+code",
            "#indicator+num+personnel",
            "#indicator+num+ilp",
            "#indicator+pct+ilp",
        ),
        params=params,
    )
