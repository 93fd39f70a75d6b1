"""An instructor's result sheet (CSV): all or nothing, validated as the grid validates.

The sheet has one header row: a column naming the trainee (`national_id`,
`service_number` or `trainee` = the trainee's UUID; Arabic headers accepted)
and one column per assessment, headed by its code as the cohort's rule has
it. Name columns are allowed and ignored; a blank score cell means "no result
yet". Row numbers in the report are the spreadsheet's (the header is row 1).
A score that differs from the trainee's latest is saved as a new attempt (a
re-sit); the same score again adds nothing, so importing a sheet twice is
harmless.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from db import models
from db.connection import database
from trainer.accounts import audit
from trainer.accounts.access import Actor, require, require_teaches
from trainer.errors import FieldProblem, NotFound, TrainerError, ValidationFailed
from trainer.registry import names
from trainer.training import rules
from trainer.training.results import check_score, save_checked

ID_HEADERS = {
    "national_id": "national_id",
    "الرقم الوطني": "national_id",
    "service_number": "service_number",
    "الرقم العسكري": "service_number",
    "trainee": "uuid",
    "trainee_uuid": "uuid",
    "uuid": "uuid",
}
IGNORED_HEADERS = {
    "#",
    "no",
    "name",
    "full_name",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "latin_name",
    "الاسم",
    "اسم الاب",
    "اسم الجد",
    "اللقب",
    "الاسم الكامل",
}


@dataclass(frozen=True)
class ResultsImportReport:
    cohort_code: str
    rows: int
    written: int  # new results (first attempts and re-sits)
    resits: int
    unchanged: int

    def __str__(self) -> str:
        return (
            f"{self.cohort_code}: {self.rows} rows, {self.written} results saved "
            f"({self.resits} re-sits), {self.unchanged} unchanged"
        )


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1256")  # Arabic Windows spreadsheets


def _rows(text: str) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _key(header: str) -> str:
    return " ".join(header.strip().lower().split())


def import_results(actor: Actor, path: str | Path, cohort_code: str) -> ResultsImportReport:
    require(actor, "result.write")
    path = Path(path)
    try:
        table = _rows(_text(path))
    except OSError as exc:
        raise TrainerError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not table or not any(cell.strip() for cell in table[0]):
        raise ValidationFailed([FieldProblem("file", "empty: no header row", row=1)])
    with database.connection_context(), database.atomic():
        cohort = models.Cohort.get_or_none(models.Cohort.code == cohort_code.strip())
        if cohort is None:
            raise NotFound(f"no cohort {cohort_code!r}")
        require_teaches(actor, cohort.id)
        cohort_rules = rules.freeze(cohort.id)
        by_code = {a.code.lower(): a for a in cohort_rules.assessments}
        problems: list[FieldProblem] = []
        id_col, id_kind, score_cols = None, None, []
        for i, header in enumerate(table[0]):
            key = _key(header)
            if key in ID_HEADERS and id_col is None:
                id_col, id_kind = i, ID_HEADERS[key]
            elif key in by_code:
                score_cols.append((i, by_code[key]))
            elif key and key not in IGNORED_HEADERS:
                problems.append(
                    FieldProblem(
                        header.strip(),
                        "unknown column (assessments: " + ", ".join(a.code for a in cohort_rules.assessments) + ")",
                        row=1,
                    )
                )
        if id_col is None:
            problems.append(FieldProblem("header", "needs a national_id, service_number or trainee column", row=1))
        if not score_cols:
            problems.append(
                FieldProblem(
                    "header",
                    "no assessment column (expected codes: "
                    + ", ".join(a.code for a in cohort_rules.assessments)
                    + ")",
                    row=1,
                )
            )
        if problems:
            raise ValidationFailed(problems)
        assert id_col is not None and id_kind is not None  # else a problem was raised above
        enrolments = _enrolments(cohort.id, id_kind)
        seen: dict[int, int] = {}
        planned: list[tuple[models.Enrolment, rules.AssessmentRule, float]] = []
        data_rows = 0
        for number, row in enumerate(table[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            data_rows += 1
            ident = _ident(row[id_col] if id_col < len(row) else "", id_kind)
            e = enrolments.get(ident)
            if not ident:
                problems.append(FieldProblem(table[0][id_col].strip(), "required", row=number))
                continue
            if e is None:
                problems.append(
                    FieldProblem(table[0][id_col].strip(), f"{ident} is not enrolled in {cohort.code}", row=number)
                )
                continue
            if e.id in seen:
                problems.append(FieldProblem(table[0][id_col].strip(), f"duplicate of row {seen[e.id]}", row=number))
                continue
            seen[e.id] = number
            if e.status != "enrolled":
                problems.append(
                    FieldProblem(
                        table[0][id_col].strip(), f"the trainee is {e.status}: results can no longer change", row=number
                    )
                )
                continue
            for col, rule in score_cols:
                cell = row[col].strip() if col < len(row) else ""
                if not cell:
                    continue
                typed = check_score(cell, rule)
                if typed.problem:
                    problems.append(FieldProblem(rule.code, typed.problem, row=number))
                else:
                    assert typed.score is not None  # no problem means a number
                    planned.append((e, rule, typed.score))
        if problems:
            raise ValidationFailed(problems)
        written = resits = 0
        # In enrolment order: two sheets for one cohort lock the rows in the same order.
        for e, rule, score in sorted(planned, key=lambda p: (p[0].id, p[1].id)):
            saved = save_checked(actor, e, rule, score)
            if saved is not None:
                written += 1
                resits += saved.attempt > 1
        report = ResultsImportReport(cohort.code, data_rows, written, resits, len(planned) - written)
        audit.record(
            actor,
            "import",
            "cohort",
            cohort.uuid,
            after={"file": path.name, "rows": data_rows, "written": written, "resits": resits},
        )
        return report


def _ident(text: str, kind: str) -> str:
    text = names.to_ascii_digits(text).strip()
    if kind == "national_id":
        return text.replace(" ", "")
    return text.upper() if kind == "service_number" else text.lower()


def _enrolments(cohort_id: int, kind: str) -> dict[str, models.Enrolment]:
    E, T = models.Enrolment, models.Trainee
    column = {"national_id": T.national_id, "service_number": T.service_number, "uuid": T.uuid}[kind]
    out = {}
    for e in E.select(E, column.alias("ident")).join(T).where(E.cohort == cohort_id).objects():
        ident = e.ident  # type: ignore[attr-defined]  # the alias selected above
        if ident:
            out[_ident(str(ident), kind)] = e
    return out
