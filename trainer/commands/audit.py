"""trainer audit verify [--manifest PATH] | trainer audit log [--entity E] [--uuid U] [--user NAME] [--action A]."""

from __future__ import annotations

import argparse
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect, count
from trainer.errors import TrainerError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="check and read the audit trail")
    p.set_defaults(handler=_needs_subcommand)
    a_sub = p.add_subparsers(dest="audit_command")
    verify = a_sub.add_parser("verify", help="check every event's HMAC chain (and the tail against a manifest)")
    verify.add_argument(
        "--manifest",
        type=Path,
        metavar="PATH",
        help="a backup or export manifest whose chain head the trail must still contain (default: the last backup's)",
    )
    verify.set_defaults(handler=cmd_verify)
    log = a_sub.add_parser("log", help="list events, newest first")
    log.add_argument("--entity", help="e.g. trainee, cohort, user, setting")
    log.add_argument("--uuid", help="one record's events")
    log.add_argument("--by", metavar="NAME", help="events by this user")
    log.add_argument("--action", help="e.g. create, update, login-failed, backup")
    log.add_argument("--limit", type=count, default=50)
    log.set_defaults(handler=cmd_log)


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("audit: give a subcommand (verify, log)")


def cmd_verify(args: argparse.Namespace) -> int:
    from trainer.accounts import audit, backup
    from trainer.accounts.access import require

    connect(args)
    require(actor(args), "audit.read")
    expected, source = None, None
    path = args.manifest
    if path is None:
        last = backup.last_backup()
        if last and Path(last["manifest"]).exists():
            path = Path(last["manifest"])
    if path is not None:
        manifest, _ = backup.read_manifest(path)
        if not manifest.hmac or manifest.hmac != backup._sign(manifest.body()):
            raise TrainerError(f"{path}: the manifest's signature does not match (edited, or another key)")
        expected, source = manifest.head(), path
    anchored = audit.anchored()
    if anchored is not None and (expected is None or (args.manifest is None and anchored.id > expected.id)):
        # The head anchored at the last append is newer than the last backup's: a tail cut
        # after that backup is found too.
        expected, source = anchored, audit.heads_path()
    result = audit.verify(expected)
    for problem in result.problems:
        print(f"TAMPERED: {problem}")
    sites_ok = _verify_sites()
    against = (
        f"; tail checked against {source} (event #{expected.id})"
        if expected
        else "; nothing recorded outside the database yet: a cut-off tail cannot be detected (give --manifest)"
    )
    if result.ok:
        print(f"audit trail verified: {result.events:,} events, head #{result.head.id}{against}")
        return 0 if sites_ok else 1
    print(f"audit trail FAILED verification: {len(result.problems)} problem(s) in {result.events:,} events")
    return 1


def _verify_sites() -> bool:
    """At headquarters: every site's trail carried in its bundles (trainer/sync/audit_chains.py)."""
    from trainer.sync import audit_chains

    ok = True
    for chain in audit_chains.verify_sites():
        for problem in chain.problems:
            print(f"TAMPERED: {problem}")
        if chain.problems:
            ok = False
            print(f"site {chain.code}: audit trail FAILED verification: {len(chain.problems)} problem(s)")
        else:
            print(f"site {chain.code}: audit trail verified: {chain.events:,} events, head #{chain.head}")
    return ok


def cmd_log(args: argparse.Namespace) -> int:
    from trainer.accounts import audit

    connect(args)
    entries = audit.log(
        actor(args), entity=args.entity, entity_uuid=args.uuid, username=args.by, action=args.action, limit=args.limit
    )
    for e in entries:
        what = f"{e.entity} {e.entity_uuid}".strip()
        at = e.at.strftime("%Y-%m-%d %H:%M:%S") if hasattr(e.at, "strftime") else str(e.at)[:19]
        print(f"#{e.id:<6} {at:<19}  {e.username:<12} {e.action:<14} {what}")
        if e.summary():
            print(f"{'':8}{e.summary()}")
    if not entries:
        print("no events")
    return 0
