"""Accounts: Argon2id passwords, sign-in with throttling and lockout, sessions, administration.

Failed sign-ins slow down, then lock the account for a while: after
SLOW_AFTER failures in a row each further attempt must wait 2, 4, 8 … seconds;
at LOCK_AFTER failures the account locks for LOCK_MINUTES. A success resets the
count. Attempts made while waiting are refused without checking the password
and without counting, so a locked account cannot be brute-forced.

A signed-in app holds a UserSession (Actor.session_id). Disabling an account,
or changing its role or centres, ends its sessions; `require()` then refuses
that actor and the app asks the person to sign in again.

Every sign-in, failed sign-in and account change is an audit event. Passwords
are never written anywhere but as an Argon2id hash; a name typed at the user
prompt that matches no account is audited only as a fingerprint, since people
type their password into that box.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from peewee import Expression, Field

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit, sealing
from trainer.accounts.access import ROLES, SYSTEM, Actor, require
from trainer.accounts.passwords import MIN_PASSWORD as MIN_PASSWORD  # stated by screens before the database opens
from trainer.accounts.spelling import normal, skeleton
from trainer.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from argon2 import PasswordHasher

# RFC 9106's "second recommended" profile; OWASP's minimum for Argon2id is
# m=19 MiB, t=2, p=1. Raising these makes every older hash rehash at its next sign-in.
TIME_COST, MEMORY_KIB, PARALLELISM = 3, 64 * 1024, 4
OWASP_MIN = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
hasher: PasswordHasher | None = None  # made at the first password (_hasher): argon2 is not needed to start the app

SLOW_AFTER = 3
LOCK_AFTER = 6
LOCK_MINUTES = 15
_Counted = type[models.User] | type[models.LoginThrottle]  # what counts failed sign-ins

# The time source for throttling and lockout; tests replace it (never sleep).
clock = models.now


class AccountLocked(PermissionDenied):
    """Too many failed sign-ins: `until` says when the next attempt is accepted."""

    def __init__(self, message: str, until: datetime.datetime):
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: str
    disabled: bool
    display_name: str = ""
    centres: tuple[str, ...] = ()
    locked_until: datetime.datetime | None = None
    last_login: datetime.datetime | None = None
    open_sessions: int = 0
    uuid: str = ""


def _hasher() -> PasswordHasher:
    global hasher
    if hasher is None:
        from argon2 import PasswordHasher, Type

        hasher = PasswordHasher(
            time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM, hash_len=32, salt_len=16, type=Type.ID
        )
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(normal(password))


def _verify(password_hash: str, password: str) -> tuple[bool, bool]:
    """(matches, legacy): a hash written before normalisation matches the text as typed; it is
    rehashed (normalised) at that sign-in."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, normal(password)), False
    except (VerificationError, InvalidHashError):
        pass
    if normal(password) != password:
        try:
            return _hasher().verify(password_hash, password), True
        except (VerificationError, InvalidHashError):
            pass
    return False, False


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher().hash("no such user: compare anyway so timing reveals nothing")


def delay_after(failures: int) -> datetime.timedelta:
    """How long the next attempt must wait after this many failures in a row."""
    if failures < SLOW_AFTER:
        return datetime.timedelta(0)
    if failures < LOCK_AFTER:
        return datetime.timedelta(seconds=2 ** (failures - SLOW_AFTER + 1))
    return datetime.timedelta(minutes=LOCK_MINUTES)


def _wait_text(delta: datetime.timedelta) -> str:
    seconds = max(1, int(delta.total_seconds() + 0.999))
    if seconds < 90:
        return f"{seconds} s"
    return f"{(seconds + 59) // 60} minutes"


def count_users() -> int:
    with database.connection_context():
        return models.User.select().count()


def _problems(username: str, role: str, password: str | None) -> list[FieldProblem]:
    from confusable_homoglyphs import confusables  # as in skeleton()

    problems = []
    if not username or not username.replace("_", "").replace(".", "").isalnum() or len(username) > 64:
        problems.append(FieldProblem("username", "letters, digits, '.' and '_' only (at most 64)"))
    elif unicodedata.normalize("NFKC", username) != username:
        problems.append(FieldProblem("username", "write it in plain letters (no full-width or styled forms)"))
    elif confusables.is_mixed_script(username):
        problems.append(FieldProblem("username", "mixes scripts (e.g. a Cyrillic letter among Latin ones)"))
    if role not in ROLES:
        problems.append(FieldProblem("role", f"must be one of {', '.join(ROLES)}"))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", f"at least {MIN_PASSWORD} characters"))
    return problems


