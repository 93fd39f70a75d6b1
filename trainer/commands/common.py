"""What every command needs: the database, the acting user, passwords, output."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from trainer.accounts.access import Actor
from trainer.errors import TrainerError

if TYPE_CHECKING:
    from trainer.setup import Opened

PROG = "trainer"


class UsageError(Exception):
    """Wrong arguments: argparse prints usage and exits 2."""


def connect(args: argparse.Namespace) -> Opened:
    from db.drivers import import_peewee_for

    import_peewee_for(args.db)  # before trainer.setup imports it: no PostgreSQL drivers for SQLite
    from trainer.setup import connect as open_db

    opened = open_db(args.db)
    if opened.backup:
        warn(f"upgraded the database; the previous version is kept at {opened.backup}")
    return opened


def warn(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr)


def password(prompt: str = "Password: ") -> str:
    env = os.environ.get("TRAINER_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        raise TrainerError("no password: set TRAINER_PASSWORD or run in a terminal")
    return getpass.getpass(prompt)


def actor(args: argparse.Namespace, *, allow_local_analyst: bool = False) -> Actor:
    """The authenticated --user; for aggregate reports on a local SQLite file, the local operator."""
    from trainer.accounts.users import authenticate
    from trainer.setup import local_file

    if args.user:
        return authenticate(args.user, password(f"Password for {args.user}: "))
    if allow_local_analyst and local_file():
        # Whoever can read the SQLite file can read all of it; aggregate
        # reports add nothing to that. A shared server requires --user.
        return Actor(user_id=None, username=getpass.getuser() or "local", role="analyst")
    raise TrainerError("this command acts as a user: give --user NAME")


def progress_printer() -> Callable[[str, int, int], None]:
    """A progress callback that draws on a terminal's stderr and stays silent in scripts."""
    tty = sys.stderr.isatty()

    def progress(step: str, done: int, total: int) -> None:
        if tty:
            print(f"\r{step}: {done:,}/{total:,}   ", end="", file=sys.stderr, flush=True)
            if done >= total:
                print(file=sys.stderr)

    return progress
