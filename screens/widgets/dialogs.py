"""Modal dialogs that dismiss a value: duplicates side by side, edit conflicts, reasons, yes/no."""

from __future__ import annotations

from dataclasses import asdict

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from screens.detail import force_name, province_name
from screens.widgets import arabic
from screens.widgets.forms import Field
from trainer.registry import names
from trainer.registry.trainees import TraineeInput, TraineeView

COMPARED = (
    ("Given name", "given_name"),
    ("Father's name", "father_name"),
    ("Grandfather", "grandfather_name"),
    ("Family", "family_name"),
    ("Mother", "mother_name"),
    ("Latin given", "given_name_latin"),
    ("Latin father", "father_name_latin"),
    ("Born", "date_of_birth"),
    ("National ID", "national_id"),
    ("Service no.", "service_number"),
    ("Force", "force"),
    ("Province", "province"),
    ("Rank", "rank"),
)


def shown(field: str, value) -> str:
    if value is None:
        return ""
    if field == "force":
        return force_name(value)
    if field == "province":
        return province_name(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def same(field: str, a, b) -> bool:
    if field.endswith("_name") or field.endswith("_latin"):
        return bool(a and b) and names.skeleton(str(a)) == names.skeleton(str(b))
    return bool(a) and a == b


class DuplicateDialog(ModalScreen[tuple[str, int | None] | None]):
    """The new entry beside each possible duplicate; the clerk decides (nothing is merged)."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save as a new person", id="duplicates.save"),
        Binding("1", "open(0)", "Open candidate 1", id="duplicates.open1"),
        Binding("2", "open(1)", "Open candidate 2", id="duplicates.open2", show=False),
        Binding("3", "open(2)", "Open candidate 3", id="duplicates.open3", show=False),
        Binding("escape", "back", "Back to the form", id="duplicates.back"),
    ]

    def __init__(self, data: TraineeInput, candidates: list[TraineeView]) -> None:
        super().__init__()
        self.data, self.candidates = data, candidates[:3]

    def compose(self) -> ComposeResult:
        table = Table(expand=True, show_lines=False)
        table.add_column("", style="dim", no_wrap=True)
        table.add_column("This entry", no_wrap=True)
        for n, c in enumerate(self.candidates, start=1):
            table.add_column(f"[{n}] #{c.id} ({c.status})", no_wrap=True)
        mine = asdict(self.data)
        for label, field in COMPARED:
            row: list[str | Text] = [label, arabic.display(shown(field, mine.get(field)), 24)]
            for c in self.candidates:
                theirs = getattr(c, field)
                style = "bold yellow" if same(field, mine.get(field), theirs) else ""
                row.append(Text(arabic.display(shown(field, theirs), 24), style=style))
            table.add_row(*row)
        with Vertical(id="duplicates", classes="dialog wide"):
            yield Label(
                f"Possible duplicate: {len(self.candidates)} registered person(s) may be this one", classes="card-title"
            )
            yield Static("Matching values are highlighted. Nothing is merged: you decide.", classes="hint")
            with VerticalScroll():
                yield Static(table)
            with Horizontal(classes="buttons"):
                yield Button("[s] Save as a new person", id="save", variant="warning")
                yield Button("[1] Open candidate 1", id="open")
                yield Button("[esc] Back to the form", id="back")

    def action_choose(self, what: str) -> None:
        self.dismiss((what, None))

    def action_open(self, index: int) -> None:
        if index < len(self.candidates):
            self.dismiss(("open", self.candidates[index].id))

    def action_back(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"save": lambda: self.action_choose("save"), "open": lambda: self.action_open(0), "back": self.action_back}[
            event.button.id or ""
        ]()


class ConflictDialog(ModalScreen[str | None]):
    """Another clerk saved first: what you started from, what they saved, what you typed."""

    BINDINGS = [
        Binding("l", "choose('reload')", "Load theirs", id="conflict.reload"),
        Binding("m", "choose('mine')", "Keep mine on top", id="conflict.mine"),
        Binding("escape", "choose('')", "Back", id="conflict.back"),
    ]

    def __init__(self, base: TraineeView, theirs: TraineeView, mine: TraineeInput) -> None:
        super().__init__()
        self.base, self.theirs, self.mine = base, theirs, mine

    def compose(self) -> ComposeResult:
        base, theirs, mine = asdict(self.base.as_input()), asdict(self.theirs.as_input()), asdict(self.mine)
        table = Table(expand=True)
        table.add_column("Field", style="dim", no_wrap=True)
        table.add_column(f"When you opened (v{self.base.version})", no_wrap=True)
        table.add_column(f"Saved by the other (v{self.theirs.version})", no_wrap=True, style="bold yellow")
        table.add_column("Your edit", no_wrap=True, style="bold cyan")
        for field, before in base.items():
            if before != theirs[field] or before != mine[field]:
                table.add_row(
                    field.replace("_", " "),
                    *(arabic.display(shown(field, v), 26) for v in (before, theirs[field], mine[field])),
                )
        with Vertical(id="conflict", classes="dialog wide"):
            yield Label("Someone else saved this trainee first", classes="card-title")
            yield Static(
                "Nothing was overwritten. Reload their version, or keep your edits on top of it and save again.",
                classes="hint",
            )
            yield Static(table)
            with Horizontal(classes="buttons"):
                yield Button("[l] Load theirs", id="reload", variant="primary")
                yield Button("[m] Keep mine on top", id="mine")
                yield Button("[esc] Back", id="back")

    def action_choose(self, what: str) -> None:
        self.dismiss(what or None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose("" if event.button.id == "back" else event.button.id or "")


class ReasonDialog(ModalScreen[str | None]):
    """Ask for a reason (a withdrawal, a retirement); empty is refused here and in the service."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]

    def __init__(self, title: str, prompt: str) -> None:
        super().__init__()
        self.title_text, self.prompt = title, prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="reason", classes="dialog"):
            yield Label(arabic.display_lines(self.title_text), classes="card-title", markup=False)
            yield Static(arabic.display_lines(self.prompt), markup=False)
            yield Field(placeholder="reason", id="reason-text")
            yield Static("", id="reason-error", classes="error")
            yield Static("Enter to confirm, Escape to cancel.", classes="hint")

    @on(Field.Submitted, "#reason-text")
    def _submitted(self, event: Field.Submitted) -> None:
        text = " ".join(event.value.split())
        if not text:
            self.query_one("#reason-error", Static).update("A reason is required.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; names in it are shown as everywhere else (arabic.display_lines)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Static(arabic.display_lines(self.question), markup=False)
            yield Static("y: yes   n or Escape: no", classes="hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InfoDialog(ModalScreen[None]):
    """Something to read before going on (e.g. the demo users' one-time password)."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="info.close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(id="info", classes="dialog wide"):
            yield Label(arabic.display_lines(self.title_text), classes="card-title", markup=False)
            yield Static(arabic.display_lines(self.text), markup=False)
            yield Static("Enter or Escape to close.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
