"""The inventory check as a keyboard checklist: one line per manifest item.

up/down move; space marks the item present, x missing, z damaged (cycling
with space also works); enter writes a note for the item (required when it is
missing or damaged); ctrl+s records the check; escape leaves (asking first
when something was marked).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from screens.calls import ServiceCalls
from screens.widgets.dialogs import ConfirmDialog
from screens.widgets.forms import Field
from trainer.stations import inventory
from trainer.stations.kits import KitView

STYLE = {"present": "green", "missing": "bold red", "damaged": "yellow", "": "dim"}
NEXT = {"": "present", "present": "missing", "missing": "damaged", "damaged": "present"}


class InventoryCheckScreen(ServiceCalls, ModalScreen[bool]):
    BINDINGS = [
        Binding("space", "mark('')", "Next mark", id="check.cycle"),
        Binding("x", "mark('missing')", "Missing", id="check.missing"),
        Binding("z", "mark('damaged')", "Damaged", id="check.damaged"),
        Binding("enter", "note", "Note", id="check.note"),
        Binding("ctrl+s", "save", "Record check", id="check.save", priority=True),
        Binding("escape", "leave", "Leave", id="check.leave"),
    ]

    def __init__(self, kit: KitView) -> None:
        super().__init__()
        self.kit = kit
        self.marks = {i.item: "" for i in kit.items}
        self.notes = {i.item: "" for i in kit.items}

    def compose(self) -> ComposeResult:
        stage = inventory.stage_of(self.kit) or self.kit.state
        with Vertical(classes="dialog"):
            yield Label(f"Inventory check of kit {self.kit.serial} ({stage})", classes="card-title")
            yield DataTable(id="checklist", cursor_type="row", zebra_stripes=True)
            yield Field(placeholder="note for this item (Enter to keep)", id="note")
            yield Static("", id="check-status", classes="error")
            yield Static("space present (cycles) · x missing · z damaged · enter note · ctrl+s record", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#checklist", DataTable)
        table.add_column("Item", key="item", width=11)
        table.add_column("Qty", key="qty", width=3)
        table.add_column("Found", key="found", width=8)
        table.add_column("Last", key="last", width=8)  # the condition the last check found (it stays on the kit)
        table.add_column("Name / note", key="note", width=34)
        for i in self.kit.items:
            last = Text(i.condition if i.condition != "unchecked" else "—", style=STYLE.get(i.condition, "dim"))
            table.add_row(i.item, str(i.quantity), Text("—", style="dim"), last, self._described(i.item), key=i.item)
        table.focus()

    def _described(self, item: str) -> str:
        """The note typed now; else the item's name with the last check's note (what was wrong)."""
        if self.notes[item]:
            return self.notes[item]
        kept = next(i for i in self.kit.items if i.item == item)
        return f"{kept.name}: {kept.note}" if kept.note else kept.name

    def _item(self) -> str:
        table = self.query_one("#checklist", DataTable)
        return self.kit.items[table.cursor_row].item

    def _show(self, item: str) -> None:
        table = self.query_one("#checklist", DataTable)
        mark = self.marks[item]
        table.update_cell(item, "found", Text(mark or "—", style=STYLE[mark]))
        table.update_cell(item, "note", self._described(item))

    def action_mark(self, condition: str) -> None:
        item = self._item()
        self.marks[item] = condition or NEXT[self.marks[item]]
        self._show(item)
        table = self.query_one("#checklist", DataTable)
        if condition == "" and self.marks[item] == "present" and table.cursor_row < len(self.kit.items) - 1:
            table.move_cursor(row=table.cursor_row + 1)  # ticking off: on to the next item

    @on(DataTable.RowSelected, "#checklist")
    def _selected(self) -> None:  # enter on the list (the table takes the key before the screen)
        self.action_note()

    def action_note(self) -> None:
        note = self.query_one("#note", Field)
        note.value = self.notes[self._item()]
        note.add_class("-editing")
        note.focus()

    @on(Field.Submitted, "#note")
    def _noted(self, event: Field.Submitted) -> None:
        item = self._item()
        self.notes[item] = " ".join(event.value.split())
        event.input.remove_class("-editing")
        self._show(item)
        self.query_one("#checklist", DataTable).focus()

    def action_save(self) -> None:
        unmarked = [i for i, m in self.marks.items() if not m]
        if unmarked:
            self._say(f"Not checked yet: {', '.join(unmarked)}")
            return
        marks = {i: inventory.Mark(m, self.notes[i]) for i, m in self.marks.items()}
        self.call("checked", inventory.check_kit, self.actor, self.kit.serial, marks, version=self.kit.version)

    def done_checked(self, done: inventory.CheckDone) -> None:
        self.app.notify(
            f"Kit {self.kit.serial} checked: {done.present} present, {done.missing} missing, {done.damaged} damaged."
        )
        self.dismiss(True)

    def failed_checked(self, error) -> None:
        self._say(f"Refused: {error}")
        self.app.bell()

    def _say(self, text: str) -> None:
        self.query_one("#check-status", Static).update(text)

    def action_leave(self) -> None:
        note = self.query_one("#note", Field)
        if note.has_class("-editing"):
            note.remove_class("-editing")
            self.query_one("#checklist", DataTable).focus()
            return
        if not any(self.marks.values()):
            self.dismiss(False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(False)

        self.app.push_screen(ConfirmDialog("Leave without recording this check? The marks are lost."), answered)
