"""A CLI process that opens SQLite imports no PostgreSQL driver (db/drivers.py); one that opens
PostgreSQL keeps them. Each case in a fresh interpreter: this one imported peewee long ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
{body}
import peewee
print(peewee.psycopg2 is None, 'psycopg2' in sys.modules, 'psycopg' in sys.modules)
"""


def _probe(body: str, **env) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return out.stdout.splitlines()[-1].split()  # the probe's line, after what the command printed


def test_the_cli_on_sqlite_starts_without_postgres_drivers(tmp_path):
    body = f"from trainer.cli import main\nassert main(['--db', 'sqlite:///{tmp_path / 't.db'}', 'init']) == 0"
    assert _probe(body) == ["True", "False", "False"]


def test_hidden_only_for_that_import_and_only_for_sqlite():
    body = "from db.drivers import import_peewee_for\nimport_peewee_for(None)\nimport psycopg"
    assert _probe(body, TRAINER_DATABASE_URL="sqlite:///x.db")[0] == "True"  # a later import still works
    body = "from db.drivers import import_peewee_for\nimport_peewee_for('postgresql://u@h/db')"
    assert _probe(body)[2] == "True"  # psycopg 3, the driver, is imported for PostgreSQL


def test_the_app_start_on_sqlite_imports_no_postgres_driver_and_counts_the_users(tmp_path):
    """What `trainer tui` does before the first screen (trainer.cli.cmd_tui), minus the app itself:
    the encryption check came first once and imported peewee with the drivers in view."""
    db = tmp_path / "t.db"
    setup = f"from trainer.cli import main\nassert main(['--db', 'sqlite:///{db}', 'init']) == 0"
    _probe(setup)  # a database with no users yet
    body = (
        "import argparse\n"
        "from trainer.commands.common import connect_for_app\n"
        f"url, users = connect_for_app(argparse.Namespace(db='sqlite:///{db}', user=None, command='tui'))\n"
        "assert users == 0, users\n"
        "assert 'argon2' not in sys.modules and 'cryptography' not in sys.modules, 'sign-in crypto at start'\n"
    )
    assert _probe(body) == ["True", "False", "False"]


def test_the_first_screen_is_built_before_peewee_and_the_opening_loads_no_postgres_driver(tmp_path):
    """`trainer` (trainer.cli.cmd_tui) builds its app and first screen from the URL alone, its
    arguments read without argparse (docs/speed.md); the worker that then opens the database imports peewee without the
    PostgreSQL drivers, and no sign-in crypto."""
    db = tmp_path / "t.db"
    _probe(f"from trainer.cli import main\nassert main(['--db', 'sqlite:///{db}', 'init']) == 0")
    body = (
        "from trainer.cli import app_start\n"
        "from trainer.commands.common import app_opening\n"
        f"opening = app_opening(app_start(['--db', 'sqlite:///{db}']).db)\n"
        "from screens.app import make_app\n"
        "from screens.login import LoginScreen\n"
        "make_app(opening.url, opening=opening), LoginScreen()\n"
        "later = ('peewee', 'playhouse', 'argon2', 'cryptography', 'argparse')\n"
        "early = [m for m in sys.modules if m.split('.')[0] in later]\n"
        "assert not early and 'db.models' not in sys.modules, early\n"
        "assert not opening.new_file and opening.local_file\n"
        "start = opening.open()\n"
        "assert start.users == 0 and start.backup is None, start\n"
        "assert 'argon2' not in sys.modules and 'cryptography' not in sys.modules, 'sign-in crypto at start'\n"
    )
    assert _probe(body) == ["True", "False", "False"]


FIRST_PAINT = """
import dataclasses, json, sys
from trainer.commands.common import AppStart, app_opening
from screens.app import make_app

opening = app_opening({url!r})
seen = {{}}


def probe():
    # The opening's worker starts once the first screen is drawn: what was loaded by then?
    later = ('peewee', 'playhouse', 'psycopg', 'psycopg2', 'argon2', 'cryptography', 'argparse')
    seen['early'] = sorted(m for m in sys.modules if m.split('.')[0] in later or m == 'db.models')
    seen['screen'] = type(app.screen).__name__
    app.call_from_thread(app.exit)
    return AppStart(users=0 if opening.new_file else 1, backup=None)


app = make_app(opening.url, opening=dataclasses.replace(opening, open=probe))
app.run(headless=True)
print(json.dumps(seen))
"""


@pytest.mark.parametrize("made, screen", [(True, "LoginScreen"), (False, "FirstRunScreen")])
def test_nothing_of_the_database_is_loaded_before_the_first_screen_is_drawn(tmp_path, made, screen):
    """In a fresh interpreter, the app as `trainer` makes it: by the time the sign-in (or, for a
    file not made yet, the first-run screen) is drawn, no peewee, models, drivers or crypto."""
    db = tmp_path / "t.db"
    if made:
        _probe(f"from trainer.cli import main\nassert main(['--db', 'sqlite:///{db}', 'init']) == 0")
    out = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT.format(url=f"sqlite:///{db}")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.splitlines()[-1]) == {"early": [], "screen": screen}
