"""Demo data: the published figures exactly, determinism, and rows that hang together.

The default demo is loaded once per backend (module scope) for the read-only
checks; SQLite always, PostgreSQL when TRAINER_TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import datetime
import os

import pytest

from db.connection import database
from trainer.accounts.access import ROLES
from trainer.certification.numbers import valid_number
from trainer.demo import build as demo
from trainer.demo.plan import TODAY
from trainer.errors import TrainerError
from trainer.registry import names

PG_URL = os.environ.get("TRAINER_TEST_DATABASE_URL")
TRAINED = """
SELECT t.force_id, COUNT(DISTINCT t.id) FROM trainee t
JOIN enrolment e ON e.trainee_id = t.id JOIN cohort c ON c.id = e.cohort_id
JOIN course co ON co.id = c.course_id
JOIN course_force cf ON cf.course_id = co.id AND cf.force_id = t.force_id
WHERE e.status = 'graduated' AND co.category = 'basic' GROUP BY t.force_id
"""


def _fresh_url(backend: str, directory) -> str:
    if backend == "postgres":
        if not PG_URL:
            pytest.skip("TRAINER_TEST_DATABASE_URL not set")
        import psycopg

        conn = psycopg.connect(PG_URL, autocommit=True)
        with conn.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cur.execute("CREATE SCHEMA public")
        conn.close()
        return PG_URL
    return f"sqlite:///{directory}/t.db"


def _connect(backend: str, directory):
    from trainer.setup import connect

    connect(_fresh_url(backend, directory))
    return database.obj


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def _loaded(request, tmp_path_factory):
    db = _connect(request.param, tmp_path_factory.mktemp("demo"))
    summary = demo.generate(seed=1, password="demo-password")
    yield request.param, db, summary
    if not db.is_closed():
        db.close()


@pytest.fixture
def demo_db(_loaded):
    """(backend, summary) with the global database bound to that backend's demo database."""
    backend, db, summary = _loaded
    database.initialize(db)
    with db.connection_context():
        yield backend, summary


def q(sql: str, *params):
    if database.obj.param != "?":
        sql = sql.replace("?", "%s")
    return database.execute_sql(sql, params).fetchall()


def one(sql: str, *params):
    return q(sql, *params)[0][0]


def test_trained_figures_are_the_published_ones(demo_db):
    trained = dict(q(TRAINED))
    assert trained["police"] == 15_000
    assert trained["border"] == 6_000
    assert set(trained) == {"police", "border", "army", "cts", "tribal", "peshmerga"}
    assert all(n > 0 for n in trained.values())
    assert demo_db[1].trained == trained
    assert 25_000 <= one("SELECT COUNT(*) FROM trainee") <= 35_000


def test_persons_count_once_and_some_never_graduate(demo_db):
    twice = one(
        "SELECT COUNT(*) FROM (SELECT e.trainee_id FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "JOIN course co ON co.id = c.course_id WHERE e.status = 'graduated' AND co.category = 'basic' "
        "GROUP BY e.trainee_id HAVING COUNT(*) > 1) x"
    )
    assert twice > 0
    for status in ("failed", "withdrawn", "waitlisted", "enrolled"):
        never = one(
            "SELECT COUNT(DISTINCT e.trainee_id) FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
            "JOIN course co ON co.id = c.course_id WHERE co.category = 'basic' AND e.status = ? "
            "AND NOT EXISTS (SELECT 1 FROM enrolment g JOIN cohort gc ON gc.id = g.cohort_id "
            "JOIN course gco ON gco.id = gc.course_id WHERE g.trainee_id = e.trainee_id "
            "AND g.status = 'graduated' AND gco.category = 'basic')",
            status,
        )
        assert never > 0, status
    ilp = one(
        "SELECT COUNT(DISTINCT e.trainee_id) FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "JOIN course co ON co.id = c.course_id JOIN trainee t ON t.id = e.trainee_id "
        "WHERE co.category IN ('intelligence-led-policing', 'community-policing') AND t.force_id = 'police' "
        "AND e.status = 'graduated'"
    )
    assert ilp > 0


def test_ninawa_police_requirement(demo_db):
    assert one("SELECT required FROM requirement WHERE province_id = 'IQ-NI' AND force_id = 'police'") == 25_000


def test_every_table_has_rows(demo_db):
    # all but site settings, sign-in sessions and import records (the app's own)
    for table in demo.TABLES + ("user", "user_centre", "holiday", "cohort_summary", "person_summary", "audit_event"):
        assert one(f'SELECT COUNT(*) FROM "{table}"') > 0, table


