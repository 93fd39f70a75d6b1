"""trainer sync export | import | status | review: exchanging bundles with peers (docs/sync.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trainer.commands.common import UsageError, actor, connect


def register(sub: Any) -> None:
    sync = sub.add_parser("sync", help="exchange records with headquarters or a site through bundle files")
    sync.set_defaults(handler=_needs_subcommand)
    ssub = sync.add_subparsers(dest="sync_command")

    export = ssub.add_parser("export", help="write what the peer has not acknowledged into a bundle file")
    export.add_argument("--output", type=Path, required=True, metavar="FILE")
    export.add_argument("--for", dest="for_code", metavar="CODE", help="the site (at headquarters)")
    export.set_defaults(handler=cmd_export)

    imp = ssub.add_parser("import", help="check a peer's bundle and apply it (twice changes nothing)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=cmd_import)

    st = ssub.add_parser("status", help="changes logged, and where the exchange with each peer stands")
    st.set_defaults(handler=cmd_status)

    rv = ssub.add_parser("review", help="values kept for a person's decision (conflicts, held records)")
    decide = rv.add_mutually_exclusive_group()
    decide.add_argument("--merge", type=int, metavar="ID", help="a held person is the registered one: merge")
    decide.add_argument("--distinct", type=int, metavar="ID", help="a held person is someone else: close it")
    rv.add_argument("--into", metavar="UUID", help="with --merge: which registered person (default: the first)")
    rv.set_defaults(handler=cmd_review)

    tr = ssub.add_parser("trim", help="empty logged updates every peer acknowledged and later changes override")
    tr.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    tr.set_defaults(handler=cmd_trim)


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("sync: give a subcommand (export, import, status, review, trim)")


def cmd_export(args: argparse.Namespace) -> int:
    from trainer.sync import exchange

    connect(args)
    done = exchange.export(actor(args), args.output, args.for_code)
    print(f"wrote {done.changes} changes for {done.peer} to {done.path} ({done.bytes:,} bytes)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from trainer.errors import TrainerError
    from trainer.sync import exchange

    connect(args)
    if not args.file.is_file():
        raise TrainerError(f"{args.file}: no such file")
    done = exchange.import_bundle(actor(args), args.file)
    print(
        f"from {done.peer}: {done.applied} applied, {done.held} already held, {done.review} held for review"
        + (f", {done.waiting} waiting for their parent record" if done.waiting else "")
        + (f"; {done.persons_held} persons held as likely duplicates" if done.persons_held else "")
    )
    if done.settings:
        print(f"{done.settings} setting(s) headquarters owns changed here (`trainer settings get` shows them)")
    if done.audit is not None:
        print(
            f"audit trail of {done.peer}: {done.audit.events} new events"
            + (
                f"; {done.audit.breaks} did not verify at the site (`trainer audit verify` names them)"
                if done.audit.breaks
                else ""
            )
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from trainer.sync import exchange

    connect(args)
    st = exchange.status(actor(args))
    print(f"site:     {st.site.code + ' (' + st.site.kind + ')' if st.site else 'not a site yet (trainer site init)'}")
    print(f"logged:   {st.logged} changes")
    print(f"review:   {st.review} open ({st.persons_held} persons held as likely duplicates)")
    for p in st.peers:
        last_out = p.last_export_at.isoformat(sep=" ", timespec="minutes") if p.last_export_at else "never"
        last_in = p.last_import_at.isoformat(sep=" ", timespec="minutes") if p.last_import_at else "never"
        print(f"peer {p.code}: {p.waiting} changes waiting; last export {last_out}, last import {last_in}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from trainer.sync import exchange, persons

    connect(args)
    if args.into and args.merge is None:
        raise UsageError("sync review: --into goes with --merge ID")
    if args.merge is not None:
        done = persons.merge_held(actor(args), args.merge, args.into)
        print(
            f"review {args.merge}: merged into {done.survivor_uuid}; the merge reaches the sites with the next export"
        )
        return 0
    if args.distinct is not None:
        persons.distinct(actor(args), args.distinct)
        print(f"review {args.distinct}: closed, two different persons")
        return 0
    items = exchange.reviews(actor(args))
    held = sum(1 for r in items if r.field == persons.FIELD)
    print(f"{len(items)} open, {held} persons held as likely duplicates")
    if not items:
        print("nothing waits for review")
    for r in items:
        what = f"{r.table} {r.record_uuid} {r.field or '-'}"
        print(f"{r.id}\t{what}\tkept {r.kept or '-'}\theld {r.held}\tfrom {r.origin}\t{r.reason}")
    return 0


def cmd_trim(args: argparse.Namespace) -> int:
    import sys

    from trainer.errors import TrainerError
    from trainer.sync import trim

    connect(args)
    who = actor(args)
    if not args.yes:
        if not sys.stdin.isatty():
            raise TrainerError("trim empties acknowledged, overridden changes in the log: confirm with --yes")
        if input("Empty the overridden changes every peer has acknowledged? [y/N] ").strip().lower() not in (
            "y",
            "yes",
        ):
            print("nothing changed")
            return 1
    done = trim.trim(who)
    print(f"trimmed: {done.emptied} overridden updates emptied ({done.bytes:,} bytes), up to position {done.upto}")
    return 0
