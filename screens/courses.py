"""The course catalogue: list, details, create, edit, retire or restore."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from screens.calls import ServiceCalls
from screens.detail import force_name
from screens.widgets import arabic
from screens.widgets.allowed import RoleGate
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.lazy_table import Column, LazyTable
from trainer.training import courses
from trainer.training.courses import CourseView

COLUMNS = [
    Column("Code", 14, lambda c: c.code),
    Column("Title", 0, lambda c: c.title_en),
    Column("Category", 10, lambda c: c.category, drop=3),
    Column("Days", 4, lambda c: str(c.duration_days), drop=2),
    Column("Forces", 12, lambda c: ",".join(c.forces), drop=4),
    Column("Status", 7, lambda c: c.status),
]


def describe(c: CourseView, width: int) -> Text:
    out = Text()

    def line(label: str, value: str) -> None:
        out.append(f"{label:<14}", style="dim")
        out.append(arabic.display(value, max(10, width - 14)) + "\n")

    out.append(f"{c.code}  v{c.curriculum_version}  ({c.status})\n", style="bold")
    line("Title", c.title_en)
    if c.title_ar:
        line("Arabic title", c.title_ar)
    line("Category", c.category)
    line("Duration", f"{c.duration_days} days")
    line("Open to", ", ".join(force_name(f) for f in c.forces))
    line("Prerequisites", ", ".join(c.prerequisites) or "none")
    line("Pass rule", c.pass_rule)
    line("Certificate", c.validity)
    line("Cohorts", str(c.cohorts))
    out.append("\nAssessments\n", style="bold underline")
    for a in c.assessments:
        out.append(
            arabic.display(f"{a.code:<8} {a.title}", width - 22)
            + f"  max {a.max_score:g} pass {a.pass_mark:g} w {a.weight:g}\n"
        )
    out.append("\nCompetencies\n", style="bold underline")
    for comp in c.competencies:
        out.append(f"{comp.code}" + (f"  [{', '.join(comp.tags)}]" if comp.tags else "") + "\n")
    return out


class CoursesScreen(RoleGate, ServiceCalls, Screen):
    NEEDS = {"new": "course.write", "edit": "course.write", "retire": "course.write"}
    BINDINGS = [
        Binding("n", "new", "New course", id="courses.new"),
        Binding("enter", "edit", "Edit", id="courses.edit", show=False),
        Binding("x", "retire", "Retire/restore", id="courses.retire"),
        Binding("f5", "reload", "Reload", id="courses.reload", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading …", classes="count", id="course-count")
        with Horizontal(classes="area-body"):
            yield LazyTable(COLUMNS, empty="No course yet: press n to create one.", id="course-list")
            with VerticalScroll(id="course-detail", classes="side-pane"):
                yield Static("", id="course-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#course-list").focus()
        self.action_reload()

    def action_reload(self, select_id: int | None = None) -> None:
        self.select_id = select_id
        self.call("list", courses.list_courses, self.actor)

    def failed_list(self, error) -> None:
        self.query_one("#course-count", Static).update(f"Not shown: {error}")  # never left at "Loading …"

    def done_list(self, rows: list[CourseView]) -> None:
        table = self.query_one("#course-list", LazyTable)
        table.set_rows(rows)
        active = sum(1 for c in rows if c.status == "active")
        self.query_one("#course-count", Static).update(f"{len(rows)} courses ({active} active)")
        if getattr(self, "select_id", None) is not None:
            table.move_to_key(lambda c: c.id == self.select_id)

    @on(LazyTable.Highlighted, "#course-list")
    def _show(self, message: LazyTable.Highlighted) -> None:
        pane = self.query_one("#course-detail")
        text = describe(message.row, pane.size.width - 2) if message.row else ""
        self.query_one("#course-text", Static).update(text)

    @property
    def current(self) -> CourseView | None:
        return self.query_one("#course-list", LazyTable).current

    def action_new(self) -> None:
        from screens.course_form import CourseForm

        self.app.push_screen(CourseForm(None), self._saved)

    @on(LazyTable.Selected, "#course-list")
    def action_edit(self) -> None:
        if self.current is None or not self.offered("edit"):  # Enter on a row comes here directly too
            return
        from screens.course_form import CourseForm

        self.app.push_screen(CourseForm(self.current), self._saved)

    def _saved(self, view: CourseView | None) -> None:
        if view is not None:
            self.app.notify(f"Saved course {view.code}", title="Courses")
            self.action_reload(view.id)

    def action_retire(self) -> None:
        course = self.current
        if course is None:
            return
        from screens.widgets.dialogs import ConfirmDialog

        to = "retired" if course.status == "active" else "active"
        question = (
            f"Retire {course.code}? It keeps its {course.cohorts} cohort(s) and history but takes no new cohorts."
            if to == "retired"
            else f"Bring {course.code} back into the catalogue?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.call("status", courses.set_status, self.actor, course.id, course.version, to)

        self.app.push_screen(ConfirmDialog(question), answered)

    def done_status(self, view: CourseView) -> None:
        self.app.notify(f"{view.code} is now {view.status}", title="Courses")
        self.action_reload(view.id)