def _centres(codes: Iterable[str]) -> list[models.Centre]:
    codes = tuple(dict.fromkeys(c.strip() for c in codes if c.strip()))
    centres = list(models.Centre.select().where(models.Centre.code.in_(codes))) if codes else []
    missing = set(codes) - {c.code for c in centres}
    if missing:
        raise ValidationFailed([FieldProblem("centre", f"no centre {', '.join(sorted(missing))}")])
    return centres


def create_user(
    actor: Actor | None, username: str, role: str, password: str, centre_codes: tuple[str, ...] = ()
) -> UserView:
    """The first user of a database may be created without an actor (the bootstrap admin)."""
    username = username.strip()
    problems = _problems(username, role, password)
    if problems:
        raise ValidationFailed(problems)
    with database.connection_context(), database.atomic():
        if actor is None:
            if models.User.select().exists():
                raise PermissionDenied("users exist: act as an admin (--user) to add another")
            actor = SYSTEM
        require(actor, "user.manage")
        if models.User.select().where(models.User.username == username).exists():
            raise ValidationFailed([FieldProblem("username", f"{username!r} is taken")])
        mine = skeleton(username)
        for (other,) in models.User.select(models.User.username).tuples():
            if skeleton(other) == mine:
                raise ValidationFailed([FieldProblem("username", f"looks like the existing user {other!r}")])
        centres = _centres(centre_codes)
        user = models.User.create(
            username=username, display_name=username, role=role, password_hash=hash_password(password)
        )
        for centre in centres:
            models.UserCentre.create(user=user, centre=centre)
        audit.record(
            actor,
            "create",
            "user",
            user.uuid,
            after={"username": username, "role": role, "centres": [c.code for c in centres]},
        )
        sealing.password_set(username, password)  # an encrypted site: the new user's key wrap
        return _view(user)


def _view(user: models.User) -> UserView:
    UC, C, S = models.UserCentre, models.Centre, models.UserSession
    centres = tuple(
        code
        for (code,) in C.select(C.code)
        .join(UC, on=(UC.centre == C.id))
        .where(UC.user == user.id)
        .order_by(C.code)
        .tuples()
    )
    sessions = S.select().where((S.user == user.id) & S.ended_at.is_null()).count()
    return UserView(
        user.id,
        user.username,
        user.role,
        user.disabled,
        user.display_name,
        centres,
        user.locked_until,
        user.last_login,
        sessions,
        str(user.uuid),
    )


def _actor_for(user: models.User, session_id: int | None) -> Actor:
    centre_ids = frozenset(uc.centre_id for uc in models.UserCentre.select().where(models.UserCentre.user == user.id))
    return Actor(user.id, user.username, user.role, centre_ids, session_id)


def _as(user: models.User) -> Actor:
    """Sign-in events are attributed to the account they concern."""
    return Actor(user.id, user.username, user.role)


def _fingerprint(text: str) -> str:
    return hashlib.sha256(("trainer-username:" + text).encode("utf-8", "surrogatepass")).hexdigest()


def _reserve(
    model: _Counted, where: Expression, now: datetime.datetime, create: dict[str, Any] | None = None
) -> tuple[int, datetime.datetime | None]:
    """Count this attempt as a failure before the password is checked, atomically.

    (failures including this attempt, None) when the attempt may go on; (failures, until)
    when it is refused unchecked. The count and the lock it implies are committed in one
    short transaction (SQLite: IMMEDIATE, one writer; PostgreSQL: the row locked FOR
    UPDATE), so 24 guesses at once see each other: after SLOW_AFTER of them the rest find
    the lock and are refused without a hash check. A correct password then resets the count.
    """
    with database.atomic(), audit.caught_up():  # the sign-in ledger's counts first (sign_in_ledger.py)
        if create is not None:
            model.insert(**create).on_conflict_ignore().execute()
        query = dialect().for_update(model.select(model.failed_logins, model.locked_until).where(where))
        failures, until = query.tuples().get()
        if until is not None and until > now:
            return failures, until
        failures += 1
        delay = delay_after(failures)
        model.update(failed_logins=failures, locked_until=now + delay if delay else None).where(where).execute()
        return failures, None


def _refused(failures: int, until: datetime.datetime, now: datetime.datetime) -> AccountLocked:
    """The same words for a real account and for a name that matches none."""
    what = "account locked" if failures >= LOCK_AFTER else "too many failed sign-ins"
    return AccountLocked(f"{what}: try again in {_wait_text(until - now)}", until)


