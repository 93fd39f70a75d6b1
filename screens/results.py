"""The results grid: trainees down, assessments across; typing a score saves it.

Start typing a number on a score cell (or press Enter) and the score line
opens below the grid: as you type it says pass or fail against the cohort's
pass mark, or why the text is refused (not a number, above the maximum).
Enter saves it (a second score for a cell is a re-sit: the earlier attempt
stays in the history, shown with h); Escape leaves it. The grid keeps the
focus throughout, so no keystroke is lost to a focus change.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Label, Static

from screens.calls import ServiceCalls
from screens.saving import Saved, SaveQueue
from screens.widgets import arabic
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.grid import Cell, Column, Grid
from trainer.training import results
from trainer.training.results import ResultRow, ResultsGrid
from trainer.training.rules import AssessmentRule, fmt

NAME_WIDTH = 26
SCORE_KEYS = set("0123456789.,٠١٢٣٤٥٦٧٨٩٫")


def score_cell(score: float | None, rule: AssessmentRule, attempts: int) -> Cell:
    if score is None:
        return "·", "dim"
    mark = "↻" if attempts > 1 else " "  # a re-sit: earlier attempts in the history (h)
    return f"{fmt(score)}{mark}", "green" if score >= rule.pass_mark else "bold red"


def outcome_cell(row: ResultRow) -> Cell:
    if row.status in ("graduated", "failed"):
        return row.status, "bold green" if row.status == "graduated" else "bold red"
    if row.judgement.passed:
        return "pass", "green"
    return "fail: " + "; ".join(row.judgement.reasons), "red"


class ResultsScreen(SaveQueue, ServiceCalls, Screen):
    CSS_PATH = Path(__file__).with_name("instructor.tcss")
    BINDINGS = [
        Binding("enter", "enter", "Enter score", id="results.edit"),
        Binding("h", "history", "History", id="results.history"),
        Binding("f5", "reload", "Reload", id="results.reload", show=False),
        Binding("escape", "back", "Back", id="results.back"),
    ]

    def __init__(self, cohort_id: int) -> None:
        super().__init__()
        self.cohort_id = cohort_id
        self.grid: ResultsGrid | None = None
        self.rows: dict[int, ResultRow] = {}
        self.editing: tuple[int, AssessmentRule] | None = None  # the cell whose score is being typed
        self.typed = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the results grid…", id="title", classes="grid-title")
        yield Static("", id="rules")
        yield Grid(id="grid", fixed=1, header_height=2, first_column=1)
        with Horizontal(id="editor", classes="-hidden"):
            yield Label("", id="editing")
            yield Static("", id="score")
            yield Static("", id="verdict")
        yield Static("", id="status", classes="grid-status")
        yield KeyBar()

    # --- loading -----------------------------------------------------------------

    def action_reload(self) -> None:
        self.call("load", results.grid, self.actor, self.cohort_id)

    def done_load(self, grid: ResultsGrid) -> None:
        self.grid = grid
        self.rows = {r.enrolment_id: r for r in grid.rows}
        columns = [Column("name", ("Trainee", ""), NAME_WIDTH)]
        columns += [
            Column(f"a{a.id}", (a.code, f"/{fmt(a.max_score)} ≥{fmt(a.pass_mark)}"), 9, right=True)
            for a in grid.rules.assessments
        ]
        columns += [Column("att", ("Att.", "%"), 4, right=True), Column("outcome", ("Outcome", ""), 60)]
        self.query_one("#grid", Grid).set_data(columns, [(str(r.enrolment_id), self._cells(r)) for r in grid.rows])
        rules = grid.rules
        parts = []
        if rules.min_attendance:
            parts.append(f"attendance ≥ {rules.min_attendance}%")
        if rules.all_assessments:
            parts.append("every assessment passed")
        if rules.min_weighted:
            parts.append(f"weighted score ≥ {rules.min_weighted}%")
        state = (
            "as frozen for this cohort" if rules.frozen else "the course's current rule (frozen at the first result)"
        )
        self.query_one("#rules", Static).update(f"Pass rule, {state}: {', '.join(parts) or 'none'}")
        self.query_one("#title", Static).update(
            f"Results · {grid.cohort_code} · {len(grid.rows)} trainees · {len(rules.assessments)} assessments"
        )

    def _cells(self, r: ResultRow) -> dict[str, Cell]:
        assert self.grid is not None
        cells: dict[str, Cell] = {"name": (arabic.fit(r.latin_name or r.name, NAME_WIDTH), "")}
        for a in self.grid.rules.assessments:
            cells[f"a{a.id}"] = score_cell(r.scores.get(a.id), a, r.attempts.get(a.id, 0))
        cells["att"] = ("—", "dim") if r.attendance is None else (f"{r.attendance:.0f}", "")
        cells["outcome"] = outcome_cell(r)
        return cells

    # --- the cell under the cursor --------------------------------------------------

    def _cell(self) -> tuple[int, AssessmentRule] | None:
        key = self.query_one("#grid", Grid).cell_key() if self.grid is not None else None
        if key is None or self.grid is None or not key[1].startswith("a") or key[1] == "att":
            return None
        rule = self.grid.rules.assessment(int(key[1][1:]))
        return (int(key[0]), rule) if rule else None

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- typing a score ---------------------------------------------------------------

    def on_mount(self) -> None:
        self.query_one("#grid", Grid).key_handler = self._grid_key
        self.action_reload()

    def _grid_key(self, event: Key) -> bool:
        """Every key reaches here first, in typing order (see screens.widgets.grid): the score line
        takes digits, Backspace, Enter and Escape while open; a digit on a score cell opens it."""
        if self.editing is not None:
            if event.key == "enter":
                self._submit()
            elif event.key == "escape":
                self._close()
            elif event.key == "backspace":
                self._set_text(self.typed[:-1])
            elif event.character and event.is_printable:
                self._set_text(self.typed + event.character)
            else:
                return False  # arrows still move; the line says which cell it will save
            return True
        if event.key == "h":
            self.action_history()
            return True
        return bool(event.character and event.character in SCORE_KEYS and self._open(event.character))

    def action_edit(self) -> None:
        if self.editing is None:
            self._open("")

    def action_enter(self) -> None:
        self.action_edit()

    @on(Grid.Selected, "#grid")
    def _selected(self, event: Grid.Selected) -> None:
        """Enter on a score cell opens the score line (while typing, on_key takes Enter)."""
        event.stop()
        self.action_edit()

    def _open(self, first: str) -> bool:
        cell = self._cell()
        if cell is None:
            return False
        enrolment_id, rule = cell
        row = self.rows[enrolment_id]
        if row.status != "enrolled":
            self._say(f"{row.latin_name or row.name}: the outcome is already decided ({row.status})", error=True)
            return True
        self.editing = cell
        who = arabic.display(row.latin_name or row.name, 30)
        self.query_one("#editing", Label).update(
            f"{rule.code} (/{fmt(rule.max_score)}, pass {fmt(rule.pass_mark)}) for {who}:"
        )
        self.query_one("#editor").remove_class("-hidden")
        self._set_text(first)
        return True

    def _set_text(self, text: str) -> None:
        self.typed = text
        self.query_one("#score", Static).update(text + "▏")
        self._judge(text)

    def _judge(self, text: str) -> results.Typed:
        assert self.editing is not None
        typed = results.check_score(text, self.editing[1])
        verdict = self.query_one("#verdict", Static)
        verdict.remove_class("pass", "fail", "refused")
        if typed.problem:
            verdict.update(typed.problem if text.strip() else "type a score")
            verdict.set_class(bool(text.strip()), "refused")
        else:
            verdict.update("pass ✓" if typed.passed else f"fail ✗ (pass mark {fmt(self.editing[1].pass_mark)})")
            verdict.add_class("pass" if typed.passed else "fail")
        return typed

    def _submit(self) -> None:
        assert self.editing is not None
        typed = self._judge(self.typed)
        if typed.problem or typed.score is None:  # refused inline: nothing is sent, the line stays open
            self.app.bell()
            return
        enrolment_id, rule = self.editing
        self.enqueue((enrolment_id, rule.id), self._save, enrolment_id, rule.id, self.typed)
        self._close()
        table = self.query_one("#grid", Grid)
        table.set_cell(str(enrolment_id), f"a{rule.id}", (f"{fmt(typed.score)}…", "reverse"))
        table.move_to(row=table.cursor_row + 1)

    def _save(self, enrolment_id: int, assessment_id: int, text: str):
        """Worker side: save, then re-read the grid so the row's outcome is the service's."""
        saved = results.enter_score(self.actor, enrolment_id, assessment_id, text)
        return saved, results.grid(self.actor, self.cohort_id)

    def _close(self) -> None:
        self.editing = None
        self.typed = ""
        self.query_one("#editor").add_class("-hidden")

    def action_back(self) -> None:
        if self.editing is not None:
            self._close()
        else:
            self.app.pop_screen()

    @on(Saved)
    def saved(self, message: Saved) -> None:
        enrolment_id, assessment_id = message.tag
        if message.error is not None:
            row = self.rows.get(enrolment_id)
            rule = self.grid.rules.assessment(assessment_id) if self.grid is not None else None
            if row is not None and rule is not None:
                self.query_one("#grid", Grid).set_cell(
                    str(enrolment_id),
                    f"a{assessment_id}",
                    score_cell(row.scores.get(assessment_id), rule, row.attempts.get(assessment_id, 0)),
                )
            self._say(f"Not saved: {message.error}", error=True)
            self.app.bell()
            return
        view, grid = message.result
        self.grid = grid
        self.rows = {r.enrolment_id: r for r in grid.rows}
        table = self.query_one("#grid", Grid)
        row = self.rows.get(enrolment_id)
        if row is not None:
            for column, cell in self._cells(row).items():
                table.set_cell(str(enrolment_id), column, cell)
        kind = "re-sit" if view.attempt > 1 else "result"
        self._say(f"Saved {kind}: {fmt(view.score)} ({'pass' if view.passed else 'fail'}), attempt {view.attempt}.")

    # --- history ------------------------------------------------------------------------

    def action_history(self) -> None:
        cell = self._cell()
        if cell is None:
            return
        self.call("history", results.history, self.actor, cell[0], cell[1].id)

    def done_history(self, attempts) -> None:
        if not attempts:
            self._say("No result yet for this cell.")
            return
        lines = [
            f"attempt {a.attempt}: {fmt(a.score)} ({'pass' if a.passed else 'fail'}) "
            f"entered by {a.entered_by} at {a.entered_at:%Y-%m-%d %H:%M}"
            for a in attempts
        ]
        self._say("  |  ".join(lines))
