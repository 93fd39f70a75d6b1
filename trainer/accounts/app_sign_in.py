"""The app's sign-in while a long import holds SQLite's write lock.

The app's sign-in opens a session row (the idle lock and "who is signed in" rely on it), so
it must write. With the lock held for a whole import, it used to wait SQLite's 10 s and then
refuse "busy". Instead it signs in as a command does (trainer/accounts/sign_in_ledger.py):
the attempt counted in the ledger, the password checked at once, so a wrong one is told at
once and the throttle holds. Then `waiting` tells the user plainly that an import is
running and the session opens as soon as it ends; the session row is written by the first
transaction that gets the lock, which also replays the ledger (every writer does).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from peewee import OperationalError

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit, sign_in_ledger, users
from trainer.accounts.access import Actor

RETRY_EVERY = 1.0  # seconds each try at the write lock waits, while an import holds it


def _busy(exc: OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def sign_in(username: str, password: str, *, session: str = "tui", waiting: Callable[[], None] | None = None) -> Actor:
    """A signed-in actor with an open session; `waiting()` is called once if an import holds the lock."""
    path = sign_in_ledger.ledger_path()
    if path is None:  # PostgreSQL locks rows: nothing to wait for
        return users.authenticate(username, password, session=session)
    with database.connection_context():
        try:
            with dialect().lock_wait(sign_in_ledger.TRY_WRITE_FOR):
                return users.authenticate(username, password, session=session)
        except OperationalError as exc:
            if not _busy(exc):
                raise
    actor = sign_in_ledger.sign_in(username, password)  # counted and checked now; refusals raise here
    if waiting is not None:
        waiting()
    return open_session(actor, session)


def open_session(actor: Actor, client: str) -> Actor:
    """The session row, written as soon as the write lock is free (with the ledger's replay)."""
    while True:
        with database.connection_context():
            try:
                with dialect().lock_wait(RETRY_EVERY), database.atomic():
                    S = models.UserSession
                    session_id = S.insert(user=actor.user_id, client=client[:64], started_at=users.clock()).execute()
                    audit.record(actor, "session-open", "user", "", client=client, after_import=True)
                    return dataclasses.replace(actor, session_id=int(session_id))
            except OperationalError as exc:
                if not _busy(exc):
                    raise
        time.sleep(0.05)
