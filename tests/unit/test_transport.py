"""PostgreSQL on another machine: TLS required unless told otherwise (db/transport.py).

No test here sends a packet off this machine: the refusal comes before any connection, and
the allowed cases are checked on the rule itself or against the local test server."""

from __future__ import annotations

import pytest

from db import transport
from tests.conftest import PG_SKIP, PG_URL
from trainer.cli import main


@pytest.fixture(autouse=True)
def no_allowance(monkeypatch):
    for name in (transport.ALLOW_ENV, "PGSSLMODE", "PGHOST"):
        monkeypatch.delenv(name, raising=False)


def test_a_plain_connection_to_another_machine_is_refused_in_one_line(capsys):
    code = main(["--db", "postgresql://postgres@db.hq.example:5432/trainer", "init"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "without TLS" in err and "sslmode=verify-full" in err and "--allow-plain" in err


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_an_sslmode_that_does_not_require_tls_is_refused(mode):
    with pytest.raises(transport.PlainConnectionRefused):
        transport.check({"host": "10.20.30.40", "sslmode": mode})


@pytest.mark.parametrize("mode", ["require", "verify-ca", "verify-full"])
def test_tls_modes_pass(mode, monkeypatch):
    transport.check({"host": "db.hq.example", "sslmode": mode})
    monkeypatch.setenv("PGSSLMODE", mode)
    transport.check({"host": "db.hq.example"})


@pytest.mark.parametrize("host", [None, "", "localhost", "127.0.0.1", "127.8.0.1", "::1", "[::1]", "/run/postgresql"])
def test_this_machine_needs_no_tls(host):
    transport.check({"host": host})


def test_allowed_explicitly(monkeypatch):
    monkeypatch.setenv(transport.ALLOW_ENV, "1")
    transport.check({"host": "db.hq.example", "sslmode": "disable"})


def test_the_cli_flag_allows_it(capsys):
    import os

    # The flag sets what the rule reads (an unknown scheme: nothing is looked up or sent).
    code = main(["--allow-plain", "--db", "mongodb://localhost/trainer", "init"])
    capsys.readouterr()
    assert code == 1 and os.environ.pop(transport.ALLOW_ENV, None) == "1"  # main() set it: not monkeypatch's


@pytest.mark.postgres
def test_the_local_server_still_opens_without_tls(capsys):
    if not PG_URL:
        pytest.skip(PG_SKIP)
    from tests.conftest import reset_postgres

    reset_postgres(PG_URL)
    assert main(["--db", PG_URL, "init"]) == 0, capsys.readouterr().err
