"""Text of the trainee detail pane (identity, units, vetting, enrolments, results, certificates).

Lines are cropped to the pane's width before Arabic is reordered, never wrapped
(wrapping a visually ordered line would scramble it).
"""

from __future__ import annotations

from rich.text import Text

from screens.widgets import arabic
from trainer.registry import reference
from trainer.registry.detail import TraineeDetail
from trainer.registry.trainees import TraineeView


def force_name(code: str) -> str:
    try:
        return reference.force(code).name_en
    except KeyError:
        return code


def province_name(code: str) -> str:
    try:
        return reference.province(code).name_en
    except KeyError:
        return code


def identity_lines(t: TraineeView) -> list[tuple[str, str]]:
    return [
        ("Name", t.full_name),
        ("Latin", t.latin_name),
        ("Mother", t.mother_name),
        ("Born", t.date_of_birth.isoformat()),
        ("Gender", {"m": "male", "f": "female"}.get(t.gender, t.gender)),
        ("National ID", t.national_id),
        ("Service no.", t.service_number),
        ("Force", force_name(t.force)),
        ("Province", province_name(t.province)),
        ("Rank", t.rank),
        ("Phone", t.phone),
        ("Status", t.status),
    ]


def render(d: TraineeDetail, width: int) -> Text:
    width = max(20, width)
    out = Text()

    def line(text: str, style: str = "") -> None:
        out.append(arabic.display(text, width) + "\n", style=style)

    def heading(title: str) -> None:
        out.append("\n" + title + "\n", style="bold underline")

    for label, value in identity_lines(d.trainee):
        if value:
            out.append(f"{label:<12}", style="dim")
            out.append(arabic.display(value, width - 12) + "\n")
    heading(f"Units ({len(d.units)})")
    for u in d.units:
        line(f"{u.start_date} – {u.end_date or 'now'}  {u.unit_code} ({force_name(u.force)})")
    heading(f"Vetting ({len(d.vetting)})")
    for v in d.vetting:
        who = f"unit {v.unit_code}" if v.kind == "unit" else "individual"
        line(
            f"{v.decision_date or 'pending'}  {v.case_ref} {v.result} ({who}{', ' + v.funder if v.funder else ''})"
            + (f": {v.note}" if v.note else ""),
            "green" if v.result == "approved" else "red" if v.result in ("denied", "suspended") else "",
        )
    heading(f"Enrolments ({len(d.enrolments)})")
    for e in d.enrolments:
        extra = f" #{e.waitlist_position}" if e.waitlist_position else ""
        extra += f" – {e.withdrawal_reason}" if e.withdrawal_reason else ""
        line(f"{e.start_date}  {e.cohort_code}  {e.status}{extra}")
    heading(f"Results ({len(d.results)})")
    for r in d.results:
        line(
            f"{r.cohort_code}  {r.assessment} #{r.attempt}: {r.score:g}/{r.max_score:g} "
            f"{'pass' if r.passed else 'fail'}"
        )
    heading(f"Certificates ({len(d.certificates)})")
    for c in d.certificates:
        line(f"{c.number}  {c.course_code}  {c.status}  {c.issued_on} → {c.expires_on or 'no expiry'}")
    return out
