"""What every area of measurements gets: the databases, the scale, an actor, and a way to say
that the code it measures does not exist yet."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Context:
    scale: str  # "full" or "quick"
    url: str  # the benchmark database (read-only measurements)
    scratch_url: str | None  # a copy for the measurements that write
    python: str  # this interpreter (children run the same one)

    @property
    def quick(self) -> bool:
        return self.scale != "full"

    def runs(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def as_dict(self) -> dict:
        return asdict(self)


def missing(*wanted: str) -> str | None:
    """ "module" or "module:attribute" names; the first that does not exist, as the table says it.
    A module that exists but fails to import is a real failure and raises."""
    for name in wanted:
        module, _, attr = name.partition(":")
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return f"{module.replace('.', '/')}.py missing"
        if attr and not hasattr(importlib.import_module(module), attr):
            return f"{module}.{attr} missing"
    return None


def bind(url: str) -> None:
    """Open the database in this process as the app does (migrations already applied)."""
    from trainer.setup import connect

    connect(url)


def actor(role: str = "admin"):
    """The demo's user of that role (demo users are named after their role), as a one-shot CLI
    command acts: no sign-in session to check on every call."""
    from db import models
    from db.connection import database
    from trainer.accounts.access import Actor

    with database.connection_context():
        user = models.User.get(models.User.username == role)
        centres = frozenset(
            c
            for (c,) in models.UserCentre.select(models.UserCentre.centre)
            .where(models.UserCentre.user == user.id)
            .tuples()
        )
    return Actor(user_id=user.id, username=user.username, role=user.role, centre_ids=centres)
