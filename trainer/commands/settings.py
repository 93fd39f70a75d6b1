"""trainer settings [get [KEY]] | set KEY VALUE: site settings (docs/settings.md)."""

from __future__ import annotations

import argparse
import sys

from trainer.commands.common import UsageError, actor, connect

PERSONAL = ("exports_directory",)  # each user's own; the rest are the site's


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("settings", help="read or change site settings (idle lock, vetting validity, backups …)")
    s.set_defaults(handler=cmd_get, key=None)
    ssub = s.add_subparsers(dest="settings_command", metavar="WHAT")
    g = ssub.add_parser("get", help="one setting's value, or every setting with its meaning")
    g.add_argument("key", nargs="?")
    g.set_defaults(handler=cmd_get)
    st = ssub.add_parser("set", help="change a setting (admin; exports_directory: your own)")
    st.add_argument("key")
    st.add_argument("value")
    st.set_defaults(handler=cmd_set)


def cmd_get(args: argparse.Namespace) -> int:
    from trainer.accounts import settings, site_settings

    connect(args)
    who = actor(args)
    if args.key in PERSONAL:
        print(settings.exports_folder(who))
        return 0
    if args.key:
        item = site_settings.BY_KEY.get(args.key)
        if item is None:
            raise UsageError(f"settings: no setting {args.key!r} (settings: {', '.join(site_settings.BY_KEY)})")
        print(item.show(site_settings.value(who, args.key)))
        return 0
    for item, text in site_settings.values(who):
        sys.stdout.write(f"{item.key:<24} {text or '(empty)'}\n{'':<24} {item.meaning}\n")
    sys.stdout.write(f"{'exports_directory':<24} {settings.exports_folder(who)}\n{'':<24} Your exports folder.\n")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from trainer.accounts import settings, site_settings

    if args.key not in site_settings.BY_KEY and args.key not in PERSONAL:
        raise UsageError(
            f"settings: no setting {args.key!r} (settings: {', '.join(site_settings.BY_KEY)}, exports_directory)"
        )
    connect(args)
    who = actor(args)
    if args.key in PERSONAL:
        settings.set_personal(who, args.key, args.value.strip())
        print(f"exports_directory = {settings.exports_folder(who)}")
        return 0
    print(f"{args.key} = {site_settings.change(who, args.key, args.value)}")
    return 0
