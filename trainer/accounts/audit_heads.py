"""The audit trail's head, anchored outside the database.

Deleting the newest events (or the whole trail, with the settings that name the
last backup) leaves a chain that still verifies. So every append also writes the
chain's head into a small 0600 file beside the audit key, one entry per database:
`audit.verify` then finds a cut tail with no manifest at hand. An attacker who can
edit the database but not this file (another machine, another account) cannot hide
a truncation. The head is anchored when the transaction that appended commits
(`audit.record_many` registers it with peewee's after_commit), so deleting even the
very last event is found. Appends from several processes anchor under a file lock,
so a slower process never writes an older head over a newer one.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from db.connection import database
from trainer.errors import TrainerError
from trainer.text import read_small

HEADS_ENV = "TRAINER_AUDIT_HEADS"
MAX_ANCHORED = 200  # databases remembered per file
MAX_BYTES = 1024 * 1024  # 200 heads take about 30 kB


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
        data = json.loads(read_small(path, MAX_BYTES, "heads file").decode("utf-8"))
    except (TrainerError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def anchor(head_id: int, chain: str, *, force: bool = False) -> None:
    """Record this database's latest known head, never moving it backwards except `force`
    (a restore, which rewinds the trail on purpose)."""
    path = heads_path()
    if path.exists() and not path.is_file():
        return  # TRAINER_AUDIT_HEADS at a device or a folder: never replace it, nor put a lock beside it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    except OSError:
        return  # a read-only config directory: the manifest check still stands
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # read, compare and replace as one step across processes
        _write_head(path, head_id, chain, force)
    finally:
        os.close(lock_fd)


def _write_head(path: Path, head_id: int, chain: str, force: bool) -> None:
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
