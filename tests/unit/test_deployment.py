"""Deployment of graduates on SQLite and PostgreSQL: leakage arithmetic, outcomes by program of
instruction, and (a property) no two postings of one person ever overlap."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.instructor_fixtures as fx
from db import models
from db.connection import database
from tests.unit.test_stations import graduate, station
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import PermissionDenied, ValidationFailed
from trainer.reporting import catalogue
from trainer.reporting.base import ReportParams
from trainer.stations import posting_import, postings
from trainer.training import delivery

D = datetime.date
END = D(2025, 3, 13)  # the fixture cohort's last day: the graduation date

pytestmark = pytest.mark.usefixtures("private_config")
private_config = fx.private_config


def world():
    w = fx.build(trainees=5)
    graduate(w, ilp=1)
    station("NI-001")
    station("NI-002")
    t = w.trainees
    postings.post(SYSTEM, t[0], "NI-001", END + datetime.timedelta(days=10))  # within 90 days
    postings.post(SYSTEM, t[1], "NI-001", END + datetime.timedelta(days=200))  # later
    postings.post(
        SYSTEM, t[2], "NI-002", END + datetime.timedelta(days=30), end=D(2025, 9, 1), reason="deserted"
    )  # within, then ended
    postings.post(SYSTEM, t[3], "NI-002", END + datetime.timedelta(days=90))  # the 90th day still counts
    return w  # t[4]: never posted


def leakage(**kw) -> dict:
    result = catalogue.run_report(SYSTEM, "deployment-leakage", ReportParams(**kw))
    return {row[0]: dict(zip(result.columns, row)) for row in result.rows}


def test_graduated_is_posted_within_n_days_plus_not_posted(db_url):
    world()
    row = leakage(by="force")["police"]
    assert row["graduates"] == 5 == row["posted_within_90_days"] + row["not_posted"]
    assert (row["posted_within_90_days"], row["not_posted"]) == (3, 2)
    assert row["not_posted"] == row["posted_later"] + row["never_posted"] == 1 + 1
    assert (row["leakage_pct"], row["postings_ended"], row["ended_deserted"]) == (40.0, 1, 1)
    assert leakage(by="force", days=89)["police"]["posted_within_89_days"] == 2
    year = leakage(by="cohort", days=365)["BPC-01"]
    assert (year["graduates"], year["posted_within_365_days"], year["not_posted"]) == (5, 4, 1)


def test_leakage_counts_a_person_once_per_row_and_refuses_bad_parameters(db_url):
    w = world()
    with database.connection_context():  # the first man graduates a second course: still one person
        other = models.Cohort.create(
            code="BPC-02", course=w.course_id, centre=w.centre_id, start_date=D(2025, 4, 1), end_date=D(2025, 4, 10),
            capacity=5, status="completed",
        )  # fmt: skip
        models.Enrolment.create(cohort=other, trainee=w.trainees[0], enrolled_on=D(2025, 4, 1), status="graduated")
    assert leakage(by="centre")["MOSUL"]["graduates"] == 5
    assert leakage(by="cohort")["BPC-02"]["graduates"] == 1
    with pytest.raises(ValidationFailed, match="by: deployment-leakage groups by"):
        leakage(by="colour")
    with pytest.raises(ValidationFailed, match="days"):
        leakage(days=-1)


def test_outcomes_by_program_per_nation_and_poi(db_url):
    w = world()
    delivery.add_program(SYSTEM, "POI-IT", "2", "Carabinieri police programme", "BPC", "Italy")
    delivery.set_delivery(SYSTEM, "BPC-01", "POI-IT@2", ("IT", "IQ"))
    with pytest.raises(ValidationFailed, match="unknown nation 'Narnia'"):
        delivery.set_delivery(SYSTEM, "BPC-01", "POI-IT", ("Narnia",))
    with database.connection_context():  # one enrolled man failed: 5 of 6 graduated
        tid = fx.trainee(7, national_id="700000000007")
        models.Enrolment.create(cohort=w.cohort_id, trainee=tid, enrolled_on=w.start, status="failed")
    result = catalogue.run_report(SYSTEM, "outcomes-by-program", ReportParams(as_of=D(2026, 6, 1)))
    rows = {(r[0], r[1]): dict(zip(result.columns, r)) for r in result.rows}
    assert set(rows) == {("IT", "POI-IT v2"), ("IQ", "POI-IT v2")}
    it = rows[("IT", "POI-IT v2")]
    assert (it["enrolled"], it["graduated"], it["graduated_pct"]) == (6, 5, 83.3)
    assert (it["certified"], it["posted_90_days"], it["posted_90_days_pct"]) == (5, 3, 60.0)
    # a year after graduating (2026-03-13): three still serve (the deserter left in 2025)
    assert (it["graduated_12_months_ago"], it["serving_after_12_months"]) == (5, 3)
    assert (it["ilp_community_trained"], it["ilp_community_pct"]) == (1, 20.0)


def test_every_station_report_leaves_in_every_format_with_suppression(db_url, tmp_path):
    world()
    for name in ("box-status", "station-readiness", "deployment-leakage", "outcomes-by-program"):
        result = catalogue.run_report(SYSTEM, name, ReportParams())
        # box-status's kind totals (level "all") are metadata in a file: its records are the location rows.
        records = [r for r in result.rows if name != "box-status" or r[0] != "all"]
        for fmt in ("csv", "json", "xlsx", "hxl"):
            written = catalogue.write_result(result, fmt, tmp_path / f"{name}.{'csv' if fmt == 'hxl' else fmt}")
            assert written.rows == len(records)
    # small officer counts are hidden in files, never in the analyst's own table
    result = catalogue.run_report(SYSTEM, "deployment-leakage", ReportParams(by="force"))
    assert catalogue.write_result(result, "csv", tmp_path / "l.csv").suppressed > 0
    with pytest.raises(PermissionDenied, match="may not report run"):
        catalogue.run_report(Actor(None, "clerk", "registrar"), "box-status", ReportParams())


# --- the property: one person, never two postings at once ------------------------------------

spans = st.lists(
    st.tuples(st.integers(0, 400), st.one_of(st.none(), st.integers(0, 200)), st.sampled_from(["NI-001", "NI-002"])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spans)
def test_no_posting_overlaps_another_for_the_same_person(db_url, attempts):
    with database.connection_context():
        if not models.Station.select().exists():
            w = fx.build(trainees=1)
            graduate(w)
            station("NI-001")
            station("NI-002")
        tid = models.Trainee.select(models.Trainee.id).scalar()
        models.Posting.delete().execute()
    for offset, length, where in attempts:
        start = END + datetime.timedelta(days=offset)
        end = None if length is None else start + datetime.timedelta(days=length)
        try:
            postings.post(SYSTEM, tid, where, start, end=end, reason="" if end is None else "transferred")
        except ValidationFailed as refused:
            assert "already posted" in str(refused)
    with database.connection_context():
        spans_ = sorted(
            models.Posting.select(models.Posting.start_date, models.Posting.end_date)
            .where(models.Posting.trainee == tid)
            .tuples()
        )
    for (_s1, e1), (s2, _e2) in zip(spans_, spans_[1:]):
        assert e1 is not None and e1 < s2, spans_


def test_a_personnel_list_is_imported_all_or_nothing_with_each_row_checked(db_url, tmp_path):
    w = fx.build(trainees=4)
    graduate(w)
    station("NI-001")
    station("NI-002")
    with database.connection_context():
        ids = [t.national_id for t in models.Trainee.select().order_by(models.Trainee.id)]
    sheet = tmp_path / "personnel.csv"
    sheet.write_text(
        "national_id,station,start_date,end_date,end_reason\n"
        f"{ids[0]},NI-001,2025-04-01,,\n"
        f"{ids[1]},NI-002,01/04/2025,30/04/2025,transferred\n"
        f"{ids[1]},NI-001,2025-04-15,,\n"  # overlaps the row above
        "999999999999,NI-001,2025-04-01,,\n"  # nobody
        f"{ids[2]},NI-009,2025-04-01,,\n",  # no such station
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as refused:
        posting_import.import_postings(SYSTEM, sheet)
    text = str(refused.value)
    assert "row 4, national_id: the person overlaps row 3" in text
    assert "row 5, national_id: no person" in text and "row 6, station: no station 'NI-009'" in text
    with database.connection_context():
        assert models.Posting.select().count() == 0  # nothing partially written
    dry = posting_import.import_postings(SYSTEM, sheet, dry_run=True, skip_invalid=True)
    assert (dry.written, len(dry.invalid)) == (2, 3)
    with database.connection_context():
        assert models.Posting.select().count() == 0
    done = posting_import.import_postings(SYSTEM, sheet, skip_invalid=True)
    again = posting_import.import_postings(SYSTEM, sheet, skip_invalid=True)
    assert (done.written, again.written, again.present) == (2, 0, 2)
    with database.connection_context():
        ended = models.Posting.get(models.Posting.end_reason == "transferred")
        assert (ended.start_date, ended.end_date) == (D(2025, 4, 1), D(2025, 4, 30))
