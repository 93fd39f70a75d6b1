"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os

import pytest

# The instructor world's fixtures (private_config, user) for every test module that asks by name.
pytest_plugins = ["tests.instructor_fixtures"]

PG_URL = os.environ.get("TRAINER_TEST_DATABASE_URL")
PG_SKIP = "PostgreSQL tests need TRAINER_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"


def reset_postgres(url: str) -> None:
    """Empty the test database: drop and recreate its public schema."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def fresh_url(backend: str, tmp_path) -> str:
    if backend == "postgres":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path / 'trainer.db'}"


@pytest.fixture(autouse=True)
def audit_heads(tmp_path, monkeypatch):
    """Each test's own file for the audit heads anchored outside the database (trainer/accounts/audit.py):
    a test database recreated under the same name must not be checked against another test's head."""
    monkeypatch.setenv("TRAINER_AUDIT_HEADS", str(tmp_path / "audit-heads.json"))


@pytest.fixture(autouse=True)
def no_site_keys_held():
    """An encrypted site's keys held by one test (trainer/accounts/sealing.py) never reach the next."""
    yield
    from trainer.accounts import sealing

    sealing.hold(None)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, tmp_path) -> str:
    """A migrated, empty database bound to the global proxy; its URL."""
    from trainer.setup import connect

    url = fresh_url(backend, tmp_path)
    connect(url)
    yield url
    from db.connection import database

    if database.obj is not None:
        if not database.obj.is_closed():
            database.obj.close()
        if hasattr(database.obj, "close_all"):  # a PostgreSQL pool
            database.obj.close_all()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    from trainer.setup import connect

    url = f"sqlite:///{tmp_path / 'trainer.db'}"
    connect(url)
    return url
