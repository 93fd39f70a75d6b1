"""Course outcomes: pass rates, attrition with withdrawal reasons, certificates expiring and expired."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from peewee import Case, fn

from db import models
from trainer.accounts.access import Actor
from trainer.reporting.base import ReportParams, ReportResult, narrow, period_note, resolve
from trainer.reporting.suppression import Layout, percent
from trainer.reporting.trained import _summary_query, courses

MAX_REASON_COLUMNS = 8
EXPIRY_WINDOWS = (30, 60, 90)


def pass_rates(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    CS = models.CohortSummary
    q = (
        _summary_query(p)
        .select(
            CS.course,
            fn.SUM(CS.enrolled),
            fn.SUM(CS.graduated),
            fn.SUM(CS.failed),
            fn.SUM(CS.results),
            fn.SUM(CS.results_passed),
        )
        .group_by(CS.course)
    )
    names = courses()
    rows = []
    for course, enrolled, grad, failed, results, passed in q.tuples():
        code, title, cat = names.get(course, (str(course), "", ""))
        grad, failed, results, passed = int(grad), int(failed), int(results), int(passed)
        rows.append(
            (
                code,
                title,
                cat,
                int(enrolled),
                grad,
                failed,
                percent(grad, grad + failed),
                results,
                passed,
                percent(passed, results),
            )
        )
    rows.sort()
    return ReportResult(
        "pass-rates",
        "Pass rates by course",
        (
            "course",
            "title",
            "category",
            "enrolments",
            "graduated",
            "failed",
            "pass_rate_pct",
            "results",
            "results_passed",
            "result_pass_pct",
        ),
        tuple(rows),
        notes=(
            "pass_rate_pct: graduated / (graduated + failed), enrolments decided so far; "
            "result_pass_pct: assessment attempts at or above the pass mark, re-sits included.",
            *period_note(p),
        ),
        layout=Layout(counts=(3, 4, 5, 7, 8), derived=((6, (4,), (4, 5)), (9, (8,), (7,)))),
        hxl=(
            "#activity+code",
            "#activity+name",
            "#activity+type",
            "#indicator+num+enrolments",
            "#indicator+num+graduated",
            "#indicator+num+failed",
            "#indicator+pct+pass",
            "#indicator+num+results",
            "#indicator+num+results_passed",
            "#indicator+pct+results_passed",
        ),
        params=params,
    )


def attrition(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    CS, E, C, T = models.CohortSummary, models.Enrolment, models.Cohort, models.Trainee
    enrolled: dict[int, int] = dict(
        _summary_query(p).select(CS.course, fn.SUM(CS.enrolled)).group_by(CS.course).tuples()
    )
    q = (
        E.select(C.course, E.withdrawal_reason, fn.COUNT(E.id))
        .join(C, on=(C.id == E.cohort))
        .join(T, on=(T.id == E.trainee))
        .where(E.status == "withdrawn")
    )
    q = narrow(q, p, date=C.end_date, force=T.force, province=T.province, centre=C.centre)
    by_course: dict[int, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for course, reason, n in q.group_by(C.course, E.withdrawal_reason).tuples():
        reason = " ".join((reason or "").split()) or "(none given)"
        by_course[course][reason] += n
        overall[reason] += n
    top = [r for r, _ in sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_REASON_COLUMNS]]
    other = len(overall) > len(top)
    names = courses()
    rows = []
    for course in sorted(set(enrolled) | set(by_course), key=lambda c: names.get(c, (str(c),))[0]):
        code, title, _cat = names.get(course, (str(course), "", ""))
        reasons = by_course.get(course, Counter())
        withdrawn = sum(reasons.values())
        split = [reasons.get(r, 0) for r in top]
        if other:
            split.append(withdrawn - sum(split))
        n = int(enrolled.get(course) or 0)
        rows.append((code, title, n, withdrawn, percent(withdrawn, n), *split))
    reason_cols = [f"reason: {r}" for r in top] + (["reason: other"] if other else [])
    k = len(reason_cols)
    return ReportResult(
        "attrition",
        "Attrition by course, with withdrawal reasons",
        ("course", "title", "enrolments", "withdrawn", "attrition_pct", *reason_cols),
        tuple(rows),
        notes=(
            "attrition_pct: withdrawn / enrolments (waitlist excluded); the reason columns add up to withdrawn.",
            *period_note(p),
        ),
        layout=Layout(
            counts=(2, 3, *range(5, 5 + k)),
            row_sums=((3, tuple(range(5, 5 + k))),) if k else (),
            derived=((4, (3,), (2,)),),
        ),
        hxl=(
            "#activity+code",
            "#activity+name",
            "#indicator+num+enrolments",
            "#indicator+num+withdrawn",
            "#indicator+pct+attrition",
            *(f"#indicator+num+withdrawn+reason{i + 1}" for i in range(k)),
        ),
        params=params,
    )


def certificates_expiring(actor: Actor, params: ReportParams) -> ReportResult:
    p = resolve(params)
    as_of = p.date_to or p.as_of
    K, T, E, C = models.Certificate, models.Trainee, models.Enrolment, models.Cohort
    # Renewed (superseded) and revoked certificates no longer expire; "expired" is
    # a status the certificate service may already have set, or a passed date.
    q = (
        K.select(K.course, K.expires_on, K.status)
        .join(T, on=(T.id == K.trainee))
        .where(
            K.status.in_(("valid", "expired"))
            & K.expires_on.is_null(False)
            & (K.expires_on <= as_of + datetime.timedelta(days=EXPIRY_WINDOWS[-1]))
        )
    )
    if p.centre_id:  # the centre is the issuing cohort's
        q = q.join(E, on=(E.id == K.enrolment)).join(C, on=(C.id == E.cohort))
    q = narrow(q, p, force=T.force, province=T.province, centre=C.centre)
    q = q.select(
        K.course,
        fn.SUM(Case(None, [((K.status == "expired") | (K.expires_on < as_of), 1)], 0)),
        *(
            fn.SUM(
                Case(
                    None,
                    [
                        (
                            (K.status == "valid")
                            & (K.expires_on >= as_of + datetime.timedelta(days=lo))
                            & (K.expires_on < as_of + datetime.timedelta(days=hi)),
                            1,
                        )
                    ],
                    0,
                )
            )
            for lo, hi in ((0, 31), (31, 61), (61, 91))
        ),
    ).group_by(K.course)
    names = courses()
    rows = []
    for course, expired, w30, w60, w90 in q.tuples():
        code, title, _cat = names.get(course, (str(course), "", ""))
        w30, w60, w90 = int(w30 or 0), int(w60 or 0), int(w90 or 0)
        rows.append((code, title, int(expired or 0), w30, w60, w90, w30 + w60 + w90))
    rows.sort()
    return ReportResult(
        "certificates-expiring",
        f"Certificates expired and expiring within 90 days of {as_of.isoformat()}",
        ("course", "title", "expired", "within_30_days", "days_31_60", "days_61_90", "expiring_90_days"),
        tuple(rows),
        notes=(f"As of {as_of.isoformat()} (--to sets the date). Expired: past expiry and not renewed or revoked.",),
        layout=Layout(counts=(2, 3, 4, 5, 6), row_sums=((6, (3, 4, 5)),)),
        hxl=(
            "#activity+code",
            "#activity+name",
            "#indicator+num+expired",
            "#indicator+num+expiring30",
            "#indicator+num+expiring60",
            "#indicator+num+expiring90",
            "#indicator+num+expiring",
        ),
        params=params,
    )
