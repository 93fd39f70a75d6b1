"""Review of held rows and merges of two records found to be one person, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from db import models
from db.connection import database
from tests import clerk_data
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.registry import trainees
from trainer.rosters import imports, merges

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roster"
# A registrar of the first centre (id 1: every test's database is fresh): their scope is the
# persons registered there or enrolled in its cohorts (access.require_trainee).
CLERK = Actor(user_id=None, username="clerk", role="registrar", centre_ids=frozenset({1}))


@pytest.fixture
def held(db_url) -> dict[int, merges.HeldView]:
    """The sample imported (skip-invalid), then the follow-up: ten rows held, by row number."""
    clerk_data.centre()  # the clerk's centre: the import registers the persons there
    imports.import_trainees(CLERK, FIXTURES / "roster.csv", skip_invalid=True)
    imports.import_trainees(CLERK, FIXTURES / "roster_followup.csv")
    return {h.row: h for h in merges.list_held(CLERK)}


def events(action: str) -> list[models.AuditEvent]:
    with database.connection_context():
        return list(models.AuditEvent.select().where(models.AuditEvent.action == action))


def test_held_rows_list_beside_their_candidates(held):
    assert len(held) == 10 and merges.count_held(CLERK) == 10
    row = held[4]
    assert row.name == "Saad محمد عبد الله الزبيدي" and row.unit == "2 Bn" and row.data.force == "peshmerga"
    assert [c.full_name for c in row.candidates] == ["سعد محمد عبد الله الزبيدي"]
    assert row.candidates[0].national_id == "583006313097" and row.file == "roster_followup.csv"


def test_same_person_adds_the_rows_new_facts_and_nothing_else(held):
    row = held[2]  # حيدر Hassan … — registered as Haider, with a national ID, no Arabic given name
    haider = row.candidates[0]
    decision = merges.same_person(CLERK, row.id, row.version, haider.id)
    t = decision.trainee
    assert (t.given_name, t.given_name_latin) == ("حيدر", "Haider")
    assert (t.father_name, t.national_id, t.phone) == ("Hassan", "587016496612", "+9647703591184")
    assert decision.added == ("given_name", "given_name_latin") and t.version == haider.version + 1
    assert haider.id in [v.id for v in trainees.search(CLERK, "حيدر Hassan")]  # the new spelling is searchable
    assert merges.count_held(CLERK) == 9
    with database.connection_context():
        h = models.HeldRow.get_by_id(row.id)
        assert (h.status, h.trainee_id) == ("same", haider.id)
        assert models.Trainee.select().count() == 35
    event = events("review-same")[0]
    assert event.entity_uuid == haider.uuid and json.loads(event.detail)["after"]["given_name"] == "حيدر"


def test_a_newer_rank_phone_and_unit_are_taken_identity_differences_are_kept(held):
    row = held[6]  # يوسف Mohammed Fadhil … in 9 Bn; registered as Yousif, also 9 Bn
    with database.connection_context():  # a later roster line: promoted, moved, another mother
        values = json.loads(models.HeldRow.get_by_id(row.id).values)
        values.update(rank="Capt", unit="11 Bn", mother_name="Sara", phone="+9647700000000")
        models.HeldRow.update(values=json.dumps(values)).where(models.HeldRow.id == row.id).execute()
    yousif = row.candidates[0]
    decision = merges.same_person(CLERK, row.id, row.version, yousif.id)
    t = decision.trainee
    assert (t.rank, t.phone, t.mother_name, t.given_name, t.given_name_latin) == (
        "Capt",
        "+9647700000000",
        "Iman",
        "يوسف",
        "Yousif",
    )
    assert ("mother_name", "Iman", "Sara") in decision.kept
    with database.connection_context():
        A = models.UnitAssignment
        history = [(a.unit.name, a.end_date is None) for a in A.select().where(A.trainee == yousif.id).order_by(A.id)]
    assert history == [("9 Bn", False), ("11 Bn", True)]


def test_new_person_registers_the_row_and_discard_drops_it(held):
    made = merges.new_person(CLERK, held[3].id, held[3].version)
    assert made.trainee.given_name == "يوسف" and made.trainee.id != held[3].candidates[0].id
    with database.connection_context():
        assert models.Trainee.select().count() == 36
        assert [
            a.unit.name for a in models.UnitAssignment.select().where(models.UnitAssignment.trainee == made.trainee.id)
        ] == ["9 Bn"]
    gone = merges.discard(CLERK, held[5].id, held[5].version)
    assert gone.status == "discarded" and merges.count_held(CLERK) == 8
    assert len(events("review-discard")) == 1
    with pytest.raises(Conflict):  # decided already (stale version, or by someone else)
        merges.discard(CLERK, held[5].id, held[5].version)
    with pytest.raises(Conflict):
        merges.same_person(CLERK, held[3].id, held[3].version, held[3].candidates[0].id)


def test_only_a_candidate_can_be_chosen_and_only_clerks_decide(held):
    other = held[6].candidates[0]
    with pytest.raises(ValidationFailed, match="not one of this row's candidates"):
        merges.same_person(CLERK, held[2].id, held[2].version, other.id)
    assert merges.count_held(CLERK) == 10
    for role in ("instructor", "analyst"):
        with pytest.raises(PermissionDenied):
            merges.discard(Actor(None, role, role), held[2].id, held[2].version)


def _history(trainee_id: int) -> dict[str, int]:
    """Everything that hangs on a trainee record."""
    with database.connection_context():
        E = models.Enrolment
        return {
            "enrolment": E.select().where(E.trainee == trainee_id).count(),
            "result": models.Result.select().join(E).where(E.trainee == trainee_id).count(),
            "certificate": models.Certificate.select().where(models.Certificate.trainee == trainee_id).count(),
            "vetting": models.VettingRecord.select().where(models.VettingRecord.trainee == trainee_id).count(),
            "unit": models.UnitAssignment.select().where(models.UnitAssignment.trainee == trainee_id).count(),
        }


@pytest.fixture
def two_records(db_url):
    """One man registered twice: 'Mohammed' with a training record, 'محمد' with a national ID."""
    clerk_data.centre()
    course = clerk_data.course()
    first, second = clerk_data.cohort(), clerk_data.cohort(start=datetime.date(2026, 6, 7))
    a = clerk_data.trainee("Mohammed", "Ali", "Hasan", dob=datetime.date(1990, 3, 4), phone="+9647701111111")
    b = clerk_data.trainee(
        "محمد", "علي", "حسن", dob=datetime.date(1990, 3, 4), national_id="123456789012", mother_name="زينب"
    )
    with database.connection_context():
        # a is the clerk's through the cohort; b was registered at the clerk's centre
        models.Trainee.update(registered_centre=1).where(models.Trainee.id == b.id).execute()
        enrolment = models.Enrolment.create(
            trainee=a.id, cohort=first.id, status="graduated", enrolled_on=datetime.date(2026, 3, 1)
        )
        assessment = models.Assessment.get(models.Assessment.course == course.id)
        models.Result.create(enrolment=enrolment, assessment=assessment, score=70)
        models.Result.create(enrolment=enrolment, assessment=assessment, score=80, attempt=2)
        models.Certificate.create(
            number="C-1",
            verification_code="V-1",
            enrolment=enrolment,
            trainee=a.id,
            course=course.id,
            issued_on=datetime.date(2026, 4, 1),
        )
        unit = models.Unit.create(code="police:1", name="1 Bn", force="police")
        models.UnitAssignment.create(trainee=a.id, unit=unit, start_date=datetime.date(2025, 1, 1))
        models.Enrolment.create(trainee=b.id, cohort=second.id, enrolled_on=datetime.date(2026, 6, 1))
    clerk_data.vetting(a.id)
    return a, b, first, second


def test_a_merge_moves_everything_and_leaves_a_tombstone(two_records):
    a, b, *_ = two_records
    before = _history(a.id)
    assert before == {"enrolment": 1, "result": 2, "certificate": 1, "vetting": 1, "unit": 1}
    merge = merges.merge_trainees(CLERK, b.id, a.id, reason="same man, two spellings")
    assert _history(b.id) == {"enrolment": 2, "result": 2, "certificate": 1, "vetting": 1, "unit": 1}
    assert _history(a.id) == dict.fromkeys(before, 0)
    assert merge.moved == {"result": 2, "enrolment": 1, "certificate": 1, "vetting_record": 1, "unit_assignment": 1}
    with database.connection_context():
        tomb = models.Trainee.get_by_id(a.id)
        assert (tomb.status, tomb.merged_into_id) == ("merged", b.id)
    survivor = trainees.get_trainee(CLERK, b.id)
    assert (survivor.given_name, survivor.given_name_latin, survivor.phone) == ("محمد", "Mohammed", "+9647701111111")
    assert survivor.national_id == "123456789012" and survivor.mother_name == "زينب"
    listed = merges.list_merges(CLERK)
    assert [(m.survivor_id, m.merged_id, m.reason) for m in listed] == [(b.id, a.id, "same man, two spellings")]
    event = events("merge")[0]
    detail = json.loads(event.detail)
    assert event.entity_uuid == b.uuid and detail["merged_uuid"] == a.uuid and detail["moved"]["result"] == 2
    # A tombstone is never merged again, nor a record into itself.
    with pytest.raises(ValidationFailed, match="already merged"):
        merges.merge_trainees(CLERK, b.id, a.id)
    with pytest.raises(ValidationFailed, match="into itself"):
        merges.merge_trainees(CLERK, b.id, b.id)


def test_a_merge_that_would_enrol_one_person_twice_changes_nothing(two_records):
    a, b, first, _ = two_records
    with database.connection_context():
        models.Enrolment.create(trainee=b.id, cohort=first.id, enrolled_on=datetime.date(2026, 3, 1))
    before = (_history(a.id), _history(b.id))
    with pytest.raises(ValidationFailed, match=f"both records are enrolled in cohort {first.code}"):
        merges.merge_trainees(CLERK, b.id, a.id)
    assert (_history(a.id), _history(b.id)) == before
    assert merges.list_merges(CLERK) == [] and events("merge") == []
    with database.connection_context():
        assert models.Trainee.get_by_id(a.id).status == "active"


def test_merges_are_for_clerks_and_admins(two_records):
    a, b, *_ = two_records
    with pytest.raises(PermissionDenied):
        merges.merge_trainees(Actor(None, "teacher", "instructor"), b.id, a.id)
    merges.merge_trainees(SYSTEM, a.id, b.id)
    assert trainees.get_trainee(CLERK, b.id).status == "merged"
