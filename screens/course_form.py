"""Create or edit a course: catalogue fields, forces, prerequisites, competencies, assessments, rule.

Compact text formats keep it keyboard-only:
  prerequisites   POL-BASIC, POL-ADV
  competencies    ilp-analysis: ilp, evidence; first-aid: first-aid
  assessments     one per line: CODE | title | max | pass mark | weight
"""

from __future__ import annotations

from typing import overload

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, Select, SelectionList, Static, TextArea

from screens.calls import ServiceCalls
from screens.record_form import RecordFormActions
from screens.widgets.forms import Field, Tick, form_buttons, form_row, show_field_problems
from trainer.errors import FieldProblem
from trainer.registry import reference
from trainer.training import courses
from trainer.training.courses import AssessmentSpec, CompetencySpec, CourseInput, CourseView

TEXT = (
    ("Code *", "code", "e.g. POL-BASIC"),
    ("Title (English) *", "title_en", ""),
    ("Title (Arabic)", "title_ar", ""),
    ("Duration (days) *", "duration_days", "20"),
    ("Curriculum version", "curriculum_version", "1"),
    ("Prerequisites", "prerequisites", "course codes, comma-separated"),
    ("Competencies", "competencies", "code: tag, tag; code: tag"),
)
RULE = (
    ("Min. attendance %", "rule_min_attendance", "80"),
    ("Min. weighted score %", "rule_min_weighted", "0"),
    ("Certificate months", "certificate_months", "empty: never expires"),
)


def format_competencies(specs) -> str:
    return "; ".join(f"{c.code}: {', '.join(c.tags)}" if c.tags else c.code for c in specs)


def parse_competencies(text: str) -> list[CompetencySpec]:
    out = []
    for part in text.split(";"):
        if not part.strip():
            continue
        code, _, tags = part.partition(":")
        out.append(CompetencySpec(code.strip(), "", tuple(t.strip() for t in tags.split(",") if t.strip())))
    return out


def format_assessments(specs) -> str:
    return "\n".join(f"{a.code} | {a.title} | {a.max_score:g} | {a.pass_mark:g} | {a.weight:g}" for a in specs)


def parse_assessments(text: str) -> tuple[list[AssessmentSpec], list[FieldProblem]]:
    specs, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (4, 5):
            problems.append(FieldProblem("assessments", f"line {n}: CODE | title | max | pass mark | weight"))
            continue
        try:
            numbers = [float(p) for p in parts[2:]]
        except ValueError:
            problems.append(FieldProblem("assessments", f"line {n}: max, pass mark and weight are numbers"))
            continue
        specs.append(AssessmentSpec(parts[0], parts[1], *numbers))
    return specs, problems


@overload
def parse_int(values: dict, name: str, problems: list) -> int: ...
@overload
def parse_int(values: dict, name: str, problems: list, *, optional: bool) -> int | None: ...
def parse_int(values: dict, name: str, problems: list, *, optional: bool = False) -> int | None:
    text = values[name].strip()
    if not text and optional:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(FieldProblem(name, "a whole number"))
        return 0


