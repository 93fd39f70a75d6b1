"""The summary tables: what refresh_cohort / refresh_trainees leave equals a full rebuild."""

from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from tests.unit.test_reports import build_small
from trainer.reporting import summary


def snapshot():
    CS, PS = models.CohortSummary, models.PersonSummary
    with database.connection_context():
        cohorts = sorted(
            tuple(str(v) for v in r)
            for r in CS.select(
                CS.cohort,
                CS.course,
                CS.centre,
                CS.force,
                CS.province,
                CS.end_date,
                CS.month,
                CS.enrolled,
                CS.withdrawn,
                CS.graduated,
                CS.failed,
                CS.trained,
                CS.results,
                CS.results_passed,
                CS.certificates,
            ).tuples()
        )
        persons = sorted(
            tuple(str(v) for v in r)
            for r in PS.select(
                PS.trainee, PS.force, PS.province, PS.active, PS.first_seen, PS.trained_on, PS.trained_centre, PS.ilp_on
            ).tuples()
        )
    return cohorts, persons


def assert_matches_rebuild():
    incremental = snapshot()
    summary.rebuild()
    assert incremental == snapshot()


@pytest.fixture
def small(db_url):
    return build_small()


def test_rebuild_fills_both_tables(small):
    cohorts, persons = snapshot()
    assert len(persons) == 7
    with database.connection_context():
        row = (
            models.CohortSummary.select()
            .where(
                (models.CohortSummary.cohort == small["cohorts"]["BP-1"])
                & (models.CohortSummary.force == "police")
                & (models.CohortSummary.province == "IQ-NI")
            )
            .get()
        )
    assert (row.enrolled, row.graduated, row.failed, row.trained, row.results, row.results_passed) == (3, 2, 1, 2, 4, 2)
    assert row.month == datetime.date(2024, 2, 1)


def test_refresh_cohort_after_graduation_results_and_certificates(small):
    E, R, K, A = models.Enrolment, models.Result, models.Certificate, models.Assessment
    cohort = small["cohorts"]["ILP-1"]
    with database.connection_context(), database.atomic():
        E.update(status="graduated").where((E.cohort == cohort) & (E.trainee == small["people"]["p2"])).execute()
        enrolment = E.get((E.cohort == cohort) & (E.trainee == small["people"]["p2"]))
        a = A.create(course=models.Cohort.get_by_id(cohort).course, code="X", title="X", max_score=10, pass_mark=5)
        R.create(enrolment=enrolment, assessment=a, score=7)
        K.create(
            number="NEW",
            verification_code="NEWV",
            enrolment=enrolment,
            trainee=small["people"]["p2"],
            course=models.Cohort.get_by_id(cohort).course,
            issued_on=datetime.date(2024, 6, 27),
        )
        summary.refresh_cohort(cohort)
    with database.connection_context():
        ps = models.PersonSummary.get_by_id(small["people"]["p2"])
    assert ps.ilp_on == datetime.date(2024, 6, 27)
    assert_matches_rebuild()


def test_an_earlier_graduation_moves_first_time_counts_of_later_cohorts(small):
    """p1 graduated BP twice; a new, earlier BP cohort makes that one his first."""
    M = models
    with database.connection_context(), database.atomic():
        bp = M.Course.get(M.Course.code == "BP")
        early = M.Cohort.create(
            code="BP-0",
            course=bp,
            centre=small["centres"]["NIN"],
            start_date=datetime.date(2023, 5, 1),
            end_date=datetime.date(2023, 6, 1),
            capacity=10,
        )
        M.Enrolment.create(
            cohort=early, trainee=small["people"]["p1"], status="graduated", enrolled_on=datetime.date(2023, 4, 20)
        )
        summary.refresh_cohort(early.id)
    assert_matches_rebuild()
    with database.connection_context():
        trained = {
            c: n
            for c, n in M.CohortSummary.select(M.CohortSummary.cohort, M.CohortSummary.trained)
            .where((M.CohortSummary.force == "police") & (M.CohortSummary.province == "IQ-NI"))
            .tuples()
        }
        assert M.PersonSummary.get_by_id(small["people"]["p1"]).trained_on == datetime.date(2023, 6, 1)
    assert trained[small["cohorts"]["BP-1"]] == 1  # only p2 is new there now


def test_refresh_trainees_after_a_force_or_status_change(small):
    with database.connection_context(), database.atomic():
        models.Trainee.update(province="IQ-AN", status="inactive").where(
            models.Trainee.id == small["people"]["p2"]
        ).execute()
        summary.refresh_trainees([small["people"]["p2"]])
    with database.connection_context():
        ps = models.PersonSummary.get_by_id(small["people"]["p2"])
    assert (ps.province, ps.active) == ("IQ-AN", False)
    assert_matches_rebuild()


def test_an_empty_summary_over_records_is_rebuilt_on_first_use(small):
    with database.connection_context():
        models.PersonSummary.delete().execute()
        models.CohortSummary.delete().execute()
    assert summary.ensure_built() is True
    assert summary.ensure_built() is False
    assert len(snapshot()[1]) == 7


def test_refresh_inside_the_callers_transaction_rolls_back_with_it(small):
    before = snapshot()
    with pytest.raises(RuntimeError):
        with database.connection_context(), database.atomic():
            models.Enrolment.update(status="graduated").where(models.Enrolment.status == "failed").execute()
            summary.refresh_cohort(small["cohorts"]["BP-1"])
            raise RuntimeError("the service's own write failed")
    assert snapshot() == before


def test_an_import_adds_its_persons_as_a_rebuild_would(small, tmp_path):
    from tests.fixtures.make_roster import make_rows, write_roster
    from trainer.accounts.access import Actor
    from trainer.rosters import imports

    path = tmp_path / "roster.csv"
    write_roster(path, make_rows(40, seed=5, id_start=970_000_000_000), headers="english")
    before = snapshot()[1]
    report = imports.import_trainees(Actor(user_id=None, username="clerk", role="registrar"), path)
    assert report.new == 40
    persons = snapshot()[1]
    assert len(persons) == len(before) + 40
    assert_matches_rebuild()
