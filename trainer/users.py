"""Accounts: creation, Argon2id password hashing, login."""
from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import models
from db.connection import database
from trainer.access import ROLES, SYSTEM, Actor, require
from trainer.errors import FieldProblem, PermissionDenied, ValidationFailed

# argon2-cffi's defaults (RFC 9106 low-memory: t=3, m=64 MiB, p=4) exceed OWASP's minimum.
_hasher = PasswordHasher()
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: str
    disabled: bool


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def count_users() -> int:
    with database.connection_context():
        return models.User.select().count()


def create_user(actor: Actor | None, username: str, role: str, password: str,
                centre_codes: tuple[str, ...] = ()) -> UserView:
    """The first user of a database may be created without an actor (the bootstrap admin)."""
    problems = []
    username = username.strip()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        problems.append(FieldProblem("username", "letters, digits, '.' and '_' only"))
    if role not in ROLES:
        problems.append(FieldProblem("role", f"must be one of {', '.join(ROLES)}"))
    if len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", f"at least {MIN_PASSWORD} characters"))
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
        centres = list(models.Centre.select().where(models.Centre.code.in_(centre_codes)))
        missing = set(centre_codes) - {c.code for c in centres}
        if missing:
            raise ValidationFailed([FieldProblem("centre", f"no centre {', '.join(sorted(missing))}")])
        user = models.User.create(username=username, display_name=username, role=role,
                                  password_hash=hash_password(password))
        for centre in centres:
            models.UserCentre.create(user=user, centre=centre)
        return UserView(user.id, user.username, user.role, user.disabled)


def authenticate(username: str, password: str) -> Actor:
    """The actor for a correct password; one refusal message for every failure."""
    refused = PermissionDenied("unknown user or wrong password")
    with database.connection_context():
        user = models.User.get_or_none(models.User.username == username)
        if user is None or user.disabled:
            raise refused
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise refused from None
        if _hasher.check_needs_rehash(user.password_hash):
            with database.atomic():
                models.User.update(password_hash=hash_password(password)).where(
                    models.User.id == user.id).execute()
        centre_ids = frozenset(uc.centre_id for uc in models.UserCentre.select().where(
            models.UserCentre.user == user.id))
        return Actor(user.id, user.username, user.role, centre_ids)
