"""The database seam (db/dialect.py): each difference behaves the same way on both databases."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta

from db import models
from db.connection import database
from db.dialect import PostgresDialect, SqliteDialect, dialect


def scalar(sql: str, params=()):
    return database.execute_sql(sql, params).fetchone()[0]


def test_chosen_when_the_database_is_opened(db_url):
    d = dialect()
    assert d is database.obj.dialect
    expected = PostgresDialect if db_url.startswith("postgresql") else SqliteDialect
    assert type(d) is expected and d.name == expected.name and d.param == database.obj.param
    assert d.local_file == (d.name == "sqlite") and d.backup_suffix in (".db", ".dump")


def test_date_fragments_agree_with_python(db_url):
    d = dialect()
    with database.connection_context():
        for day in (datetime.date(2024, 3, 31), datetime.date(2025, 1, 15), datetime.date(2024, 2, 29)):
            text = f"'{day.isoformat()}'"
            cast = f"CAST({text} AS date)" if d.name == "postgresql" else text
            assert str(scalar(f"SELECT {d.month_start(cast)}"))[:10] == day.replace(day=1).isoformat()
            got = datetime.date.fromisoformat(str(scalar(f"SELECT {d.months_before(cast, 12, plus_days=4)}"))[:10])
            # Calendar months (relativedelta) and SQL month arithmetic differ by at most 3 days at month ends.
            assert abs((got - (day - relativedelta(months=12) + datetime.timedelta(days=4))).days) <= 3
        stamp = "'2026-11-01 06:30:00'"
        stamp = f"CAST({stamp} AS timestamp)" if d.name == "postgresql" else stamp
        assert str(scalar(f"SELECT {d.date_of(stamp)}"))[:10] == "2026-11-01"


def test_reserved_ids_take_rows_written_many_at_a_time(db_url):
    d = dialect()
    cols = ["id", "code", "name", "force_id", "uuid", "version", "created_at", "updated_at"]
    with database.connection_context(), database.atomic():
        cursor = database.cursor()
        before = scalar("SELECT COALESCE(MAX(id), 0) FROM unit")
        ids = d.reserve_ids(cursor, "unit", before, 3)
        assert len(set(ids)) == 3 and min(ids) > before
        now = d.stamp(models.now())
        rows = [(i, f"police:seam-{i}", f"Unit {i}", "police", f"{i:032x}", 1, now, now) for i in ids]
        d.insert_rows(cursor, "unit", cols, rows)
        more = d.reserve_ids(cursor, "unit", max(ids), 2)
        d.copy_rows(
            cursor,
            "unit",
            tuple(cols),
            [(i, f"police:seam-{i}", "U", "police", f"{i:032x}", 1, now, now) for i in more],
        )
        d.reset_sequences(["unit"])
    with database.connection_context():
        assert scalar(f"SELECT COUNT(*) FROM unit WHERE code LIKE {d.param}", ("police:seam-%",)) == 5
        # After explicit ids, an ordinary insert still gets a fresh one.
        new = models.Unit.create(code="police:after", name="After", force="police")
        assert new.id > max(more)


def test_a_table_filled_in_a_transaction_gets_statistics_for_its_key_columns(db_url):
    d = dialect()
    cols = ["id", "code", "name", "force_id", "uuid", "version", "created_at", "updated_at"]
    with database.connection_context(), database.atomic():
        cursor = database.cursor()
        ids = d.reserve_ids(cursor, "unit", scalar("SELECT COALESCE(MAX(id), 0) FROM unit"), 300)
        now = d.stamp(models.now())
        rows = [(i, f"police:st-{i}", "U", "police", f"{i:032x}", 1, now, now) for i in ids]
        d.insert_rows(cursor, "unit", cols, rows)
        d.analyze_filled({"unit": ("uuid",), "sync_change": ("origin", "seq")})
        if d.name == "postgresql":  # the planner now knows the rows this transaction added
            counted = scalar("SELECT COUNT(*) FROM unit")
            assert scalar("SELECT reltuples FROM pg_class WHERE relname = 'unit'") == counted
            analysed = "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'unit' AND attname = 'uuid' AND n_distinct = -1"
            assert scalar(analysed) == 1  # every UUID distinct: a look-up by UUID goes through its index
        d.reset_sequences(["unit"])


def test_dropped_indexes_come_back_from_their_statements(db_url):
    d = dialect()
    tables = ("enrolment", "result")

    def indexes() -> set[str]:
        sql = (
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (%s, %s)"
            if d.name == "postgresql"
            else "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?, ?)"
        )
        return {r[0] for r in database.execute_sql(sql, tables).fetchall()}

    with database.connection_context():
        before = indexes()
        with database.atomic():
            restore = d.drop_secondary_indexes(tables)
            assert restore and indexes() < before
            for sql in restore:
                database.execute_sql(sql)
        assert indexes() == before


def test_for_update_locks_only_on_a_server(db_url):
    query = dialect().for_update(models.Cohort.select())
    assert ("FOR UPDATE" in query.sql()[0]) == (dialect().name == "postgresql")


def test_a_streamed_result_comes_in_chunks_and_a_write_meanwhile_nests_in_it(db_url):
    """Exports read the whole registry through dialect().stream: on PostgreSQL a server-side cursor,
    so the client never holds more than one chunk; a write made while streaming (an audit event)
    neither commits the cursor's transaction away nor is lost."""
    d = dialect()
    with database.connection_context(), database.atomic():
        for i in range(23):
            models.Unit.create(code=f"police:stream-{i:02}", name=f"Unit {i}", force="police")
    sql = f"SELECT code FROM unit WHERE code LIKE {d.param} ORDER BY code"
    with database.connection_context():
        chunks = []
        for chunk in d.stream(sql, ["police:stream-%"], size=10):
            chunks.append([code for (code,) in chunk])
            if len(chunks) == 1:
                models.Unit.create(code="police:written-meanwhile", name="Meanwhile", force="police")
        assert [len(c) for c in chunks] == [10, 10, 3]
        assert [c for part in chunks for c in part] == [f"police:stream-{i:02}" for i in range(23)]
        if d.name == "postgresql":
            # The cursor lived on the server and is gone with its transaction.
            assert scalar("SELECT count(*) FROM pg_cursors") == 0
    with database.connection_context():
        assert models.Unit.select().where(models.Unit.code == "police:written-meanwhile").count() == 1
