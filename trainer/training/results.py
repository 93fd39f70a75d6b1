"""Assessment results: validated scores, re-sits kept as history, pass/fail as you type.

Results are append-only: a re-sit (or a correction) is a new attempt; the
earlier attempts stay with who entered them and when. The latest attempt is
the one that counts. Scores are checked against the cohort's frozen rule
(trainer.training.rules), never against a course edited later.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from peewee import JOIN, fn

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_teaches
from trainer.errors import FieldProblem, NotFound, ValidationFailed
from trainer.registry import names
from trainer.reporting import summary
from trainer.training import rules
from trainer.training.attendance import GRID_STATUSES, excused_counts, percentages
from trainer.training.rules import AssessmentRule, CohortRules, Judgement

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Typed:
    """What a typed score means before it is saved."""

    score: float | None
    problem: str | None
    passed: bool | None


@dataclass(frozen=True)
class ResultView:
    id: int
    enrolment_id: int
    assessment_id: int
    attempt: int
    score: float
    passed: bool
    entered_by: str
    entered_at: datetime.datetime


@dataclass(frozen=True)
class ResultRow:
    enrolment_id: int
    trainee_id: int
    name: str
    latin_name: str
    status: str
    scores: dict[int, float]  # assessment id -> latest score
    attempts: dict[int, int]  # assessment id -> attempts so far
    attendance: float | None
    judgement: Judgement


@dataclass(frozen=True)
class ResultsGrid:
    cohort_id: int
    cohort_code: str
    rules: CohortRules
    rows: tuple[ResultRow, ...]


def check_score(text: str | float | int, rule: AssessmentRule) -> Typed:
    """Parse and range-check a typed score; pure, so a screen can judge every keystroke."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        raw = repr(float(text))
    else:
        raw = names.to_ascii_digits(str(text)).strip().replace("٫", ".")
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")
    if not raw:
        return Typed(None, "a score is required", None)
    if not _NUMBER.match(raw):
        return Typed(None, f"{str(text).strip()!r} is not a number", None)
    score = float(raw)
    if score < 0:
        return Typed(None, f"{rules.fmt(score)} is below 0", None)
    if score > rule.max_score:
        return Typed(None, f"{rules.fmt(score)} is above the maximum {rules.fmt(rule.max_score)}", None)
    return Typed(score, None, score >= rule.pass_mark)


def _view(row: models.Result, rule: AssessmentRule | None, who: str) -> ResultView:
    passed = rule is not None and row.score >= rule.pass_mark
    return ResultView(row.id, row.enrolment_id, row.assessment_id, row.attempt, row.score, passed, who, row.entered_at)


def _enrolment(enrolment_id: int) -> models.Enrolment:
    e = models.Enrolment.get_or_none(models.Enrolment.id == enrolment_id)
    if e is None:
        raise NotFound(f"no enrolment {enrolment_id}")
    if e.status in ("graduated", "failed"):
        raise ValidationFailed([FieldProblem("result", f"the outcome is already decided ({e.status})")])
    if e.status != "enrolled":
        raise ValidationFailed([FieldProblem("result", f"the trainee is {e.status}, not enrolled")])
    return e


def _rule(cohort_rules: CohortRules, assessment_id: int) -> AssessmentRule:
    rule = cohort_rules.assessment(assessment_id)
    if rule is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "assessment", "not an assessment of this cohort's course as it stood when the cohort started"
                )
            ]
        )
    return rule


def save_checked(actor: Actor, enrolment: models.Enrolment, rule: AssessmentRule, score: float) -> ResultView | None:
    """Append an attempt inside the caller's transaction; None when it repeats the latest score."""
    require(actor, "result.write")
    R, E = models.Result, models.Enrolment
    # Two people typing into one cell at once: the enrolment's row lock orders them, so the
    # second reads the first's attempt and appends after it (PostgreSQL; SQLite's write lock
    # already orders whole transactions). Without it both took the same attempt number.
    dialect().for_update(E.select(E.id).where(E.id == enrolment.id)).first()
    latest = (
        R.select().where((R.enrolment == enrolment.id) & (R.assessment == rule.id)).order_by(R.attempt.desc()).first()
    )
    if latest is not None and latest.score == score:
        return None
    attempt = 1 if latest is None else latest.attempt + 1
    row = R.create(enrolment=enrolment.id, assessment=rule.id, attempt=attempt, score=score, entered_by=actor.user_id)
    audit.record(
        actor,
        "create",
        "result",
        row.uuid,
        before={"score": latest.score, "attempt": latest.attempt} if latest else None,
        after={"assessment": rule.code, "score": score, "attempt": attempt},
    )
    return _view(row, rule, actor.username)


