"""The demo's Police in a Box data reproduces the seed, deterministically, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from db.connection import database
from tests.conftest import fresh_url
from trainer.accounts.access import SYSTEM
from trainer.demo import build as demo
from trainer.reporting import catalogue
from trainer.reporting.base import ReportParams


def load(url: str):
    from trainer.setup import connect

    connect(url)
    return demo.generate(scale="quick", seed=1, password="demo-password")


def rows(sql: str) -> list[tuple]:
    with database.connection_context():
        return [tuple(r) for r in database.execute_sql(sql).fetchall()]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_demo_kits_are_the_seeds(backend, tmp_path):
    loaded = load(fresh_url(backend, tmp_path))
    assert (loaded.counts["kit"], loaded.counts["station"]) == (200, 150)
    result = catalogue.run_report(SYSTEM, "box-status", ReportParams())
    programme = {r[1]: dict(zip(result.columns, r)) for r in result.rows if r[0] == "all"}
    for kind in ("police", "border"):
        assert (programme[kind]["kits"], programme[kind]["received"]) == (100, 50)
        assert programme[kind]["first_received"] >= "2017-07-01"
        assert programme[kind]["last_received"] <= "2017-07-31"
    # the first fifty police kits: ten to each of the five provinces of the first plan
    first = rows(
        "SELECT COALESCE(s.province_id, c.province_id), COUNT(*) FROM kit k JOIN centre c ON c.id = k.centre_id "
        "LEFT JOIN station s ON s.id = k.station_id WHERE k.kind = 'police' GROUP BY 1 ORDER BY 1"
    )
    assert first == [("IQ-AN", 10), ("IQ-DI", 10), ("IQ-KI", 10), ("IQ-NI", 10), ("IQ-SD", 10)]
    # postings: no person serves twice at once; some stations ready, most not
    assert rows(
        "SELECT COUNT(*) FROM posting a JOIN posting b ON a.trainee_id = b.trainee_id AND a.id < b.id "
        "AND a.start_date <= COALESCE(b.end_date, '9999-12-31') AND b.start_date <= COALESCE(a.end_date, '9999-12-31')"
    ) == [(0,)]
    ready = catalogue.run_report(SYSTEM, "station-readiness", ReportParams(date_to=datetime.date(2026, 11, 1)))
    verdicts = [r[12] for r in ready.rows]
    assert 0 < verdicts.count("yes") < verdicts.count("no")
    leak = catalogue.run_report(SYSTEM, "deployment-leakage", ReportParams(by="nation"))
    shares = {r[0]: r[4] for r in leak.rows}
    assert {"IT", "US"} <= set(shares) and shares["IT"] < shares["US"]  # nations differ


def test_the_same_seed_gives_the_same_stations_kits_and_postings(tmp_path):
    sql = (
        "SELECT 'station', code, province_id, authorised_strength, status FROM station UNION ALL "
        "SELECT 'kit', serial, state, received_on, COALESCE(station_id, 0) FROM kit UNION ALL "
        "SELECT 'posting', CAST(trainee_id AS TEXT), start_date, COALESCE(end_date, ''), end_reason FROM posting "
        "ORDER BY 1, 2, 3"
    )
    runs = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        load(f"sqlite:///{tmp_path / str(i) / 't.db'}")
        runs.append(rows(sql))
        database.obj.close()
    assert runs[0] == runs[1] and len(runs[0]) > 1000
