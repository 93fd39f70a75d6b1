"""What every command needs: the database, the acting user, passwords, output."""

from __future__ import annotations

import contextlib
import getpass
import glob
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.accounts.access import Actor
from trainer.errors import TrainerError
from trainer.text import printable, valid_text

if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace

    from trainer.setup import Opened

    # What a command's handler is given: argparse's answer, or for the app's own start
    # (`trainer [--db URL] [--user NAME] [tui]`) trainer.cli.app_start's, read without argparse.
    Arguments = argparse.Namespace | SimpleNamespace

PROG = "trainer"


class UsageError(Exception):
    """Wrong arguments: argparse prints usage and exits 2."""


# Only these may create a database that does not exist yet (restore: a lost one is the reason to restore).
CREATING_COMMANDS = frozenset({"init", "demo", "tui", "restore"})


def connect(args: Arguments) -> Opened:
    from db.drivers import import_peewee_for

    import_peewee_for(args.db)  # before trainer.setup imports it: no PostgreSQL drivers for SQLite
    from trainer.encryption import is_encrypted
    from trainer.setup import connect as open_db

    create = getattr(args, "command", None) in CREATING_COMMANDS
    if is_encrypted(args.db):
        opened = _unlock_and_open(args, create)
    else:
        opened = open_db(args.db, create=create)
    if opened.backup:
        warn(f"upgraded the database; the previous version is kept at {opened.backup}")
    return opened


def connect_for_app(args: Arguments) -> tuple[str, int | None]:
    """The app's database URL, opened, and how many users it has, before the app starts: the
    way of `trainer --user NAME`, whose password (asked at the terminal) may have to unlock an
    encrypted file first. An encrypted one without --user is left closed (None users): nothing
    of it can be read before a sign-in unwraps its key, so the app's sign-in screen opens it."""
    from db.drivers import import_peewee_for

    import_peewee_for(args.db)  # before trainer.encryption imports peewee (db.connection): no psycopg
    from trainer.encryption import is_encrypted

    if is_encrypted(args.db) and not args.user:
        from db.connection import resolve_url

        return resolve_url(args.db), None
    url = connect(args).url
    from trainer.accounts.users import count_users

    return url, count_users()


@dataclass(frozen=True)
class AppStart:
    """What the app learns from opening its database after its first screen is drawn."""

    users: int  # an encrypted file not yet unlocked counts as having users: its sign-in opens it
    backup: Path | None  # the schema was upgraded: the previous version's copy


def open_for_app(db: str | None) -> AppStart:
    """Open the app's database (made if missing, upgraded if older) and count its users; run by
    the app in a worker once its first screen is drawn (docs/speed.md). Refuses as connect()
    does: TrainerError, one line."""
    from db.drivers import import_peewee_for

    import_peewee_for(db)  # before trainer.encryption imports peewee (db.connection): no psycopg
    from trainer.encryption import is_encrypted

    if is_encrypted(db):
        return AppStart(users=1, backup=None)
    from trainer.accounts.users import count_users
    from trainer.setup import connect as open_db

    opened = open_db(db, create=True)
    return AppStart(users=count_users(), backup=opened.backup)


@dataclass(frozen=True)
class AppOpening:
    """How the app opens its database once its first screen is drawn (docs/speed.md)."""

    url: str
    open: Callable[[], AppStart]
    new_file: bool  # an SQLite file not made yet: the first screen is first run, not sign-in
    local_file: bool  # an SQLite file (first run offers to encrypt it), not a server


def app_opening(db: str | None) -> AppOpening:
    """What the app needs to draw its first screen, read from the URL alone (no peewee)."""
    from functools import partial

    from db.urls import is_local_file, not_made_yet, resolve_url

    url = resolve_url(db)
    return AppOpening(url, partial(open_for_app, db), new_file=not_made_yet(url), local_file=is_local_file(url))


