"""Sign-in as an attacker tries it (issue 14): 24 guesses at once, probing which names exist,
passwords typed in another Unicode form, look-alike usernames. Both databases."""

from __future__ import annotations

import datetime
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher

from db import models
from db.connection import database
from trainer.accounts import users
from trainer.errors import PermissionDenied, ValidationFailed

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """24 Argon2 checks at 64 MiB each at once would need 1.5 GB: the same code, a cheaper profile."""
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "test-key-0123456789abcdef0123456789")
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    checks = []
    real = users._verify

    def counted(password_hash, password):
        checks.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(users, "_verify", counted)
    import functools

    monkeypatch.setattr(users, "_decoy_hash", functools.lru_cache(maxsize=1)(lambda: users.hasher.hash("decoy")))
    return checks


@pytest.fixture
def clock(monkeypatch):
    now = [datetime.datetime(2026, 3, 1, 8, 0, 0)]
    monkeypatch.setattr(users, "clock", lambda: now[0])
    return now


def _attempt(barrier, password):
    barrier.wait()
    try:
        users.authenticate("boss", password)
        return "in"
    except users.AccountLocked as exc:
        return f"locked: {exc}"
    except PermissionDenied as exc:
        return f"refused: {exc}"
    finally:
        if not database.obj.is_closed():
            database.obj.close()


@pytest.mark.parametrize("right_at", [None, 0, 11, 23])
def test_24_guesses_at_once_get_no_more_checks_than_the_limit(db_url, cheap_hashes, right_at):
    users.create_user(None, "boss", "admin", PASSWORD)
    cheap_hashes.clear()
    guesses = [f"wrong guess {i}" for i in range(24)]
    if right_at is not None:  # the owner signs in among the guesses: early, in the middle, late
        guesses[right_at] = PASSWORD
    barrier = threading.Barrier(len(guesses))
    with ThreadPoolExecutor(len(guesses)) as pool:
        outcomes = list(pool.map(lambda p: _attempt(barrier, p), guesses))
    # Every attempt is counted before its password is checked, in one transaction: once
    # SLOW_AFTER attempts have been counted the rest find the lock and are refused unchecked.
    # A correct password resets the count (it is the owner), so at most one more window follows it.
    windows = 2 if PASSWORD in cheap_hashes else 1
    assert len(cheap_hashes) <= windows * users.SLOW_AFTER < users.LOCK_AFTER + 1
    assert sum(o.startswith("locked: too many failed sign-ins") for o in outcomes) >= 24 - len(cheap_hashes)
    signed_in = outcomes.count("in")
    assert signed_in == (1 if PASSWORD in cheap_hashes else 0)
    with database.connection_context():
        user = models.User.get(models.User.username == "boss")
        checked_events = (
            models.AuditEvent.select()
            .where(models.AuditEvent.action.in_(("login", "login-failed")) & (models.AuditEvent.username == "boss"))
            .count()
        )
    assert checked_events == len(cheap_hashes)
    assert user.failed_logins <= users.SLOW_AFTER


def test_unknown_names_get_the_same_answers_and_the_same_work(db_url, cheap_hashes, clock):
    users.create_user(None, "boss", "admin", PASSWORD)

    def probe(name):
        answers = []
        for step in range(users.LOCK_AFTER + 2):
            before = len(cheap_hashes)
            try:
                users.authenticate(name, "not it")
            except PermissionDenied as exc:
                answers.append((str(exc), len(cheap_hashes) - before))
            clock[0] += datetime.timedelta(seconds=20 if step < users.LOCK_AFTER else 0)
        clock[0] += datetime.timedelta(hours=1)
        return answers

    known, unknown = probe("boss"), probe("nobody-here")
    assert known == unknown
    said = [a for a, _ in known]
    assert any("wait 2 s" in a for a in said) and any("locked for 15 minutes" in a for a in said)
    assert said[-1].startswith("account locked: try again in")
    assert [checks for _, checks in known] == [1] * users.LOCK_AFTER + [0, 0]  # one hash check, or none when locked
    with database.connection_context():
        assert models.LoginThrottle.select().count() == 1  # keyed by a fingerprint, never the name
        assert "nobody" not in models.LoginThrottle.get().name_key


def test_passwords_are_compared_after_nfkc(db_url):
    composed = "pässwörd ١٢٣٤"  # NFC, Arabic-Indic digits
    users.create_user(None, "boss", "admin", composed)
    assert users.authenticate("boss", unicodedata.normalize("NFD", composed)).username == "boss"
    assert users.authenticate("boss", "pässwörd 1234").username == "boss"
    with pytest.raises(PermissionDenied):
        users.authenticate("boss", "passwords 1234")


def test_hashes_made_before_normalisation_still_verify_and_are_renewed(db_url):
    decomposed = unicodedata.normalize("NFD", "pässwörd-legacy")
    users.create_user(None, "boss", "admin", "placeholder-1")
    legacy = users.hasher.hash(decomposed)  # what the old code stored: the text as typed
    with database.connection_context():
        models.User.update(password_hash=legacy).execute()
    assert users.authenticate("boss", decomposed).username == "boss"
    with database.connection_context():
        renewed = models.User.get().password_hash
    assert renewed != legacy
    assert users.authenticate("boss", unicodedata.normalize("NFC", decomposed)).username == "boss"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("аdmin", "mixes scripts"),  # Cyrillic а
        ("ａｄｍｉｎ", "plain letters"),  # full-width
        ("асе", "looks like"),  # all Cyrillic, imitating "ace"
        ("ACE", "looks like"),
    ],
)
def test_look_alike_usernames_are_refused(db_url, name, reason):
    users.create_user(None, "ace", "admin", PASSWORD)
    from trainer.accounts.access import SYSTEM

    with pytest.raises(ValidationFailed, match=reason):
        users.create_user(SYSTEM, name, "analyst", PASSWORD)
    assert users.create_user(SYSTEM, "علي_1", "analyst", PASSWORD).username == "علي_1"
