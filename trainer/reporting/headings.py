"""Column headings in words for people reading a table (the app's preview, `--format table`).

Files for other programs (CSV, JSON, HXL, XLSX) keep the field names partners
read unchanged; a person reading a table sees "Province" and "Trained %", never
`province_en` or `trained_pct`.
"""

from __future__ import annotations

from collections.abc import Iterable

WORDS = {
    "province": "Province code",
    "province_en": "Province",
    "name_en": "Name",
    "name_ar": "Name (Arabic)",
    "force": "Force",
    "trained_pct": "Trained %",
    "pass_rate_pct": "Pass rate %",
    "result_pass_pct": "Results passed %",
    "share_pct": "Share %",
    "first_trained_on": "First trained on",
    "ilp_competency_on": "ILP competency on",
    "holding_ilp_or_community": "Holding ILP or community",
    "expiring_90_days": "Expiring in 90 days",
    "within_30_days": "Within 30 days",
    "days_31_60": "31–60 days",
    "days_61_90": "61–90 days",
    "date_of_birth": "Born",
    "national_id": "National ID",
    "service_number": "Service no.",
    "latin_name": "Name (Latin)",
    "cohort_start": "Cohort start",
    "course_title": "Course title",
    "enrolment_status": "Enrolment",
    "persons_graduated": "Persons graduated",
    "results_passed": "Results passed",
    "period_end": "Period end",
    "birth_year": "Born in",
    "gap": "Gap",
}


def heading(name: str) -> str:
    """Words for a field name; names already in words (or computed ones) are kept as they are."""
    if name in WORDS:
        return WORDS[name]
    if name != name.lower() or " " in name or ":" in name:
        return name  # "Total", "reason: medical" …
    words = name.replace("_pct", " %").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def headings(names: Iterable[object]) -> tuple[str, ...]:
    return tuple(heading(str(n)) for n in names)
