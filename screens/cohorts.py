"""Cohorts: the list (searchable), the roster of the highlighted cohort, enrol and withdraw."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from screens.calls import ServiceCalls
from screens.widgets.allowed import RoleGate
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field
from screens.widgets.lazy_table import Column, LazyTable
from trainer.training import cohorts, enrolments
from trainer.training.cohorts import CohortView, RosterLine

FIRST_PAGE = 100
COLUMNS = [  # on a narrow list Wait, then Start, then Status make room: codes and seats stay whole
    Column("Code", 0, lambda c: ("★ " if c.coalition_funded else "") + c.code, least=16, middle=True),
    Column("Start", 10, lambda c: c.start_date.isoformat(), drop=2),
    Column("Seats", 7, lambda c: f"{c.enrolled}/{c.capacity}"),
    Column("Wait", 4, lambda c: str(c.waitlisted or ""), drop=3),
    Column("Status", 9, lambda c: c.status, drop=1),  # from the dates (cohorts.status_on)
]
ROSTER = [
    Column("Name", 0, lambda r: r.name, arabic=True),
    Column("Latin", 0, lambda r: r.latin_name),
    Column("Status", 10, lambda r: r.status),
    Column("#", 2, lambda r: str(r.waitlist_position or ""), drop=2),
    Column("Reason", 10, lambda r: r.withdrawal_reason, drop=1),
]


@dataclass(frozen=True)
class Opened:
    text: str
    total: int
    rows: list[CohortView]


def open_list(actor, text: str) -> Opened:
    return Opened(text, cohorts.count_cohorts(actor, text), cohorts.list_cohorts(actor, text, limit=FIRST_PAGE))


class CohortsScreen(RoleGate, ServiceCalls, Screen):
    NEEDS = {
        "new": "cohort.write",
        "edit": "cohort.write",
        "enrol": "enrolment.write",
        "withdraw": "enrolment.write",
        "open:attendance": "attendance.write",
        "open:results": "result.write",
    }
    BINDINGS = [
        Binding("n", "new", "New cohort", id="cohorts.new"),
        Binding("enter", "edit", "Edit cohort", id="cohorts.edit", key_display="⏎"),
        Binding("p", "enrol", "Enrol trainees", id="cohorts.enrol"),
        Binding("w", "withdraw", "Withdraw", id="cohorts.withdraw"),
        Binding("m", "open('attendance')", "Attendance", id="cohorts.attendance"),
        Binding("s", "open('results')", "Results", id="cohorts.results"),
        Binding("g", "open('graduation')", "Graduate", id="cohorts.graduation"),
        Binding("j", "post", "Post to station", id="cohorts.post"),
        Binding("y", "delivery", "Delivered by", id="cohorts.delivery", show=False),
        Binding("slash", "search", "Search", id="cohorts.search", key_display="/"),
        Binding("escape", "to_list", "To list", id="cohorts.to_list", show=False),
        Binding("f5", "reload", "Reload", id="cohorts.reload", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Field(placeholder="Search cohorts: code, course code or title", id="cohort-search")
        yield Static("Loading …", classes="count", id="cohort-count")
        with Horizontal(classes="area-body"):
            yield LazyTable(COLUMNS, self._fetch, empty="No cohort yet: press n to create one.", id="cohort-list")
            with Vertical(id="roster-pane"):
                yield Static("", id="roster-title")
                yield LazyTable(ROSTER, empty="Nobody enrolled: press p to enrol trainees.", id="roster")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#cohort-list").focus()
        self.action_reload()

    # --- cohort list ----------------------------------------------------------

    def _fetch(self, text: str, offset: int, limit: int, hint: dict) -> list[CohortView]:
        return cohorts.list_cohorts(self.actor, text, offset=offset, limit=limit)

    def action_reload(self, keep: bool = False) -> None:
        self.keep_cursor = keep
        self.call("list", open_list, self.actor, self.query_one("#cohort-search", Field).value)

    def done_list(self, opened: Opened) -> None:
        table = self.query_one("#cohort-list", LazyTable)
        table.reset(opened.text, opened.total, opened.rows, keep_cursor=getattr(self, "keep_cursor", False))
        self.query_one("#cohort-count", Static).update(
            f"{opened.total:,} cohort{'' if opened.total == 1 else 's'}"
            + (f" matching {opened.text!r}" if opened.text.strip() else "")
        )
        target = getattr(self, "select_id", None)
        if target is not None:
            table.move_to_key(lambda c: c.id == target)
            self.select_id: int | None = None

    def failed_list(self, error) -> None:
        self.query_one("#cohort-count", Static).update(f"Not shown: {error}")  # never left at "Loading …"

    @on(Field.Changed, "#cohort-search")
    def _search(self) -> None:
        self.action_reload()

    @on(Field.Submitted, "#cohort-search")
    def action_to_list(self) -> None:
        self.query_one("#cohort-list").focus()

    def action_search(self) -> None:
        self.query_one("#cohort-search").focus()

    @property
    def cohort(self) -> CohortView | None:
        return self.query_one("#cohort-list", LazyTable).current

    # --- roster ---------------------------------------------------------------

    @on(LazyTable.Highlighted, "#cohort-list")
    def _cohort_highlighted(self, message: LazyTable.Highlighted) -> None:
        self._show_roster(message.row)

    def _show_roster(self, c: CohortView | None) -> None:
        title = self.query_one("#roster-title", Static)
        if c is None:
            title.update("")
            self.query_one("#roster", LazyTable).set_rows([])
            return
        teachers = ", ".join(c.instructors) or "no instructor"
        title.update(
            f"{c.code} · {c.course_title}\n{c.start_date} → {c.end_date} · {c.centre_name} · "
            f"{c.enrolled}/{c.capacity} seats · {c.waitlisted} waiting\n{teachers} · "
            + (f"coalition-funded ({c.funder})" if c.coalition_funded else (c.funder or "no funder"))
        )
        self.call("roster", cohorts.roster, self.actor, c.id)

    def done_roster(self, lines: list[RosterLine]) -> None:
        self.query_one("#roster", LazyTable).set_rows(lines, keep_cursor=True)

    def action_post(self) -> None:
        """Post every graduate of the highlighted cohort to one station (docs/stations.md)."""
        c = self.cohort
        if c is None:
            return
        from screens.station_forms import PostCohortDialog

        self.app.push_screen(PostCohortDialog(cohort=c.code))

    def action_delivery(self) -> None:
        """Who delivered the highlighted cohort: program of instruction and nations (docs/stations.md)."""
        c = self.cohort
        if c is None:
            return
        from screens.delivery_form import DeliveryDialog

        self.app.push_screen(DeliveryDialog(c))

    def show_cohort(self, cohort_id: int) -> None:
        """Jump here (command palette)."""
        self.call("jump", cohorts.get_cohort, self.actor, cohort_id)

    def done_jump(self, c: CohortView) -> None:
        self.select_id = c.id
        self.query_one("#cohort-search", Field).value = c.code  # reloads the list; done_list moves the cursor
        self.query_one("#cohort-list").focus()

    # --- actions --------------------------------------------------------------

    def action_new(self) -> None:
        from screens.cohort_form import CohortForm

        self.app.push_screen(CohortForm(None), self._saved)

    @on(LazyTable.Selected, "#cohort-list")
    def action_edit(self) -> None:
        if self.cohort is None or self.focused is not self.query_one("#cohort-list") or not self.offered("edit"):
            return
        from screens.cohort_form import CohortForm

        self.app.push_screen(CohortForm(self.cohort), self._saved)

    def _saved(self, view: CohortView | None) -> None:
        if view is not None:
            self.app.notify(f"Saved cohort {view.code}", title="Cohorts")
            self.select_id = view.id
            self.action_reload(keep=True)

    def action_enrol(self) -> None:
        if self.cohort is None:
            return
        from screens.enrol import EnrolDialog

        cohort = self.cohort

        def picked(ids: list[int] | None) -> None:
            if ids:
                self.call("enrol", enrolments.enrol, self.actor, cohort.id, ids)

        self.app.push_screen(EnrolDialog(cohort), picked)

    def done_enrol(self, report: enrolments.EnrolReport) -> None:
        from screens.enrol import EnrolReportDialog

        self.app.push_screen(EnrolReportDialog(report), lambda ids: self._vet(report, ids))
        self.select_id = report.cohort_id
        self.action_reload(keep=True)

    def _vet(self, report: enrolments.EnrolReport, ids: list[int] | None) -> None:
        """The refusal's way out: record the vetting decision of those refused for it, then enrol them again."""
        if not ids:
            return
        from screens.vetting_form import VettingForm

        names = [o.name for o in report.outcomes if o.trainee_id in ids]
        who = names[0] if len(names) == 1 else f"{len(names)} trainees refused by {report.cohort_code}'s vetting gate"
        funder = self.cohort.funder if self.cohort and self.cohort.id == report.cohort_id else ""

        def recorded(covered: int | None) -> None:
            if covered:
                self.app.notify(f"Vetting recorded for {covered}; enrolling them again.", title="Cohorts")
                self.call("enrol", enrolments.enrol, self.actor, report.cohort_id, ids)

        self.app.push_screen(VettingForm(ids, who, funder=funder), recorded)

    def action_open(self, desk: str) -> None:
        """The instructor's desk for the selected cohort: attendance, results or graduation."""
        if self.cohort is None:
            self.app.notify("Choose a cohort first.", severity="warning")
            return
        if desk == "attendance":
            from screens.attendance import AttendanceScreen as Desk
        elif desk == "results":
            from screens.results import ResultsScreen as Desk  # type: ignore[assignment]  # one name, any desk
        else:
            from screens.graduation import GraduationScreen as Desk  # type: ignore[assignment]
        self.app.push_screen(Desk(self.cohort.id))

    def action_withdraw(self) -> None:
        line: RosterLine | None = self.query_one("#roster", LazyTable).current
        if line is None or line.status not in ("enrolled", "waitlisted"):
            self.app.notify(
                "Put the roster cursor on an enrolled or waitlisted trainee (Tab to the roster).", severity="warning"
            )
            return
        from screens.widgets.dialogs import ReasonDialog

        where = self.cohort.code if self.cohort else "the cohort"

        def reason(text: str | None) -> None:
            if text:
                self.call("withdraw", enrolments.withdraw, self.actor, line.enrolment_id, text)

        self.app.push_screen(
            ReasonDialog(
                f"Withdraw {line.latin_name or line.name} from {where}",  # the dialog shapes names
                "Their seat goes to the first on the waitlist; the enrolment stays on record as withdrawn. "
                "Why is this trainee leaving the cohort?",
            ),
            reason,
        )

    def done_withdraw(self, out: enrolments.WithdrawOutcome) -> None:
        promoted = f"; {out.promoted.name} promoted from the waitlist" if out.promoted else ""
        self.app.notify(f"Withdrawn{promoted}", title="Cohorts")
        self.select_id = self.cohort.id if self.cohort else None
        self.action_reload(keep=True)
