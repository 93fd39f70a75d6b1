"""trainer backup PATH [--scheduled] | trainer restore PATH [--yes]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect, warn
from trainer.errors import TrainerError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("backup", help="a consistent, checked copy of the database, with a manifest")
    b.add_argument("path", nargs="?", help="a new file, or a directory (ending in /) to put one in")
    b.add_argument(
        "--scheduled", action="store_true", help="for cron: back up into the scheduled directory only if one is due"
    )
    b.set_defaults(handler=cmd_backup)
    r = sub.add_parser("restore", help="replace the database with a checked backup (the old one is kept)")
    r.add_argument("path", type=Path, help="the backup file or its .manifest.json")
    r.add_argument("--check", action="store_true", help="only check the backup; change nothing")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from trainer.accounts import backup

    connect(args)
    if args.scheduled:
        try:
            target = backup.run_if_due()
        except (TrainerError, OSError) as exc:
            text = str(exc) if isinstance(exc, TrainerError) else f"{exc.strerror or exc}"
            backup.note_attempt(False, text)
            raise TrainerError(f"scheduled backup failed: {text}") from None
        if target:
            backup.note_attempt(True, str(target))
        print(f"backed up to {target}" if target else "no backup due")
        return 0
    if not args.path:
        raise UsageError("backup: give a PATH (or --scheduled)")
    target, manifest = backup.backup(args.path, actor(args))
    print(
        f"backed up to {target} ({manifest.size:,} bytes, integrity ok, "
        f"{manifest.counts.get('trainee', 0):,} trainees, audit head #{manifest.audit_head['id']})"
    )
    print(f"manifest: {backup.manifest_path(target)}")
    from trainer.accounts import audit, sealing

    if sealing.current is not None:
        # Its keys are sealed in the key file copied beside it: an admin's password or the recovery key opens it.
        print(f"encrypted; its key file: {target}.keys (keep it with the backup)")
        return 0
    warn(
        f"the audit key is not in the backup: keep a copy of {audit.key_path()} "
        f"(or ${audit.KEY_ENV}) somewhere safe, apart from the backups"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from trainer.accounts import backup
    from trainer.accounts.users import count_users

    connect(args)
    manifest, file = backup.check(args.path)
    print(
        f"backup {file.name}: checksum, signature and integrity ok; taken {manifest.created_at}, "
        f"schema {manifest.schema_version}, {manifest.counts.get('trainee', 0):,} trainees, "
        f"audit head #{manifest.audit_head['id']}"
    )
    if args.check:
        return 0
    # A database whose accounts still work needs an admin to replace it; a lost or
    # empty one (the reason to restore) can be restored by whoever can reach it.
    from trainer.accounts.access import SYSTEM

    acting = actor(args) if count_users() else SYSTEM
    if not args.yes:
        if not sys.stdin.isatty():
            raise TrainerError("restore replaces the database: confirm with --yes")
        if input("Replace the current database with this backup? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing changed")
            return 1
    done = backup.restore(args.path, acting)
    if done.replaced:
        print(f"restored; the replaced database is kept at {done.replaced}")
    else:
        print("restored")
    if not done.verification.ok:
        for p in done.verification.problems:
            warn(f"audit: {p}")
        return 1
    print(f"audit trail verified: {done.verification.events:,} events")
    return 0
