"""Backups that clerks never have to stop for, and restores that check before they replace.

The copy itself is the database's own (db.dialect, db.backup_files: `VACUUM INTO` on
SQLite, `pg_dump` of an exported snapshot on PostgreSQL); the counts and the audit
chain head are read in the copy's snapshot, so the manifest describes exactly what
was copied.

Every backup is checked (`PRAGMA integrity_check`; `pg_restore --list`) and
gets a manifest beside it (PATH.manifest.json): time, table counts, schema
version, audit chain head, SHA-256 of the file, and an HMAC of the manifest
under the audit key, so that neither the file nor the recorded chain head can
be swapped unnoticed. `restore()` checks all of that before it touches the
live database, and keeps the replaced database aside.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db import cipher, models
from db.backup_files import CopyFailed
from db.connection import database
from db.dialect import dialect
from db.schema import MIGRATIONS_DIR
from trainer.accounts import audit, sealing
from trainer.accounts.access import SYSTEM, Actor, require
from trainer.errors import FieldProblem, TrainerError, ValidationFailed
from trainer.text import read_small

MANIFEST_SUFFIX = ".manifest.json"
LAST_SETTING = "backup.last"  # {"path", "manifest", "at"}: written by every backup
ATTEMPT_SETTING = "backup.last_attempt"  # {"at", "ok", "text"}: the last scheduled run, good or not
SCHEDULE_SETTING = "backup.schedule"  # {"every_hours": int (0 = off), "directory": str, "keep": int}
DEFAULT_SCHEDULE = {"every_hours": 0, "directory": "", "keep": 14}


class BackupFailed(TrainerError):
    pass


@dataclass(frozen=True)
class Manifest:
    file: str  # the backup's file name, beside the manifest
    created_at: str  # ISO, UTC
    backend: str
    schema_version: int
    migrations: tuple[str, ...]
    counts: dict[str, Any]
    audit_head: dict[str, Any]  # audit.Head.as_dict()
    sha256: str
    size: int
    hmac: str = ""

    def body(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "hmac"}
        d["migrations"] = list(self.migrations)
        return d

    def signed(self) -> Manifest:
        return Manifest(**{**self.body(), "migrations": self.migrations, "hmac": _sign(self.body())})

    def head(self) -> audit.Head:
        return audit.Head.from_dict(self.audit_head)


def _sign(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(audit.audit_key(), b"trainer manifest\n" + text, hashlib.sha256).hexdigest()


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + MANIFEST_SUFFIX)


def read_manifest(path: Path) -> tuple[Manifest, Path]:
    """(manifest, backup file) from either the backup file's path or its manifest's."""
    path = Path(path)
    mpath = path if path.name.endswith(MANIFEST_SUFFIX) else manifest_path(path)
    if not mpath.exists():
        raise BackupFailed(f"no manifest {mpath}: not a trainer backup, or the manifest was lost")
    try:
        data = json.loads(read_small(mpath, 1024 * 1024, "manifest").decode("utf-8"))
        data["migrations"] = tuple(data["migrations"])
        manifest = Manifest(**data)
    except (ValueError, TypeError, KeyError, TrainerError) as exc:
        raise BackupFailed(f"{mpath} is not a readable manifest ({exc})") from None
    return manifest, mpath.with_name(manifest.file)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _target(given: str | Path, now: datetime.datetime) -> Path:
    path = Path(given).expanduser()
    if path.is_dir() or str(given).endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        suffix = dialect().backup_suffix
        path = path / f"trainer-{now:%Y%m%d-%H%M%S}{suffix}"
    if path.exists() or manifest_path(path).exists():
        raise ValidationFailed([FieldProblem("path", f"{path} exists: choose a new file or a directory")])
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def backup(path: Path | str, actor: Actor) -> tuple[Path, Manifest]:
    """A consistent, checked copy at `path` (a new file, or a directory to put one in) with its manifest."""
    require(actor, "backup.run")
    now = datetime.datetime.now(datetime.UTC)
    target = _target(path, now)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        facts = dialect().backup_copy(partial, _facts)
        os.chmod(partial, 0o600)  # it holds every name and national ID
        os.replace(partial, target)
        sealing.copy_beside(target)  # an encrypted site: the backup's key file, restorable on its own
    except CopyFailed as exc:
        raise BackupFailed(str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(
        file=target.name,
        created_at=now.isoformat(timespec="seconds"),
        backend=dialect().name,
        sha256=sha256_file(target),
        size=target.stat().st_size,
        **facts,
    ).signed()
    mpath = manifest_path(target)
    tmp = mpath.with_name(mpath.name + ".partial")
    tmp.write_text(json.dumps({**manifest.body(), "hmac": manifest.hmac}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, mpath)
    with database.connection_context(), database.atomic():
        last = json.dumps({"path": str(target.resolve()), "manifest": str(mpath.resolve()), "at": manifest.created_at})
        (
            models.Setting.insert(key=LAST_SETTING, value=last)
            .on_conflict(conflict_target=[models.Setting.key], update={models.Setting.value: last})
            .execute()
        )
        audit.record(
            actor,
            "backup",
            "database",
            "",
            file=str(target.resolve()),
            sha256=manifest.sha256,
            audit_head=manifest.audit_head["id"],
        )
    return target, manifest


def _facts(conn_execute: Callable[[str], list[tuple[Any, ...]]]) -> dict[str, Any]:
    """Counts, schema version and audit head, read through `conn_execute(sql) -> rows`."""
    counts = {}
    for model in models.MODELS:
        table = model._meta.table_name
        counts[table] = conn_execute(f'SELECT count(*) FROM "{table}"')[0][0]
    migrations = tuple(r[0] for r in conn_execute("SELECT name FROM schema_migration ORDER BY name"))
    last = conn_execute('SELECT id, chain FROM "audit_event" ORDER BY id DESC LIMIT 1')
    head = audit.Head(last[0][0], last[0][1], counts["audit_event"]) if last else audit.Head(0, "", 0)
    version = max((int(m[:4]) for m in migrations if m[:4].isdigit()), default=0)
    return dict(schema_version=version, migrations=migrations, counts=counts, audit_head=head.as_dict())


# --- restore -------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    replaced: Path | None  # where the database that was replaced is kept
    verification: audit.Verification


def check(path: Path) -> tuple[Manifest, Path]:
    """Everything `restore` checks before it replaces anything; raises BackupFailed."""
    manifest, file = read_manifest(path)
    if not file.exists():
        raise BackupFailed(f"the backup file {file} named by the manifest is missing")
    _same_encryption(file)
    if manifest.hmac and not hmac.compare_digest(manifest.hmac, _sign(manifest.body())):
        raise BackupFailed(
            "the manifest's signature does not match: it was edited, or this computer has a different audit key"
        )
    if not manifest.hmac:
        raise BackupFailed("the manifest is not signed: refusing to trust it")
    actual = sha256_file(file)
    if actual != manifest.sha256:
        raise BackupFailed(
            f"checksum mismatch: {file.name} is not the file the manifest describes "
            f"(sha256 {actual[:12]}…, expected {manifest.sha256[:12]}…)"
        )
    known = {p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py")}
    newer = [m for m in manifest.migrations if m not in known]
    if newer:
        raise BackupFailed(f"the backup was written by a newer trainer (schema {', '.join(newer)})")
    backend = dialect().name
    if manifest.backend != backend:
        raise BackupFailed(f"a {manifest.backend} backup cannot be restored into a {backend} database")
    sealing.key_of_copy(file)  # an encrypted backup: its key, unwrapped now (trainer/accounts/sealing.py)
    try:
        counts = dialect().backup_counts(file, manifest.counts)
    except CopyFailed as exc:
        raise BackupFailed(str(exc)) from None
    if counts is not None and counts != manifest.counts:
        raise BackupFailed("the backup's table counts differ from its manifest")
    return manifest, file


def _same_encryption(file: Path) -> None:
    """Told by the files alone (a backup of an encrypted site has its key file beside it),
    before the manifest's signature, whose key an encrypted site keeps sealed: so the answer
    says what to do rather than "a different audit key"."""
    if not dialect().local_file:
        return
    encrypted_backup = cipher.key_file(file).exists()
    encrypted_site = getattr(database.obj, "cipher_key", None) is not None
    if encrypted_site and not encrypted_backup:
        raise BackupFailed(
            f"{file.name} is a plain backup and this site is encrypted: restoring it would put its records back "
            "unencrypted; restore it into a plain database (trainer --db sqlite:///NEW.db init, then restore), "
            "then convert that with `trainer encrypt`; nothing was changed"
        )
    if encrypted_backup and not encrypted_site and not os.environ.get(sealing.RECOVERY_ENV):
        raise BackupFailed(
            f"{file.name} is an encrypted backup and this site is plain: set {sealing.RECOVERY_ENV} to the "
            "recovery key printed when its site was made, or bring it back as an encrypted site with "
            "`trainer recover BACKUP --to NEW.db`; nothing was changed"
        )


def restore(path: Path, actor: Actor) -> Restored:
    """Replace the open database with a checked backup; the replaced one is kept aside."""
    require(actor, "backup.restore")
    manifest, file = check(path)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        replaced = dialect().restore(file, stamp)
    except CopyFailed as exc:
        raise BackupFailed(str(exc)) from None
    verification = audit.verify(manifest.head())
    audit.anchor(audit.head(), force=True)  # the trail is the backup's now: anchor it afresh
    with database.connection_context(), database.atomic():
        audit.record(
            actor,
            "restore",
            "database",
            "",
            file=str(file.resolve()),
            sha256=manifest.sha256,
            replaced_kept_at=str(replaced) if replaced else "",
        )
    return Restored(manifest, replaced, verification)


# --- schedule ------------------------------------------------------------------


def schedule() -> dict[str, Any]:
    with database.connection_context():
        row = models.Setting.get_or_none(models.Setting.key == SCHEDULE_SETTING)
    return {**DEFAULT_SCHEDULE, **(json.loads(row.value) if row else {})}


def set_schedule(actor: Actor, every_hours: int, directory: str, keep: int = 14) -> dict[str, Any]:
    """Admin: back up every `every_hours` (0 = never) into `directory`, keeping the newest `keep`."""
    require(actor, "backup.run")
    problems = []
    if not 0 <= every_hours <= 24 * 31:
        problems.append(FieldProblem("every_hours", "0 (off) to 744"))
    if every_hours and not directory.strip():
        problems.append(FieldProblem("directory", "required when backups are scheduled"))
    if not 1 <= keep <= 1000:
        problems.append(FieldProblem("keep", "1 to 1000"))
    if problems:
        raise ValidationFailed(problems)
    value = {"every_hours": every_hours, "directory": directory.strip(), "keep": keep}
    text = json.dumps(value)
    with database.connection_context(), database.atomic():
        before = schedule()
        (
            models.Setting.insert(key=SCHEDULE_SETTING, value=text)
            .on_conflict(conflict_target=[models.Setting.key], update={models.Setting.value: text})
            .execute()
        )
        audit.record(actor, "update", "setting", SCHEDULE_SETTING, before=before, after=value)
    return value


def last_backup() -> dict[str, Any] | None:
    with database.connection_context():
        row = models.Setting.get_or_none(models.Setting.key == LAST_SETTING)
    return json.loads(row.value) if row else None


def due(now: datetime.datetime | None = None) -> bool:
    plan = schedule()
    if not plan["every_hours"] or not plan["directory"]:
        return False
    last = last_backup()
    if last is None:
        return True
    now = now or datetime.datetime.now(datetime.UTC)
    at = datetime.datetime.fromisoformat(last["at"])
    return now - at >= datetime.timedelta(hours=plan["every_hours"])


def run_if_due(now: datetime.datetime | None = None) -> Path | None:
    """The scheduled backup (any running app or `trainer backup --scheduled` calls this); prunes old ones."""
    if not due(now):
        return None
    plan = schedule()
    directory = Path(plan["directory"]).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    target, _ = backup(directory, SYSTEM)
    ours = sorted(p for p in directory.glob("trainer-*") if not p.name.endswith((MANIFEST_SUFFIX, ".partial")))
    for old in ours[: -plan["keep"]]:
        old.unlink(missing_ok=True)
        manifest_path(old).unlink(missing_ok=True)
    return target


def note_attempt(ok: bool, text: str) -> None:
    """What the last scheduled run did (a path, or why it failed), for the Admin settings screen."""
    at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    value = json.dumps({"at": at, "ok": ok, "text": text[:500]}, ensure_ascii=False)
    with database.connection_context(), database.atomic():
        (
            models.Setting.insert(key=ATTEMPT_SETTING, value=value)
            .on_conflict(conflict_target=[models.Setting.key], update={models.Setting.value: value})
            .execute()
        )


def last_attempt() -> dict[str, Any] | None:
    with database.connection_context():
        row = models.Setting.get_or_none(models.Setting.key == ATTEMPT_SETTING)
    return json.loads(row.value) if row else None
