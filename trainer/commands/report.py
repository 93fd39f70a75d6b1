"""trainer report NAME | --list."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect, progress_printer, staged, whole
from trainer.errors import TrainerError

FORMATS = ("table", "csv", "xlsx", "json", "ndjson", "hxl")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = sub.add_parser(
        "report",
        help="run a report",
        description="Run a report. Aggregate reports in a file format hide counts from 1 to 4 "
        "(and what would give them away); person-level reports need --user.",
    )
    rep.add_argument("name", nargs="?")
    rep.add_argument("--list", action="store_true", help="list report names")
    rep.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    rep.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    rep.add_argument("--force", help="force code or name (police, border …)")
    rep.add_argument("--province", help="ISO code or name (IQ-NI, Ninawa …)")
    rep.add_argument("--centre", metavar="CODE")
    rep.add_argument("--cohort", metavar="CODE")
    rep.add_argument("--days", type=whole(1, 36_500), metavar="N", help="a window in days (deployment-leakage: 90)")
    rep.add_argument("--by", metavar="GROUP", help="how to group rows, where a report offers a choice")
    rep.add_argument("--format", choices=FORMATS, default="table")
    rep.add_argument("--output", type=Path, metavar="PATH", help="the file (its ending must match --format)")
    rep.add_argument(
        "--with-totals",
        action="store_true",
        help="add the totals row to the records (never in HXL; see docs/exports.md)",
    )
    rep.add_argument("--bom", action="store_true", help="CSV/HXL: start with a UTF-8 byte-order mark (for Excel)")
    rep.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from trainer.reporting import catalogue as reports

    if args.list:
        for report in reports.CATALOGUE.values():
            kind = "" if report.aggregate else "  [person-level: --user]"
            print(f"{report.name:<26} {report.summary}{kind}")
        return 0
    if not args.name:
        raise UsageError("report: give a report name (see --list)")
    report = reports.get(args.name)
    for option in ("days", "by"):
        if getattr(args, option) is not None and option not in report.uses:
            raise UsageError(f"report {report.name} takes no --{option}")
    for needed in report.needs:
        if not getattr(args, needed):
            raise UsageError(f"report {report.name} needs --{needed}")
    if args.format == "xlsx" and not args.output:
        raise UsageError("--format xlsx writes a file: give --output PATH")
    if args.with_totals and args.format == "hxl":
        raise UsageError("--with-totals: HXL files carry no totals row (HXL tools add the rows up themselves)")
    if args.output:
        from trainer.reporting.exports import check_extension

        try:
            check_extension(args.format, args.output)
        except TrainerError as exc:
            raise UsageError(str(exc)) from None
    connect(args)
    # Aggregate reports on a local SQLite file may run as the local operator;
    # anything that lists persons acts as an authenticated user.
    acting = actor(args, allow_local_analyst=report.aggregate)
    params = reports.ReportParams(
        date_from=args.date_from,
        date_to=args.date_to,
        force=args.force,
        province=args.province,
        centre=args.centre,
        cohort=args.cohort,
        days=args.days,
        by=args.by,
    )
    result = reports.run_report(acting, report.name, params)
    if args.output:
        show = progress_printer()
        from trainer.reporting import output

        with staged(args.output, stream_ok=args.format != "xlsx") as out:
            written = reports.write_result(
                result,
                args.format,
                out,
                progress=lambda done, total: show("writing", done, total),
                bom=args.bom,
                with_totals=args.with_totals,
            )
        print(f"wrote {written.rows} rows to {args.output}")
        if not report.aggregate:
            from trainer.commands.common import warn
            from trainer.reporting.protected import WARNING

            warn(f"warning: {WARNING.replace(' (or write it protected: --protect)', '')}")
        if written.metadata:
            print(f"notes, totals and parameters in {output.sidecar_path(args.output)}")
        if written.suppressed:
            print(f"{written.suppressed} cells suppressed (small counts and what would reveal them)")
    else:
        try:
            reports.write_result(result, args.format, sys.stdout, bom=args.bom, with_totals=args.with_totals)
            sys.stdout.flush()
        except BrokenPipeError:  # `trainer report … | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
