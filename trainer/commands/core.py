"""init, user add, demo (the tui command lives in trainer/cli.py, the one place that imports the UI)."""

from __future__ import annotations

import argparse
import getpass
import sys

from trainer.accounts.access import ROLES
from trainer.commands.common import UsageError, actor, connect, progress_printer, whole
from trainer.errors import TrainerError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("init", help="create or upgrade the database; idempotent").set_defaults(handler=cmd_init)

    user = sub.add_parser("user", help="manage accounts")
    user.set_defaults(handler=_user_needs_subcommand)
    user_sub = user.add_subparsers(dest="user_command")
    add = user_sub.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--centre", action="append", default=[], metavar="CODE")
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(handler=cmd_user_add)

    demo = sub.add_parser("demo", help="load deterministic demo data into an empty database")
    demo.add_argument("--scale", choices=("default", "quick", "full"), default="default")
    demo.add_argument("--seed", type=whole(0, 2**31 - 1), default=1)
    demo.set_defaults(handler=cmd_demo)


def _user_needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("user: give a subcommand (add)")


def cmd_init(args: argparse.Namespace) -> int:
    opened = connect(args)
    if opened.applied:
        print(f"database at schema version {opened.version} (applied: {', '.join(opened.applied)})")
    else:
        print(f"database at schema version {opened.version}: up to date")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from trainer.accounts.users import count_users, create_user

    connect(args)
    acting = None if count_users() == 0 and not args.user else actor(args)
    if args.password_stdin:
        new_password = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():
            raise TrainerError("no password: use --password-stdin or run in a terminal")
        new_password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != new_password:
            raise TrainerError("the two passwords differ")
    view = create_user(acting, args.name, args.role, new_password, tuple(args.centre))
    print(f"added {view.username} ({view.role})")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from trainer.accounts.users import count_users
    from trainer.demo import build as demo

    connect(args)
    acting = actor(args) if count_users() else None  # the first run: no accounts to act as yet
    summary = demo.generate(acting, scale=args.scale, seed=args.seed, progress=progress_printer())
    print(summary.describe())
    return 0
