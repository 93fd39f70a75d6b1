"""Where graduates went: deployment-leakage (graduates posted within N days, or not, and postings
ended and why) and outcomes-by-program (per delivering nation x program of instruction).

"Graduates" are unique persons within each row: a person who graduated twice in
a group counts once, from their first graduation there (the cohort's end date).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from db import models
from trainer.accounts.access import Actor
from trainer.errors import FieldProblem, ValidationFailed
from trainer.reporting.base import ReportParams, ReportResult, Resolved, as_date, period_note, resolve
from trainer.reporting.suppression import Layout, percent

DEFAULT_DAYS = 90
LEAKAGE_BY = ("cohort", "centre", "force", "province", "nation")
REASONS = ("transferred", "dismissed", "deserted", "killed", "retired")
NO_NATION = "(none recorded)"
# (trainee, cohort id, cohort code, centre code, force, province, end date)
Graduation = tuple[int, int, str, str, str, str, datetime.date]
Spell = tuple[datetime.date, datetime.date | None, str]  # a posting: start, end, end reason


def _graduations(p: Resolved) -> list[Graduation]:
    """(trainee, cohort id, cohort code, centre code, force, province, end date) per graduated enrolment."""
    E, C, T, Ce = models.Enrolment, models.Cohort, models.Trainee, models.Centre
    q = (
        E.select(T.id, C.id, C.code, Ce.code, T.force, T.province, C.end_date)
        .join(C, on=(C.id == E.cohort))
        .join(Ce, on=(Ce.id == C.centre))
        .switch(E)
        .join(T, on=(T.id == E.trainee))
        .where(E.status == "graduated")
    )
    if p.date_from:
        q = q.where(C.end_date >= p.date_from)
    if p.date_to:
        q = q.where(C.end_date <= p.date_to)
    if p.force:
        q = q.where(T.force == p.force)
    if p.province:
        q = q.where(T.province == p.province)
    if p.centre_id:
        q = q.where(C.centre == p.centre_id)
    if p.cohort_id:
        q = q.where(C.id == p.cohort_id)
    return [(t, c, code, centre, f, prov, as_date(end)) for t, c, code, centre, f, prov, end in q.tuples()]


def _nations() -> dict[int, list[str]]:
    N = models.CohortNation
    out: dict[int, list[str]] = defaultdict(list)
    for cohort, nation in N.select(N.cohort, N.nation).order_by(N.nation).tuples():
        out[cohort].append(nation)
    return out


def _postings(trainees: set[int]) -> dict[int, list[Spell]]:
    """trainee -> [(start, end, reason)] for the given persons (read once, filtered here)."""
    P = models.Posting
    out: dict[int, list[Spell]] = defaultdict(list)
    if not trainees:
        return out
    for tid, start, end, reason in P.select(P.trainee, P.start_date, P.end_date, P.end_reason).tuples():
        if tid in trainees:
            out[tid].append((as_date(start), as_date(end), reason))
    return out


def posted_within(postings: list[Spell], graduated: datetime.date, days: int) -> bool:
    """Serving at some time between graduation and `days` after it."""
    until = graduated + datetime.timedelta(days=days)
    return any(s <= until and (e is None or e >= graduated) for s, e, _r in postings)


def serving_on(postings: list[Spell], day: datetime.date) -> bool:
    return any(s <= day and (e is None or e >= day) for s, e, _r in postings)


def _first_by_group(
    grads: list[Graduation], key_of: Callable[[Graduation], str] | None
) -> dict[str, dict[int, datetime.date]]:
    groups: dict[str, dict[int, datetime.date]] = defaultdict(dict)
    nations = _nations() if key_of is None else {}
    for row in grads:
        keys = key_of(row) if key_of else (nations.get(row[1]) or [NO_NATION])
        for key in keys if isinstance(keys, list) else [keys]:
            seen = groups[key]
            if row[0] not in seen or row[6] < seen[row[0]]:
                seen[row[0]] = row[6]
    return groups


def deployment_leakage(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    days = DEFAULT_DAYS if params.days is None else params.days
    by = params.by or "cohort"
    problems = []
    if days < 0 or days > 3650:
        problems.append(FieldProblem("days", "a number of days from 0 to 3650"))
    if by not in LEAKAGE_BY:
        problems.append(FieldProblem("by", f"deployment-leakage groups by {', '.join(LEAKAGE_BY)}"))
    if problems:
        raise ValidationFailed(problems)
    key_of = {
        "cohort": lambda r: r[2],
        "centre": lambda r: r[3],
        "force": lambda r: r[4],
        "province": lambda r: r[5],
        "nation": None,
    }[by]
    grads = _graduations(p)
    groups = _first_by_group(grads, key_of)
    posts = _postings({g[0] for g in grads})
    rows = []
    for key in sorted(groups):
        people = groups[key]
        within = later = 0
        ended: dict[str, int] = defaultdict(int)
        for tid, graduated in people.items():
            mine = posts.get(tid, [])
            if posted_within(mine, graduated, days):
                within += 1
            elif any(s > graduated for s, _e, _r in mine):
                later += 1
            for _s, e, reason in mine:
                if e is not None and e >= graduated:
                    ended[reason if reason in REASONS else "other"] += 1
        n = len(people)
        not_posted = n - within
        split = [ended.get(r, 0) for r in (*REASONS, "other")]
        rows.append((key, n, within, not_posted, percent(not_posted, n), later, not_posted - later, sum(split), *split))
    reason_cols = tuple(f"ended_{r}" for r in (*REASONS, "other"))
    k = len(reason_cols)
    partition = by in ("force", "province")  # a person is in exactly one row: the rows add up to persons
    return ReportResult(
        "deployment-leakage",
        f"Deployment of graduates within {days} days, by {by}",
        (
            by,
            "graduates",
            f"posted_within_{days}_days",
            "not_posted",
            "leakage_pct",
            "posted_later",
            "never_posted",
            "postings_ended",
            *reason_cols,
        ),
        tuple(rows),
        notes=(
            f"graduates = posted_within_{days}_days + not_posted (unique persons per row; posted: serving at a "
            f"station or unit at some time in the {days} days after the cohort ended); not_posted = posted_later "
            "+ never_posted; postings_ended: their postings ended since graduating, by reason.",
            *(() if partition else (f"A person can count in more than one {by}; rows are not summed.",)),
            *period_note(p),
        ),
        layout=Layout(
            counts=(1, 2, 3, 5, 6, 7, *range(8, 8 + k)),
            row_sums=((1, (2, 3)), (3, (5, 6)), (7, tuple(range(8, 8 + k)))),
            derived=((4, (3,), (1,)),),
            column_totals=partition,
        ),
        hxl=(
            f"#group+{by}",
            "#indicator+num+graduates",
            "#indicator+num+posted",
            "#indicator+num+not_posted",
            "#indicator+pct+leakage",
            "#indicator+num+posted_later",
            "#indicator+num+never_posted",
            "#indicator+num+ended",
            *(f"#indicator+num+ended+{r}" for r in (*REASONS, "other")),
        ),
        params=params,
    )


def _weighted_scores() -> dict[int, float]:
    """enrolment -> weighted score in % (best attempt per assessment), in cohorts with a recorded POI."""
    from peewee import fn

    R, E, A = models.Result, models.Enrolment, models.Assessment
    best = (
        R.select(R.enrolment, A.max_score, A.weight, fn.MAX(R.score))
        .join(A, on=(A.id == R.assessment))
        .switch(R)
        .join(E, on=(E.id == R.enrolment))
        .where(E.cohort.in_(models.CohortDelivery.select(models.CohortDelivery.cohort)))
        .group_by(R.enrolment, R.assessment, A.max_score, A.weight)
    )
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for eid, mx, w, score in best.tuples():
        s = sums[eid]
        s[0] += w * min(score / mx, 1.0)
        s[1] += w
    return {eid: 100.0 * a / b for eid, (a, b) in sums.items() if b}


def outcomes_by_program(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    day = p.date_to or p.as_of
    E, C, T, D, P = models.Enrolment, models.Cohort, models.Trainee, models.CohortDelivery, models.Program
    q = (
        E.select(E.id, E.trainee, E.status, C.id, C.end_date, P.code, P.revision)
        .join(C, on=(C.id == E.cohort))
        .join(T, on=(T.id == E.trainee))
        .switch(C)
        .join(D, on=(D.cohort == C.id))
        .join(P, on=(P.id == D.program))
        .where(E.status.in_(("enrolled", "graduated", "failed", "withdrawn")))
    )
    if p.date_from:
        q = q.where(C.end_date >= p.date_from)
    if p.date_to:
        q = q.where(C.end_date <= p.date_to)
    if p.force:
        q = q.where(T.force == p.force)
    if p.province:
        q = q.where(T.province == p.province)
    if p.centre_id:
        q = q.where(C.centre == p.centre_id)
    rows_in = list(q.tuples())
    nations = _nations()
    scores = _weighted_scores() if rows_in else {}
    K = models.Certificate
    delivered = E.select(E.id).join(D, on=(D.cohort == E.cohort)).where(E.status == "graduated")
    certified_enrolments = {e for (e,) in K.select(K.enrolment).where(K.enrolment.in_(delivered)).tuples()}
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"enrolled": set(), "grad": {}, "scores": [], "cert": set()}
    )
    for eid, tid, status, cohort, end, code, revision in rows_in:
        for nation in nations.get(cohort) or [NO_NATION]:
            g = groups[(nation, f"{code} v{revision}")]
            g["enrolled"].add(tid)
            if eid in scores and status in ("graduated", "failed"):
                g["scores"].append(scores[eid])
            if status == "graduated":
                end = as_date(end)
                if tid not in g["grad"] or end < g["grad"][tid]:
                    g["grad"][tid] = end
                if eid in certified_enrolments:
                    g["cert"].add(tid)
    everyone = {t for g in groups.values() for t in g["grad"]}
    posts = _postings(everyone)
    PS = models.PersonSummary
    ilp = {t for (t,) in PS.select(PS.trainee).where(PS.ilp_on.is_null(False) & (PS.ilp_on <= day)).tuples()}
    rows = []
    for (nation, program), g in sorted(groups.items()):
        grad = g["grad"]
        n_enrolled, n_grad = len(g["enrolled"]), len(grad)
        certified = len(g["cert"])
        posted = sum(posted_within(posts.get(t, []), d, DEFAULT_DAYS) for t, d in grad.items())
        year_ago = [t for t, d in grad.items() if d + datetime.timedelta(days=365) <= day]
        serving = sum(serving_on(posts.get(t, []), grad[t] + datetime.timedelta(days=365)) for t in year_ago)
        n_ilp = sum(t in ilp for t in grad)
        mean = round(sum(g["scores"]) / len(g["scores"]), 1) if g["scores"] else None
        rows.append(
            (
                nation,
                program,
                n_enrolled,
                n_grad,
                percent(n_grad, n_enrolled),
                mean,
                certified,
                percent(certified, n_grad),
                posted,
                percent(posted, n_grad),
                len(year_ago),
                serving,
                percent(serving, len(year_ago)),
                n_ilp,
                percent(n_ilp, n_grad),
            )  # fmt: skip
        )
    return ReportResult(
        "outcomes-by-program",
        "Outcomes by delivering nation and program of instruction",
        (
            "nation",
            "program",
            "enrolled",
            "graduated",
            "graduated_pct",
            "mean_weighted_score",
            "certified",
            "certified_pct",
            "posted_90_days",
            "posted_90_days_pct",
            "graduated_12_months_ago",
            "serving_after_12_months",
            "serving_12_months_pct",
            "ilp_community_trained",
            "ilp_community_pct",
        ),
        tuple(rows),
        notes=(
            "Unique persons per row; a cohort delivered by several nations counts under each, so rows are not "
            "summed. Only cohorts with a recorded program of instruction.",
            "mean_weighted_score: best attempt per assessment, weighted, over decided enrolments; "
            "serving_after_12_months: of those who graduated at least 12 months before "
            f"{day.isoformat()}, serving at a station or unit 12 months after graduating.",
            *period_note(p),
        ),
        layout=Layout(
            counts=(2, 3, 6, 8, 10, 11, 13),
            derived=((4, (3,), (2,)), (7, (6,), (3,)), (9, (8,), (3,)), (12, (11,), (10,)), (14, (13,), (3,))),
            column_totals=False,
        ),
        hxl=(
            "#org+nation",
            "#activity+program",
            "#indicator+num+enrolled",
            "#indicator+num+graduated",
            "#indicator+pct+graduated",
            "#indicator+score+mean",
            "#indicator+num+certified",
            "#indicator+pct+certified",
            "#indicator+num+posted",
            "#indicator+pct+posted",
            "#indicator+num+eligible",
            "#indicator+num+serving",
            "#indicator+pct+serving",
            "#indicator+num+ilp",
            "#indicator+pct+ilp",
        ),
        params=params,
    )
