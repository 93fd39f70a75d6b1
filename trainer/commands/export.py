"""trainer export trainees --format csv|xlsx|json [--output PATH] [--identified]."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect, progress_printer, staged
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
    exp.add_argument(
        "--protect",
        action="store_true",
        help="write an AES-encrypted ZIP (PATH.zip; password: $TRAINER_EXPORT_PASSWORD or a prompt); 7-Zip opens it",
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
    if args.protect:
        return _protected(args, acting, path, show)
    with staged(path, stream_ok=args.format != "xlsx") as out:
        done = export_trainees(
            acting, args.format, out, identified=args.identified, progress=lambda n, total: show("exporting", n, total)
        )
    kind = "identified" if done.identified else "pseudonymised"
    print(f"wrote {done.rows} {kind} trainee rows to {path}")
    if done.identified:
        from trainer.commands.common import warn
        from trainer.reporting.protected import WARNING

        warn(f"warning: {WARNING}")
    return 0


def _protected(args: argparse.Namespace, acting, path: Path, show) -> int:  # type: ignore[no-untyped-def]
    """The export written inside an AES-encrypted ZIP: the plain file exists only as a 0600
    temporary beside it while it is written."""
    import os
    import tempfile

    from trainer.reporting.protected import PASSWORD_ENV, archive_name, check_password, write_archive
    from trainer.reporting.registry_export import export_trainees

    secret = os.environ.get(PASSWORD_ENV) or _ask_archive_password()
    check_password(secret)
    target = archive_name(path)
    with staged(target, stream_ok=False) as out:
        fd, tmp = tempfile.mkstemp(prefix=".export.", suffix=f".{args.format}", dir=out.parent)
        os.close(fd)
        plain = Path(tmp)
        try:
            done = export_trainees(
                acting, args.format, plain, identified=args.identified,
                progress=lambda n, total: show("exporting", n, total),
            )  # fmt: skip
            write_archive(plain, out, path.name, secret)
        finally:
            plain.unlink(missing_ok=True)
            for companion in out.parent.glob(plain.name + "?*"):  # an error before the archive took them
                companion.unlink(missing_ok=True)
    kind = "identified" if done.identified else "pseudonymised"
    print(f"wrote {done.rows} {kind} trainee rows to {target} (AES-256 ZIP: open it with 7-Zip and the password)")
    return 0


def _ask_archive_password() -> str:
    import getpass
    import sys

    from trainer.reporting.protected import PASSWORD_ENV

    if not sys.stdin.isatty():
        raise TrainerError(f"no archive password: set {PASSWORD_ENV} or run in a terminal")
    first = getpass.getpass("Archive password: ")
    if getpass.getpass("Again: ") != first:
        raise TrainerError("the two passwords differ")
    return first
