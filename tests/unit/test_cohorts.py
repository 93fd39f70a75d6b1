"""Cohorts: create with course, centre, dates, capacity, instructors, funder; roster; edits."""

from __future__ import annotations

import datetime

import pytest

from tests import clerk_data as make
from trainer.accounts import users
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.training import cohorts, enrolments


@pytest.fixture
def catalogue(db_url):
    make.centre()
    make.course()
    users.create_user(None, "admin", "admin", "correct horse")
    users.create_user(SYSTEM, "teacher", "instructor", "correct horse")
    users.create_user(SYSTEM, "clerk", "registrar", "correct horse")


def test_create_makes_a_code_and_keeps_instructors(catalogue):
    view = make.cohort(capacity=12, coalition=True, instructors=("teacher",))
    assert view.code == "POL-BASIC-MOSUL-1-260301"
    assert (view.course, view.centre, view.capacity, view.funder) == ("POL-BASIC", "MOSUL-1", 12, "US")
    assert view.coalition_funded and view.instructors == ("teacher",) and view.seats_left == 12
    again = make.cohort()
    assert again.code == "POL-BASIC-MOSUL-1-260301-2"
    assert cohorts.count_cohorts(SYSTEM) == 2
    assert [c.code for c in cohorts.list_cohorts(SYSTEM, "mosul-1-260301-2")] == [again.code]
    assert cohorts.find_cohort(SYSTEM, view.code.lower()).id == view.id
    assert [i.username for i in cohorts.instructor_choices(SYSTEM)] == ["admin", "teacher"]


def test_create_refuses_with_reasons(catalogue):
    bad = cohorts.CohortInput(
        course="NOPE",
        centre="",
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 2, 1),
        capacity=0,
        instructors=("clerk", "ghost"),
        coalition_funded=True,
    )
    with pytest.raises(ValidationFailed) as err:
        cohorts.create_cohort(SYSTEM, bad)
    text = str(err.value)
    for expected in (
        "course: no course 'NOPE'",
        "centre: required",
        "end_date: before the start date",
        "capacity: a whole number above 0",
        "clerk is a registrar, not an instructor",
        "no user 'ghost'",
        "funder: a coalition-funded cohort names its funder",
    ):
        assert expected in text
    assert cohorts.count_cohorts(SYSTEM) == 0


def test_edit_checks_version_and_taken_seats(catalogue):
    view = make.cohort(capacity=2)
    t1, t2 = make.trainee(), make.trainee("عمر", "خالد", "سعيد")
    enrolments.enrol(SYSTEM, view.id, [t1.id, t2.id])
    with pytest.raises(ValidationFailed, match="2 seats are already taken"):
        cohorts.update_cohort(
            SYSTEM, view.id, view.version, cohorts.CohortInput(**{**view.as_input().__dict__, "capacity": 1})
        )
    edited = cohorts.update_cohort(
        SYSTEM,
        view.id,
        view.version,
        cohorts.CohortInput(**{**view.as_input().__dict__, "capacity": 5, "instructors": ("teacher",)}),
    )
    assert edited.capacity == 5 and edited.instructors == ("teacher",) and edited.code == view.code
    with pytest.raises(Conflict):
        cohorts.update_cohort(SYSTEM, view.id, view.version, view.as_input())


def test_roster_lists_seated_then_waitlist_then_withdrawn(catalogue):
    view = make.cohort(capacity=1)
    a, b, c = make.trainee(), make.trainee("عمر", "خالد", "سعيد"), make.trainee("زيد", "علي", "حسين")
    enrolments.enrol(SYSTEM, view.id, [a.id, b.id, c.id])
    lines = cohorts.roster(SYSTEM, view.id)
    assert [(r.trainee_id, r.status, r.waitlist_position) for r in lines] == [
        (a.id, "enrolled", None),
        (b.id, "waitlisted", 1),
        (c.id, "waitlisted", 2),
    ]
    assert lines[0].name == "علي حسن كاظم"
    counted = cohorts.get_cohort(SYSTEM, view.id)
    assert (counted.enrolled, counted.waitlisted) == (1, 2)


def test_analysts_cannot_see_cohorts(catalogue):
    with pytest.raises(PermissionDenied):
        cohorts.list_cohorts(Actor(None, "ana", "analyst"))