def _failed(failures: int, now: datetime.datetime) -> PermissionDenied:
    delay = delay_after(failures)
    if delay and failures >= LOCK_AFTER:
        return AccountLocked(f"unknown user or wrong password; locked for {LOCK_MINUTES} minutes", now + delay)
    if delay:
        return AccountLocked(
            f"unknown user or wrong password; wait {_wait_text(delay)} before trying again", now + delay
        )
    return PermissionDenied("unknown user or wrong password")


def _check_password(user: models.User, password: str, now: datetime.datetime) -> bool:
    """Throttle, verify, count failures (committed even though the caller refuses); True for a legacy hash."""
    U = models.User
    failures, until = _reserve(U, U.id == user.id, now)
    if until is not None:
        with database.atomic():
            audit.record(_as(user), "login-refused", "user", user.uuid, reason="locked", wait=_wait_text(until - now))
        raise _refused(failures, until, now)
    matches, legacy = _verify(user.password_hash, password)
    if not matches:
        with database.atomic():
            audit.record(_as(user), "login-failed", "user", user.uuid, reason="wrong password", failures=failures)
        raise _failed(failures, now)
    return legacy


def _unknown_name(username: str, password: str, now: datetime.datetime) -> PermissionDenied:
    """A name that matches no account: counted, locked, checked and answered as a real one is."""
    T = models.LoginThrottle
    key = _fingerprint(username)
    failures, until = _reserve(T, T.name_key == key, now, create={"name_key": key})
    with database.atomic():
        audit.record(SYSTEM, "login-failed", "user", "", reason="unknown user", name_fingerprint=key[:12])
    if until is not None:
        return _refused(failures, until, now)
    _verify(_decoy_hash(), password)
    return _failed(failures, now)


def authenticate(username: str, password: str, *, session: str | None = None) -> Actor:
    """The actor for a correct password. `session` (e.g. "tui") opens a UserSession for a running app.

    One message for an unknown user and a wrong password; a locked account says how long to wait.
    """
    now = clock()
    with database.connection_context():
        user = models.User.get_or_none(models.User.username == username.strip())
        if user is None:
            raise _unknown_name(username.strip(), password, now)
        legacy = _check_password(user, password, now)
        if user.disabled:
            with database.atomic():
                audit.record(_as(user), "login-refused", "user", user.uuid, reason="disabled")
            raise PermissionDenied("this account is disabled: ask an administrator")
        U = models.User
        with database.atomic():
            values: dict[Field[Any], object] = {U.failed_logins: 0, U.locked_until: None, U.last_login: now}
            if legacy or _hasher().check_needs_rehash(user.password_hash):
                values[U.password_hash] = hash_password(password)
            U.update(values).where(U.id == user.id).execute()
            session_id = None
            if session:
                session_id = models.UserSession.insert(user=user.id, client=session[:64], started_at=now).execute()
            audit.record(
                _as(user), "login", "user", user.uuid, client=session or "cli", rehashed=U.password_hash in values
            )
            return _actor_for(user, session_id)


def unlock(actor: Actor, password: str) -> Actor:
    """The idle lock: the same person proves it again; throttled and audited like a sign-in."""
    now = clock()
    with database.connection_context():
        user = models.User.get_or_none(models.User.id == actor.user_id)
        if user is None:
            raise NotFound("this account no longer exists")
        _check_password(user, password, now)
        from trainer.accounts.access import check_session

        if actor.session_id is not None:
            check_session(actor)
        if user.disabled:
            raise PermissionDenied("this account is disabled: ask an administrator")
        with database.atomic():
            models.User.update(failed_logins=0, locked_until=None).where(models.User.id == user.id).execute()
            audit.record(_as(user), "unlock", "user", user.uuid)
        return actor


def sign_out(actor: Actor) -> None:
    if actor.session_id is None:
        return
    with database.connection_context(), database.atomic():
        S = models.UserSession
        S.update(ended_at=clock(), end_reason="signed-out").where(
            (S.id == actor.session_id) & S.ended_at.is_null()
        ).execute()
        audit.record(actor, "logout", "user", "")


def session_open(actor: Actor) -> bool:
    """For a running app's periodic check: has an administrator ended this session?"""
    if actor.session_id is None:
        return True
    S = models.UserSession
    with database.connection_context():
        return S.select().where((S.id == actor.session_id) & S.ended_at.is_null()).exists()


# --- administration (admin only) ----------------------------------------------


