"""Person-level exports: a warning when names leave, and `--protect` writes an AES-256 ZIP that a
real archiver (7-Zip) opens with the password and refuses without it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from trainer.accounts.access import SYSTEM
from trainer.cli import main

SEVEN = shutil.which("7zz") or shutil.which("7z")


def _world(sqlite_url, monkeypatch):
    from tests.unit.test_reports import build_small
    from trainer.accounts import users

    build_small()
    users.create_user(SYSTEM, "boss", "admin", "admin-password-1")
    monkeypatch.setenv("TRAINER_PASSWORD", "admin-password-1")


def test_an_identified_export_warns_and_a_protected_one_is_an_aes_zip(sqlite_url, tmp_path, capsys, monkeypatch):
    import pyzipper

    _world(sqlite_url, monkeypatch)
    plain = tmp_path / "names.csv"
    assert (
        main(["--db", sqlite_url, "--user", "boss", "export", "trainees", "--identified", "--output", str(plain)]) == 0
    )
    err = capsys.readouterr().err
    assert "names and national IDs" in err and "--protect" in err
    monkeypatch.setenv("TRAINER_EXPORT_PASSWORD", "short")
    out = tmp_path / "protected.csv"
    args = [
        "--db",
        sqlite_url,
        "--user",
        "boss",
        "export",
        "trainees",
        "--identified",
        "--protect",
        "--output",
        str(out),
    ]
    assert main(args) == 1 and "10 characters" in capsys.readouterr().err
    assert not list(tmp_path.glob("protected*")) and not list(tmp_path.glob(".export.*"))
    monkeypatch.setenv("TRAINER_EXPORT_PASSWORD", "archive password 1")
    assert main(args) == 0, capsys.readouterr().err
    archive = tmp_path / "protected.csv.zip"
    assert archive.exists() and not out.exists() and not list(tmp_path.glob(".export.*"))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    raw = archive.read_bytes()
    names = plain.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert not any(len(v) >= 4 and v.encode("utf-8") in raw for v in names)
    with pyzipper.AESZipFile(archive) as zf:
        zf.setpassword(b"archive password 1")
        assert zf.read("protected.csv") == plain.read_bytes()
        assert set(zf.namelist()) == {"protected.csv", "protected.csv-metadata.json"}
        zf.setpassword(b"wrong")
        with pytest.raises(RuntimeError):
            zf.read("protected.csv")


# Skipped on a developer's machine without 7-Zip, never in CI (CI=true), where .ci/run installs it.
@pytest.mark.skipif(
    SEVEN is None and not os.environ.get("CI"), reason="7-Zip is not installed: apt-get install 7zip to run this check"
)
def test_7zip_opens_the_protected_export(sqlite_url, tmp_path, capsys, monkeypatch):
    assert SEVEN is not None, "CI must have 7-Zip (.ci/run installs it)"
    _world(sqlite_url, monkeypatch)
    monkeypatch.setenv("TRAINER_EXPORT_PASSWORD", "archive password 1")
    out = tmp_path / "t.xlsx"
    args = ["--db", sqlite_url, "--user", "boss", "export", "trainees", "--format", "xlsx", "--identified"]
    assert main([*args, "--protect", "--output", str(out)]) == 0, capsys.readouterr().err
    archive = tmp_path / "t.xlsx.zip"
    wrong = subprocess.run([SEVEN, "t", "-pnot-it", str(archive)], capture_output=True, text=True)
    assert wrong.returncode != 0
    done = subprocess.run(
        [SEVEN, "x", "-parchive password 1", f"-o{tmp_path / 'x'}", str(archive)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "x" / "t.xlsx").read_bytes()[:2] == b"PK"  # the XLSX itself, whole
