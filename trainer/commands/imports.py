"""import trainees | results | held | merges."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.commands.common import UsageError, actor, connect, progress_printer, warn
from trainer.errors import TrainerError

if TYPE_CHECKING:
    from trainer.rosters.report import ImportReport

REPORT_COLUMNS = ("row", "outcome", "column", "reason", "value")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="read roster and result files")
    imp.set_defaults(handler=_needs_subcommand)
    isub = imp.add_subparsers(dest="import_command", metavar="WHAT")

    t = isub.add_parser(
        "trainees",
        help="register the persons of a roster (CSV or XLSX)",
        description="All or nothing unless --skip-invalid; every rejected row "
        "is reported (row number, column, reason).",
    )
    t.add_argument("file", metavar="FILE")
    t.add_argument("--skip-invalid", action="store_true", help="write the valid rows, report the rest")
    t.add_argument(
        "--date-format", metavar="FMT", help="DD/MM/YYYY or MM/DD/YYYY when the file's dates leave the order open"
    )
    t.add_argument("--report", metavar="PATH", help="also write the report as CSV")
    t.add_argument("--dry-run", action="store_true", help="check against the database, write nothing")
    t.set_defaults(handler=cmd_trainees)

    r = isub.add_parser("results", help="record a cohort's assessment results from a CSV sheet")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--cohort", required=True, metavar="CODE")
    r.set_defaults(handler=cmd_results)

    v = isub.add_parser(
        "vetting",
        help="record a file of vetting decisions (CSV or XLSX), all or nothing",
        description="Columns: national_id, service_number, trainee or unit; case_ref; result; "
        "decision_date; funder; note. Every bad row is named; nothing is written unless all are good.",
    )
    v.add_argument("file", metavar="FILE")
    v.add_argument("--date-format", metavar="FMT", help="DD/MM/YYYY or MM/DD/YYYY when the dates leave it open")
    v.set_defaults(handler=cmd_vetting)

    h = isub.add_parser("held", help="list roster rows held for review as possible duplicates")
    h.add_argument("--limit", type=int, default=100)
    h.set_defaults(handler=cmd_held)

    m = isub.add_parser("merges", help="list records merged into another")
    m.add_argument("--limit", type=int, default=100)
    m.set_defaults(handler=cmd_merges)


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("import: say what to import (trainees, results, vetting) or list (held, merges)")


def cmd_trainees(args: argparse.Namespace) -> int:
    from trainer.rosters import imports

    connect(args)
    who = actor(args)
    if not Path(args.file).exists():
        raise TrainerError(f"no such file: {args.file}")
    progress = progress_printer()
    refused = False
    try:
        if args.dry_run:
            report = imports.dry_run(
                who, args.file, skip_invalid=args.skip_invalid, date_format=args.date_format, progress=progress
            )
        else:
            report = imports.import_trainees(
                who, args.file, skip_invalid=args.skip_invalid, date_format=args.date_format, progress=progress
            )
    except imports.ImportRefused as exc:
        report, refused = exc.report, True
    print(describe(report))
    print_rows(report)
    if args.report:
        write_report(report, args.report)
        print(f"report written to {args.report}")
    if refused:
        warn(
            f"refused: {len(report.invalid_rows)} of {report.rows} rows are invalid; nothing was written "
            f"(fix them, or --skip-invalid to write the {report.valid} valid rows)"
        )
        return 1
    return 0


def describe(report: ImportReport) -> str:
    order = report.date_order or "no dates"
    if report.date_order_source:
        order += f" (from {'the values' if report.date_order_source == 'values' else report.date_order_source})"
    lines = [
        f"{Path(report.file).name}: {report.encoding}, dates {order}, {report.rows} rows",
        "columns: " + ", ".join(f"{h} → {f}" if h != f else f for h, f in report.columns),
    ]
    if report.checked_database:
        verb = "added" if report.written else "would be added"
        counts = (
            f"{report.new} {verb}, {len(report.already_present)} already present, "
            f"{len(report.held)} held for review, {len(report.already_held)} already held"
        )
        if report.refused:
            lines.append(f"{len(report.invalid_rows)} rows rejected; with --skip-invalid: {counts}")
        else:
            lines.append(f"{counts}, {len(report.invalid_rows)} rejected")
    if report.written:
        lines.append(f"written in one transaction (batch {report.batch_uuid}, {report.seconds:.2f} s)")
    elif report.checked_database and not report.refused:
        lines.append("dry run: nothing written")
    return "\n".join(lines)


def report_rows(report: ImportReport) -> list[tuple[int, str, str, str, str]]:
    """(row, outcome, column, reason, value) for every rejected and every held row."""
    out = [(r.row, "rejected", r.column, r.reason, r.value) for r in report.rejected]
    for h in report.held:
        for c in h.candidates:
            out.append(
                (
                    h.row,
                    "held",
                    "",
                    f"possibly {c.name} born {c.date_of_birth.isoformat()} ({c.force}, {c.province}; trainee {c.uuid})",
                    h.name,
                )
            )
    return sorted(out, key=lambda r: (r[0], r[1]))


def print_rows(report: ImportReport) -> None:
    from trainer.reporting.exports import to_table

    rows = report_rows(report)
    if rows:
        print(to_table(REPORT_COLUMNS, rows), end="")


def write_report(report: ImportReport, path: str) -> None:
    from trainer.reporting.exports import to_csv

    try:
        Path(path).write_text(to_csv(REPORT_COLUMNS, report_rows(report)), encoding="utf-8")
    except OSError as exc:
        raise TrainerError(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def cmd_results(args: argparse.Namespace) -> int:
    connect(args)
    who = actor(args)
    from trainer.rosters.result_sheets import import_results

    print(import_results(who, args.file, args.cohort))
    return 0


def cmd_vetting(args: argparse.Namespace) -> int:
    from trainer.rosters.vetting_sheets import import_vetting

    connect(args)
    who = actor(args)
    if not Path(args.file).exists():
        raise TrainerError(f"no such file: {args.file}")
    print(import_vetting(who, args.file, date_format=args.date_format))
    return 0


def cmd_held(args: argparse.Namespace) -> int:
    from trainer.rosters import merges

    connect(args)
    held = merges.list_held(actor(args), limit=args.limit)
    if not held:
        print("no rows held for review")
        return 0
    for h in held:
        d = h.data
        print(
            f"held #{h.id}: row {h.row} of {h.file}: {h.name}, born {d.date_of_birth or 'unknown'}, "
            f"{d.force}, {d.province}"
        )
        for c in h.candidates:
            print(
                f"    possibly {c.full_name} born {c.date_of_birth.isoformat()} ({c.force}, {c.province}; "
                f"trainee {c.uuid})"
            )
    return 0


def cmd_merges(args: argparse.Namespace) -> int:
    from trainer.reporting.exports import to_table
    from trainer.rosters import merges

    connect(args)
    rows = [
        (m.at.strftime("%Y-%m-%d %H:%M"), m.survivor_name, m.survivor_uuid, m.merged_name, m.merged_uuid, m.username)
        for m in merges.list_merges(actor(args), limit=args.limit)
    ]
    if not rows:
        print("no merges")
        return 0
    sys.stdout.write(to_table(("when", "kept", "kept uuid", "merged", "merged uuid", "by"), rows))
    return 0
