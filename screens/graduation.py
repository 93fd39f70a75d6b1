"""Graduation: who passes under the cohort's rule and why each failure fails; the manager confirms.

Confirming writes the outcomes (they never change afterwards) and then
issues the certificates the course grants; a gate that refuses (vetting,
the instructor's qualification) is listed with its reason, and `i` tries the
certificates again once the reason is dealt with.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.dialogs import ConfirmDialog
from trainer.certification import certificates
from trainer.errors import TrainerError
from trainer.training import graduation
from trainer.training.graduation import GraduationPreview
from trainer.training.rules import fmt

NAME_WIDTH = 28


def rule_text(preview: GraduationPreview) -> str:
    r = preview.rules
    parts = []
    if r.min_attendance:
        parts.append(f"attendance ≥ {r.min_attendance}%")
    if r.all_assessments:
        parts.append(
            "every assessment passed ("
            + ", ".join(f"{a.code} ≥ {fmt(a.pass_mark)}/{fmt(a.max_score)}" for a in r.assessments)
            + ")"
        )
    if r.min_weighted:
        parts.append(f"weighted score ≥ {r.min_weighted}%")
    state = "frozen for this cohort" if r.frozen else "the course's rule today; confirming freezes it"
    return f"Pass rule ({state}): {'; '.join(parts) or 'none'}"


def graduate_and_certify(actor, cohort_id: int, expected: dict[int, bool], early_reason: str = ""):
    """Worker side: outcomes first (their own transaction), then the certificates."""
    decided = graduation.confirm(actor, cohort_id, expected, early_reason=early_reason)
    if not decided.rules.grants_certificate:
        return decided, None, "the course grants no certificate"
    try:
        return decided, certificates.issue_for_cohort(actor, cohort_id), None
    except TrainerError as exc:
        return decided, None, str(exc)


class GraduationScreen(ServiceCalls, Screen):
    CSS_PATH = Path(__file__).with_name("instructor.tcss")
    BINDINGS = [
        Binding("g", "confirm", "Graduate", id="graduation.confirm", tooltip="Record the outcomes (asks first)"),
        Binding("i", "issue", "Issue certificates", id="graduation.issue"),
        Binding("f5", "reload", "Reload", id="graduation.reload"),
        Binding("escape", "back", "Back", id="graduation.back"),
    ]

    def __init__(self, cohort_id: int) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.preview: GraduationPreview | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the outcomes…", id="title", classes="grid-title")
        yield Static("", id="rules")
        yield DataTable(id="outcomes", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", classes="grid-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.action_reload()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("confirm", "issue"):
            actor = getattr(self.app, "actor", None)
            return actor is not None and actor.may("graduation.confirm" if action == "confirm" else "certificate.issue")
        return True

    def action_reload(self) -> None:
        self.call("load", graduation.preview, self.actor, self.cohort_id)

    def done_load(self, preview: GraduationPreview) -> None:
        self.show(preview)

    def show(self, preview: GraduationPreview) -> None:
        self.preview = preview
        table = self.query_one("#outcomes", DataTable)
        table.clear(columns=True)
        table.add_column("Trainee", key="name", width=NAME_WIDTH)
        table.add_column("Att. %", key="att", width=6)
        table.add_column("Weighted", key="weighted", width=8)
        table.add_column("Outcome", key="outcome", width=10)
        table.add_column("Why", key="why")
        for o in preview.outcomes:
            if o.status == "enrolled":
                outcome = Text("passes", style="green") if o.passed else Text("fails", style="red")
            else:
                outcome = Text(o.status, style="bold green" if o.status == "graduated" else "bold red")
            table.add_row(
                arabic.fit(o.latin_name or o.name, NAME_WIDTH),
                "—" if o.attendance is None else f"{o.attendance:.0f}",
                "—" if o.weighted is None else f"{o.weighted:.0f}",
                outcome,
                "; ".join(o.reasons),
                key=str(o.enrolment_id),
            )
        passing = sum(o.passed for o in preview.undecided)
        waiting = len(preview.undecided)
        state = f"{waiting} waiting: {passing} pass, {waiting - passing} fail" if waiting else "all outcomes decided"
        self.query_one("#title", Static).update(
            f"Graduation · {preview.cohort_code} ({preview.cohort_status}) · {state}"
        )
        self.query_one("#rules", Static).update(rule_text(preview))

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    def action_confirm(self) -> None:
        if self.preview is None or not self.preview.undecided:
            self._say("Nobody is waiting for an outcome.")
            return
        expected = self.preview.expected
        passing = sum(expected.values())
        question = (
            f"Graduate {passing} and fail {len(expected) - passing} in {self.preview.cohort_code}?\n"
            "Outcomes are final: later changes to the course never alter them."
        )

        if self.preview.early():
            # Before the last day: the reason is the explicit confirmation (kept in the audit trail).
            from screens.widgets.dialogs import ReasonDialog

            def reason(text: str | None) -> None:
                if text:
                    self._say("Recording the outcomes…")
                    self.call("confirmed", graduate_and_certify, self.actor, self.cohort_id, expected, text)

            self.app.push_screen(
                ReasonDialog(
                    f"Graduate early: {self.preview.cohort_code} ends on {self.preview.ends_on}",
                    question + "\nIt has not ended yet: why graduate now? Enter confirms, Escape cancels.",
                ),
                reason,
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._say("Recording the outcomes…")
                self.call("confirmed", graduate_and_certify, self.actor, self.cohort_id, expected)

        self.app.push_screen(ConfirmDialog(question), answered)

    def done_confirmed(self, outcome) -> None:
        decided, report, refusal = outcome
        self.show(decided)
        graduated = sum(o.status == "graduated" for o in decided.outcomes)
        failed = sum(o.status == "failed" for o in decided.outcomes)
        self._report(f"Graduated {graduated}, failed {failed}.", report, refusal)

    def failed_confirmed(self, error: TrainerError) -> None:
        self._say(f"Not confirmed: {error}", error=True)
        self.action_reload()

    def action_issue(self) -> None:
        code = self.preview.cohort_code if self.preview is not None else "this cohort"
        question = (
            f"Issue the certificates of {code}'s graduates?\n"
            "Each is numbered and signed; a wrong one can only be revoked, never deleted."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.call("issued", certificates.issue_for_cohort, self.actor, self.cohort_id)

        self.app.push_screen(ConfirmDialog(question), answered)

    def done_issued(self, report) -> None:
        self._report("", report, None)

    def failed_issued(self, error: TrainerError) -> None:
        self._report("", None, str(error))

    def _report(self, head: str, report, refusal: str | None) -> None:
        lines = [head] if head else []
        if refusal:
            lines.append(f"No certificates issued: {refusal}")
        if report is not None:
            numbers = ", ".join(c.number for c in report.issued)
            lines.append(
                f"Certificates issued: {len(report.issued)}"
                + (f" ({numbers})" if numbers else "")
                + f", signed by {report.signed_by or report.instructor} (issuing instructor {report.instructor})."
            )
            for r in report.refused:
                also = f" ({r.latin_name})" if r.latin_name else ""  # both scripts, as the enrolment refusals
                lines.append(f"Refused: {arabic.display(r.name)}{also} — {r.reason}")
            if any(r.reason.startswith("vetting") for r in report.refused):
                lines.append("Record their vetting decision on Trainees (k), then issue again (i).")
        self._say("\n".join(lines), error=bool(refusal or (report and report.refused)))

    def action_back(self) -> None:
        self.app.pop_screen()
