"""PostgreSQL over the network: TLS, or an explicit permission to go without it.

A headquarters server keeps the data encrypted on its own disks; what crosses the network
is this module's business. libpq's `sslmode` passes through the URL
(`postgresql://u@host/db?sslmode=verify-full&sslrootcert=/path/ca.pem`) or PGSSLMODE. A
connection to another machine whose sslmode does not require TLS is refused, one line,
unless TRAINER_ALLOW_PLAIN=1 (the CLI's --allow-plain) says it is meant: a plain connection
sends every name and national ID in clear text. The local machine (a Unix socket,
localhost, 127.0.0.0/8, ::1) never leaves the host and is not refused.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

ALLOW_ENV = "TRAINER_ALLOW_PLAIN"
SECURE_MODES = frozenset({"require", "verify-ca", "verify-full"})


class PlainConnectionRefused(Exception):
    """A non-local PostgreSQL server without TLS required; the message is one line."""


def is_local(host: str | None) -> bool:
    if not host or host.startswith("/") or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check(params: dict[str, Any]) -> None:
    """Raise PlainConnectionRefused for a plain connection to another machine (unless allowed)."""
    host = params.get("host") or os.environ.get("PGHOST")
    mode = str(params.get("sslmode") or os.environ.get("PGSSLMODE") or "prefer").lower()
    if mode in SECURE_MODES or is_local(str(host) if host else None):
        return
    if os.environ.get(ALLOW_ENV) == "1":
        return
    raise PlainConnectionRefused(
        f"refusing a connection to {host} without TLS (sslmode={mode}): add ?sslmode=verify-full "
        f"(or require) to the URL, or --allow-plain / {ALLOW_ENV}=1 if the network is trusted"
    )
