"""trainer report NAME | --list."""
from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(sub) -> None:
    rep = sub.add_parser("report", help="run a report")
    rep.add_argument("name", nargs="?")
    rep.add_argument("--list", action="store_true", help="list report names")
    rep.add_argument("--from", dest="date_from", type=_date)
    rep.add_argument("--to", dest="date_to", type=_date)
    rep.add_argument("--force")
    rep.add_argument("--province")
    rep.add_argument("--centre")
    rep.add_argument("--cohort")
    rep.add_argument("--format", choices=("table", "csv"), default="table")
    rep.add_argument("--output", type=Path)
    rep.set_defaults(handler=cmd_report)


def cmd_report(args) -> int:
    from trainer import exports, reports

    if args.list:
        for report in reports.CATALOGUE.values():
            print(f"{report.name:<26} {report.summary}")
        return 0
    if not args.name:
        raise UsageError("report: give a report name (see --list)")
    connect(args)
    acting = actor(args, allow_local_analyst=True)
    params = reports.ReportParams(date_from=args.date_from, date_to=args.date_to, force=args.force,
                                  province=args.province, centre=args.centre, cohort=args.cohort)
    result = reports.run_report(acting, args.name, params)
    if args.format == "csv":
        # A file gets the BOM spreadsheets need to read UTF-8; a pipe does not.
        text = exports.to_csv(result.columns, result.rows, bom=args.output is not None)
    else:
        text = exports.to_table(result.columns, result.rows)
    if args.output:
        args.output.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {len(result.rows)} rows to {args.output}")
    else:
        sys.stdout.write(text)
    return 0