def test_certificates(demo_db):
    assert one("SELECT COUNT(*) FROM certificate WHERE status = 'revoked' AND revoked_reason <> ''") == 1
    numbers = [r[0] for r in q("SELECT number FROM certificate")]
    assert numbers and all(valid_number(n) for n in numbers)
    today = TODAY
    for days in (30, 60, 90):
        soon = one(
            "SELECT COUNT(*) FROM certificate WHERE status = 'valid' AND expires_on >= ? AND expires_on < ?",
            today.isoformat(),
            (today + datetime.timedelta(days=days)).isoformat(),
        )
        assert soon > 0, days
    assert one("SELECT COUNT(*) FROM certificate WHERE status = 'expired' AND expires_on < ?", today.isoformat()) > 0
    assert one("SELECT COUNT(*) FROM certificate WHERE status = 'valid' AND expires_on < ?", today.isoformat()) == 0
    bad = one(
        "SELECT COUNT(*) FROM certificate c JOIN certificate n ON n.id = c.superseded_by_id "
        "WHERE c.status = 'superseded' AND (n.trainee_id <> c.trainee_id OR n.course_id <> c.course_id "
        "OR n.issued_on <= c.issued_on)"
    )
    assert bad == 0
    assert one("SELECT COUNT(*) FROM certificate WHERE status = 'superseded'") > 0
    # one certificate per graduate of a course that grants one, and none otherwise
    assert one(
        "SELECT COUNT(*) FROM enrolment e JOIN cohort c ON c.id = e.cohort_id JOIN course co "
        "ON co.id = c.course_id WHERE e.status = 'graduated' AND co.grants_certificate = ?",
        True,
    ) == one("SELECT COUNT(*) FROM certificate")
    codes = [r[0] for r in q("SELECT verification_code FROM certificate")]
    assert len(set(codes)) == len(codes) and all(len(c) == 10 and c.isalnum() for c in codes)


def test_funded_graduates_were_vetted_before_the_start(demo_db):
    approved: dict[int, list[datetime.date]] = {}
    for trainee, decided in q(
        "SELECT trainee_id, decision_date FROM vetting_record WHERE kind = 'individual' AND result = 'approved'"
    ):
        approved.setdefault(trainee, []).append(_date(decided))
    units = {
        u: _date(d)
        for u, d in q("SELECT unit_id, decision_date FROM vetting_record WHERE kind = 'unit' AND result = 'approved'")
    }
    served: dict[int, list] = {}
    for trainee, unit, start, end in q("SELECT trainee_id, unit_id, start_date, end_date FROM unit_assignment"):
        served.setdefault(trainee, []).append((unit, _date(start), _date(end) if end else None))
    rows = q(
        "SELECT e.trainee_id, c.start_date FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "WHERE c.coalition_funded = ? AND e.status = 'graduated'",
        True,
    )
    assert rows
    for trainee, start in rows:
        start = _date(start)
        individual = any(start - datetime.timedelta(days=365) <= d < start for d in approved.get(trainee, ()))
        unit = any(
            u in units and units[u] < start and s <= start and (e is None or e >= start)
            for u, s, e in served.get(trainee, ())
        )
        assert individual or unit, (trainee, start)
    assert one("SELECT COUNT(*) FROM vetting_record WHERE result IN ('pending', 'denied')") > 0
    assert one("SELECT COUNT(*) FROM vetting_record WHERE kind = 'unit'") > 0
    # those pending or denied were never in a coalition-funded cohort
    assert (
        one(
            "SELECT COUNT(*) FROM vetting_record v JOIN enrolment e ON e.trainee_id = v.trainee_id "
            "JOIN cohort c ON c.id = e.cohort_id WHERE v.result IN ('pending', 'denied') "
            "AND c.coalition_funded = ?",
            True,
        )
        == 0
    )


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def test_outcomes_agree_with_results(demo_db):
    latest_failed = (
        "SELECT COUNT(DISTINCT e.id) FROM enrolment e JOIN result r ON r.enrolment_id = e.id "
        "JOIN assessment a ON a.id = r.assessment_id WHERE e.status = ? AND r.score < a.pass_mark "
        "AND NOT EXISTS (SELECT 1 FROM result r2 WHERE r2.enrolment_id = r.enrolment_id "
        "AND r2.assessment_id = r.assessment_id AND r2.attempt > r.attempt)"
    )
    assert one(latest_failed, "graduated") == 0
    assert one(latest_failed, "failed") == one("SELECT COUNT(*) FROM enrolment WHERE status = 'failed'")
    assert one("SELECT COUNT(*) FROM result WHERE attempt = 2") > 0
    missing = one(
        "SELECT COUNT(*) FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "JOIN assessment a ON a.course_id = c.course_id WHERE e.status IN ('graduated', 'failed') "
        "AND NOT EXISTS (SELECT 1 FROM result r WHERE r.enrolment_id = e.id AND r.assessment_id = a.id)"
    )
    assert missing == 0
    by_cohort = dict(
        q(
            "SELECT e.status, COUNT(*) FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
            "WHERE NOT ((e.status IN ('graduated', 'failed') AND c.status = 'completed') "
            "OR (e.status = 'waitlisted' AND c.status = 'planned') "
            "OR (e.status = 'enrolled' AND c.status IN ('running', 'planned')) "
            "OR (e.status = 'withdrawn' AND c.status IN ('completed', 'running'))) GROUP BY e.status"
        )
    )
    assert by_cohort == {}
    reasons = {r[0] for r in q("SELECT DISTINCT withdrawal_reason FROM enrolment WHERE status = 'withdrawn'")}
    assert reasons and reasons <= {"transferred", "medical", "security", "did not report", "dismissed"}
    over = one(
        "SELECT COUNT(*) FROM cohort c WHERE c.capacity < (SELECT COUNT(*) FROM enrolment e "
        "WHERE e.cohort_id = c.id AND e.status IN ('graduated', 'failed', 'enrolled'))"
    )
    assert over == 0
    import json

    for (rules,) in q("SELECT rules FROM cohort WHERE status = 'completed'")[:50]:
        frozen = json.loads(rules)
        assert {"all_assessments", "min_attendance", "min_weighted", "assessments"} <= set(frozen)
        assert {"code", "max_score", "pass_mark", "weight"} <= set(frozen["assessments"][0])


