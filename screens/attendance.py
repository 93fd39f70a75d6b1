"""The attendance grid: trainees down, sessions across, one key per mark, saved as typed.

1 / 2 / 3 / 4 mark the highlighted cell present, absent, late or excused and
move down to the next trainee; Shift and the letter the grid shows (P, A, L, E)
fill the whole day's empty cells with that mark; Delete (or 0) clears a mistake.
Lower-case letters are left alone: `a` and `e` are the Admin and Certificates
area keys everywhere (docs/keys.md). Every mark is saved at once (in
order, off the UI thread); a refusal puts the cell back and says why.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.calls import ServiceCalls
from screens.saving import Saved, SaveQueue
from screens.widgets import arabic
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.grid import Cell, Column, Grid
from trainer.training import attendance, sessions
from trainer.training.attendance import AttendanceGrid, CellSaved

NAME_WIDTH = 26
MARK_STYLE = {
    "present": ("P", "bold green"),
    "absent": ("A", "bold red"),
    "excused": ("E", "yellow"),
    "late": ("L", "cyan"),
}


# The digits of the bindings below, taken by the grid in typing order (see _grid_key).
DIGIT_MARKS = {"1": "present", "2": "absent", "3": "late", "4": "excused"}


def mark_cell(mark: str | None, *, before_enrolment: bool = False, pending: bool = False) -> Cell:
    if before_enrolment:
        return " ", "dim"
    if mark is None:
        return "·", "dim"
    letter, style = MARK_STYLE[mark]
    return letter, f"{style} reverse" if pending else style


def pct_cell(value: float | None) -> Cell:
    if value is None:
        return "—", "dim"
    return f"{value:.0f}%", "red" if value < 80 else ""


class AttendanceScreen(SaveQueue, ServiceCalls, Screen):
    CSS_PATH = Path(__file__).with_name("instructor.tcss")
    BINDINGS = [
        # Digits mark, so no letter here shadows an area key (a Admin, e Certificates: docs/keys.md).
        Binding("1", "mark('present')", "Present", id="attendance.present"),
        Binding("2", "mark('absent')", "Absent", id="attendance.absent"),
        Binding("3", "mark('late')", "Late", id="attendance.late"),
        Binding("4", "mark('excused')", "Excused", id="attendance.excused"),
        Binding("delete,backspace,0", "clear", "Clear", id="attendance.clear", key_display="del"),
        # Shifted letters, as the grid shows the marks, fill the day's unmarked cells (nothing marked
        # is overwritten); one entry in the key bar stands for the four.
        Binding("P", "column('present')", "Whole day", id="attendance.day_present", key_display="⇧P A L E"),
        Binding("A", "column('absent')", "Day: absent", id="attendance.day_absent", show=False),
        Binding("E", "column('excused')", "Day: excused", id="attendance.day_excused", show=False),
        Binding("L", "column('late')", "Day: late", id="attendance.day_late", show=False),
        Binding("n", "generate", "New sessions", id="attendance.generate"),
        Binding("f5", "reload", "Reload", id="attendance.reload", show=False),
        Binding("escape", "back", "Back", id="attendance.back"),
    ]

    def __init__(self, cohort_id: int, *, today: datetime.date | None = None) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.today = today
        self.grid: AttendanceGrid | None = None
        self.marks: dict[tuple[int, int], str | None] = {}  # (session, enrolment) -> what is saved
        self.enrolled_on: dict[int, datetime.date] = {}
        self.session_days: dict[int, datetime.date] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the attendance grid…", id="title", classes="grid-title")
        yield Grid(id="grid", fixed=2, header_height=2, first_column=2)
        yield Static("", id="status", classes="grid-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#grid", Grid).key_handler = self._grid_key
        self.action_reload()

    def _grid_key(self, event) -> bool:
        """Marks are taken here, as the grid receives them, so that a mark and the arrow typed
        after it are applied in that order (see screens.widgets.grid)."""
        key = event.key
        if key in DIGIT_MARKS:
            self.action_mark(DIGIT_MARKS[key])
        elif key in ("P", "A", "E", "L"):
            self.action_column(attendance.MARK_KEYS[key.lower()])
        elif key in ("delete", "backspace", "0"):
            self.action_clear()
        else:
            return False
        return True

    # --- loading ---------------------------------------------------------------

    def action_reload(self) -> None:
        self.call("load", attendance.grid, self.actor, self.cohort_id)

    def done_load(self, grid: AttendanceGrid) -> None:
        self.show_grid(grid)

    def show_grid(self, grid: AttendanceGrid) -> None:
        """Fill the table from a grid (all data already fetched: no database here)."""
        self.grid = grid
        self.marks = {(sid, r.enrolment_id): mark for r in grid.rows for sid, mark in r.marks.items()}
        self.enrolled_on = {r.enrolment_id: r.enrolled_on for r in grid.rows}
        self.session_days = {s.id: s.day for s in grid.sessions}
        columns = [Column("name", ("Trainee", ""), NAME_WIDTH), Column("pct", ("", "%"), 4, right=True)]
        columns += [Column(f"s{s.id}", (s.day.strftime("%a")[:2], f"{s.day.day:02d}"), 2) for s in grid.sessions]
        rows = []
        for r in grid.rows:
            cells = {"name": (arabic.fit(r.latin_name or r.name, NAME_WIDTH), ""), "pct": pct_cell(r.percentage)}
            for s in grid.sessions:
                cells[f"s{s.id}"] = mark_cell(r.marks.get(s.id), before_enrolment=s.day < r.enrolled_on)
            rows.append((str(r.enrolment_id), cells))
        self.query_one("#grid", Grid).set_data(columns, rows)
        first, last = (grid.sessions[0].day, grid.sessions[-1].day) if grid.sessions else (None, None)
        span = f"{first:%-d %b} – {last:%-d %b %Y}" if first else "no sessions yet: press n to make them"
        self.query_one("#title", Static).update(
            f"Attendance · {grid.cohort_code} · {len(grid.rows)} trainees · {len(grid.sessions)} sessions · {span}"
        )

    # --- where the cursor is ----------------------------------------------------

    def _cell(self) -> tuple[int, int] | None:
        """(session id, enrolment id) under the cursor, if it is a mark cell."""
        key = self.query_one("#grid", Grid).cell_key() if self.grid is not None else None
        if key is None or not key[1].startswith("s"):
            return None
        return int(key[1][1:]), int(key[0])

    def _show(self, session_id: int, enrolment_id: int, mark: str | None, *, pending: bool = False) -> None:
        before = self.session_days[session_id] < self.enrolled_on[enrolment_id]
        self.query_one("#grid", Grid).set_cell(
            str(enrolment_id), f"s{session_id}", mark_cell(mark, before_enrolment=before, pending=pending)
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")
        if error:
            self.app.bell()

    # --- marking ---------------------------------------------------------------

    def action_mark(self, mark: str) -> None:
        cell = self._cell()
        if cell is None:
            return
        session_id, enrolment_id = cell
        self._show(session_id, enrolment_id, mark, pending=True)
        self.enqueue(
            ("cell", session_id, enrolment_id),
            attendance.mark,
            self.actor,
            session_id,
            enrolment_id,
            mark,
            today=self.today,
        )
        table = self.query_one("#grid", Grid)
        table.move_to(row=table.cursor_row + 1)

    def action_clear(self) -> None:
        cell = self._cell()
        if cell is None or self.marks.get(cell) is None:
            return
        self._show(*cell, None, pending=True)
        self.enqueue(("cell",) + cell, attendance.clear, self.actor, *cell, today=self.today)

    def action_column(self, mark: str) -> None:
        cell = self._cell()
        if cell is None:
            return
        self._say(f"Marking everyone without a mark on {self.session_days[cell[0]]:%a %-d %b} {mark}…")
        self.enqueue(("column", cell[0]), attendance.mark_column, self.actor, cell[0], mark, today=self.today)

    def action_generate(self) -> None:
        self.call("generated", sessions.generate_sessions, self.actor, self.cohort_id)

    def done_generated(self, made) -> None:
        self._say(f"{len(made)} sessions on the working week, holidays left out.")
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(Saved)
    def saved(self, message: Saved) -> None:
        kind = message.tag[0]
        if message.error is not None:
            if kind == "cell":
                _, session_id, enrolment_id = message.tag
                self._show(session_id, enrolment_id, self.marks.get((session_id, enrolment_id)))
            self._say(f"Not saved: {message.error}", error=True)
            return
        cells: list[CellSaved] = message.result if kind == "column" else [message.result]
        table = self.query_one("#grid", Grid)
        shown = {str(r.enrolment_id) for r in self.grid.rows} if self.grid else set()
        shares: dict[int, float | None] = {}
        changed_under: list[CellSaved] = []
        for c in cells:
            if c.replaced is not None and c.replaced != self.marks.get((c.session_id, c.enrolment_id)):
                changed_under.append(c)  # someone else marked this cell since the grid was read
            self.marks[(c.session_id, c.enrolment_id)] = c.mark
            self._show(c.session_id, c.enrolment_id, c.mark)
            shares.update(c.everyone or {c.enrolment_id: c.percentage})
        for eid, share in shares.items():
            if str(eid) in shown:
                table.set_cell(str(eid), "pct", pct_cell(share))
        if changed_under:
            c = changed_under[0]
            self._say(
                f"Saved {c.mark}, replacing {c.replaced}: someone else had marked this cell "
                f"since the grid was read (F5 reloads the grid).",
                error=True,
            )
        elif kind == "column":
            self._say(f"{len(cells)} trainees marked.")
        elif not self.saving:
            self._say("Saved.")
