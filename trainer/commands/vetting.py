"""trainer vetting record | history: a funder's vetting decisions (docs/vetting.md)."""

from __future__ import annotations

import argparse
import datetime
import sys

from trainer.commands.common import UsageError, actor, connect
from trainer.errors import NotFound


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    v = sub.add_parser("vetting", help="record vetting decisions; a trainee's vetting history")
    v.set_defaults(handler=_needs_subcommand)
    vsub = v.add_subparsers(dest="vetting_command", metavar="WHAT")
    r = vsub.add_parser(
        "record",
        help="record one decision for one or more trainees, or for a unit",
        description="Name the trainees (--national-id, --service-number, --trainee, each repeatable) "
        "or one --unit. All or nothing.",
    )
    r.add_argument("--national-id", action="append", default=[], metavar="ID")
    r.add_argument("--service-number", action="append", default=[], metavar="NO")
    r.add_argument("--trainee", action="append", default=[], metavar="UUID")
    r.add_argument("--unit", default="", metavar="CODE", help="a unit decision covers everyone serving in it")
    r.add_argument("--case-ref", required=True, metavar="REF")
    r.add_argument("--result", required=True, choices=("pending", "approved", "denied", "suspended"))
    r.add_argument("--date", metavar="YYYY-MM-DD", help="the decision date (required unless pending)")
    r.add_argument("--funder", default="")
    r.add_argument("--note", default="")
    r.set_defaults(handler=cmd_record)
    h = vsub.add_parser("history", help="a trainee's decisions, own and through their units")
    h.add_argument("--national-id", metavar="ID")
    h.add_argument("--service-number", metavar="NO")
    h.add_argument("--trainee", metavar="UUID")
    h.set_defaults(handler=cmd_history)


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("vetting: say record or history")


def _trainee_id(field: str, value: str) -> int:
    from db import models
    from db.connection import database

    T = models.Trainee
    column = {"national_id": T.national_id, "service_number": T.service_number, "trainee": T.uuid}[field]
    with database.connection_context():
        found = T.select(T.id).where(column == value.strip()).scalar()
    if found is None:
        raise NotFound(f"no trainee with {field.replace('_', ' ')} {value}")
    return int(found)


def cmd_record(args: argparse.Namespace) -> int:
    from trainer.registry import vetting_decisions as vd

    try:
        date = datetime.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise UsageError(f"--date {args.date!r}: write the date as YYYY-MM-DD") from None
    named = [("national_id", v) for v in args.national_id]
    named += [("service_number", v) for v in args.service_number] + [("trainee", v) for v in args.trainee]
    if bool(named) == bool(args.unit):
        raise UsageError("vetting record: name trainees (--national-id …) or one --unit, not both")
    connect(args)
    who = actor(args)
    ids = [_trainee_id(f, v) for f, v in named]
    data = vd.DecisionInput(args.case_ref, args.result, date, args.funder, args.note, None, args.unit)
    if args.unit:
        covered = vd.record_decision(who, data)
        print(
            f"recorded {args.result} decision {data.case_ref.upper()} for unit {args.unit.upper()} "
            f"({covered} persons have served in it)"
        )
    else:
        n = vd.record_batch(who, data, ids)
        print(f"recorded {args.result} decision {data.case_ref.upper()} for {n} trainee(s)")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from trainer.registry import vetting_decisions as vd
    from trainer.reporting.exports import to_table

    named = [(f, getattr(args, f)) for f in ("national_id", "service_number", "trainee") if getattr(args, f)]
    if len(named) != 1:
        raise UsageError("vetting history: name one trainee (--national-id, --service-number or --trainee)")
    connect(args)
    who = actor(args)
    lines = vd.history(who, _trainee_id(*named[0]))
    if not lines:
        print("no vetting decision on record")
        return 0
    rows = [
        (
            line.decision_date.isoformat() if line.decision_date else "",
            line.result,
            line.case_ref,
            line.unit or "individual",
            line.funder,
            line.note,
        )
        for line in lines
    ]
    sys.stdout.write(to_table(("Decided", "Result", "Case", "For", "Funder", "Note"), rows))
    return 0