def test_the_apps_pass_rule_agrees_with_each_outcome(demo_db):
    from trainer.training.rules import CohortRules, judge

    rows = q(
        "SELECT e.id, e.status, c.rules, c.course_id FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "WHERE e.status IN ('graduated', 'failed') AND (e.id / 97) * 97 = e.id"
    )
    assert {r[1] for r in rows} == {"graduated", "failed"}
    for enrolment, status, rules, course in rows:
        scores = {}
        for assessment, score in q(
            "SELECT assessment_id, score FROM result WHERE enrolment_id = ? ORDER BY attempt", enrolment
        ):
            scores[assessment] = score  # the latest attempt counts
        verdict = judge(CohortRules.from_json(rules, course), 100.0, scores)
        assert verdict.passed == (status == "graduated"), (enrolment, verdict.reasons)


def test_trainees(demo_db):
    rows = q(
        "SELECT given_name, father_name, grandfather_name, family_name, mother_name, given_name_latin, "
        "father_name_latin, grandfather_name_latin, family_name_latin, national_id, service_number, "
        "search_text, match_key, date_of_birth, phone FROM trainee ORDER BY id LIMIT 300"
    )
    for *parts, nid, sn, text, key, dob, phone in rows:
        assert all(parts), parts
        expected = " ".join(filter(None, (names.keys(*parts), nid, sn.lower())))
        assert text == expected
        assert key == names.name_skeleton(parts[0], parts[1])
        assert len(nid) == 12 and nid.isdigit()
        age = (TODAY - _date(dob)).days / 365.25
        assert 18 <= age <= 50
        assert phone.startswith("+9647") and len(phone) == 14
    assert one("SELECT COUNT(DISTINCT national_id) FROM trainee") == one("SELECT COUNT(*) FROM trainee")
    assert one("SELECT COUNT(*) FROM trainee WHERE gender = 'f'") > 0
    liberated = one("SELECT COUNT(*) FROM trainee WHERE province_id IN ('IQ-NI', 'IQ-AN', 'IQ-SD', 'IQ-KI', 'IQ-DI')")
    assert liberated > one("SELECT COUNT(*) FROM trainee") / 2


def test_search_index_finds_demo_trainees(demo_db):
    from db.search import search_ids

    pg = demo_db[0] == "postgres"
    assert search_ids(database.obj, [("mhmd",)], postgres=pg, limit=5)
    assert search_ids(database.obj, [(names.normalise("أحمد"),)], postgres=pg, limit=5)
    nid = one("SELECT national_id FROM trainee WHERE id = 7")
    assert search_ids(database.obj, [(nid,)], postgres=pg, limit=5) == [7]


def test_users(demo_db):
    from trainer.accounts.users import authenticate

    assert dict(q('SELECT username, role FROM "user"')) == {r: r for r in ROLES}
    assert demo_db[1].users == ROLES and demo_db[1].password is None
    assert authenticate("registrar", "demo-password").role == "registrar"
    linked = {r[0] for r in q('SELECT u.username FROM user_centre uc JOIN "user" u ON u.id = uc.user_id')}
    assert {"registrar", "instructor"} <= linked
    assert (
        one(
            'SELECT COUNT(*) FROM cohort_instructor ci JOIN "user" u ON u.id = ci.user_id '
            "WHERE u.username = 'instructor'"
        )
        > 0
    )
    assert one("SELECT COUNT(*) FROM instructor_qualification") > 0


