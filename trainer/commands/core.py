"""init, user add, demo (the tui command lives in trainer/cli.py, the one place that imports the UI)."""

from __future__ import annotations

import argparse
import getpass
import sys

from trainer.accounts.access import ROLES
from trainer.commands.common import UsageError, actor, connect, progress_printer, whole
from trainer.errors import TrainerError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser("init", help="create or upgrade the database; idempotent")
    init.add_argument("--encrypt", action="store_true", help="create a new encrypted SQLite database")
    init.add_argument("--admin", metavar="NAME", help="with --encrypt: its first administrator")
    init.add_argument("--password-stdin", action="store_true", help="with --encrypt: read the password from stdin")
    init.set_defaults(handler=cmd_init)

    user = sub.add_parser("user", help="manage accounts")
    user.set_defaults(handler=_user_needs_subcommand)
    user_sub = user.add_subparsers(dest="user_command")
    add = user_sub.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--centre", action="append", default=[], metavar="CODE")
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(handler=cmd_user_add)
    pw = user_sub.add_parser("password", help="set a user's password (on an encrypted site: their key wrap too)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(handler=cmd_user_password)

    demo = sub.add_parser("demo", help="load deterministic demo data into an empty database")
    demo.add_argument("--scale", choices=("default", "quick", "full"), default="default")
    demo.add_argument("--seed", type=whole(0, 2**31 - 1), default=1)
    demo.set_defaults(handler=cmd_demo)


def _user_needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("user: give a subcommand (add, password)")


def cmd_init(args: argparse.Namespace) -> int:
    if args.encrypt or args.admin:
        from trainer.commands.encryption import init_encrypted

        return init_encrypted(args)
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


def _new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise TrainerError("no password: use --password-stdin or run in a terminal")
    new_password = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != new_password:
        raise TrainerError("the two passwords differ")
    return new_password


def cmd_user_password(args: argparse.Namespace) -> int:
    from trainer.accounts.users import list_users, set_password

    connect(args)
    acting = actor(args)
    found = [u for u in list_users(acting) if u.username == args.name]
    if not found:
        raise TrainerError(f"no user {args.name!r}")
    set_password(acting, found[0].id, _new_password(args))
    print(f"password set for {args.name}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from trainer.accounts.users import count_users
    from trainer.demo import build as demo

    connect(args)
    acting = actor(args) if count_users() else None  # the first run: no accounts to act as yet
    summary = demo.generate(acting, scale=args.scale, seed=args.seed, progress=progress_printer())
    print(summary.describe())
    return 0
