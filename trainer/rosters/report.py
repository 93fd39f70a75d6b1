"""What an import reports: every rejected row, the preview, what was added, present or held.

Shared by the checking and writing halves of trainer.rosters.imports and read by the CLI and the wizard.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trainer.errors import FieldProblem, ValidationFailed
from trainer.rosters import reading as roster

if TYPE_CHECKING:
    from trainer.rosters.checking import _Row

PREVIEW_ROWS = 20


def full_name(*parts: str) -> str:
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    reason: str
    value: str = ""


@dataclass(frozen=True)
class Candidate:
    id: int
    uuid: str
    name: str
    date_of_birth: datetime.date
    force: str
    province: str


@dataclass(frozen=True)
class Held:
    row: int
    name: str
    date_of_birth: datetime.date
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class PreviewRow:
    row: int
    values: tuple[tuple[str, str], ...]  # (field, text as written)
    status: str  # valid | invalid | new | present | held | duplicate …


@dataclass(frozen=True)
class ImportReport:
    file: str
    encoding: str
    date_order: str
    date_order_source: str
    columns: tuple[tuple[str, str], ...]  # (header as written, field)
    rows: int
    valid: int
    rejected: tuple[Rejection, ...]
    preview: tuple[PreviewRow, ...]
    skip_invalid: bool = False
    checked_database: bool = False  # False: only the file was read (no new/present/held yet)
    new: int = 0
    already_present: tuple[int, ...] = ()
    held: tuple[Held, ...] = ()
    already_held: tuple[int, ...] = ()
    written: bool = False
    batch_uuid: str = ""
    seconds: float = 0.0

    @property
    def invalid_rows(self) -> tuple[int, ...]:
        return tuple(sorted({r.row for r in self.rejected}))

    @property
    def refused(self) -> bool:
        return bool(self.rejected) and not self.skip_invalid


class ImportRefused(ValidationFailed):
    """Invalid rows and no skip_invalid: nothing written; `report` lists every rejected row."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__([FieldProblem(r.column, r.reason, r.row) for r in report.rejected])
        self.args = (f"{len(report.invalid_rows)} of {report.rows} rows are invalid: nothing was written",)

    def __str__(self) -> str:
        return str(self.args[0])


def build_report(
    book: roster.Roster,
    rows: list[_Row],
    *,
    skip_invalid: bool,
    checked: bool,
    written: bool = False,
    batch_uuid: str = "",
    started: float = 0.0,
) -> ImportReport:
    from trainer.rosters.checking import _ValidRow  # here: checking imports this module (Candidate)

    rejected = tuple(
        Rejection(p.row or r.number, p.field, p.reason, _shown(r.values, p.field)) for r in rows for p in r.problems
    )
    preview = tuple(
        PreviewRow(r.number, tuple((f, r.values.get(f, "")) for f in roster.FIELDS), r.status)
        for r in rows[:PREVIEW_ROWS]
    )
    held = tuple(
        Held(
            r.number,
            full_name(r.data.given_name, r.data.father_name, r.data.grandfather_name, r.data.family_name),
            r.dob,
            r.candidates,
        )
        for r in rows
        if isinstance(r, _ValidRow) and r.status == "held"
    )
    return ImportReport(
        file=book.path,
        encoding=book.encoding_label,
        date_order=book.date_order,
        date_order_source=book.date_order_source,
        columns=tuple((c.header, c.field) for c in book.columns),
        rows=len(rows),
        valid=sum(1 for r in rows if r.data is not None),
        rejected=rejected,
        preview=preview,
        skip_invalid=skip_invalid,
        checked_database=checked,
        new=sum(1 for r in rows if r.status == "new"),
        already_present=tuple(r.number for r in rows if r.status == "present"),
        held=held,
        already_held=tuple(r.number for r in rows if r.status == "already held"),
        written=written,
        batch_uuid=batch_uuid,
        seconds=round(time.monotonic() - started, 3) if started else 0.0,
    )


def _shown(values: dict[str, Any], column: str) -> str:
    return values.get(column, "") if column in roster.FIELDS else ""