def test_password_comes_from_the_argument_the_environment_or_is_generated(monkeypatch):
    monkeypatch.setenv("TRAINER_PASSWORD", "from-the-env")
    assert demo.demo_password("given-one") == ("given-one", False)
    assert demo.demo_password(None) == ("from-the-env", False)
    monkeypatch.delenv("TRAINER_PASSWORD")
    password, generated = demo.demo_password(None)
    assert generated and len(password) >= 12


def test_same_seed_same_data_other_seed_differs(tmp_path):
    """Three quick-scale loads (10,000 trainees each) into fresh SQLite files."""
    sql = (
        "SELECT national_id, given_name, father_name, grandfather_name, family_name, given_name_latin "
        "FROM trainee ORDER BY id"
    )
    runs = []
    for i, seed in enumerate((1, 1, 2)):
        (tmp_path / str(i)).mkdir()
        db = _connect("sqlite", tmp_path / str(i))
        summary = demo.generate(scale="quick", seed=seed, password="demo-password")
        with db.connection_context():
            runs.append([tuple(r) for r in q(sql)])
            assert summary.counts["trainee"] == len(runs[-1]) == demo.QUICK_TRAINEES
        db.close()
    assert runs[0] == runs[1]
    assert [r[0] for r in runs[2]] != [r[0] for r in runs[0]]
    assert [r[1:] for r in runs[2]] != [r[1:] for r in runs[0]]


def test_refuses_a_database_that_holds_trainees(tmp_path):
    from db import models

    _connect("sqlite", tmp_path)
    with database.connection_context():
        models.Trainee.create(
            given_name="علي",
            father_name="حسن",
            grandfather_name="محمد",
            date_of_birth=datetime.date(1990, 1, 1),
            force="police",
            province="IQ-NI",
        )
    with pytest.raises(TrainerError, match="already holds trainees: demo data goes into an empty database"):
        demo.generate(password="demo-password")
    with pytest.raises(TrainerError, match="unknown scale"):
        demo.generate(scale="huge")


def test_every_shared_row_is_in_the_change_log_once_as_it_stands(demo_db):
    """The demo logs its bulk rows after the load (db.capture.backfill), not a trigger per row:
    each shared row once, as an insert carrying its final state, in dependency order."""
    import json

    from db import capture

    for table in capture.shared_tables():
        rows = one(f'SELECT COUNT(*) FROM "{table}"')
        logged = q("SELECT op, COUNT(*) FROM sync_change WHERE table_name = ? GROUP BY op", table)
        assert dict(logged) == ({"i": rows} if rows else {}), table
    # a superseded certificate: its one log row carries the status it ended with
    uuid, status = q("SELECT uuid, status FROM certificate WHERE status = 'superseded' ORDER BY id LIMIT 1")[0]
    (fields,) = q("SELECT fields FROM sync_change WHERE table_name = 'certificate' AND record_uuid = ?", str(uuid))[0]
    assert json.loads(fields)["status"] == status
    # parents before children: a trainee's insert before its enrolments', a cohort's before them too
    first = dict(q("SELECT table_name, MIN(seq) FROM sync_change GROUP BY table_name"))
    last = dict(q("SELECT table_name, MAX(seq) FROM sync_change GROUP BY table_name"))
    assert last["trainee"] < first["enrolment"] and last["cohort"] < first["enrolment"] < first["result"]
    seqs = [s for (s,) in q("SELECT seq FROM sync_change WHERE origin = '' ORDER BY id")]
    assert seqs == list(range(1, len(seqs) + 1))


def test_postgres_planner_has_statistics_for_every_table_filled(demo_db):
    """A table never analysed (reltuples -1) is planned as a handful of rows: the registry list's
    instructor scope then read every taught trainee a keystroke (docs/speed.md)."""
    if demo_db[0] != "postgres":
        pytest.skip("SQLite keeps no planner statistics here (Dialect.analyze does nothing)")
    from trainer.demo.shared import TABLES

    marks = ", ".join(["%s"] * len(TABLES))
    unanalysed = q(f"SELECT relname FROM pg_class WHERE relname IN ({marks}) AND reltuples < 0", *TABLES)
    assert unanalysed == []
    assert one("SELECT reltuples FROM pg_class WHERE relname = 'cohort_instructor'") > 0