def enter_score(actor: Actor, enrolment_id: int, assessment_id: int, text: str | float) -> ResultView:
    """Save a typed score; a second entry for the same cell is a re-sit (a new attempt)."""
    require(actor, "result.write")
    R = models.Result
    with database.connection_context(), database.atomic():
        dialect().writer_first()  # before any row lock (db/dialect.py)
        enrolment = _enrolment(enrolment_id)
        require_teaches(actor, enrolment.cohort_id)
        rule = _rule(rules.freeze(enrolment.cohort_id), assessment_id)
        typed = check_score(text, rule)
        if typed.problem:
            raise ValidationFailed([FieldProblem(rule.code, typed.problem)])
        assert typed.score is not None  # no problem means a number
        saved = save_checked(actor, enrolment, rule, typed.score)
        summary.refresh_cohort_results(enrolment.cohort_id)
        if saved is not None:
            return saved
        latest = (
            R.select()
            .where((R.enrolment == enrolment_id) & (R.assessment == assessment_id))
            .order_by(R.attempt.desc())
            .first()
        )
        return _view(latest, rule, _username(latest.entered_by_id))


def _username(user_id: int | None) -> str:
    if user_id is None:
        return "system"
    user = models.User.get_or_none(models.User.id == user_id)
    return user.username if user else "?"


def history(actor: Actor, enrolment_id: int, assessment_id: int) -> list[ResultView]:
    """Every attempt, first to latest, with who entered it."""
    require(actor, "cohort.read")
    R, U = models.Result, models.User
    with database.connection_context():
        e = models.Enrolment.get_by_id(enrolment_id)
        rule = rules.for_cohort(e.cohort_id).assessment(assessment_id)
        query = (
            R.select(R, fn.COALESCE(U.username, "system").alias("who"))
            .join(U, on=(R.entered_by == U.id), join_type=JOIN.LEFT_OUTER)
            .where((R.enrolment == enrolment_id) & (R.assessment == assessment_id))
            .order_by(R.attempt)
        )
        return [_view(r, rule, r.who) for r in query.objects()]  # type: ignore[attr-defined]  # the alias "who"


def latest_scores(cohort_id: int) -> tuple[dict[int, dict[int, float]], dict[int, dict[int, int]]]:
    """Per enrolment: assessment id -> latest score, and -> number of attempts."""
    R, E = models.Result, models.Enrolment
    scores: dict[int, dict[int, float]] = {}
    attempts: dict[int, dict[int, int]] = {}
    with database.connection_context():
        query = (
            R.select(R.enrolment, R.assessment, R.attempt, R.score)
            .join(E)
            .where(E.cohort == cohort_id)
            .order_by(R.attempt)
            .tuples()
        )
        for eid, aid, attempt, score in query:
            scores.setdefault(eid, {})[aid] = score
            attempts.setdefault(eid, {})[aid] = attempt
    return scores, attempts


def grid(actor: Actor, cohort_id: int) -> ResultsGrid:
    require(actor, "cohort.read")
    E, T = models.Enrolment, models.Trainee
    with database.connection_context():
        cohort = models.Cohort.get_or_none(models.Cohort.id == cohort_id)
        if cohort is None:
            raise NotFound(f"no cohort {cohort_id}")
        cohort_rules = rules.for_cohort(cohort_id)
        scores, attempts = latest_scores(cohort_id)
        shares = percentages(cohort_id)
        excused = excused_counts(cohort_id)
        people = (
            E.select(
                E.id,
                E.status,
                T.id,
                T.given_name,
                T.father_name,
                T.grandfather_name,
                T.family_name,
                T.given_name_latin,
                T.father_name_latin,
                T.grandfather_name_latin,
                T.family_name_latin,
            )
            .join(T)
            .where((E.cohort == cohort_id) & (E.status.in_(GRID_STATUSES)))
            .order_by(T.given_name, T.father_name, T.grandfather_name, E.id)
            .tuples()
        )
        rows = []
        for eid, status, tid, *parts in people:
            own = scores.get(eid, {})
            rows.append(
                ResultRow(
                    eid,
                    tid,
                    " ".join(p for p in parts[:4] if p),
                    " ".join(p for p in parts[4:] if p),
                    status,
                    own,
                    attempts.get(eid, {}),
                    shares.get(eid),
                    rules.judge(cohort_rules, shares.get(eid), own, excused=excused.get(eid, 0)),
                )
            )
        rows.sort(key=lambda r: (r.latin_name or r.name).casefold())  # as the names are shown
        return ResultsGrid(cohort_id, cohort.code, cohort_rules, tuple(rows))
