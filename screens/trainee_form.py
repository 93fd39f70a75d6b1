"""Add or edit a trainee: inline validation, possible duplicates side by side, edit conflicts.

Validation is the service's own `trainees.clean` (pure, no database), run as
the clerk types; the save itself, the duplicate check and the version check
run in thread workers.
"""

from __future__ import annotations

import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.forms import Field, Problem, form_buttons, form_row, show_field_problems
from screens.widgets.guard import DiscardGuard
from trainer.errors import Conflict, FieldProblem, TrainerError, ValidationFailed
from trainer.registry import reference, trainees
from trainer.registry.trainees import TraineeInput, TraineeView

# (label, Arabic-script field, Latin field or None)
ARABIC_PARTS = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name")
NAME_ROWS = (
    ("Given name *", "given_name", "given_name_latin"),
    ("Father's name *", "father_name", "father_name_latin"),
    ("Grandfather's name *", "grandfather_name", "grandfather_name_latin"),
    ("Family / tribe", "family_name", "family_name_latin"),
    ("Mother's name", "mother_name", None),
)
TEXT_ROWS = (
    ("Date of birth *", "date_of_birth", "YYYY-MM-DD"),
    ("National ID", "national_id", "digits (Arabic-Indic accepted)"),
    ("Service number", "service_number", ""),
    ("Rank", "rank", ""),
    ("Phone", "phone", "+964 …"),
)
SELECTS = ("force", "province", "gender")


def parse_date(text: str) -> tuple[datetime.date | None, str]:
    text = text.strip()
    if not text:
        return None, ""
    try:
        return datetime.date.fromisoformat(text), ""
    except ValueError:
        return None, "write the date as YYYY-MM-DD"


