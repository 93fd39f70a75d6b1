"""trainer export trainees --format csv|xlsx|json [--output PATH] [--identified]."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect, progress_printer
from trainer.errors import TrainerError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exp = sub.add_parser("export", help="person-level export (pseudonymised unless --identified and allowed)")
    exp.add_argument("what", choices=("trainees",))
    exp.add_argument("--format", choices=("csv", "xlsx", "json", "ndjson"), default="csv")
    exp.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="file to write (default: trainees-YYYYMMDD.FORMAT in your exports folder, see docs/settings.md)",
    )
    exp.add_argument(
        "--identified", action="store_true", help="names and national IDs (only for roles allowed to see them)"
    )
    exp.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from trainer.reporting.registry_export import export_trainees

    if args.output is not None and args.output.is_dir():
        raise UsageError(f"--output {args.output} is a directory: give a file name")
    from trainer.reporting.exports import check_extension

    if args.output is not None:  # a name given must say its format (the default always does)
        try:
            check_extension(args.format, args.output)
        except TrainerError as exc:
            raise UsageError(str(exc)) from None
    connect(args)
    acting = actor(args)  # person-level: always an authenticated user
    path = args.output
    if path is None:  # the user's exports folder (docs/settings.md), never the current directory
        from trainer.accounts.settings import exports_folder

        path = exports_folder(acting) / f"trainees-{datetime.date.today():%Y%m%d}.{args.format}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrainerError(f"cannot make the exports folder {path.parent}: {exc.strerror or exc}") from None
    show = progress_printer()
    done = export_trainees(
        acting, args.format, path, identified=args.identified, progress=lambda n, total: show("exporting", n, total)
    )
    kind = "identified" if done.identified else "pseudonymised"
    print(f"wrote {done.rows} {kind} trainee rows to {done.path}")
    return 0