class CourseForm(RecordFormActions, ServiceCalls, ModalScreen[CourseView | None]):
    create = staticmethod(courses.create_course)
    update = staticmethod(courses.update_course)
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="course_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="course_form.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="course-form", classes="dialog"):
            yield Label(f"Edit course {self.view.code}" if self.view else "New course", classes="card-title")
            for label, name, hint in TEXT[:3]:
                yield from form_row(label, Field(placeholder=hint, id=name), name)
            yield from form_row(
                "Category *", Select([(c, c) for c in courses.CATEGORIES], prompt="Category", id="category"), "category"
            )
            for label, name, hint in TEXT[3:]:
                yield from form_row(label, Field(placeholder=hint, id=name), name)
            yield from form_row(
                "Open to forces *",
                SelectionList(*((f.name_en, f.code) for f in reference.FORCES), id="forces"),
                "forces",
            )
            yield from form_row("Assessments", TextArea(id="assessments", soft_wrap=False), "assessments")
            yield Static("One per line: CODE | title | max | pass mark | weight", classes="hint")
            yield from form_row(
                "Pass rule",
                Tick("every assessment passed", value=True, id="rule_all_assessments"),
                "rule_all_assessments",
            )
            for label, name, hint in RULE[:2]:
                yield from form_row(label, Field(placeholder=hint, value=hint, id=name), name)
            yield from form_row(
                "Certificate",
                Tick("grants a certificate", value=True, id="grants_certificate"),
                "grants_certificate",
            )
            label, name, hint = RULE[2]
            yield from form_row(label, Field(placeholder=hint, id=name), name)
            yield from form_buttons()

    def on_mount(self) -> None:
        self.query_one("#assessments", TextArea).cursor_blink = getattr(self.app, "cursor_blink", True)
        if self.view:
            self.fill(self.view)
        self.query_one("#code").focus()

    def fill(self, v: CourseView) -> None:
        with self.prevent(
            Field.Changed, Select.Changed, SelectionList.SelectedChanged, Checkbox.Changed, TextArea.Changed
        ):
            for name, value in (
                ("code", v.code),
                ("title_en", v.title_en),
                ("title_ar", v.title_ar),
                ("duration_days", str(v.duration_days)),
                ("curriculum_version", v.curriculum_version),
                ("prerequisites", ", ".join(v.prerequisites)),
                ("competencies", format_competencies(v.competencies)),
                ("rule_min_attendance", str(v.rule_min_attendance)),
                ("rule_min_weighted", str(v.rule_min_weighted)),
                ("certificate_months", str(v.certificate_months or "")),
            ):
                self.query_one(f"#{name}", Field).value = value
            self.query_one("#category", Select).value = v.category
            forces = self.query_one("#forces", SelectionList)
            forces.deselect_all()
            for code in v.forces:
                forces.select(code)
            self.query_one("#assessments", TextArea).text = format_assessments(v.assessments)
            self.query_one("#rule_all_assessments", Checkbox).value = v.rule_all_assessments
            self.query_one("#grants_certificate", Checkbox).value = v.grants_certificate

    def collect(self) -> tuple[CourseInput, list[FieldProblem]]:
        values = {name: self.query_one(f"#{name}", Field).value for _, name, _ in TEXT + RULE}
        problems: list[FieldProblem] = []
        category = self.query_one("#category", Select).value
        assessments, assessment_problems = parse_assessments(self.query_one("#assessments", TextArea).text)
        data = CourseInput(
            code=values["code"],
            title_en=values["title_en"],
            title_ar=values["title_ar"],
            category="" if category is Select.NULL else str(category),
            duration_days=parse_int(values, "duration_days", problems),
            curriculum_version=values["curriculum_version"],
            forces=tuple(self.query_one("#forces", SelectionList).selected),
            prerequisites=tuple(p for p in values["prerequisites"].replace(";", ",").split(",") if p.strip()),
            competencies=tuple(parse_competencies(values["competencies"])),
            assessments=tuple(assessments),
            rule_all_assessments=self.query_one("#rule_all_assessments", Checkbox).value,
            rule_min_attendance=parse_int(values, "rule_min_attendance", problems),
            rule_min_weighted=parse_int(values, "rule_min_weighted", problems),
            grants_certificate=self.query_one("#grants_certificate", Checkbox).value,
            certificate_months=parse_int(values, "certificate_months", problems, optional=True),
        )
        cleaned, more = courses.clean(data)
        return cleaned, problems + assessment_problems + more

    def show_problems(self, problems: list[FieldProblem], *, all_fields: bool = False) -> None:
        show_field_problems(self, problems, self.touched, all_fields=all_fields)

    @on(Field.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:
        control = getattr(event, "control", None) or getattr(event, "text_area", None)
        if control is not None and control.id:
            self.touched.add(control.id)
        self.show_problems(self.collect()[1])
