"""PostgreSQL connections: a server that drops them costs nothing, and a process holds few."""

from __future__ import annotations

import threading

import pytest

from db import models
from db.connection import database
from tests.conftest import PG_SKIP, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)


@pytest.fixture
def pg(tmp_path):
    from tests.conftest import fresh_url
    from trainer.setup import connect

    url = fresh_url("postgres", tmp_path)
    connect(url)
    yield url
    if not database.obj.is_closed():
        database.obj.close()
    database.obj.close_all()


def terminate_everyone_else(url: str) -> int:
    """What a server restart does to a running app: every connection it holds is gone."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND starts_with(application_name, 'trainer ')"
        ).fetchall()
    return len(rows)


def count_users() -> int:
    with database.connection_context():
        return models.User.select().count()


def test_the_next_call_after_the_server_dropped_every_connection_just_works(pg):
    assert count_users() == 0  # a pooled connection now waits idle
    assert terminate_everyone_else(pg) >= 1
    # The pool checks a connection before lending it: the dead one is replaced, no error.
    for _ in range(3):
        assert count_users() == 0


def test_a_process_holds_a_bounded_number_of_connections(pg):
    from db.postgres import POOL_MAX

    seen: list[int] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(5):
            with database.connection_context():
                seen.append(
                    database.execute_sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE starts_with(application_name, 'trainer ') "
                        "AND datname = current_database()"
                    ).fetchone()[0]
                )

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(seen) == 40 and max(seen) <= POOL_MAX


def test_a_connection_dropped_inside_a_write_loses_that_write_whole_and_says_so_in_one_line(pg):
    """A server restarted between two statements of one transaction: the service's call fails
    (the CLI and the screens print its first line), nothing of it was written, and the next
    call gets a fresh connection. Here only our own backends are terminated, in our database."""
    with database.connection_context():
        models.Unit.create(code="police:before", name="Before", force="police")
    failed = None
    try:
        with database.connection_context(), database.atomic():
            models.Unit.create(code="police:half-1", name="Half", force="police")
            assert terminate_everyone_else(pg) >= 1
            models.Unit.create(code="police:half-2", name="Half", force="police")
    except Exception as exc:  # noqa: BLE001  what a caller gets, whatever the driver's class
        failed = exc
    assert failed is not None
    # What trainer.cli prints (its first line): it names the lost connection.
    line = str(failed).strip().splitlines()[0].lower()
    assert any(w in line for w in ("terminat", "connection", "server")), line
    with database.connection_context():
        codes = {u.code for u in models.Unit.select().where(models.Unit.code.startswith("police:"))}
    assert codes == {"police:before"}
