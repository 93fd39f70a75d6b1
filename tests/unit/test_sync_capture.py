"""Every change to a shared record is logged in its own transaction (docs/sync.md), SQLite and PostgreSQL.

The capture is a trigger on each shared table (db/capture.py), so a service cannot forget
it. What these tests hold: every table is either shared (and has its triggers) or named
here as staying local, with why; every model a service writes is one of the two (a static
scan, like test_write_checks); a real service write leaves its log rows, a rolled-back one
leaves none, an import's own writes (muted) leave none.
"""

from __future__ import annotations

import ast
import datetime
import json

import pytest

from db import capture, models
from db.connection import database, is_postgres
from tests.unit import test_write_checks
from tests.unit.test_trainees import person
from trainer.accounts.access import SYSTEM
from trainer.registry.trainees import create_trainee, update_trainee, with_changes

# Tables whose rows never travel, and why (a new table must be added to one side or the other).
NOT_SHARED = {
    "user": "accounts and passwords are each site's own",
    "user_centre": "which centres an account works at: the account is local",
    "instructor_qualification": "what an instructor (a local account) may teach",
    "audit_event": "each site's own HMAC chain: carried beside the changes (trainer/sync/audit_chains.py)",
    "user_session": "sign-in state",
    "login_throttle": "sign-in state",
    "setting": "site settings; those HQ owns travel on their own (trainer/accounts/owned_settings.py)",
    "import_batch": "an import's own bookkeeping (its records travel)",
    "held_row": "an import's rows held for review at that site",
    "cohort_summary": "derived: rebuilt from the records",
    "person_summary": "derived: rebuilt from the records",
    "force": "reference data seeded from the code on every database",
    "province": "reference data seeded from the code on every database",
    "sync_change": "the log itself",
    "sync_mute": "the log's switch",
    "sync_clock": "this database's clock correction",
    "sync_peer": "this database's view of its peers",
    "sync_review": "what waits for a person here",
    "sync_audit_event": "sites' audit trails held at headquarters (trainer/sync/audit_chains.py)",
    "sync_audit_head": "the heads sites signed of those trails: carried beside the changes",
    # Rows without an identity of their own that do not travel (the others: db/capture.py LINKS).
    "cohort_instructor": "who teaches a cohort: instructors are accounts, which are each site's own",
}


def test_every_table_is_shared_or_named_local_with_a_reason():
    shared = set(capture.shared_tables())
    tables = {m._meta.table_name for m in models.MODELS}
    undecided = sorted(tables - shared - set(NOT_SHARED))
    assert not undecided, f"tables neither shared nor listed as local in NOT_SHARED: {undecided}"
    assert not shared & set(NOT_SHARED), "a table cannot be both"
    assert {"trainee", "enrolment", "result", "certificate", "cohort", "course"} <= shared


def _written_models() -> dict[str, set[str]]:
    """For each public writing service, the model classes it writes (models.X.insert / X.update …)."""
    table = test_write_checks.scan()
    names = {m.__name__ for m in models.MODELS}
    found: dict[str, set[str]] = {}
    for mod, tree in test_write_checks.modules().items():
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            aliases = {  # T = models.Trainee (or T, E = models.Trainee, models.Enrolment)
                target.id: value.attr
                for assign in ast.walk(node)
                if isinstance(assign, ast.Assign)
                for targets, values in [(assign.targets[0], assign.value)]
                for target, value in (
                    zip(targets.elts, values.elts)
                    if isinstance(targets, ast.Tuple) and isinstance(values, ast.Tuple)
                    else [(targets, values)]
                )
                if isinstance(target, ast.Name) and isinstance(value, ast.Attribute)
            }
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in test_write_checks.WRITE_METHODS
                ):
                    recv = call.func.value
                    name = (
                        recv.attr if isinstance(recv, ast.Attribute) else recv.id if isinstance(recv, ast.Name) else ""
                    )
                    name = aliases.get(name, name)
                    if name in names:
                        found.setdefault(f"{mod}.{node.name}", set()).add(name)
    assert len(found) > 30 and table  # the scan sees the services at all
    return found


def test_every_model_a_service_writes_is_captured_or_named_local():
    by_name = {m.__name__: m._meta.table_name for m in models.MODELS}
    shared = set(capture.shared_tables())
    holes = sorted(
        f"{fn} writes {name}"
        for fn, written in _written_models().items()
        for name in written
        if by_name[name] not in shared and by_name[name] not in NOT_SHARED
    )
    assert not holes, "services writing tables the log does not capture:\n" + "\n".join(holes)


def _triggers() -> set[str]:
    if is_postgres(database.obj):
        rows = database.execute_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()
    else:
        rows = database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return {r[0] for r in rows}


