"""Signing in while another program holds SQLite's write lock (issue 14): the ledger beside the database.

A holder connection keeps the lock as a long import would. Sign-ins still answer at once,
the throttle still counts atomically (twelve guesses at once: three password checks), and
the next writer of the database replays the ledger: counts, last_login, audit events.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading

import pytest

from db import models
from db.connection import database
from trainer.accounts import audit, sign_in_ledger, users
from trainer.accounts.access import SYSTEM
from trainer.errors import PermissionDenied
from trainer.setup import connect

PASSWORD = "correct horse"
NOW = datetime.datetime(2026, 12, 1, 9, 0, 0)


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "ledger-test-key-0123456789abcdef0123456789")
    monkeypatch.setattr(sign_in_ledger, "TRY_WRITE_FOR", 0.2)
    clock = [NOW]
    monkeypatch.setattr(users, "clock", lambda: clock[0])
    db = tmp_path / "site.db"
    connect(f"sqlite:///{db}")
    users.create_user(None, "admin", "admin", PASSWORD)
    admin = users.authenticate("admin", PASSWORD)
    users.create_user(admin, "clerk", "registrar", PASSWORD, ())
    yield db, clock
    database.obj.close()


class Held:
    """Another program's long write transaction (an import), released on exit."""

    def __init__(self, db):
        self.conn = sqlite3.connect(str(db), isolation_level=None)

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
        return self

    def __exit__(self, *exc):
        self.conn.execute("ROLLBACK")
        self.conn.close()


def events(action=None):
    E = models.AuditEvent
    with database.connection_context():
        query = E.select().order_by(E.id)
        return [e for e in query if action is None or e.action == action]


def test_a_sign_in_while_the_database_is_held_answers_and_is_written_later(site):
    db, clock = site
    with Held(db):
        actor = sign_in_ledger.sign_in("clerk", PASSWORD)
        assert actor.username == "clerk" and actor.role == "registrar"
        assert sign_in_ledger.waiting()
    assert not [e for e in events("login") if "while_busy" in e.detail]
    with database.connection_context(), database.atomic():  # any writer replays the ledger
        audit.record(SYSTEM, "update", "setting", "x")
    (queued,) = [e for e in events("login") if "while_busy" in e.detail]
    assert queued.username == "clerk" and queued.at == NOW
    with database.connection_context():
        assert models.User.get(models.User.username == "clerk").last_login == NOW
    assert not sign_in_ledger.waiting() and audit.verify().ok


def test_twelve_guesses_at_once_while_held_check_three_passwords_and_lock_the_account(site, monkeypatch):
    db, clock = site
    checked = []
    real_verify = users._verify

    def counting(password_hash, password):
        checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(users, "_verify", counting)
    answers = []

    def guess(n):
        try:
            sign_in_ledger.sign_in("clerk", f"wrong guess {n}")
        except PermissionDenied as exc:
            answers.append(str(exc))

    with Held(db):
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(answers) == 12
        assert len(checked) == users.SLOW_AFTER  # counted before checking: the rest were refused unchecked
        with pytest.raises(users.AccountLocked):
            sign_in_ledger.sign_in("clerk", PASSWORD)  # the right password, too soon: refused
    # The database's own sign-in sees the ledger's count (its first step replays the ledger).
    with pytest.raises(users.AccountLocked):
        users.authenticate("clerk", PASSWORD)
    clock[0] = NOW + datetime.timedelta(seconds=3)
    assert users.authenticate("clerk", PASSWORD).username == "clerk"
    failed = [e for e in events("login-failed") if "while_busy" in e.detail]
    refused = [e for e in events("login-refused") if "while_busy" in e.detail]
    assert len(failed) == users.SLOW_AFTER and len(refused) == 12 - users.SLOW_AFTER + 1
    assert audit.verify().ok


def test_while_held_an_unknown_name_gets_the_same_answer_and_a_disabled_account_is_refused(site):
    db, clock = site
    admin = users.authenticate("admin", PASSWORD)
    clerk = [u for u in users.list_users(admin) if u.username == "clerk"][0]
    users.set_disabled(admin, clerk.id, True)
    with Held(db):
        with pytest.raises(PermissionDenied) as unknown:
            sign_in_ledger.sign_in("nobody", "some password")
        with pytest.raises(PermissionDenied) as wrong:
            sign_in_ledger.sign_in("admin", "some password")
        assert str(unknown.value) == str(wrong.value) == "unknown user or wrong password"
        with pytest.raises(PermissionDenied, match="disabled"):
            sign_in_ledger.sign_in("clerk", PASSWORD)
    sign_in_ledger.flush()
    kinds = [(e.action, e.username) for e in events() if "while_busy" in e.detail]
    assert kinds == [("login-failed", "system"), ("login-failed", "admin"), ("login-refused", "clerk")]
    with database.connection_context():
        (throttle,) = models.LoginThrottle.select()
        assert throttle.failed_logins == 1
    assert audit.verify().ok


def test_an_attempt_still_being_checked_waits_and_one_left_by_a_dead_process_counts(site):
    db, clock = site
    path = sign_in_ledger.ledger_path()
    with Held(db):
        sign_in_ledger.sign_in("admin", PASSWORD)  # creates the ledger
    with sqlite3.connect(str(path)) as conn:
        admin_id = conn.execute("SELECT user_id, uuid FROM attempt").fetchone()
        for at in (models.now() - datetime.timedelta(minutes=5), models.now()):
            conn.execute(
                "INSERT INTO attempt (key, user_id, username, role, uuid, at, outcome) "
                "VALUES (?, ?, 'admin', 'admin', ?, ?, 'pending')",
                (f"user:{admin_id[0]}", admin_id[0], admin_id[1], at.isoformat()),
            )
    sign_in_ledger.flush()
    kinds = [(e.action, "not finished" in e.detail) for e in events() if "while_busy" in e.detail]
    assert kinds == [("login", False), ("login-failed", True)]  # the fresh one waits
    assert sign_in_ledger.waiting()
    with database.connection_context():
        assert models.User.get(models.User.username == "admin").failed_logins == 1


def test_postgres_and_memory_have_no_ledger(tmp_path):
    connect("sqlite:///:memory:")
    assert sign_in_ledger.ledger_path() is None
