"""trainer serve [--host H] [--port P]: the same app in a browser (textual-serve).

Each browser session gets its own app process (`trainer tui` under Textual's web
driver), which signs in with its own account like a terminal does. The server
binds to 127.0.0.1 unless told otherwise; on any other address it says that
it needs a TLS proxy in front, because textual-serve speaks plain HTTP and
WebSocket and passwords would cross the network readable. docs/serve.md.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys

from trainer.commands.common import PROG, UsageError, connect, whole

LOCAL = ("127.0.0.1", "localhost", "::1")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the app in a browser (one app process per browser session)",
        description="Serve the terminal app to web browsers. Each browser session runs its own app "
        "and signs in with its own account. Binds to 127.0.0.1 unless --host says otherwise; "
        "any other address needs a TLS proxy in front.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=whole(1, 65_535), default=8000, help="port (default 8000)")
    serve.add_argument(
        "--public-url", metavar="URL", help="the address browsers use, when a proxy stands in front (https://…)"
    )
    serve.set_defaults(handler=cmd_serve)


def is_local(host: str) -> bool:
    if host in LOCAL:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_command() -> str:
    """What each browser session runs: this Python, this package, the database named by the environment."""
    return f"{shlex.quote(sys.executable)} -m trainer.cli tui"


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: a port is a number from 1 to 65535")
    opened = connect(args)  # refuses a missing or unreadable database here, not in every browser tab
    try:
        from textual_serve.server import Server
    except ImportError:
        from trainer.errors import TrainerError

        raise TrainerError("the browser server needs textual-serve: pip install textual-serve") from None
    # The sessions find the database through the environment, never on a command line
    # that any local user could read with ps (a PostgreSQL URL may carry a password).
    os.environ["TRAINER_DATABASE_URL"] = opened.url
    os.environ.pop("TRAINER_PASSWORD", None)  # each browser session signs in for itself
    if not is_local(args.host):
        print(
            f"{PROG}: serving on {args.host}: textual-serve speaks plain HTTP, so put a TLS proxy in front "
            "(and give --public-url https://…) before anyone signs in from another machine",
            file=sys.stderr,
        )
    public_url = args.public_url or f"http://{'127.0.0.1' if args.host in LOCAL else args.host}:{args.port}"
    print(f"serving the app at {public_url} (Ctrl+C stops)", flush=True)
    server = Server(session_command(), host=args.host, port=args.port, title="trainer", public_url=public_url)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        from trainer.errors import TrainerError

        raise TrainerError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0
