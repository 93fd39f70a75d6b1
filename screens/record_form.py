"""What every record form does on save: check, call the service in a worker, show refusals.

A form sets `create` and `update` (service functions) and provides `collect()`
and `show_problems()`. A conflict keeps the clerk's edits and adopts the other
user's version, so saving again applies them on top of it; Escape drops them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Button, Static

from screens.widgets.guard import DiscardGuard
from trainer.errors import Conflict, FieldProblem, TrainerError, ValidationFailed

if TYPE_CHECKING:
    from screens.calls import ServiceCalls

    _Form = ServiceCalls  # mixed in beside ServiceCalls, into a ModalScreen
else:
    _Form = object


class RecordFormActions(DiscardGuard, _Form):
    create: Any = None  # service(actor, data) -> view
    update: Any = None  # service(actor, id, version, data) -> view

    if TYPE_CHECKING:  # what the form itself provides

        def collect(self) -> tuple[Any, list[FieldProblem]]: ...
        def show_problems(self, problems: list[FieldProblem], *, all_fields: bool = False) -> None: ...
        def dismiss(self, result: Any = None) -> Any: ...

    def __init__(self, view=None) -> None:
        super().__init__()
        self.view = view  # None: a new record
        self.touched: set[str] = set()  # fields the clerk has been in: only they show problems while typing

    def action_save(self) -> None:
        data, problems = self.collect()
        status = self.query_one("#form-status", Static)
        if problems:
            self.show_problems(problems, all_fields=True)
            status.update(f"{len(problems)} problem(s): see the fields marked.")
            return
        status.update("Saving …")
        if self.view:
            self.call("save", type(self).update, self.actor, self.view.id, self.view.version, data)
        else:
            self.call("save", type(self).create, self.actor, data)

    def done_save(self, view) -> None:
        self.dismiss(view)

    def failed_save(self, error: TrainerError) -> None:
        status = self.query_one("#form-status", Static)
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems, all_fields=True)
        if isinstance(error, Conflict) and error.current is not None:
            self.view = error.current
            status.update(
                f"{error} — your edits are still here: save again to apply them on top of "
                f"version {error.current.version}, or Escape to drop them."
            )
            return
        status.update(str(error))

    def action_cancel(self) -> None:
        self.leave()

    # A named handler, not @on: Textual reads @on handlers only from its own
    # message-pump classes, while named ones are found along the whole MRO.
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
