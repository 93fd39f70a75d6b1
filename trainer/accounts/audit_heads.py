"""The audit trail's head, anchored outside the database.

Deleting the newest events (or the whole trail, with the settings that name the
last backup) leaves a chain that still verifies. So every append also writes the
chain's head into a small 0600 file beside the audit key, one entry per database:
`audit.verify` then finds a cut tail with no manifest at hand. An attacker who can
edit the database but not this file (another machine, another account) cannot hide
a truncation. Writers are serialised, so the head an append reads before adding
its own events is committed: that is the one anchored (this append's own head is
anchored by the next).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from db.connection import database

HEADS_ENV = "TRAINER_AUDIT_HEADS"
MAX_ANCHORED = 200  # databases remembered per file


def heads_path() -> Path:
    env = os.environ.get(HEADS_ENV)
    if env:
        return Path(env)
    from trainer.accounts.audit import key_path

    return key_path().with_name("audit-heads.json")


def _trail_name() -> str:
    """Which database: a server's host, port and name, or a file's full path."""
    db = database.obj
    params = getattr(db, "connect_params", None) or {}
    if "host" in params or "port" in params:
        return f"postgresql://{params.get('host', '')}:{params.get('port', '')}/{db.database}"
    return str(Path(db.database).resolve())


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def anchor(head_id: int, chain: str, *, force: bool = False) -> None:
    """Record this database's latest known head, never moving it backwards except `force`
    (a restore, which rewinds the trail on purpose)."""
    path = heads_path()
    try:
        heads = _read(path)
        name = _trail_name()
        old = heads.get(name)
        if not force and isinstance(old, dict) and isinstance(old.get("id"), int) and old["id"] >= head_id:
            return
        heads.pop(name, None)
        heads[name] = {"id": head_id, "chain": chain}
        while len(heads) > MAX_ANCHORED:
            heads.pop(next(iter(heads)))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(heads, indent=1))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only config directory: the manifest check still stands


def anchored() -> tuple[int, str] | None:
    """(id, chain) of the head last anchored for this database, or None."""
    found = _read(heads_path()).get(_trail_name())
    try:
        return (int(found["id"]), str(found["chain"])) if found else None
    except (KeyError, TypeError, ValueError):
        return None
