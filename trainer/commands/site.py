"""trainer site init | show | key | trust | peers: this database's identity and the sites it trusts (docs/sync.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from trainer.commands.common import UsageError, actor, connect
from trainer.errors import TrainerError
from trainer.text import read_small


def _block(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise argparse.ArgumentTypeError(f"{text!r} is not a block number (1 to 99, given by headquarters)")
    return int(text)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    site = sub.add_parser("site", help="field site or headquarters: identity, keys, trusted peers")
    site.set_defaults(handler=_needs_subcommand)
    ssub = site.add_subparsers(dest="site_command")

    init = ssub.add_parser("init", help="make this database a field site (or, with --hq, the headquarters), once")
    init.add_argument("code", help="the site's code, e.g. ERBIL (letters, digits, '-')")
    init.add_argument("--name", required=True, help="the site's name as people say it")
    kind = init.add_mutually_exclusive_group(required=True)
    kind.add_argument("--hq", action="store_true", help="this is the headquarters (certificate block 0)")
    kind.add_argument("--block", type=_block, help="the certificate number block headquarters gave this site (1-99)")
    init.set_defaults(handler=cmd_init)

    show = ssub.add_parser("show", help="code, kind, name, number block and key fingerprints")
    show.set_defaults(handler=cmd_show)

    key = ssub.add_parser("key", help="this site's public keys as a JSON document for its peers")
    key.add_argument("--output", type=Path, metavar="FILE", help="file to write (default: standard output)")
    key.set_defaults(handler=cmd_key)

    trust = ssub.add_parser("trust", help="record a peer's public keys (its `trainer site key` document)")
    trust.add_argument("code")
    trust.add_argument("--public-key", type=Path, required=True, metavar="FILE")
    trust.set_defaults(handler=cmd_trust)

    peers = ssub.add_parser("peers", help="the sites this database trusts")
    peers.set_defaults(handler=cmd_peers)


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("site: give a subcommand (init, show, key, trust, peers)")


def cmd_init(args: argparse.Namespace) -> int:
    from trainer.sync import identity

    connect(args)
    site = identity.init(actor(args), args.code, args.name, hq=args.hq, block=args.block)
    print(f"this database is now {identity.kind_name(site.kind)} {site.code} ({site.name}), block {site.block:02d}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from trainer.sync import identity

    connect(args)
    site = identity.show(actor(args))
    print(f"code:     {site.code}")
    print(f"kind:     {identity.kind_name(site.kind)}")
    print(f"name:     {site.name}")
    print(f"block:    {site.block:02d} (certificate numbers IQTC-{site.block:02d}…)")
    print(f"ed25519:  {identity.fingerprint(site.ed25519)}")
    print(f"x25519:   {identity.fingerprint(site.x25519)}")
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from trainer.sync import identity

    connect(args)
    text = json.dumps(identity.public_document(actor(args)), indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from trainer.sync import identity

    try:
        text = read_small(args.public_key, 64 * 1024, "public key document").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainerError(f"cannot read {args.public_key}: {getattr(exc, 'strerror', None) or exc}") from None
    connect(args)
    peer = identity.trust(actor(args), args.code, text, str(args.public_key))
    what = f"{identity.kind_name(peer.kind)} {peer.code}, block {peer.block:02d}"
    print(f"trusted {what}, ed25519 {identity.fingerprint(peer.ed25519)}")
    return 0


def cmd_peers(args: argparse.Namespace) -> int:
    from trainer.reporting import exports
    from trainer.sync import identity

    connect(args)
    rows = identity.peers(actor(args))
    columns = ("code", "kind", "block", "ed25519", "x25519")
    sys.stdout.write(
        exports.to_table(
            columns,
            [
                (p.code, p.kind, f"{p.block:02d}", identity.fingerprint(p.ed25519), identity.fingerprint(p.x25519))
                for p in rows
            ],
        )
    )
    print(f"{len(rows)} trusted peer{'' if len(rows) == 1 else 's'}")
    return 0
