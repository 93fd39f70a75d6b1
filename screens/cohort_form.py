"""Create or edit a cohort: course, centre, dates, capacity, instructors, funder."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, Select, SelectionList, Static

from screens.calls import ServiceCalls
from screens.record_form import RecordFormActions
from screens.widgets.forms import Field, Tick, form_buttons, form_row, show_field_problems
from trainer.errors import FieldProblem
from trainer.registry import centres
from trainer.training import cohorts, courses
from trainer.training.cohorts import CohortInput, CohortView


@dataclass(frozen=True)
class Choices:
    courses: list
    centres: list
    instructors: list


def load_choices(actor) -> Choices:
    return Choices(
        courses.list_courses(actor, include_retired=False),
        centres.list_centres(actor),
        cohorts.instructor_choices(actor),
    )


def parse_date(text: str, name: str, problems: list) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        problems.append(FieldProblem(name, "write the date as YYYY-MM-DD"))
        return None


class CohortForm(RecordFormActions, ServiceCalls, ModalScreen[CohortView | None]):
    create = staticmethod(cohorts.create_cohort)
    update = staticmethod(cohorts.update_cohort)
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="cohort_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="cohort_form.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="cohort-form", classes="dialog"):
            yield Label(f"Edit cohort {self.view.code}" if self.view else "New cohort", classes="card-title")
            yield from form_row("Course *", Select([], prompt="Course", id="course"), "course")
            yield from form_row("Centre *", Select([], prompt="Centre", id="centre"), "centre")
            yield from form_row("Start date *", Field(placeholder="YYYY-MM-DD", id="start_date"), "start_date")
            yield from form_row("End date *", Field(placeholder="YYYY-MM-DD", id="end_date"), "end_date")
            yield from form_row("Capacity *", Field(placeholder="seats", id="capacity"), "capacity")
            yield from form_row("Instructors", SelectionList(id="instructors"), "instructors")
            yield from form_row("Funder", Field(placeholder="e.g. US, UK, Iraqi MoI", id="funder"), "funder")
            yield from form_row(
                "Coalition-funded",
                Tick("needs Leahy vetting before the start", id="coalition_funded"),
                "coalition_funded",
            )
            if self.view:
                yield Static(
                    f"Status: {self.view.status} (it follows the dates: planned, running to the end date, "
                    "then ended until graduation)",
                    classes="hint",
                    id="cohort-status",
                )
                yield from form_row(
                    "Cancelled", Tick("the cohort will not run (untick to reopen)", id="cancelled"), "cancelled"
                )
            yield from form_row("Code", Field(placeholder="empty: COURSE-CENTRE-YYMMDD", id="code"), "code")
            yield from form_buttons()

    def on_mount(self) -> None:
        self.query_one("#form-status", Static).update("Loading courses and centres …")
        self.call("choices", load_choices, self.actor)
        self.query_one("#course").focus()

    def done_choices(self, choices: Choices) -> None:
        self.query_one("#form-status", Static).update(
            "" if choices.centres else "No centre yet: an admin adds centres in the Admin area."
        )
        with self.prevent(Select.Changed, SelectionList.SelectedChanged):
            self.query_one("#course", Select).set_options(
                (f"{c.code} – {c.title_en} ({c.duration_days} d)", c.code) for c in choices.courses
            )
            self.query_one("#centre", Select).set_options((f"{c.code} – {c.name_en}", c.code) for c in choices.centres)
            teachers = self.query_one("#instructors", SelectionList)
            teachers.clear_options()
            teachers.add_options((i.display_name, i.username) for i in choices.instructors)
        self.durations = {c.code: c.duration_days for c in choices.courses}
        if self.view:
            self.fill(self.view)
        self.mark_pristine()  # what the form holds now is the record: changes start from here

    def fill(self, v: CohortView) -> None:
        with self.prevent(Field.Changed, Select.Changed, SelectionList.SelectedChanged, Checkbox.Changed):
            course = self.query_one("#course", Select)
            if v.course in self.durations:
                course.value = v.course
            self.query_one("#centre", Select).value = v.centre
            for name, value in (
                ("start_date", v.start_date.isoformat()),
                ("end_date", v.end_date.isoformat()),
                ("capacity", str(v.capacity)),
                ("funder", v.funder),
                ("code", v.code),
            ):
                self.query_one(f"#{name}", Field).value = value
            teachers = self.query_one("#instructors", SelectionList)
            for name in v.instructors:
                teachers.select(name)
            self.query_one("#coalition_funded", Checkbox).value = v.coalition_funded
            self.query_one("#cancelled", Checkbox).value = v.status == "cancelled"

    def collect(self) -> tuple[CohortInput, list[FieldProblem]]:
        problems: list[FieldProblem] = []

        def text(name: str) -> str:
            return self.query_one(f"#{name}", Field).value

        def chosen(name: str) -> str:
            value = self.query_one(f"#{name}", Select).value
            return "" if value is Select.NULL else str(value)

        start = parse_date(text("start_date"), "start_date", problems)
        end = parse_date(text("end_date"), "end_date", problems)
        try:
            capacity = int(text("capacity").strip())
        except ValueError:
            capacity = 0
            problems.append(FieldProblem("capacity", "a whole number above 0"))
        for name, value in (
            ("course", chosen("course")),
            ("centre", chosen("centre")),
            ("start_date", start),
            ("end_date", end),
        ):
            if not value and not any(p.field == name for p in problems):
                problems.append(FieldProblem(name, "required"))
        if start and end and end < start:
            problems.append(FieldProblem("end_date", "before the start date"))
        coalition = self.query_one("#coalition_funded", Checkbox).value
        if coalition and not text("funder").strip():
            problems.append(FieldProblem("funder", "a coalition-funded cohort names its funder"))
        data = CohortInput(
            course=chosen("course"),
            centre=chosen("centre"),
            start_date=start,
            end_date=end,
            capacity=capacity,
            instructors=tuple(self.query_one("#instructors", SelectionList).selected),
            funder=text("funder"),
            coalition_funded=coalition,
            code=text("code"),
            cancelled=self.query_one("#cancelled", Checkbox).value if self.view else None,
        )
        return data, problems

    def show_problems(self, problems: list[FieldProblem], *, all_fields: bool = False) -> None:
        show_field_problems(self, problems, self.touched, all_fields=all_fields)

    @on(Field.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:
        control = getattr(event, "control", None)
        if control is not None and control.id:
            self.touched.add(control.id)
            if control.id in ("course", "start_date"):
                self._suggest_end()
        self.show_problems(self.collect()[1])

    def _suggest_end(self) -> None:
        """A new cohort's end date follows from the course's duration until the clerk types one."""
        end = self.query_one("#end_date", Field)
        if "end_date" in self.touched or not hasattr(self, "durations"):
            return
        course = self.query_one("#course", Select).value
        try:
            start = datetime.date.fromisoformat(self.query_one("#start_date", Field).value.strip())
        except ValueError:
            return
        if course in self.durations:
            with self.prevent(Field.Changed):
                end.value = (start + datetime.timedelta(days=self.durations[course] - 1)).isoformat()
