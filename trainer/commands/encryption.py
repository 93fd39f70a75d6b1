"""init --encrypt, encrypt, rekey, recover: an encrypted site's commands (docs/encryption.md)."""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys
from pathlib import Path

from trainer.commands.common import actor, connect, password, warn
from trainer.errors import TrainerError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enc = sub.add_parser("encrypt", help="convert this plain SQLite database into an encrypted one (admin)")
    enc.add_argument("--keep-plain", action="store_true", help="keep the plain file aside (it stays readable!)")
    enc.set_defaults(handler=cmd_encrypt)

    rk = sub.add_parser("rekey", help="change the database key of an encrypted site (admin)")
    rk.add_argument(
        "--new-master",
        action="store_true",
        help="also replace the master key: only you can unlock until the others' passwords are re-set",
    )
    rk.set_defaults(handler=cmd_rekey)

    rec = sub.add_parser("recover", help="bring back an encrypted backup with the recovery key")
    rec.add_argument("backup", help="the backup file (its .keys file must be beside it)")
    rec.add_argument("--to", required=True, metavar="PATH", help="a new database file to write")
    rec.add_argument("--admin", metavar="NAME", help="also give NAME a new password (read from stdin)")
    rec.set_defaults(handler=cmd_recover)


def _print_recovery(key: str) -> None:
    print("RECOVERY KEY (shown once; write it down and keep it apart from this computer):")
    print(f"  {key}")


def init_encrypted(args: argparse.Namespace) -> int:
    from db.drivers import import_peewee_for
    from trainer.encryption import init_encrypted as create

    if not args.encrypt:
        raise TrainerError(
            "init --admin goes with --encrypt; a plain database's first administrator: "
            "trainer user add NAME --role admin"
        )
    if not args.admin:
        raise TrainerError("init --encrypt needs --admin NAME (and its password)")
    import_peewee_for(args.db)
    if args.password_stdin:
        given = sys.stdin.readline().rstrip("\n")
    elif os.environ.get("TRAINER_PASSWORD"):
        given = password()
    else:
        if not sys.stdin.isatty():
            raise TrainerError("no password: use --password-stdin or run in a terminal")
        given = getpass.getpass(f"Password for {args.admin}: ")
        if getpass.getpass("Again: ") != given:
            raise TrainerError("the two passwords differ")
    created = create(args.db, args.admin, given)
    print(f"encrypted database created at {created.path} with administrator {args.admin}")
    _print_recovery(created.recovery_key)
    return 0


def cmd_encrypt(args: argparse.Namespace) -> int:
    from trainer.encryption import encrypt_existing

    connect(args)
    acting = actor(args)
    done = encrypt_existing(args.db, acting, args.password, keep_plain=args.keep_plain)
    print(f"{done.path} is now encrypted")
    if done.sealed:
        print(f"moved into the key file: {', '.join(done.sealed)}")
    if done.plain_copy is not None:
        warn(f"WARNING: a plain, readable copy is kept at {done.plain_copy}: delete it once the encrypted one works")
    print("other users unlock once an admin sets their passwords: trainer user password NAME")
    _print_recovery(done.recovery_key)
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    from trainer.encryption import rekey

    connect(args)
    acting = actor(args)
    done = rekey(acting, args.password, new_master=args.new_master)
    print("the database key is changed; every user's password still opens it")
    if done.recovery_key:
        print("the master key is changed: other users unlock once an admin re-sets their passwords")
        _print_recovery(done.recovery_key)
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """Lost laptop, kept backup: write the backup (and its key file) to a new place after
    proving the recovery key opens it; optionally give an admin a new password."""
    from db import cipher
    from trainer.accounts import sealing
    from trainer.encryption import RECOVERY_ENV

    source, target = Path(args.backup), Path(args.to)
    keys_file = cipher.key_file(source)
    if not source.is_file() or not keys_file.is_file():
        raise TrainerError(f"{source} and its key file {keys_file.name} must both be there")
    if target.exists() or cipher.key_file(target).exists():
        raise TrainerError(f"{target} exists: give a new file name")
    recovery = os.environ.get(RECOVERY_ENV) or (
        getpass.getpass("Recovery key: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    )
    keys = sealing.unlock_with_recovery(keys_file, recovery)
    from trainer.encryption import _check

    _check(source, keys.db_key)
    new_password = sys.stdin.readline().rstrip("\n") if args.admin else None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(keys_file, cipher.key_file(target))
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    os.chmod(cipher.key_file(target), 0o600)
    keys.path = cipher.key_file(target)
    if args.admin and new_password:
        from trainer.accounts.access import SYSTEM
        from trainer.accounts.users import list_users, set_password
        from trainer.setup import connect as open_db

        sealing.hold(keys)
        open_db(f"sqlite:///{target}", create=False, key=keys.db_key)
        found = [u for u in list_users(SYSTEM) if u.username == args.admin and u.role == "admin"]
        if not found:
            raise TrainerError(f"no administrator {args.admin!r} in the backup")
        set_password(SYSTEM, found[0].id, new_password)
    print(f"recovered into {target}; sign in as an administrator to use it")
    return 0
