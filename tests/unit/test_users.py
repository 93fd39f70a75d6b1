"""Accounts: Argon2id parameters, rehash on sign-in, throttling and lockout (injected clock), disabling."""

from __future__ import annotations

import datetime
import json

import pytest
from argon2 import PasswordHasher, extract_parameters

from db import models
from db.connection import database
from trainer.accounts import users
from trainer.accounts.access import SYSTEM, SessionEnded, require
from trainer.errors import PermissionDenied, ValidationFailed

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def audit_key(monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "test-key-0123456789abcdef0123456789")


class Clock:
    def __init__(self):
        self.now = datetime.datetime(2025, 3, 1, 8, 0, 0)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(users, "clock", c)
    return c


def stored_hash(username: str) -> str:
    with database.connection_context():
        return models.User.get(models.User.username == username).password_hash


def audit_texts() -> list[str]:
    with database.connection_context():
        return [
            f"{e.action} {e.username} {e.detail}" for e in models.AuditEvent.select().order_by(models.AuditEvent.id)
        ]


def test_hashes_are_argon2id_at_or_above_owasp_minimum(db_url):
    users.create_user(None, "boss", "admin", PASSWORD)
    params = extract_parameters(stored_hash("boss"))
    assert stored_hash("boss").startswith("$argon2id$v=19$")
    assert params.memory_cost >= users.OWASP_MIN["memory_cost"] == 19 * 1024
    assert params.time_cost >= users.OWASP_MIN["time_cost"]
    assert params.parallelism >= users.OWASP_MIN["parallelism"]
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)


def test_sign_in_rehashes_a_hash_made_with_older_parameters(db_url):
    users.create_user(None, "boss", "admin", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with database.connection_context():
        models.User.update(password_hash=weak).execute()
    users.authenticate("boss", PASSWORD)
    renewed = stored_hash("boss")
    assert renewed != weak and extract_parameters(renewed).memory_cost == 65536
    users.authenticate("boss", PASSWORD)  # current parameters: left alone
    assert stored_hash("boss") == renewed
    logins = [t for t in audit_texts() if t.startswith("login boss")]
    assert '"rehashed": true' in logins[0] and '"rehashed": false' in logins[1]


def test_failures_slow_down_then_lock_and_a_success_resets(db_url, clock):
    users.create_user(None, "boss", "admin", PASSWORD)
    for _ in range(users.SLOW_AFTER - 1):  # the first failures cost nothing
        with pytest.raises(PermissionDenied, match="unknown user or wrong password"):
            users.authenticate("boss", "wrong password")
    with pytest.raises(users.AccountLocked, match="wait 2 s"):
        users.authenticate("boss", "wrong password")  # failure 3
    clock.advance(seconds=1)
    # While waiting even the right password is refused, unchecked and uncounted.
    with pytest.raises(users.AccountLocked, match="try again in 1 s"):
        users.authenticate("boss", PASSWORD)
    clock.advance(seconds=1)
    with pytest.raises(users.AccountLocked, match="wait 4 s"):
        users.authenticate("boss", "wrong password")  # failure 4
    clock.advance(seconds=4)
    with pytest.raises(users.AccountLocked, match="wait 8 s"):
        users.authenticate("boss", "wrong password")  # failure 5
    clock.advance(seconds=8)
    with pytest.raises(users.AccountLocked, match="locked for 15 minutes"):
        users.authenticate("boss", "wrong password")  # failure 6: locked
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(users.AccountLocked, match="account locked: try again in 1 s"):
        users.authenticate("boss", PASSWORD)
    clock.advance(seconds=1)
    actor = users.authenticate("boss", PASSWORD)
    assert actor.username == "boss"
    with database.connection_context():
        user = models.User.get(models.User.username == "boss")
    assert (user.failed_logins, user.locked_until) == (0, None)
    with pytest.raises(PermissionDenied, match="unknown user or wrong password"):
        users.authenticate("boss", "wrong password")  # counting starts again from zero


def test_unknown_user_and_wrong_password_read_the_same_and_no_password_is_audited(db_url, clock):
    users.create_user(None, "boss", "admin", PASSWORD)
    with pytest.raises(PermissionDenied) as unknown:
        users.authenticate("correct horse battery", "x")  # a password typed into the name box
    with pytest.raises(PermissionDenied) as wrong:
        users.authenticate("boss", "hunter2-secret")
    assert str(unknown.value) == str(wrong.value)
    text = "\n".join(audit_texts())
    assert "login-failed system" in text and "login-failed boss" in text
    assert "correct horse" not in text and "hunter2" not in text and "$argon2" not in text


def test_disabling_ends_open_sessions_and_refuses_sign_in(db_url):
    boss = users.create_user(None, "boss", "admin", PASSWORD)
    clerk = users.create_user(SYSTEM, "clerk", "instructor", PASSWORD)
    admin = users.authenticate("boss", PASSWORD, session="tui")
    running = users.authenticate("clerk", PASSWORD, session="tui")
    require(running, "course.read")  # the session is open
    assert users.session_open(running)
    view = users.set_disabled(admin, clerk.id, True)
    assert view.disabled and view.open_sessions == 0
    assert not users.session_open(running)
    with pytest.raises(SessionEnded, match="your account was disabled"):
        require(running, "course.read")
    with pytest.raises(PermissionDenied, match="disabled"):
        users.authenticate("clerk", PASSWORD)
    with pytest.raises(PermissionDenied):
        users.unlock(running, PASSWORD)
    users.set_disabled(admin, clerk.id, False)
    assert users.authenticate("clerk", PASSWORD).role == "instructor"
    with pytest.raises(ValidationFailed, match="last active admin"):
        users.set_disabled(admin, boss.id, True)


def test_changing_a_role_ends_sessions_and_only_admins_manage(db_url):
    with database.connection_context():
        province = models.Province.get()
        models.Centre.create(code="MOSUL", name_en="Mosul", province=province)
    users.create_user(None, "boss", "admin", PASSWORD)
    clerk = users.create_user(SYSTEM, "clerk", "registrar", PASSWORD, ("MOSUL",))
    assert clerk.centres == ("MOSUL",)
    running = users.authenticate("clerk", PASSWORD, session="tui")
    assert running.centre_ids
    with pytest.raises(PermissionDenied):
        users.set_role(running, clerk.id, "admin")
    with pytest.raises(ValidationFailed, match="registrar works at one centre"):
        users.set_role(SYSTEM, clerk.id, "registrar", ())
    users.set_role(SYSTEM, clerk.id, "analyst", ())
    with pytest.raises(SessionEnded, match="role or centres were changed"):
        require(running, "report.run")
    assert users.authenticate("clerk", PASSWORD).role == "analyst"
    with database.connection_context():
        change = models.AuditEvent.select().where(models.AuditEvent.action == "update").get()
    assert json.loads(change.detail)["after"] == {"role": "analyst", "centres": []}


def test_idle_unlock_checks_the_same_password_with_the_same_throttle(db_url, clock):
    users.create_user(None, "boss", "admin", PASSWORD)
    actor = users.authenticate("boss", PASSWORD, session="tui")
    assert users.unlock(actor, PASSWORD) == actor
    for _ in range(users.SLOW_AFTER - 1):
        with pytest.raises(PermissionDenied):
            users.unlock(actor, "nope nope")
    with pytest.raises(users.AccountLocked):
        users.unlock(actor, "nope nope")
    clock.advance(seconds=2)
    assert users.unlock(actor, PASSWORD) == actor
    users.sign_out(actor)
    with pytest.raises(SessionEnded):
        users.unlock(actor, PASSWORD)
