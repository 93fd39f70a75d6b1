"""A long import holds SQLite's one write lock: readers go on, writers get a clear "busy" (issue 14).

SQLite-only: PostgreSQL writers lock rows, not the database.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse"


def roster(path: Path, rows: int) -> None:
    lines = ["given_name,father_name,grandfather_name,date_of_birth,national_id,force,province"]
    for i in range(rows):
        lines.append(f"Ali{i},Hassan{i % 97},Kadhim{i % 89},1990-01-{1 + i % 28:02d},{10_000_000_000 + i},police,IQ-NI")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_locked(db: Path) -> bool:
    con = sqlite3.connect(str(db), timeout=0)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        con.close()


@pytest.fixture
def busy(tmp_path, monkeypatch):
    """A database with an admin, and a 60,000-row import running in another process."""
    db = tmp_path / "busy.db"
    url = f"sqlite:///{db}"
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "busy-test-key-0123456789abcdef0123456789")
    assert main(["--db", url, "init"]) == 0
    from trainer.accounts import users

    users.create_user(None, "admin", "admin", PASSWORD)
    roster(tmp_path / "big.csv", 60_000)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    importer = subprocess.Popen(
        [sys.executable, "-m", "trainer.cli", "--db", url, "--user", "admin", "import", "trainees", "big.csv"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not write_locked(db):
        assert importer.poll() is None, importer.communicate()
        assert time.monotonic() < deadline, "the import never took the write lock"
        time.sleep(0.02)
    yield url, importer
    importer.wait(timeout=300)


def test_readers_never_fail_while_an_import_writes(busy, capsys):
    url, importer = busy
    started = time.monotonic()
    reads = 0
    while importer.poll() is None and reads < 5:
        began = time.monotonic()
        code = main(["--db", url, "report", "trained-by-force", "--format", "csv"])
        out, err = capsys.readouterr()
        assert time.monotonic() - began < 5  # never waits for the writer (its busy timeout is 10 s)
        assert code == 0, err
        assert out.startswith("force,") and "police,Local Police" in out
        reads += 1
    assert reads >= 1
    assert time.monotonic() - started < 60
    out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err  # and the import, undisturbed, wrote everything
    assert b"60000 added" in out, out


def test_a_signed_in_reader_goes_on_while_an_import_writes(busy, capsys):
    """Issue 14: `--user registrar report …` during a long import answered "busy" after 10 s,
    because signing in writes. Its sign-in now waits in the ledger; the import is undisturbed."""
    from trainer.accounts import audit

    url, importer = busy
    held_since = time.monotonic()
    while time.monotonic() - held_since < 1.5:  # the import's long transaction, not a short one before it
        assert importer.poll() is None, importer.communicate()
        if not write_locked(Path(url.removeprefix("sqlite:///"))):
            held_since = time.monotonic()
        time.sleep(0.05)
    began = time.monotonic()
    code = main(["--db", url, "--user", "admin", "report", "trained-by-force", "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert time.monotonic() - began < 6  # a short try at the lock, then the ledger: never the 10 s wait
    assert out.startswith("force,")
    assert importer.poll() is None, "the import should still be running: make the roster bigger"
    out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    # The next writer (here: the next sign-in) writes the queued sign-in into the trail.
    assert main(["--db", url, "--user", "admin", "audit", "log", "--action", "login", "--limit", "5"]) == 0
    logged, _ = capsys.readouterr()
    assert "while_busy" in logged, logged
    assert audit.verify().ok


def test_a_writer_behind_a_long_writer_is_told_busy_in_one_line(tmp_path, monkeypatch, capsys):
    """A long writer (an import's one transaction) holds the lock past the 10 s wait: a command that
    must write gives up with one line, not a traceback, having changed nothing (its sign-in goes
    through the ledger: tests/unit/test_sign_in_ledger.py)."""
    db = tmp_path / "held.db"
    url = f"sqlite:///{db}"
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "busy-test-key-0123456789abcdef0123456789")
    assert main(["--db", url, "init"]) == 0
    from trainer.accounts import users

    users.create_user(None, "admin", "admin", PASSWORD)
    holder = sqlite3.connect(str(db), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
    try:
        started = time.monotonic()
        code = main(["--db", url, "--user", "admin", "settings", "set", "idle_lock_minutes", "20"])
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("trainer: busy:") and len(err.strip().splitlines()) == 1, err
    assert waited < 15  # the bounded wait, not a hang
    assert main(["--db", url, "--user", "admin", "settings", "set", "idle_lock_minutes", "20"]) == 0  # now it works
