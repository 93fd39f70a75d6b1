"""trainer station | kit | posting | program | delivery: Police in a Box from the command line."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from trainer.accounts.access import Actor
from trainer.commands.common import UsageError, actor, connect, count, whole


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _mark(text: str) -> tuple[str, str]:
    item, sep, note = text.partition(":")
    if not sep or not item.strip() or not note.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give ITEM:NOTE, e.g. GENERATOR:not delivered")
    return item.strip().upper(), note.strip()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    st = sub.add_parser("station", help="police stations and border posts").add_subparsers(dest="op", required=True)
    add = st.add_parser("add", help="add a station or border post (admin)")
    add.add_argument("code")
    add.add_argument("--kind", choices=("police", "border"), required=True)
    add.add_argument("--province", required=True)
    add.add_argument("--name", required=True, help="English name")
    add.add_argument("--name-ar", default="")
    add.add_argument("--district", default="")
    add.add_argument("--strength", type=whole(0, 100_000), default=0, help="authorised strength (officers)")
    add.add_argument("--centre", default="", metavar="CODE", help="the training centre that supports it")
    add.add_argument("--status", choices=("planned", "open", "closed"), default="planned")
    add.add_argument("--lat", type=float)
    add.add_argument("--lon", type=float)
    add.set_defaults(handler=cmd_station_add)
    ed = st.add_parser("edit", help="change a station (admin): only the options given")
    ed.add_argument("code")
    ed.add_argument("--name")
    ed.add_argument("--name-ar")
    ed.add_argument("--district")
    ed.add_argument("--strength", type=whole(0, 100_000))
    ed.add_argument("--centre", metavar="CODE")
    ed.add_argument("--status", choices=("planned", "open", "closed"))
    ed.set_defaults(handler=cmd_station_edit)
    ls = st.add_parser("list", help="stations, by code")
    ls.add_argument("--search", default="")
    ls.add_argument("--province")
    ls.add_argument("--limit", type=count, default=100)
    ls.set_defaults(handler=cmd_station_list)
    show = st.add_parser("show", help="one station: kit, officers, readiness")
    show.add_argument("code")
    show.set_defaults(handler=cmd_station_show)

    kit = sub.add_parser("kit", help="station kits: plan, receive, issue, set up, transfer, check").add_subparsers(
        dest="op", required=True
    )
    p = kit.add_parser("plan", help="a kit the programme ordered (admin)")
    p.add_argument("serial")
    p.add_argument("--kind", choices=("police", "border"), required=True)
    p.set_defaults(handler=cmd_kit_plan)
    for name, where, helptext in (
        ("receive", "--centre", "a training centre signs for a kit"),
        ("issue", "--station", "hand a received kit to a station (once)"),
        ("setup", None, "the kit stands at its station"),
        ("transfer", "--station", "move a kit to another station"),
    ):
        p = kit.add_parser(name, help=helptext)
        p.add_argument("serial")
        if where:
            p.add_argument(where, required=True, metavar="CODE")
        p.add_argument("--signed-by", required=True, metavar="NAME", help="who signed for it")
        p.add_argument("--date", type=_date, metavar="DATE")
        p.set_defaults(handler=cmd_kit_move, move=name)
    p = kit.add_parser("check", help="inventory check: every item present unless named missing or damaged")
    p.add_argument("serial")
    p.add_argument("--missing", type=_mark, action="append", default=[], metavar="ITEM:NOTE")
    p.add_argument("--damaged", type=_mark, action="append", default=[], metavar="ITEM:NOTE")
    p.add_argument("--date", type=_date, metavar="DATE")
    p.set_defaults(handler=cmd_kit_check)
    p = kit.add_parser("show", help="one kit: manifest, conditions, movements")
    p.add_argument("serial")
    p.set_defaults(handler=cmd_kit_show)

    post = sub.add_parser("posting", help="postings of graduates to stations").add_subparsers(dest="op", required=True)
    p = post.add_parser("add", help="post one graduate to a station or a unit")
    p.add_argument("--national-id", required=True)
    place = p.add_mutually_exclusive_group(required=True)
    place.add_argument("--station", metavar="CODE")
    place.add_argument("--unit", metavar="CODE", help="a unit's code, for a posting outside the stations")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    p.set_defaults(handler=cmd_posting_add)
    p = post.add_parser("cohort", help="post every graduate of a cohort who can be posted to one station")
    p.add_argument("cohort")
    p.add_argument("--station", required=True, metavar="CODE")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    p.set_defaults(handler=cmd_posting_cohort)
    p = post.add_parser("end", help="end a posting, with the reason")
    p.add_argument("id", type=whole(1, 2**63 - 1))
    p.add_argument("--on", type=_date, required=True, metavar="DATE")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_posting_end)
    p = post.add_parser("import", help="postings from a personnel list (CSV), all or nothing")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--skip-invalid", action="store_true")
    p.add_argument("--report", metavar="PATH", help="also write each row's outcome as CSV, for review")
    p.set_defaults(handler=cmd_posting_import)

    prog = sub.add_parser("program", help="programs of instruction (POI)").add_subparsers(dest="op", required=True)
    p = prog.add_parser("add", help="a named, versioned program of instruction for a course (admin)")
    p.add_argument("code")
    p.add_argument("--revision", default="1")
    p.add_argument("--name", required=True)
    p.add_argument("--course", required=True, metavar="CODE")
    p.add_argument("--nation", default="", help="ISO code or name of the nation that wrote it")
    p.set_defaults(handler=cmd_program_add)
    prog.add_parser("list", help="programs of instruction").set_defaults(handler=cmd_program_list)

    d = sub.add_parser("delivery", help="who delivered a cohort: nations and program of instruction")
    d.add_argument("cohort")
    d.add_argument("--program", metavar="CODE[@REVISION]")
    d.add_argument("--nation", action="append", default=[], help="repeat for each delivering nation")
    d.set_defaults(handler=cmd_delivery)


def _acting(args: argparse.Namespace) -> Actor:
    connect(args)
    return actor(args)


def cmd_station_add(args: argparse.Namespace) -> int:
    from trainer.stations import stations

    if (args.lat is None) != (args.lon is None):
        raise UsageError("give both --lat and --lon, or neither")
    view = stations.create_station(
        _acting(args),
        stations.StationInput(
            args.code,
            args.kind,
            args.province,
            args.name,
            args.name_ar,
            args.district,
            args.strength,
            args.status,
            args.lat,
            args.lon,
            args.centre,
        ),  # fmt: skip
    )
    print(f"added {view.code}: {view.name_en} ({view.kind}, {view.province_name}), strength {view.authorised_strength}")
    return 0


def cmd_station_edit(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from trainer.stations import stations

    acting = _acting(args)
    current = stations.get_station(acting, args.code)
    changes = {
        field: value
        for field, value in (
            ("name_en", args.name),
            ("name_ar", args.name_ar),
            ("district", args.district),
            ("authorised_strength", args.strength),
            ("centre", args.centre),
            ("status", args.status),
        )  # fmt: skip
        if value is not None
    }
    if not changes:
        raise UsageError("station edit: give at least one option to change")
    view = stations.update_station(acting, current.id, replace(current.as_input(), **changes), version=current.version)
    print(f"changed {view.code}: " + ", ".join(f"{k} {v}" for k, v in changes.items()))
    return 0


def cmd_station_list(args: argparse.Namespace) -> int:
    from trainer.stations import stations

    for s in stations.list_stations(_acting(args), args.search, province=args.province, limit=args.limit):
        kit = f"{s.kit} {s.kit_state}" if s.kit else "no kit"
        print(f"{s.code:<12} {s.kind:<7} {s.province:<6} {s.status:<8} {s.posted:>4}/{s.authorised_strength:<4} "
              f"{kit:<16} {s.name_en}")  # fmt: skip
    return 0


def cmd_station_show(args: argparse.Namespace) -> int:
    from db.connection import database
    from trainer.reporting import summary
    from trainer.stations import readiness, stations

    acting = _acting(args)
    s = stations.get_station(acting, args.code)
    summary.ensure_built()
    with database.connection_context():
        r = readiness.assess(datetime.date.today(), readiness.rule(acting), station_ids=[s.id])[0]
    print(f"{s.code} {s.name_en} {s.name_ar} · {s.kind} · {s.province_name} {s.district} · {s.status}")
    print(f"kit: {s.kit or 'none'} {s.kit_state} · posted {r.posted}, qualified {r.qualified} of strength "
          f"{s.authorised_strength}, ILP/community {r.ilp}")  # fmt: skip
    print("ready" if r.ready else f"not ready: {r.reason}")
    return 0


def cmd_kit_plan(args: argparse.Namespace) -> int:
    from trainer.stations import kits

    view = kits.plan_kit(_acting(args), args.serial, args.kind)
    print(f"planned kit {view.serial} ({view.kind}, {len(view.items)} manifest lines)")
    return 0


def cmd_kit_move(args: argparse.Namespace) -> int:
    from trainer.stations import kits

    acting = _acting(args)
    if args.move == "receive":
        view = kits.receive(acting, args.serial, args.centre, args.signed_by, args.date)
    elif args.move == "issue":
        view = kits.issue(acting, args.serial, args.station, args.signed_by, args.date)
    elif args.move == "setup":
        view = kits.set_up(acting, args.serial, args.signed_by, args.date)
    else:
        view = kits.transfer(acting, args.serial, args.station, args.signed_by, args.date)
    print(f"kit {view.serial}: {view.state} at {view.station or view.centre}, signed by {view.movements[-1].signed_by}")
    return 0


def cmd_kit_check(args: argparse.Namespace) -> int:
    from trainer.stations import inventory, kits

    acting = _acting(args)
    view = kits.get_kit(acting, args.serial)
    marks = {i.item: inventory.Mark("present") for i in view.items}
    for condition, given in (("missing", args.missing), ("damaged", args.damaged)):
        for item, note in given:
            marks[item] = inventory.Mark(condition, note)
    done = inventory.check_kit(acting, args.serial, marks, day=args.date, version=view.version)
    print(f"kit {args.serial.upper()} checked ({done.stage}): {done.present} present, {done.missing} missing, "
          f"{done.damaged} damaged")  # fmt: skip
    return 0


def cmd_kit_show(args: argparse.Namespace) -> int:
    from trainer.stations import kits

    k = kits.get_kit(_acting(args), args.serial)
    print(f"{k.serial} ({k.kind}) {k.state} · received {k.received_on or '—'} at {k.centre or '—'} "
          f"by {k.received_by or '—'} · station {k.station or '—'}")  # fmt: skip
    for i in k.items:
        print(f"  {i.item:<11} {i.quantity:>3}  {i.condition:<9} {i.name}{'  — ' + i.note if i.note else ''}")
    for m in k.movements:
        print(f"  {m.day} {m.action:<8} {m.place:<14} signed by {m.signed_by} (entered by {m.username})")
    return 0


def _trainee_id(national_id: str) -> int:
    from db import models
    from db.connection import database
    from trainer.errors import NotFound

    with database.connection_context():
        tid = models.Trainee.select(models.Trainee.id).where(models.Trainee.national_id == national_id).scalar()
    if tid is None:
        raise NotFound(f"no person with national ID {national_id}")
    return int(tid)


def cmd_posting_add(args: argparse.Namespace) -> int:
    from trainer.stations import postings

    acting = _acting(args)
    view = postings.post(
        acting, _trainee_id(args.national_id), args.station or "", args.start, unit=args.unit or "", source="cli"
    )
    print(f"posted {view.latin_name or view.name} to {view.station or view.unit} from {view.start_date} "
          f"(posting {view.id})")  # fmt: skip
    return 0


def cmd_posting_cohort(args: argparse.Namespace) -> int:
    from trainer.stations import postings

    done = postings.post_cohort(_acting(args), args.cohort, args.station, args.start)
    print(f"posted {done.posted} graduates of {args.cohort.upper()} to {args.station.upper()} from {args.start}")
    if done.skipped:
        print(f"not posted ({len(done.skipped)}):")
        for problem in done.skipped:
            print(f"  {problem}")
    return 0


def cmd_posting_end(args: argparse.Namespace) -> int:
    from db import models
    from db.connection import database
    from trainer.errors import NotFound
    from trainer.stations import postings

    acting = _acting(args)
    with database.connection_context():
        version = models.Posting.select(models.Posting.version).where(models.Posting.id == args.id).scalar()
    if version is None:
        raise NotFound(f"no posting {args.id}")
    view = postings.end_posting(acting, args.id, args.on, args.reason, version=version)
    print(f"posting {view.id} ended on {view.end_date}: {view.end_reason}")
    return 0


def cmd_posting_import(args: argparse.Namespace) -> int:
    from trainer.stations.posting_import import PostingsRefused, import_postings

    acting = _acting(args)
    try:
        done = import_postings(acting, args.file, dry_run=args.dry_run, skip_invalid=args.skip_invalid)
    except PostingsRefused as refused:
        if args.report:
            _write_outcomes(refused.report.outcomes, args.report, written=False)
            print(f"report written to {args.report}")
        raise
    if args.report:
        _write_outcomes(done.outcomes, args.report, written=not done.dry_run)
        print(f"report written to {args.report}")
    verb = "would post" if done.dry_run else "posted"
    print(f"{verb} {done.written} of {done.rows} rows; {done.present} already present; {len(done.invalid)} invalid")
    for problem in done.invalid:
        print(f"  {problem}")
    return 0


def _write_outcomes(outcomes: list[tuple[int, str, str, str]], path: str, *, written: bool) -> None:
    """row, outcome, column, reason: every row of a personnel list, as a roster import's --report
    (the same CSV writer: a cell a spreadsheet would run as a formula is written as text)."""
    from trainer.commands.common import staged
    from trainer.errors import TrainerError
    from trainer.reporting.exports import to_csv

    rows = [(n, o if written or o != "posted" else "would be posted", c, r) for n, o, c, r in outcomes]
    try:
        with staged(path) as out:
            out.write_text(to_csv(("row", "outcome", "column", "reason"), rows), encoding="utf-8")
    except OSError as exc:
        raise TrainerError(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def cmd_program_add(args: argparse.Namespace) -> int:
    from trainer.training import delivery

    view = delivery.add_program(_acting(args), args.code, args.revision, args.name, args.course, args.nation)
    print(f"added program of instruction {view.label}: {view.name} ({view.course})")
    return 0


def cmd_program_list(args: argparse.Namespace) -> int:
    from trainer.training import delivery

    for p in delivery.list_programs(_acting(args)):
        print(f"{p.label:<16} {p.course:<12} {p.nation or '—':<3} {p.name}")
    return 0


def cmd_delivery(args: argparse.Namespace) -> int:
    from trainer.training import delivery

    if not args.program and not args.nation:
        raise UsageError("delivery: give --program and/or --nation")
    d = delivery.set_delivery(_acting(args), args.cohort, args.program, tuple(args.nation))
    print(f"{d.cohort}: program {d.program.label if d.program else '—'}, nations {', '.join(d.nations) or '—'}")
    return 0
