"""A file of vetting decisions (CSV or XLSX), as batches arrive from the funder: all or nothing.

One header row; each row is one decision about one person (a `national_id`,
`service_number` or `trainee` UUID column) or one unit (a `unit` code column),
with `case_ref`, `result` (pending, approved, denied, suspended),
`decision_date` and optionally `funder` and `note`. Every problem is reported
with its row (the header is row 1) and column, and nothing is written unless
every row is good. Users' guide: docs/vetting.md.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require
from trainer.errors import FieldProblem, TrainerError, ValidationFailed
from trainer.registry import names
from trainer.registry.vetting_decisions import DecisionInput, audit_values, clean, problems_of, row_values
from trainer.rosters import reading
from trainer.text import read_small

MAX_SHEET_BYTES = reading.MAX_FILE_BYTES

HEADERS = {
    "national_id": "national_id",
    "الرقم الوطني": "national_id",
    "service_number": "service_number",
    "الرقم العسكري": "service_number",
    "trainee": "uuid",
    "uuid": "uuid",
    "unit": "unit",
    "الوحدة": "unit",
    "case_ref": "case_ref",
    "case": "case_ref",
    "result": "result",
    "النتيجة": "result",
    "decision_date": "decision_date",
    "date": "decision_date",
    "funder": "funder",
    "الممول": "funder",
    "note": "note",
    "ملاحظة": "note",
    "name": "",  # for the reader; ignored
    "الاسم": "",
}
WHO = ("national_id", "service_number", "uuid", "unit")


@dataclass(frozen=True)
class VettingImportReport:
    file: str
    rows: int
    individual: int
    unit: int

    def __str__(self) -> str:
        return (
            f"{Path(self.file).name}: {self.rows} decisions recorded in one transaction "
            f"({self.individual} individual, {self.unit} unit)"
        )


def _table(path: Path) -> list[list[str]]:
    try:
        data = read_small(path, MAX_SHEET_BYTES, "vetting sheet")
    except TrainerError as exc:
        raise ValidationFailed([FieldProblem("file", str(exc))]) from None
    if data.startswith(b"PK\x03\x04"):
        return reading._xlsx_table(data)
    text, _ = reading.decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ValidationFailed([FieldProblem("file", f"malformed CSV: {exc}")]) from None


def _header(table: list[list[str]]) -> dict[str, int]:
    if not table or not any(c.strip() for c in table[0]):
        raise ValidationFailed([FieldProblem("file", "empty: no header row", row=1)])
    at: dict[str, int] = {}
    problems = []
    for i, text in enumerate(table[0]):
        key = " ".join(text.replace("\ufeff", "").strip().lower().split())
        field = HEADERS.get(key, HEADERS.get(key.replace(" ", "_")))
        if field is None:
            problems.append(FieldProblem(text.strip(), "unknown column", row=1))
        elif field and field in at:
            problems.append(FieldProblem(text.strip(), "appears twice", row=1))
        elif field:
            at[field] = i
    if not any(w in at for w in WHO):
        problems.append(FieldProblem("header", "needs a national_id, service_number, trainee or unit column", row=1))
    for needed in ("case_ref", "result"):
        if needed not in at:
            problems.append(FieldProblem("header", f"needs a {needed} column", row=1))
    if problems:
        raise ValidationFailed(problems)
    return at


def import_vetting(actor: Actor, path: str | Path, *, date_format: str | None = None) -> VettingImportReport:
    require(actor, "vetting.write")
    path = Path(path)
    table = _table(path)
    at = _header(table)
    records = [(n, r) for n, r in enumerate(table[1:], start=2) if "".join(r).strip()]

    def cell(row: list[str], field: str) -> str:
        i = at.get(field)
        return row[i].strip() if i is not None and i < len(row) else ""

    order, _ = reading.settle_date_order(
        [cell(r, "decision_date") for _, r in records], [n for n, _ in records], reading.date_order_of(date_format)
    )
    problems: list[FieldProblem] = []
    planned: list[tuple[int, DecisionInput, int | None, str | None]] = []
    with database.connection_context(), database.atomic():
        T = models.Trainee
        for number, row in records:
            who = [(f, cell(row, f)) for f in WHO if cell(row, f)]
            if len(who) != 1:
                problems.append(
                    FieldProblem(
                        "trainee", "name one trainee (national_id, service_number, trainee) or one unit", number
                    )
                )
                continue
            field, value = who[0]
            trainee_id = unit_id = trainee_uuid = None
            if field == "unit":
                unit_id = models.Unit.select(models.Unit.id).where(models.Unit.code == value.upper()).scalar()
                if unit_id is None:
                    problems.append(FieldProblem("unit", f"no unit {value!r}", number))
                    continue
            else:
                value = names.to_ascii_digits(value).replace(" ", "")
                column = {"national_id": T.national_id, "service_number": T.service_number, "uuid": T.uuid}[field]
                found = T.select(T.id, T.uuid).where(column == (value.upper() if field == "service_number" else value))
                hit = found.tuples().first()
                if hit is None:
                    problems.append(FieldProblem(field, f"no trainee with {field} {value}", number))
                    continue
                trainee_id, trainee_uuid = hit
            date_text = cell(row, "decision_date")
            date = None
            if date_text:
                try:
                    date = reading.parse_date(date_text, order)
                except ValueError as exc:
                    problems.append(FieldProblem("decision_date", str(exc), number))
                    continue
            data = clean(
                DecisionInput(
                    cell(row, "case_ref"),
                    cell(row, "result").lower(),
                    date,
                    cell(row, "funder"),
                    cell(row, "note"),
                    trainee_id,
                    value.upper() if unit_id else "",
                )
            )
            row_problems = problems_of(data, row=number)
            problems.extend(row_problems)
            if not row_problems:
                planned.append((number, data, unit_id, trainee_uuid))
        if problems:
            raise ValidationFailed(problems)
        events = []
        for _, data, unit_id, trainee_uuid in planned:
            rec = models.VettingRecord.create(**row_values(data, unit_id))
            events.append(audit.Pending("create", "vetting_record", rec.uuid, after=audit_values(data, trainee_uuid)))
        audit.record_many(actor, events)
        audit.record(actor, "import", "vetting_record", "", after={"file": path.name, "rows": len(planned)})
    units = sum(1 for p in planned if p[2])
    return VettingImportReport(str(path), len(planned), len(planned) - units, units)