class TraineeForm(DiscardGuard, ServiceCalls, ModalScreen[TraineeView | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="trainee_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="trainee_form.cancel"),
    ]

    def __init__(self, view: TraineeView | None) -> None:
        super().__init__()
        self.view = view  # None: a new trainee
        self.version = view.version if view else 0
        self.touched: set[str] = set()
        self.duplicates_checked = False

    # --- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = f"Edit trainee #{self.view.id}" if self.view else "New trainee"
        with VerticalScroll(id="trainee-form", classes="dialog"):
            yield Label(title, classes="card-title")
            yield Static("Arabic script as written on the ID card; Latin where known.", classes="hint")
            # The boxes edit the letters as typed (unjoined, left to right on most terminals); the
            # name as every list and dialog will show it is repeated here, through the same path.
            yield Static("", id="name-shown", classes="hint", markup=False)
            for label, ar, lat in NAME_ROWS:
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield Field(placeholder="Arabic", id=ar)
                    if lat:
                        yield Field(placeholder="Latin", id=lat)
                yield Problem(ar)
            for label, name, hint in TEXT_ROWS:
                yield from form_row(label, Field(placeholder=hint, id=name), name)
            yield from form_row(
                "Force *", Select([(f.name_en, f.code) for f in reference.FORCES], prompt="Force", id="force"), "force"
            )
            yield from form_row(
                "Province *",
                Select(
                    [(f"{p.name_en} ({p.code})", p.code) for p in reference.PROVINCES], prompt="Province", id="province"
                ),
                "province",
            )
            yield from form_row(
                "Gender", Select([("male", "m"), ("female", "f")], allow_blank=False, value="m", id="gender")
            )
            yield from form_buttons()

    def on_mount(self) -> None:
        if self.view:
            self.fill(self.view)
            self.show_name()
        self.query_one("#given_name").focus()

    def fill(self, view: TraineeView) -> None:
        data = view.as_input()
        with self.prevent(Field.Changed, Select.Changed):
            for _, ar, lat in NAME_ROWS:
                self.query_one(f"#{ar}", Field).value = getattr(data, ar)
                if lat:
                    self.query_one(f"#{lat}", Field).value = getattr(data, lat)
            for _, name, _ in TEXT_ROWS:
                value = getattr(data, name)
                self.query_one(f"#{name}", Field).value = value.isoformat() if name == "date_of_birth" else value
            for name in SELECTS:
                self.query_one(f"#{name}", Select).value = getattr(data, name)

    @on(Field.Changed)
    def _name_changed(self, event: Field.Changed) -> None:
        if event.input.id in ARABIC_PARTS:
            self.show_name()

    def show_name(self) -> None:
        name = " ".join(self.query_one(f"#{part}", Field).value.strip() for part in ARABIC_PARTS[:4])
        name = " ".join(name.split())
        self.query_one("#name-shown", Static).update(f"Shown as: {arabic.display(name)}" if name else "")

    # --- reading and checking -----------------------------------------------

    def collect(self) -> tuple[TraineeInput, list[FieldProblem]]:
        values: dict[str, Any] = {}
        for _, ar, lat in NAME_ROWS:
            values[ar] = self.query_one(f"#{ar}", Field).value
            if lat:
                values[lat] = self.query_one(f"#{lat}", Field).value
        for _, name, _ in TEXT_ROWS:
            values[name] = self.query_one(f"#{name}", Field).value
        for name in SELECTS:
            value = self.query_one(f"#{name}", Select).value
            values[name] = "" if value is Select.NULL else str(value)
        dob, dob_problem = parse_date(values["date_of_birth"])
        values["date_of_birth"] = dob
        data, problems = trainees.clean(TraineeInput(**values))
        if dob_problem:
            problems = [p for p in problems if p.field != "date_of_birth"] + [
                FieldProblem("date_of_birth", dob_problem)
            ]
        return data, problems

    def show_problems(self, problems: list[FieldProblem], *, all_fields: bool = False) -> None:
        show_field_problems(self, problems, self.touched, all_fields=all_fields)

    @on(Field.Changed)
    @on(Select.Changed)
    def _changed(self, event) -> None:
        control = event.control
        if control.id:
            self.touched.add(control.id.removesuffix("_latin"))
        self.duplicates_checked = False
        self.show_problems(self.collect()[1])

    # --- saving -------------------------------------------------------------

    def action_save(self) -> None:
        data, problems = self.collect()
        if problems:
            self.show_problems(problems, all_fields=True)
            self.query_one("#form-status", Static).update(f"{len(problems)} field(s) need attention.")
            first = problems[0].field
            if self.query(f"#{first}"):
                self.query_one(f"#{first}").focus()
            return
        self.query_one("#form-status", Static).update("Saving …")
        if not self.duplicates_checked:
            exclude = self.view.id if self.view else None
            self.call("duplicates", trainees.possible_duplicates, data, exclude_id=exclude)
        else:
            self._save(data)

    def done_duplicates(self, candidates: list[TraineeView]) -> None:
        data, _ = self.collect()
        if not candidates:
            self.duplicates_checked = True
            self._save(data)
            return
        from screens.widgets.dialogs import DuplicateDialog

        self.query_one("#form-status", Static).update("")
        self.app.push_screen(DuplicateDialog(data, candidates), self._duplicate_choice)

    def _duplicate_choice(self, choice: tuple[str, int | None] | None) -> None:
        if choice is None:
            return  # back to the form
        what, trainee_id = choice
        if what == "save":
            self.duplicates_checked = True
            self._save(self.collect()[0])
        elif what == "open" and trainee_id is not None:
            self.dismiss(None)
            self.app.call_later(self.app.jump_to, "trainee", trainee_id)

    def _save(self, data: TraineeInput) -> None:
        if self.view:
            self.call("save", trainees.update_trainee, self.actor, self.view.id, self.version, data)
        else:
            self.call("save", trainees.create_trainee, self.actor, data)

    def done_save(self, view: TraineeView) -> None:
        self.dismiss(view)

    def failed_save(self, error: TrainerError) -> None:
        status = self.query_one("#form-status", Static)
        if isinstance(error, Conflict) and error.current is not None:
            from screens.widgets.dialogs import ConflictDialog

            status.update("Someone else saved this trainee while you were editing.")
            self.conflict_current = error.current
            assert self.view is not None  # a conflict comes only from saving over a record
            self.app.push_screen(ConflictDialog(self.view, error.current, self.collect()[0]), self._conflict_choice)
            return
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems, all_fields=True)
        status.update(str(error))

    def _conflict_choice(self, choice: str | None) -> None:
        current: TraineeView = self.conflict_current
        status = self.query_one("#form-status", Static)
        if choice == "reload":
            self.view, self.version = current, current.version
            self.fill(current)
            self.touched.clear()
            self.show_problems([])
            self.mark_pristine()
            status.update(f"Reloaded version {current.version}: their changes are in the form.")
        elif choice == "mine":
            self.view, self.version = current, current.version
            status.update(f"Your edits are kept on top of version {current.version}: save again to apply them.")

    def action_cancel(self) -> None:
        self.leave()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
