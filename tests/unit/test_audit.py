"""The HMAC-chained audit trail: every kind of tampering is found; an honest trail verifies."""

from __future__ import annotations

import json
import os
import stat
import threading
import time

import pytest

from db import models
from db.connection import database, is_postgres
from trainer.accounts import audit
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import PermissionDenied

CLERK = Actor(user_id=None, username="clerk", role="registrar")


@pytest.fixture(autouse=True)
def audit_key(monkeypatch):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "test-key-0123456789abcdef0123456789")


def write(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(CLERK, "update", "trainee", f"uuid-{i}", before={"rank": "a"}, after={"rank": f"r{i}"})


def tamper(sql: str, params=()) -> None:
    """What someone with direct database access could do: bypass the append-only triggers."""
    with database.connection_context():
        if is_postgres():
            with database.atomic():
                database.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
                database.execute_sql(sql.replace("?", "%s"), params)
                database.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER USER")
        else:
            database.execute_sql("DROP TRIGGER audit_event_no_update")
            database.execute_sql("DROP TRIGGER audit_event_no_delete")
            database.execute_sql(sql, params)


def test_an_untampered_trail_verifies(db_url):
    write(20)
    result = audit.verify()
    assert result.ok and result.events == 20 and result.head == audit.head()


def test_the_database_refuses_to_update_or_delete_events(db_url):
    write(2)
    for sql in ("UPDATE audit_event SET username = 'x'", "DELETE FROM audit_event"):
        with database.connection_context(), pytest.raises(Exception, match="append-only"):
            with database.atomic():
                database.execute_sql(sql)
    if is_postgres():
        with database.connection_context(), pytest.raises(Exception, match="append-only"):
            with database.atomic():
                database.execute_sql("TRUNCATE audit_event")
    assert audit.verify().events == 2


def test_an_edited_event_is_found(db_url):
    write(10)
    tamper("UPDATE audit_event SET detail = replace(detail, 'r4', 'r9') WHERE id = 5")
    result = audit.verify()
    assert not result.ok and len(result.problems) == 1
    assert "event #5" in result.problems[0] and "altered" in result.problems[0]


def test_an_edited_time_or_user_is_found(db_url):
    write(5)
    tamper("UPDATE audit_event SET username = 'someone-else' WHERE id = 2")
    assert "event #2" in audit.verify().problems[0]


def test_a_deleted_event_is_found(db_url):
    write(10)
    tamper("DELETE FROM audit_event WHERE id = 4")
    result = audit.verify()
    assert not result.ok and len(result.problems) == 1
    assert "event #5" in result.problems[0]
    if not is_postgres():
        assert "deleted" in result.problems[0]


def test_an_inserted_event_is_found(db_url):
    write(5)
    with database.connection_context():
        models.AuditEvent.insert(
            username="intruder", action="update", entity="trainee", entity_uuid="x", detail="{}", chain="0" * 64
        ).execute()
    write(2, start=5)
    result = audit.verify()
    assert not result.ok
    assert any("intruder" in p and "inserted" in p for p in result.problems)


def test_a_truncated_tail_is_found_against_a_manifest_head(db_url):
    write(10)
    head = audit.head()
    assert audit.verify(head).ok
    tamper("DELETE FROM audit_event WHERE id > 7")
    # The rest of the chain is whole; the head anchored outside the database at each append tells.
    assert not audit.verify().ok and "#10" in audit.verify().problems[0]
    result = audit.verify(head)
    assert not result.ok and "missing" in result.problems[0] and "#10" in result.problems[0]
    write(5, start=100)  # new events after the cut do not hide it
    result = audit.verify(head)
    assert not result.ok and ("missing" in result.problems[0] or "differs" in result.problems[0])


def test_ten_thousand_events_verify_quickly(db_url):
    started = time.perf_counter()
    audit.record_many(
        CLERK, (audit.Pending("create", "result", f"u{i}", after={"score": i % 100}) for i in range(10_000))
    )
    written = time.perf_counter() - started
    started = time.perf_counter()
    result = audit.verify(audit.head())
    checked = time.perf_counter() - started
    assert result.ok and result.events == 10_000
    print(f"\n10,000 events: written in {written:.2f} s, verified in {checked:.2f} s")
    assert checked < 10


def test_concurrent_writers_do_not_fork_the_chain(db_url):
    errors = []

    def writer(n):
        try:
            for i in range(25):
                with database.connection_context(), database.atomic():
                    audit.record(CLERK, "update", "trainee", f"t{n}-{i}", after={"i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = audit.verify()
    assert result.ok and result.events == 100


def test_national_ids_and_passwords_never_reach_the_trail(db_url):
    audit.record(
        SYSTEM,
        "create",
        "trainee",
        "u1",
        after={"given_name": "علي", "national_id": "199012345678", "search_text": "199012345678 ali"},
        rows=[{"national_id": "200011112222"}],
        password="hunter2hunter2",
    )
    with database.connection_context():
        detail = models.AuditEvent.get().detail
    assert "199012345678" not in detail and "200011112222" not in detail and "hunter2" not in detail
    assert json.loads(detail)["after"]["given_name"] == "علي"


def test_another_key_cannot_write_or_verify_this_trail(db_url, monkeypatch):
    write(3)
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "another-key-0123456789abcdef0123456789")
    with pytest.raises(audit.AuditKeyError, match="not the one this database's trail was written with"):
        write(1)
    result = audit.verify()
    assert not result.ok and "not the one the trail was written with" in result.problems[0]


def test_the_key_file_is_created_private(tmp_path, monkeypatch):
    monkeypatch.delenv("TRAINER_AUDIT_KEY")
    path = tmp_path / "config" / "audit.key"
    monkeypatch.setattr(audit, "key_path", lambda: path)
    key = audit.audit_key()
    assert len(key) == 64 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert audit.audit_key() == key
    other = tmp_path / "open.key"
    other.write_text("x" * 64)
    other.chmod(0o644)
    monkeypatch.setattr(audit, "key_path", lambda: other)
    with pytest.raises(audit.AuditKeyError, match="chmod 600"):
        audit.audit_key()


def test_history_and_log_respect_roles(db_url):
    audit.record(SYSTEM, "update", "trainee", "u1", before={"rank": "a"}, after={"rank": "b"})
    entries = audit.history(SYSTEM, "trainee", "u1")
    assert [(c.field, c.before, c.after) for c in entries[0].changes] == [("rank", "a", "b")]
    assert entries[0].summary() == "rank: a → b"
    assert audit.history(Actor(None, "r", "registrar"), "trainee", "u1")
    with pytest.raises(PermissionDenied):
        audit.history(Actor(None, "a", "analyst"), "trainee", "u1")
    with pytest.raises(PermissionDenied):
        audit.log(Actor(None, "r", "registrar"))
    assert [e.action for e in audit.log(Actor(None, "au", "auditor"))] == ["update"]


def test_truncation_is_found_without_any_manifest(db_url):
    """Issue 14: a cut tail, or the whole trail deleted with the setting naming the last backup."""
    write(6)
    tamper("DELETE FROM audit_event WHERE id > 3")
    result = audit.verify()
    assert not result.ok and "missing" in result.problems[0] and "ends at #3" in result.problems[0]
    if is_postgres():
        tamper("DELETE FROM audit_event")
    with database.connection_context():
        database.execute_sql("DELETE FROM audit_event")  # SQLite: its triggers are gone already
        database.execute_sql("DELETE FROM setting WHERE key = 'backup.last'")
    result = audit.verify()
    assert not result.ok and "missing" in result.problems[0] and "ends at #0" in result.problems[0]


def test_the_anchor_is_kept_outside_the_database(db_url, tmp_path):
    write(3)
    heads = json.loads((tmp_path / "audit-heads.json").read_text())
    (only,) = heads.values()
    assert only["id"] == 3 and len(only["chain"]) == 64  # the newest event, once committed
    assert oct((tmp_path / "audit-heads.json").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "column, value",
    [("at", "yesterday"), ("at", 12345), ("detail", b"\x00\xffbinary"), ("chain", 7), ("username", 3.5)],
)
def test_malformed_rows_are_tampering_never_a_crash(sqlite_url, column, value):
    write(3)
    tamper(f"UPDATE audit_event SET {column} = ? WHERE id = 2", (value,))
    result = audit.verify()
    assert not result.ok and any("#2" in p for p in result.problems)


def test_the_cli_reports_a_malformed_row_and_still_lists_the_log(sqlite_url, capsys, monkeypatch):
    from trainer.accounts import users
    from trainer.cli import main

    users.create_user(None, "boss", "admin", "correct horse")
    write(2)
    tamper("UPDATE audit_event SET at = 'yesterday', username = 'x' || char(27) || '[2J' WHERE id = 2")
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse")
    assert main(["--db", sqlite_url, "--user", "boss", "audit", "verify"]) == 1
    out, err = capsys.readouterr()
    assert "TAMPERED: event #2 is malformed" in out and not err
    assert main(["--db", sqlite_url, "--user", "boss", "audit", "log"]) == 0
    out, err = capsys.readouterr()
    assert "yesterday" in out and "\x1b" not in out and "\\x1b[2J" in out


def test_deleting_the_very_last_event_is_found_without_a_backup(db_url):
    """Issue 14: the head outside the database trailed by one event, so the newest could go unseen."""
    write(4)
    assert audit.verify().ok
    last = audit.head()
    tamper(f"DELETE FROM audit_event WHERE id = {last.id}")
    result = audit.verify()
    assert not result.ok
    assert f"event #{last.id}" in result.problems[0] and "missing" in result.problems[0]


def test_a_rolled_back_event_is_never_anchored(db_url):
    write(2)
    kept = audit.head()

    class Undo(Exception):
        pass

    with database.connection_context(), pytest.raises(Undo):
        with database.atomic():
            audit.record(CLERK, "update", "trainee", "gone", after={"rank": "x"})
            raise Undo
    with database.connection_context(), database.atomic():
        with database.atomic() as inner:  # a savepoint rolled back inside a committed transaction
            audit.record(CLERK, "update", "trainee", "gone too", after={"rank": "y"})
            inner.rollback()
    assert audit.anchored() == audit.Head(kept.id, kept.chain, 0)
    assert audit.verify().ok


def test_many_processes_leave_the_newest_head_anchored(db_url):
    """Each commit anchors under a file lock: a slower writer never puts an older head back."""
    errors = []

    def writer(n):
        try:
            for i in range(10):
                with database.connection_context(), database.atomic():
                    audit.record(CLERK, "update", "trainee", f"t{n}-{i}", after={"i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    head = audit.head()
    assert audit.anchored() == audit.Head(head.id, head.chain, 0)
    tamper(f"DELETE FROM audit_event WHERE id = {head.id}")
    assert not audit.verify().ok
