"""The command line: the same services as the TUI, for scripts.

Exit codes: 0 done; 1 refused or failed (one line on stderr); 2 usage error.
Each area's commands live in trainer/commands/<area>.py and are discovered here.
"""

from __future__ import annotations

import gc
import os
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

from trainer.commands.common import PROG, UsageError, after_command
from trainer.errors import TrainerError, readable
from trainer.text import TerminalSafe, printable, valid_text

if TYPE_CHECKING:
    import argparse

    from trainer.commands.common import Arguments


def build_parser(*, app_only: bool = False) -> argparse.ArgumentParser:
    """The whole command line; with `app_only`, only `tui` (what opening the app needs)."""
    import argparse
    import importlib
    import pkgutil

    from trainer import commands

    p = argparse.ArgumentParser(prog=PROG, description="Training records of Iraqi security forces.")
    p.add_argument(
        "--db",
        metavar="URL",
        help="sqlite:///PATH or postgresql://USER@HOST:PORT/NAME "
        "(default: $TRAINER_DATABASE_URL, else a file in your data directory)",
    )
    p.add_argument(
        "--user",
        metavar="NAME",
        default=os.environ.get("TRAINER_USER"),
        help="act as this user (password from $TRAINER_PASSWORD or a prompt)",
    )
    p.add_argument(
        "--allow-plain",
        action="store_true",
        help="allow a PostgreSQL server on another machine without TLS (sslmode); the default refuses",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("tui", help="open the terminal app (the default)").set_defaults(handler=cmd_tui)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name != "common" and not app_only:
            importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
    return p


def cmd_tui(args: Arguments) -> int:
    from trainer.commands.common import app_opening, connect_for_app, warn

    # No cyclic garbage collection until the first screen is drawn (the app turns it back on):
    # the start allocates hundreds of thousands of long-lived objects (modules, classes, styles),
    # and the collections they set off walked them all again and again (docs/speed.md).
    gc.disable()
    if args.user:  # its password, asked here at the terminal, may have to unlock the file first
        url, users = connect_for_app(args)
        from screens.app import make_app  # the only place the core imports the UI

        app = make_app(url, users=users)
    else:
        # The first screen is drawn before the database is opened, in a worker (docs/speed.md):
        # sign-in, or first run for a file not made yet; a refusal is shown in the app.
        opening = app_opening(args.db)
        from screens.app import make_app

        app = make_app(opening.url, opening=opening)
    app.run()
    if app.upgrade_note:
        warn(app.upgrade_note)
    if app.open_error is not None:
        raise app.open_error  # the line the app showed, on stderr too; exit 1
    return 0


GLOBAL_OPTIONS = ("--db", "--user")


def opens_the_app(argv: list[str]) -> bool:
    """Only global options, then nothing or `tui`: the app's start, which need not import and
    register every other command (tens of ms of CPU before the first screen)."""
    rest = list(argv)
    while rest and (rest[0] in GLOBAL_OPTIONS or rest[0].startswith(tuple(o + "=" for o in GLOBAL_OPTIONS))):
        rest = rest[2:] if rest[0] in GLOBAL_OPTIONS else rest[1:]
    return rest in ([], ["tui"])


def app_start(argv: list[str]) -> SimpleNamespace | None:
    """`trainer [--db URL] [--user NAME] [tui]`, the app's own start, read without argparse: its
    import and the parser cost milliseconds before the first screen (docs/speed.md). None for
    anything else (an option's value that looks like an option, say), which argparse reads, and
    refuses, as ever."""
    given = {"--db": None, "--user": os.environ.get("TRAINER_USER")}
    rest = argv[:-1] if argv[-1:] == ["tui"] else list(argv)
    while rest:
        option, equals, value = rest.pop(0).partition("=")
        if option not in given:
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-") or not valid_text(value):
            return None
        given[option] = value
    return SimpleNamespace(db=given["--db"], user=given["--user"], allow_plain=False, command="tui", handler=cmd_tui)


def main(argv: list[str] | None = None) -> int:
    argv = list(argv if argv is not None else sys.argv[1:])
    args: Arguments | None = app_start(argv)
    if args is None:
        parser = build_parser(app_only=opens_the_app(argv))
        for arg in argv:
            if not valid_text(arg):
                parser.error(f"argument {printable(arg)!r} is not valid UTF-8 text")  # exits 2
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args([*argv, "tui"])
    if args.allow_plain:
        os.environ["TRAINER_ALLOW_PLAIN"] = "1"  # read by db/transport.py when the database opens
    stdout, sys.stdout = sys.stdout, TerminalSafe(sys.stdout)
    try:
        return args.handler(args) or 0
    except UsageError as exc:
        build_parser(app_only=opens_the_app(argv)).error(str(exc))  # exits 2
    except TrainerError as exc:
        fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        fail("interrupted")
        return 1
    except EOFError:  # Ctrl-D at a password or confirmation prompt
        fail("no answer (end of input): nothing changed")
        return 1
    except Exception as exc:  # noqa: BLE001  never a traceback: one line, exit 1
        fail(str(readable(exc)))
        return 1
    finally:
        sys.stdout = stdout
        after_command()


def fail(message: str) -> None:
    print(f"{PROG}: {printable(message.splitlines()[0] if message else 'failed')}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
