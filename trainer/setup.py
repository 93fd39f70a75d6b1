"""Opening a database for the app: connect, upgrade the schema, seed reference data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from db import models
from db.connection import DatabaseUnavailable, database, open_database, resolve_url
from db.dialect import dialect
from db.schema import SchemaTooNew, status, upgrade
from trainer.errors import DatabaseError
from trainer.registry.reference import FORCES, PROVINCES


@dataclass(frozen=True)
class Opened:
    url: str
    applied: tuple[str, ...]
    backup: Path | None
    version: int


def connect(url: str | None = None, *, migrate: bool = True, create: bool = True, key: str | None = None) -> Opened:
    """Bind the database at `url` and bring it to the current schema.

    Refuses (DatabaseError, one line) a file that is not a database, an
    unknown scheme, an unreachable server or a schema newer than this code.
    With `create` false, a SQLite file that does not exist is refused, not made.
    `key`: an encrypted file's database key, unwrapped first (trainer/encryption.py).
    """
    resolved = resolve_url(url)
    try:
        db = open_database(resolved, create=create, key=key)
    except DatabaseUnavailable as exc:
        raise DatabaseError(str(exc)) from None
    try:
        with database.connection_context():
            if migrate:
                applied, backup = upgrade(db)
                seed_reference()
            else:
                applied, backup = [], None
            version = status(db).version
    except SchemaTooNew as exc:
        raise DatabaseError(str(exc)) from None
    return Opened(resolved, tuple(applied), backup, version)


def seed_reference() -> None:
    """Forces and provinces: inserted if missing, names refreshed; idempotent.

    Read first, and write only what differs: every command opens the database
    through here, and a read-only one must never wait for (or fail behind) a
    long writer such as an import (SQLite allows one writer; WAL lets readers by).
    """
    if _reference_current():
        return
    with database.atomic():
        for f in FORCES:
            (
                models.Force.insert(code=f.code, name_en=f.name_en, name_ar=f.name_ar)
                .on_conflict(
                    conflict_target=[models.Force.code],
                    update={models.Force.name_en: f.name_en, models.Force.name_ar: f.name_ar},
                )
                .execute()
            )
        for p in PROVINCES:
            values = dict(name_en=p.name_en, name_ar=p.name_ar, aliases="|".join(p.aliases), liberated=p.liberated)
            (
                models.Province.insert(code=p.code, **values)
                .on_conflict(
                    conflict_target=[models.Province.code],
                    update={getattr(models.Province, k): v for k, v in values.items()},
                )
                .execute()
            )


def _reference_current() -> bool:
    F, P = models.Force, models.Province
    forces = {r[0]: r[1:] for r in F.select(F.code, F.name_en, F.name_ar).tuples()}
    if any(forces.get(f.code) != (f.name_en, f.name_ar) for f in FORCES):
        return False
    provinces = {r[0]: r[1:] for r in P.select(P.code, P.name_en, P.name_ar, P.aliases, P.liberated).tuples()}
    return all(provinces.get(p.code) == (p.name_en, p.name_ar, "|".join(p.aliases), p.liberated) for p in PROVINCES)


def backend() -> str:
    return dialect().name


def local_file() -> bool:
    """The database is a file on this machine (SQLite), not a server that decides who reads."""
    return dialect().local_file