def test_every_shared_table_has_its_capture_trigger(db_url):
    with database.connection_context():
        found = _triggers()
    for table in capture.shared_tables():
        assert {f"sync_{table}_ai", f"sync_{table}_au", f"sync_{table}_ad"} <= found or f"sync_{table}" in found, table


def _log() -> list[tuple]:
    C = models.SyncChange
    with database.connection_context():
        return list(
            C.select(C.origin, C.seq, C.hlc, C.table_name, C.record_uuid, C.op, C.fields).order_by(C.id).tuples()
        )


def test_a_service_write_logs_its_changed_fields_in_its_transaction(db_url):
    t = create_trainee(SYSTEM, person())
    update_trainee(SYSTEM, t.id, t.version, with_changes(t, phone="+9647700000000"))
    rows = _log()
    assert [(r[0], r[1], r[3], r[5]) for r in rows] == [("", 1, "trainee", "i"), ("", 2, "trainee", "u")]
    assert rows[0][2] < rows[1][2]  # the clock moves forward
    assert str(rows[0][4]).replace("-", "") == t.uuid.replace("-", "")
    inserted, changed = json.loads(rows[0][6]), json.loads(rows[1][6])
    assert inserted["national_id"] == "123456789012" and "id" not in inserted and "version" not in inserted
    assert set(changed) <= {"phone", "updated_at"} and changed["phone"] == "+9647700000000"


def test_a_rolled_back_write_leaves_no_log_row(db_url):
    with pytest.raises(RuntimeError), database.connection_context(), database.atomic():
        models.Centre.create(code="X1", name_en="x", province="IQ-NI")
        raise RuntimeError("undo")
    assert _log() == []


def test_an_unchanged_update_logs_nothing_and_a_delete_logs_a_tombstone(db_url):
    with database.connection_context():
        c = models.Centre.create(code="X1", name_en="x", province="IQ-NI")
        models.Centre.update(name_en="x").where(models.Centre.id == c.id).execute()
        models.Centre.delete().where(models.Centre.id == c.id).execute()
    assert [r[5] for r in _log()] == ["i", "d"]


def test_muted_writes_are_not_logged_as_this_sites_own(db_url):
    with database.connection_context(), database.atomic(), capture.muted():
        models.Centre.create(code="X1", name_en="x", province="IQ-NI")
    with database.connection_context():
        models.Centre.create(code="X2", name_en="y", province="IQ-NI")
        assert models.SyncMute.select().count() == 0
    assert [json.loads(r[6])["code"] for r in _log()] == ["X2"]


def test_a_bulk_path_is_captured_too(db_url):
    with database.connection_context(), database.atomic():
        models.Centre.insert_many(
            [
                dict(code=f"B{i}", name_en="b", province="IQ-NI", created_at=datetime.datetime(2026, 1, 1))
                for i in range(5)
            ]
        ).execute()
    rows = _log()
    assert len(rows) == 5 and [r[1] for r in rows] == [1, 2, 3, 4, 5]


def test_records_from_before_the_log_are_logged_once_on_upgrade(backend, tmp_path):
    from db.connection import open_database
    from db.schema import runner
    from tests.conftest import fresh_url
    from tests.unit.test_schema import add_trainee
    from trainer.setup import connect, seed_reference

    url = fresh_url(backend, tmp_path)
    db = open_database(url)
    with database.connection_context():
        runner(db).up("0011_certificate_signer")
        seed_reference()
        t = add_trainee()
        course = models.Course.create(code="BPC", title_en="Basic", title_ar="أساسي", category="basic", duration_days=5)
        models.CourseForce.create(course=course, force="police")
    connect(url)
    rows = _log()
    assert sorted((r[3], r[5]) for r in rows) == [("course", "i"), ("course_force", "i"), ("trainee", "i")]
    assert [r[1] for r in rows] == [1, 2, 3] and rows[0][2] < rows[1][2] < rows[2][2]
    by_table = {r[3]: r for r in rows}
    assert str(by_table["trainee"][4]).replace("-", "") == t.uuid.hex
    assert str(by_table["course_force"][4]).replace("-", "") == f"{course.uuid.hex}|police"
    assert json.loads(by_table["trainee"][6])["national_id"] == "123456789012"
    connect(url)
    assert len(_log()) == 3  # once


def test_no_link_row_is_named_like_the_record_it_hangs_on():
    """A link row's name is its key; one reference alone would be its parent's own UUID, and the
    merge (which reads a record's log by name) would fold the two together."""
    for table, cols in capture.LINKS.items():
        assert len(cols) > 1, f"{table}: name it by two parts (db/capture.py LINKS)"