def list_users(actor: Actor) -> list[UserView]:
    require(actor, "user.manage")
    with database.connection_context():
        return [_view(u) for u in models.User.select().order_by(models.User.username)]


def _get(user_id: int) -> models.User:
    user = models.User.get_or_none(models.User.id == user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _end_sessions(user_id: int, reason: str) -> int:
    S = models.UserSession
    ended: int = (
        S.update(ended_at=clock(), end_reason=reason).where((S.user == user_id) & S.ended_at.is_null()).execute()
    )
    return ended


def _other_active_admins(user_id: int) -> int:
    U = models.User
    return U.select().where((U.role == "admin") & (U.disabled == False) & (U.id != user_id)).count()  # noqa: E712


def set_disabled(actor: Actor, user_id: int, disabled: bool) -> UserView:
    """Disable (ending every open session at once) or enable an account."""
    require(actor, "user.manage")
    with database.connection_context(), database.atomic():
        user = _get(user_id)
        if disabled and user.role == "admin" and not _other_active_admins(user.id):
            raise ValidationFailed([FieldProblem("disabled", "the last active admin cannot be disabled")])
        U = models.User
        U.update(disabled=disabled, version=U.version + 1, updated_at=models.now()).where(U.id == user.id).execute()
        ended = _end_sessions(user.id, "disabled") if disabled else 0
        audit.record(
            actor,
            "disable" if disabled else "enable",
            "user",
            user.uuid,
            before={"disabled": user.disabled},
            after={"disabled": disabled},
            sessions_ended=ended,
        )
        if disabled:
            sealing.access_ended(user.username)  # an encrypted site: their password opens nothing now
        return _view(_get(user_id))


def set_role(actor: Actor, user_id: int, role: str, centre_codes: tuple[str, ...] = ()) -> UserView:
    """Change role and centres; the user's open sessions end so the change takes effect at once."""
    require(actor, "user.manage")
    if role not in ROLES:
        raise ValidationFailed([FieldProblem("role", f"must be one of {', '.join(ROLES)}")])
    with database.connection_context(), database.atomic():
        user = _get(user_id)
        before = _view(user)
        if user.role == "admin" and role != "admin" and not _other_active_admins(user.id):
            raise ValidationFailed([FieldProblem("role", "the last active admin must stay an admin")])
        centres = _centres(centre_codes)
        if role == "registrar" and not centres:
            raise ValidationFailed([FieldProblem("centre", "a registrar works at one centre or more")])
        U, UC = models.User, models.UserCentre
        U.update(role=role, version=U.version + 1, updated_at=models.now()).where(U.id == user.id).execute()
        UC.delete().where(UC.user == user.id).execute()
        for centre in centres:
            UC.create(user=user.id, centre=centre)
        after_centres = tuple(sorted(c.code for c in centres))
        ended = 0
        if (before.role, before.centres) != (role, after_centres):
            ended = _end_sessions(user.id, "role-changed")
        audit.record(
            actor,
            "update",
            "user",
            user.uuid,
            before={"role": before.role, "centres": list(before.centres)},
            after={"role": role, "centres": list(after_centres)},
            sessions_ended=ended,
        )
        return _view(_get(user_id))


def set_password(actor: Actor, user_id: int, new_password: str) -> None:
    """An admin resets a password (or a user changes their own); other sessions end."""
    if actor.user_id != user_id:
        require(actor, "user.manage")
    if len(new_password) < MIN_PASSWORD:
        raise ValidationFailed([FieldProblem("password", f"at least {MIN_PASSWORD} characters")])
    with database.connection_context(), database.atomic():
        user = _get(user_id)
        U, S = models.User, models.UserSession
        U.update(
            password_hash=hash_password(new_password),
            failed_logins=0,
            locked_until=None,
            version=U.version + 1,
            updated_at=models.now(),
        ).where(U.id == user.id).execute()
        S.update(ended_at=clock(), end_reason="password-changed").where(
            (S.user == user.id) & S.ended_at.is_null() & (S.id != (actor.session_id or 0))
        ).execute()
        audit.record(actor, "password-reset", "user", user.uuid)
        sealing.password_set(user.username, new_password)  # an encrypted site: the wrap follows


def clear_lockout(actor: Actor, user_id: int) -> UserView:
    require(actor, "user.manage")
    with database.connection_context(), database.atomic():
        user = _get(user_id)
        models.User.update(failed_logins=0, locked_until=None).where(models.User.id == user.id).execute()
        audit.record(actor, "unlock-account", "user", user.uuid, before={"locked_until": user.locked_until})
        return _view(_get(user_id))
