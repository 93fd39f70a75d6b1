"""Enrolment: each refusal reason, waitlist, withdrawal promoting the first waitlisted."""

from __future__ import annotations

import datetime

import pytest

from tests import clerk_data as make
from trainer.accounts.access import SYSTEM
from trainer.errors import ValidationFailed
from trainer.training import cohorts, enrolments


@pytest.fixture
def setup(db_url):
    make.centre()
    make.course("POL-BASIC", forces=("police",))
    make.course("POL-ADV", forces=("police", "border"), prerequisites=("POL-BASIC",))
    return make.cohort("POL-BASIC", capacity=2)


def test_enrols_until_full_then_waitlists(setup):
    people = [make.trainee(given=n) for n in ("علي", "عمر", "زيد", "سعد")]
    report = enrolments.enrol(SYSTEM, setup.id, [p.id for p in people], today=datetime.date(2026, 2, 1))
    assert [(o.status, o.waitlist_position) for o in report.outcomes] == [
        ("enrolled", None),
        ("enrolled", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert report.outcomes[3].reason == f"{setup.code} is full: waitlist position 2"
    again = enrolments.enrol(SYSTEM, setup.id, [people[0].id, people[2].id])
    assert [o.reason for o in again.outcomes] == [
        f"already enrolled in {setup.code}",
        f"already waitlisted in {setup.code} (position 1)",
    ]


def test_course_not_open_to_force(setup):
    guard = make.trainee(force="border")
    report = enrolments.enrol(SYSTEM, setup.id, [guard.id])
    (out,) = report.outcomes
    assert out.status == "refused"
    assert out.reason == "POL-BASIC is not open to Border Guards (open to: Local Police)"
    assert cohorts.roster(SYSTEM, setup.id) == []


def test_missing_prerequisite_then_granted_after_graduation(setup):
    adv = make.cohort("POL-ADV", capacity=5)
    person = make.trainee()
    (out,) = enrolments.enrol(SYSTEM, adv.id, [person.id]).outcomes
    assert out.reason == "missing prerequisite POL-BASIC (POL-BASIC course): no graduated enrolment"
    enrolments.enrol(SYSTEM, setup.id, [person.id])  # merely enrolled is not enough
    assert enrolments.enrol(SYSTEM, adv.id, [person.id]).outcomes[0].status == "refused"
    make.graduate(person.id, setup.id)
    assert enrolments.enrol(SYSTEM, adv.id, [person.id]).outcomes[0].status == "enrolled"


def test_coalition_cohort_needs_vetting_before_start(setup):
    funded = make.cohort("POL-BASIC", coalition=True, start=datetime.date(2026, 3, 1))
    none, late, denied, ok = (make.trainee(given=n) for n in ("علي", "عمر", "زيد", "سعد"))
    make.vetting(late.id, decided=datetime.date(2026, 3, 1), case_ref="INV-LATE")
    make.vetting(denied.id, result="denied", case_ref="INV-NO")
    make.vetting(ok.id, decided=datetime.date(2026, 2, 27), case_ref="INV-OK")
    report = enrolments.enrol(SYSTEM, funded.id, [none.id, late.id, denied.id, ok.id])
    reasons = [o.reason for o in report.outcomes]
    assert reasons[0] == (
        "coalition-funded cohort: no vetting record: a coalition-funded cohort needs an approved vetting decision"
    )
    assert reasons[1] == (
        "coalition-funded cohort: vetting INV-LATE was approved on 2026-03-01, not before "
        "the cohort starts on 2026-03-01"
    )
    assert reasons[2] == "coalition-funded cohort: vetting INV-NO is denied, not approved"
    assert report.outcomes[3].status == "enrolled"
    assert [r.trainee_id for r in cohorts.roster(SYSTEM, funded.id)] == [ok.id]


def test_every_reason_is_given_at_once(setup):
    adv = make.cohort("POL-ADV", coalition=True)
    soldier = make.trainee(force="army")
    (out,) = enrolments.enrol(SYSTEM, adv.id, [soldier.id]).outcomes
    assert out.reason.count(";") == 2
    assert "not open to Iraqi Army" in out.reason and "missing prerequisite" in out.reason
    assert "coalition-funded cohort" in out.reason


def test_withdrawal_promotes_first_waitlisted_and_renumbers(setup):
    people = [make.trainee(given=n) for n in ("علي", "عمر", "زيد", "سعد")]
    enrolments.enrol(SYSTEM, setup.id, [p.id for p in people])
    seat = cohorts.roster(SYSTEM, setup.id)[0]
    with pytest.raises(ValidationFailed, match="needs a reason"):
        enrolments.withdraw(SYSTEM, seat.enrolment_id, "  ")
    out = enrolments.withdraw(SYSTEM, seat.enrolment_id, "posted to Basra", today=datetime.date(2026, 3, 2))
    assert out.promoted is not None and out.promoted.trainee_id == people[2].id
    lines = {r.trainee_id: r for r in cohorts.roster(SYSTEM, setup.id)}
    assert lines[people[0].id].status == "withdrawn" and lines[people[0].id].withdrawal_reason == "posted to Basra"
    assert lines[people[2].id].status == "enrolled" and lines[people[2].id].enrolled_on == datetime.date(2026, 3, 2)
    assert (lines[people[3].id].status, lines[people[3].id].waitlist_position) == ("waitlisted", 1)
    with pytest.raises(ValidationFailed, match="withdrawn enrolment cannot be withdrawn"):
        enrolments.withdraw(SYSTEM, seat.enrolment_id, "again")
    # Re-joining after a withdrawal reuses the row; the cohort is full so it waits.
    (back,) = enrolments.enrol(SYSTEM, setup.id, [people[0].id]).outcomes
    assert (back.status, back.waitlist_position) == ("waitlisted", 2)


def test_cancelled_cohort_takes_no_enrolments(setup):
    from db import models
    from db.connection import database

    with database.connection_context():
        models.Cohort.update(status="cancelled").where(models.Cohort.id == setup.id).execute()
    with pytest.raises(ValidationFailed, match="cancelled"):
        enrolments.enrol(SYSTEM, setup.id, [make.trainee().id])
