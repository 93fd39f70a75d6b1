"""trainer cert pdf | verify | badge | expiring | revoke | public-key | status-list."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.commands.common import UsageError, actor, connect, staged
from trainer.errors import TrainerError
from trainer.text import read_small

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= 36_500:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (e.g. 30, 60, 90)")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cert = sub.add_parser("cert", help="certificates: PDF, offline verification, badge, expiry lists")
    cert.set_defaults(handler=_needs_subcommand)
    csub = cert.add_subparsers(dest="cert_command")

    pdf = csub.add_parser("pdf", help="the certificate as a one-page bilingual PDF with a signed QR code")
    pdf.add_argument("number")
    pdf.add_argument("--output", type=Path, help="file to write (default: NUMBER.pdf in your exports folder)")
    pdf.set_defaults(handler=cmd_pdf)

    verify = csub.add_parser(
        "verify",
        help="check a certificate: its QR payload offline with the public key, or its printed code in the records",
    )
    verify.add_argument(
        "code",
        help="the printed verification code (e.g. VBYC6JCQ6U), the QR payload text "
        "(a JWS, or TRC1.… on older prints), or a file holding it",
    )
    verify.add_argument(
        "--public-key",
        type=Path,
        action="append",
        metavar="FILE",
        help="public key file (PEM); repeat for several (default: this site's key)",
    )
    verify.set_defaults(handler=cmd_verify)

    badge = csub.add_parser("badge", help="the certificate as an Open Badges 3.0 credential (JSON)")
    badge.add_argument("number")
    badge.add_argument("--output", type=Path, help="file to write (default: standard output)")
    badge.set_defaults(handler=cmd_badge)

    exp = csub.add_parser("expiring", help="valid certificates expiring within the next DAYS days")
    exp.add_argument("--days", type=_days, default=30)
    exp.set_defaults(handler=cmd_expiring)

    revoke = csub.add_parser("revoke", help="withdraw a certificate; the reason is kept and shown on verification")
    revoke.add_argument("number")
    revoke.add_argument("--reason", required=True, help="why, in a few words (kept in the record and the audit)")
    revoke.set_defaults(handler=cmd_revoke)

    key = csub.add_parser("public-key", help="print this site's public key (hand it to verifiers)")
    key.add_argument("--output", type=Path)
    key.add_argument("--jwk", action="store_true", help="as a JSON Web Key set (for JOSE libraries) instead of PEM")
    key.set_defaults(handler=cmd_public_key)

    status = csub.add_parser(
        "status-list", help="the signed revocation list (W3C Bitstring Status List) that badges point to"
    )
    status.add_argument("--output", type=Path, required=True, metavar="FILE")
    status.set_defaults(handler=cmd_status_list)


def _needs_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("cert: give a subcommand (pdf, verify, badge, expiring, revoke, public-key, status-list)")


def cmd_pdf(args: argparse.Namespace) -> int:
    from trainer.certification import certificates
    from trainer.certification import pdf as certificate_pdf

    connect(args)
    who = actor(args)
    view = certificates.by_number(who, args.number)
    target = args.output
    if target is None:  # the user's exports folder (docs/settings.md), never the current directory
        from trainer.accounts.settings import exports_folder

        target = exports_folder(who) / f"{view.number}.pdf"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrainerError(f"cannot make the exports folder {target.parent}: {exc.strerror or exc}") from None
    path = target
    with staged(path, stream_ok=False) as out:
        certificate_pdf.write(view, certificates.payload(view), out)
    print(f"wrote {path}")
    return 0


def _verify_keys(paths: list[Path] | None) -> list[Ed25519PublicKey]:
    from trainer.certification import signing

    if paths:
        return [signing.load_public_key(p) for p in paths]
    if os.environ.get(signing.KEY_ENV) or signing.key_path().exists():
        return [signing.public_key()]
    if signing.public_key_path().exists():
        return [signing.load_public_key(signing.public_key_path())]
    raise TrainerError("no public key to verify with: give --public-key FILE")


def cmd_verify(args: argparse.Namespace) -> int:
    import datetime

    from trainer.certification import signing

    text = args.code
    if text.count(".") != 2 and len(text) < 4096 and Path(text).is_file():
        text = read_small(text, 64 * 1024, "certificate code file").decode("utf-8", "replace")
    from trainer.certification import verification

    if "." not in text and verification.looks_like_code(text):  # printed codes have no dots; payloads do
        return _verify_printed_code(args, text)
    checked = signing.verify(text, _verify_keys(args.public_key))
    print(f"genuine: certificate {checked.number} signed by key {checked.key_id}")
    print(f"  holder:  {checked.name_latin}  /  {checked.name_arabic}")
    print(f"  course:  {checked.course}, issued {checked.issued}, valid until {checked.expires or 'no expiry'}")
    status = _database_status(args, checked.number)
    if status is not None:
        state, reason, newer = status
        note = {"revoked": f"REVOKED: {reason}", "superseded": f"superseded by {newer}", "expired": "EXPIRED"}.get(
            state, state
        )
        print(f"  status:  {note} (this site's records)")
        return 0 if state == "valid" else 1
    if checked.expires and checked.expires < datetime.date.today().isoformat():
        print("  status:  EXPIRED (by its printed date; no records here to check revocation)")
        return 1
    print("  status:  no records here to check revocation; the signature and dates are good")
    return 0


def _verify_printed_code(args: argparse.Namespace, text: str) -> int:
    """A printed code proves nothing by itself: it is looked up in the records given (--db)."""
    from db.connection import default_sqlite_path
    from trainer.certification import verification

    if not (args.db or os.environ.get("TRAINER_DATABASE_URL") or default_sqlite_path().exists()):
        raise TrainerError("a printed code is checked against the records: give --db URL (or scan the QR code)")
    connect(args)
    found = verification.check_code(text)
    code = verification.normalise(text)
    if found is None:
        raise TrainerError(f"no certificate with verification code {code} in these records")
    print(f"found: certificate {found.number} (code {found.code}) in this site's records")
    print(f"  holder:  {found.holder_latin}  /  {found.holder_arabic}")
    expiry = found.expires_on.isoformat() if found.expires_on else "no expiry"
    print(f"  course:  {found.course}, issued {found.issued_on.isoformat()}, valid until {expiry}")
    note = {
        "revoked": f"REVOKED: {found.revoked_reason}",
        "superseded": f"superseded by {found.superseded_by}",
        "expired": "EXPIRED",
    }.get(found.status, found.status)
    print(f"  status:  {note}")
    return 0 if found.status == "valid" else 1


def _database_status(args: argparse.Namespace, number: str) -> tuple[str, str, str] | None:
    """Revocation needs the records: only when a database is named or the default one exists."""
    from db.connection import default_sqlite_path

    if not (args.db or os.environ.get("TRAINER_DATABASE_URL") or default_sqlite_path().exists()):
        return None
    from trainer.certification.certificates import public_status

    connect(args)
    return public_status(number)


def cmd_badge(args: argparse.Namespace) -> int:
    from trainer.certification import badges, certificates

    connect(args)
    acting = actor(args)
    view = certificates.by_number(acting, args.number)
    text = badges.export(view, status_url=badges.status_list_url(acting))
    if args.output:
        with staged(args.output) as out:
            out.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from trainer.certification import certificates

    connect(args)
    acting = actor(args)
    view = certificates.by_number(acting, args.number)
    done = certificates.revoke(acting, view.id, args.reason, version=view.version)
    print(f"revoked {done.number}: {done.revoked_reason}")
    return 0


def cmd_status_list(args: argparse.Namespace) -> int:
    import json

    from trainer.certification import badges

    connect(args)
    acting = actor(args)
    url, revoked = badges.revoked_indexes(acting)
    document = badges.status_list(revoked, url=url)
    args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(revoked)} revoked of the certificates issued here; publish it at {url}")
    return 0


def cmd_expiring(args: argparse.Namespace) -> int:
    from trainer.certification import certificates
    from trainer.reporting import exports

    connect(args)
    rows = certificates.expiring(actor(args), args.days)
    columns = ("number", "expires_on", "holder", "course", "cohort")
    sys.stdout.write(
        exports.to_table(
            columns, [(c.number, c.expires_on, c.latin_name or c.name, c.course_code, c.cohort_code) for c in rows]
        )
    )
    print(f"{len(rows)} certificates expire within {args.days} days")
    return 0


def cmd_public_key(args: argparse.Namespace) -> int:
    from trainer.certification import signing

    if args.jwk:
        import json

        pem = json.dumps({"keys": [signing.public_jwk()]}, indent=2) + "\n"
    else:
        pem = signing.public_pem().decode("ascii")
    if args.output:
        with staged(args.output) as out:
            out.write_text(pem, encoding="ascii")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(pem)
    return 0
