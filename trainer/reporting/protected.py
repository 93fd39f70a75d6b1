"""Person-level exports as a password-protected archive: a ZIP whose one member is AES-256
encrypted (WinZip AE-2, through pyzipper), which 7-Zip, WinZip and the file managers of
Windows 11 and macOS open after asking for the password. (Info-ZIP's `unzip` cannot: it has no
AES; docs/encryption.md.) The password is the reader's to pass on by another channel.
"""

from __future__ import annotations

import os
from pathlib import Path

from trainer.errors import FieldProblem, ValidationFailed

MIN_PASSWORD = 10
PASSWORD_ENV = "TRAINER_EXPORT_PASSWORD"
WARNING = (
    "this file holds names and national IDs: keep it off shared drives and removable media, "
    "and delete it when done (or write it protected: --protect)"
)


def archive_name(path: Path) -> Path:
    return path if path.suffix.lower() == ".zip" else path.with_name(path.name + ".zip")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            [FieldProblem("password", f"an archive password has at least {MIN_PASSWORD} characters")]
        )


def write_archive(plain: Path, target: Path, member: str, password: str) -> None:
    """Write `plain`, and the companions written beside it (its NAME-metadata.json), into a new
    AES-encrypted ZIP at `target` (as `member`, `member`-metadata.json …); then remove them."""
    import glob

    import pyzipper

    check_password(password)
    companions = sorted(plain.parent.glob(glob.escape(plain.name) + "?*"))
    try:
        with pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
            zf.setpassword(password.encode("utf-8"))
            zf.setencryption(pyzipper.WZ_AES, nbits=256)
            zf.write(plain, member)
            for extra in companions:
                zf.write(extra, member + extra.name[len(plain.name) :])
        os.chmod(target, 0o600)
    finally:
        for file in (plain, *companions):
            file.unlink(missing_ok=True)
