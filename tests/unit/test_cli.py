"""The command line: bad input gets one clear line and exit 1, nothing created or changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path, capsys):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    code, out, err = run(capsys, "--db", f"sqlite:///{path}", "init")
    assert code == 1
    assert "not a trainer database" in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_an_unknown_url_scheme_is_refused(capsys):
    code, out, err = run(capsys, "--db", "mongodb://localhost/x", "init")
    assert code == 1 and "unknown database URL scheme 'mongodb'" in err
    assert "Traceback" not in err


def test_an_unreachable_postgresql_is_one_line(capsys):
    code, out, err = run(capsys, "--db", "postgresql://postgres@127.0.0.1:1/none", "init")
    assert code == 1 and err.startswith("trainer: cannot open database") and len(err.strip().splitlines()) == 1


def test_a_newer_database_is_refused_and_left_alone(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'n.db'}"
    assert run(capsys, "--db", url, "init")[0] == 0
    import sqlite3

    conn = sqlite3.connect(tmp_path / "n.db")
    conn.execute("INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')")
    conn.commit()
    # Into the file now: a background checkpoint (db/checkpoint.py) moving it later is not the refusal.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = (tmp_path / "n.db").read_bytes()
    code, out, err = run(capsys, "--db", url, "init")
    assert code == 1 and "newer trainer" in err
    assert (tmp_path / "n.db").read_bytes() == before


def test_the_apps_own_start_is_read_without_argparse_and_anything_else_with_it(monkeypatch):
    """trainer.cli.app_start: `trainer [--db URL] [--user NAME] [tui]` as argparse reads it; any
    doubt is argparse's to read (and refuse)."""
    from trainer.cli import app_start, cmd_tui

    monkeypatch.delenv("TRAINER_USER", raising=False)
    got = app_start(["--db", "sqlite:///a.db", "--user=amira", "tui"])
    assert (got.db, got.user, got.command, got.handler, got.allow_plain) == (
        "sqlite:///a.db",
        "amira",
        "tui",
        cmd_tui,
        False,
    )
    assert (app_start([]).db, app_start([]).user) == (None, None)
    assert app_start(["--db=sqlite:///a.db", "--db", "sqlite:///b.db"]).db == "sqlite:///b.db"  # the last, as argparse
    monkeypatch.setenv("TRAINER_USER", "omar")
    assert app_start(["tui"]).user == "omar"
    for doubtful in (
        ["--db"],
        ["--db", "--user", "x"],
        ["--db="],
        ["tui", "--db", "x"],
        ["--allow-plain"],
        ["init"],
        ["--db", "a\udcff"],
        ["-h"],
        ["--user", "x", "tui", "tui"],
    ):
        assert app_start(doubtful) is None, doubtful


def test_an_option_without_its_value_is_still_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--db"])
    assert exc.value.code == 2 and "expected one argument" in capsys.readouterr().err


def test_init_twice_is_idempotent(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'i.db'}"
    code, out, _ = run(capsys, "--db", url, "init")
    assert code == 0 and "applied: 0001_initial, 0002_search" in out
    code, out, _ = run(capsys, "--db", url, "init")
    assert code == 0 and "up to date" in out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--format", "pdf", "trained-by-force"])
    assert exc.value.code == 2


def test_unknown_report_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "--db", f"sqlite:///{tmp_path / 'r.db'}", "report", "nonsense")
    assert code == 1 and "no report named 'nonsense'" in err


def test_first_user_needs_no_login_but_the_second_does(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    monkeypatch.setattr(sys, "stdin", _Stdin("correct horse battery\n"))
    code, _, err = run(capsys, "--db", url, "user", "add", "boss", "--role", "admin", "--password-stdin")
    assert code == 1 and "no database at" in err and not (tmp_path / "u.db").exists()  # only init creates one
    assert run(capsys, "--db", url, "init")[0] == 0
    monkeypatch.setattr(sys, "stdin", _Stdin("correct horse battery\n"))
    assert run(capsys, "--db", url, "user", "add", "boss", "--role", "admin", "--password-stdin")[0] == 0
    monkeypatch.setattr(sys, "stdin", _Stdin("another password\n"))
    code, _, err = run(capsys, "--db", url, "user", "add", "clerk", "--role", "registrar", "--password-stdin")
    assert code == 1 and "--user" in err
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse battery")
    monkeypatch.setattr(sys, "stdin", _Stdin("another password\n"))
    code, out, _ = run(
        capsys, "--db", url, "--user", "boss", "user", "add", "clerk", "--role", "registrar", "--password-stdin"
    )
    assert code == 0 and "added clerk (registrar)" in out


def test_console_script_runs_as_a_process(tmp_path):
    env = dict(os.environ, TRAINER_DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    done = subprocess.run(
        [sys.executable, "-m", "trainer.cli", "report", "--list"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0 and "trained-by-force" in done.stdout


class _Stdin:
    def __init__(self, text: str):
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""

    def isatty(self) -> bool:
        return False