def _unlock_and_open(args: Arguments, create: bool) -> Opened:
    """An encrypted database: --user's password unwraps the key before anything is read
    (trainer/encryption.py); actor() then signs in with the same password, asked once."""
    from trainer.accounts.sealing import Locked
    from trainer.encryption import connect_signed_in

    if not args.user:
        raise TrainerError("this database is encrypted: give --user NAME (password from TRAINER_PASSWORD)")
    args.password = password(f"Password for {args.user}: ")
    try:
        return connect_signed_in(args.db, args.user, args.password, create=create)
    except Locked as exc:
        raise TrainerError(str(exc)) from None


def warn(text: str) -> None:
    print(f"{PROG}: {printable(text)}", file=sys.stderr)


def password(prompt: str = "Password: ") -> str:
    env = os.environ.get("TRAINER_PASSWORD")
    if env:
        if not valid_text(env):
            raise TrainerError("TRAINER_PASSWORD is not valid UTF-8")
        return env
    if not sys.stdin.isatty():
        raise TrainerError("no password: set TRAINER_PASSWORD or run in a terminal")
    return getpass.getpass(prompt)


def actor(args: argparse.Namespace, *, allow_local_analyst: bool = False) -> Actor:
    """The authenticated --user; for aggregate reports on a local SQLite file, the local operator."""
    from trainer.accounts.sign_in_ledger import sign_in
    from trainer.setup import local_file

    if args.user:
        given = getattr(args, "password", None) or password(f"Password for {args.user}: ")
        args.password = given  # asked once per command (an encrypted site asked it to unlock)
        # Not users.authenticate: a command that only reads still signs in while an import
        # holds SQLite's write lock (trainer/accounts/sign_in_ledger.py).
        return sign_in(args.user, given)
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


def whole(low: int, high: int) -> Callable[[str], int]:
    """argparse type: a whole number from `low` to `high` (a database integer takes no more)."""
    import argparse

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number from {low:,} to {high:,}")
        return value

    return parse


def count(text: str) -> int:
    """argparse type for --limit and the like: a whole number from 1 to a million."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 1 to 1,000,000")
    return value


@contextlib.contextmanager
def staged(path: str | Path, *, stream_ok: bool = True) -> Iterator[Path]:
    """Write a command's output file whole or not at all.

    Yields a temporary name beside `path`, renamed over it only when the block
    ends without an error; on any error (a full disk, a refusal, Ctrl-C) the
    temporary file is removed and `path` is as it was. A device or pipe
    (/dev/stdout, /dev/full) is written directly: renaming over it would replace it;
    a format that must seek (XLSX, PDF) refuses one (`stream_ok` false).
    """
    final = Path(path)
    if final.exists() and not final.is_file():
        if final.is_dir():
            raise TrainerError(f"{final} is a directory: give a file name")
        if not stream_ok:
            raise TrainerError(f"{final} is not a regular file: give a file name for this format")
        yield final
        return
    folder = final.parent
    if not folder.is_dir():
        raise TrainerError(f"cannot write {final}: no folder {folder}")
    # The temporary name keeps the file's ending (formats are checked by it).
    import tempfile  # here: it imports shutil, lzma, bz2 (ms at every start of the CLI)

    fd, name = tempfile.mkstemp(prefix=f".{final.stem[:80]}.", suffix=f".partial{final.suffix[:16]}", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # companions written beside it (a report's NAME-metadata.json) follow it to its name
        for companion in folder.glob(glob.escape(tmp.name) + "?*"):
            os.replace(companion, folder / (final.name + companion.name[len(tmp.name) :]))
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
        for companion in folder.glob(glob.escape(tmp.name) + "?*"):
            companion.unlink(missing_ok=True)


def after_command() -> None:
    """Whatever a command's sign-in left in the ledger (the database was busy) goes into the
    database now if its lock is free; otherwise the next writer takes it."""
    from db.connection import database

    if database.obj is None:
        return
    from trainer.accounts.sign_in_ledger import flush

    try:
        flush()
    except Exception:  # noqa: BLE001  never a reason to fail a command that has done its work
        pass
