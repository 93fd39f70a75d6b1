"""Migrations and database-level constraints, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import sqlite3

import pytest
from peewee import IntegrityError
from playhouse.schema_diff import diff_models

from db import models
from db.connection import database, open_database
from db.schema import runner, status
from db.search import SEARCH_INDEXES
from tests.conftest import fresh_url
from trainer.errors import DatabaseError
from trainer.setup import connect


def add_trainee(**overrides) -> models.Trainee:
    values = dict(
        given_name="علي",
        father_name="حسن",
        grandfather_name="كاظم",
        date_of_birth=datetime.date(1990, 1, 2),
        force="police",
        province="IQ-NI",
        national_id="123456789012",
        search_text="علي حسن كاظم al hsn kdm",
    )
    values.update(overrides)
    return models.Trainee.create(**values)


def test_migrating_from_empty_builds_exactly_the_models(db_url):
    with database.connection_context():
        diff = diff_models(database.obj, list(models.MODELS))
        drops = [i for i in diff.drop_indexes if i.name not in SEARCH_INDEXES]
        assert not (diff.create_tables or diff.add_columns or diff.drop_columns or diff.add_indexes or drops), diff
        state = status(database.obj)
        assert state.pending == () and state.unknown == ()
        assert state.version == int(state.applied[-1][:4])
        assert models.Force.select().count() == 6
        assert models.Province.select().count() == 19


def test_init_is_idempotent(db_url):
    again = connect(db_url)
    assert again.applied == () and again.backup is None
    with database.connection_context():
        assert models.Province.select().count() == 19


def test_upgrade_from_previous_version_keeps_data_and_indexes_it(backend, tmp_path):
    url = fresh_url(backend, tmp_path)
    db = open_database(url)
    with database.connection_context():
        runner(db).up("0001_initial")
        from trainer.setup import seed_reference

        seed_reference()
        add_trainee()
    opened = connect(url)
    assert "0002_search" in opened.applied
    if backend == "sqlite":
        assert opened.backup is not None and opened.backup.exists()
        copy = sqlite3.connect(opened.backup)
        assert copy.execute("SELECT count(*) FROM trainee").fetchone() == (1,)
        assert copy.execute("SELECT count(*) FROM schema_migration").fetchone() == (1,)
        copy.close()
    from trainer.accounts.access import SYSTEM
    from trainer.registry.trainees import search

    assert [t.national_id for t in search(SYSTEM, "كاظم")] == ["123456789012"]


def test_a_database_newer_than_the_code_is_refused_untouched(db_url):
    with database.connection_context():
        database.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')")
    with pytest.raises(DatabaseError, match="newer trainer"):
        connect(db_url)
    with database.connection_context():
        names = [r[0] for r in database.execute_sql("SELECT name FROM schema_migration").fetchall()]
    assert "9999_future" in names


def _refused(**overrides):
    with database.connection_context():
        with pytest.raises(IntegrityError):
            with database.atomic():
                add_trainee(**overrides)


def test_national_id_is_unique_in_the_database(db_url):
    with database.connection_context():
        add_trainee()
    _refused(given_name="عمر")


def test_enums_are_checked_by_the_database(db_url):
    _refused(status="promoted")
    _refused(gender="x")


def test_foreign_keys_are_enforced(db_url):
    _refused(force="navy")
    _refused(province="IQ-XX")


def test_checks_on_course_and_certificate_rules(db_url):
    with database.connection_context():
        with pytest.raises(IntegrityError), database.atomic():
            course = models.Course.create(code="X", title_en="X", category="basic", duration_days=5)
            models.Assessment.create(course=course, code="A", title="A", max_score=10, pass_mark=11)
        with pytest.raises(IntegrityError), database.atomic():
            models.Course.create(code="Y", title_en="Y", category="cooking", duration_days=5)


def test_sqlite_pragmas_and_immediate_transactions(sqlite_url):
    db = database.obj
    with database.connection_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert db._lock_type == "IMMEDIATE"
    # A second connection cannot start a write while the first holds one.
    with database.connection_context(), database.atomic():
        other = sqlite3.connect(db.database, timeout=0.1)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
