"""A cohort's pass rule as it stood for that cohort, and applying it.

The course's rule and assessments are copied into Cohort.rules (JSON) when
the cohort starts (its first attendance mark or first result, or graduation
if neither came first). From then on everything about the cohort (score
limits, pass marks, graduation) reads the copy, so editing the course later
never rewrites a past outcome.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from db import models
from db.connection import database


@dataclass(frozen=True)
class AssessmentRule:
    id: int
    code: str
    title: str
    max_score: float
    pass_mark: float
    weight: float


@dataclass(frozen=True)
class CohortRules:
    course_code: str
    curriculum_version: str
    all_assessments: bool
    min_attendance: int
    min_weighted: int
    grants_certificate: bool
    certificate_months: int | None
    recert_window_days: int
    assessments: tuple[AssessmentRule, ...]
    frozen: bool  # False: read live from the course, not yet copied

    def assessment(self, assessment_id: int) -> AssessmentRule | None:
        return next((a for a in self.assessments if a.id == assessment_id), None)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("frozen")
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, course_id: int | None = None) -> CohortRules:
        """Parse a frozen rule. Keys missing from an older or shorter copy (the demo data keeps
        only the pass rule and each assessment's code and marks) are taken from the course."""
        data = json.loads(text)
        live: CohortRules | None = None
        needs_live = any(k not in data for k in RULE_KEYS) or any(
            "id" not in a or "title" not in a for a in data.get("assessments", ())
        )
        if needs_live:
            if course_id is None:
                raise ValueError("a partial frozen rule needs its course to complete it")
            live = from_course(course_id)
        by_code = {a.code: a for a in live.assessments} if live else {}
        assessments = []
        for a in data.get("assessments", ()):
            current = by_code.get(a["code"])
            assessments.append(
                AssessmentRule(
                    id=a["id"] if "id" in a else (current.id if current else -1),
                    code=a["code"],
                    title=a.get("title") or (current.title if current else a["code"]),
                    max_score=float(a["max_score"]),
                    pass_mark=float(a["pass_mark"]),
                    weight=float(a.get("weight", 1.0)),
                )
            )
        values = {k: data[k] if k in data else getattr(live, k) for k in RULE_KEYS}
        return cls(**values, assessments=tuple(assessments), frozen=True)


RULE_KEYS = (
    "course_code",
    "curriculum_version",
    "all_assessments",
    "min_attendance",
    "min_weighted",
    "grants_certificate",
    "certificate_months",
    "recert_window_days",
)


@dataclass(frozen=True)
class Judgement:
    passed: bool
    reasons: tuple[str, ...]  # why it fails, in words; empty when passed
    weighted: float | None  # percentage


def from_course(course_id: int) -> CohortRules:
    course = models.Course.get_by_id(course_id)
    rows = (
        models.Assessment.select()
        .where(models.Assessment.course == course_id)
        .order_by(models.Assessment.position, models.Assessment.id)
    )
    return CohortRules(
        course_code=course.code,
        curriculum_version=course.curriculum_version,
        all_assessments=bool(course.rule_all_assessments),
        min_attendance=course.rule_min_attendance,
        min_weighted=course.rule_min_weighted,
        grants_certificate=bool(course.grants_certificate),
        certificate_months=course.certificate_months,
        recert_window_days=course.recert_window_days,
        assessments=tuple(
            AssessmentRule(a.id, a.code, a.title, float(a.max_score), float(a.pass_mark), float(a.weight)) for a in rows
        ),
        frozen=False,
    )


def for_cohort(cohort_id: int) -> CohortRules:
    """The cohort's frozen rules, or the course's current ones if not frozen yet (read only)."""
    with database.connection_context():
        cohort = models.Cohort.get_by_id(cohort_id)
        if cohort.rules:
            return CohortRules.from_json(cohort.rules, cohort.course_id)
        return from_course(cohort.course_id)


def freeze(cohort_id: int) -> CohortRules:
    """Copy the course's rule into the cohort if not yet done; inside the caller's transaction."""
    C = models.Cohort
    cohort = C.get_by_id(cohort_id)
    if cohort.rules:
        return CohortRules.from_json(cohort.rules, cohort.course_id)
    rules = from_course(cohort.course_id)
    # Only an empty column is filled: two first writers cannot both freeze.
    C.update(rules=rules.to_json()).where((C.id == cohort_id) & (C.rules == "")).execute()
    return CohortRules.from_json(C.get_by_id(cohort_id).rules, cohort.course_id)


def ensure_frozen(cohort_id: int) -> None:
    """freeze() for the hot path (a mark per keystroke): one narrow query when already frozen."""
    C = models.Cohort
    if C.select(C.id).where((C.id == cohort_id) & (C.rules == "")).first() is not None:
        freeze(cohort_id)


def judge(rules: CohortRules, attendance_pct: float | None, scores: dict[int, float], *, excused: int = 0) -> Judgement:
    """Apply the rule to one trainee: `scores` maps assessment id to the counted (latest) score;
    `excused`, the held sessions since enrolment marked excused (left out of the percentage)."""
    reasons: list[str] = []
    if rules.min_attendance > 0:
        if attendance_pct is None and excused:
            # Excused sessions are left out of the count, so nothing is left to count: not "no sessions".
            reasons.append(f"excused from all {excused} session(s) held since enrolment: no attendance to count")
        elif attendance_pct is None:
            reasons.append("no sessions held since enrolment")
        elif attendance_pct + 1e-9 < rules.min_attendance:
            reasons.append(f"attendance {attendance_pct:.0f}% below {rules.min_attendance}%")
    if rules.all_assessments:
        for a in rules.assessments:
            score = scores.get(a.id)
            if score is None:
                reasons.append(f"{a.code}: no result")
            elif score < a.pass_mark:
                reasons.append(f"{a.code}: {fmt(score)}/{fmt(a.max_score)} below pass mark {fmt(a.pass_mark)}")
    weighted = weighted_percentage(rules, scores)
    if rules.min_weighted > 0 and (weighted is None or weighted + 1e-9 < rules.min_weighted):
        shown = "no results" if weighted is None else f"{weighted:.0f}%"
        reasons.append(f"weighted score {shown} below {rules.min_weighted}%")
    return Judgement(not reasons, tuple(reasons), weighted)


def weighted_percentage(rules: CohortRules, scores: dict[int, float]) -> float | None:
    total = sum(a.weight for a in rules.assessments)
    if not rules.assessments or total <= 0:
        return None
    return 100.0 * sum(a.weight * scores.get(a.id, 0.0) / a.max_score for a in rules.assessments) / total


def fmt(x: float) -> str:
    """12.0 -> '12', 12.5 -> '12.5'."""
    return f"{x:g}"
