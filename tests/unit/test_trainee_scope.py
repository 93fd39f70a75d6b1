"""An instructor reads only the trainees of the cohorts they teach, without national IDs or phones;
the registry's list, count, search, record and detail all keep to it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest

import tests.instructor_fixtures as fx
from db import models
from db.connection import database
from trainer.errors import PermissionDenied
from trainer.registry import detail, trainees
from trainer.registry.trainees import TraineeFilters


@pytest.fixture
def two_cohorts(db_url):
    ours = fx.build(trainees=3)
    theirs = fx.build(trainees=2, code="BPC-02", course_code="BPC2", prefix="b-")
    with database.connection_context():
        stranger = fx.trainee(99, national_id="199999999999", given_name_latin="Zubair", search_text="zubair")
    return ours, theirs, stranger


def test_an_instructor_lists_and_counts_only_their_trainees(two_cohorts):
    ours, theirs, stranger = two_cohorts
    inst = ours.instructor
    listed = trainees.page(inst, None, 0, 50)
    assert sorted(t.id for t in listed) == sorted(ours.trainees)
    assert all(t.national_id == "" and t.phone in ("", None) for t in listed)
    assert trainees.count(inst) == 3
    page = trainees.open_list(inst, TraineeFilters(), 50)
    assert page.total == 3
    admin_sees = trainees.count(ours.admin)
    assert admin_sees == 3 + 2 + 1
    assert all(t.national_id for t in trainees.page(ours.admin, None, 0, 50))  # the admin reads them


def test_an_instructor_cannot_open_or_find_another_cohorts_trainee(two_cohorts):
    ours, theirs, stranger = two_cohorts
    inst = ours.instructor
    for other in (theirs.trainees[0], stranger):
        with pytest.raises(PermissionDenied, match="teaches no cohort of this trainee"):
            trainees.get_trainee(inst, other)
        with pytest.raises(PermissionDenied, match="teaches no cohort of this trainee"):
            detail.load(inst, other)
    assert trainees.get_trainee(inst, ours.trainees[0]).national_id == ""
    assert detail.load(inst, ours.trainees[0]).trainee.national_id == ""
    assert trainees.search(inst, "zubair") == []  # the trainee in no cohort, by name
    with database.connection_context():
        for n, (world, tid) in enumerate(((ours, ours.trainees[0]), (theirs, theirs.trainees[0]))):
            models.Certificate.create(
                number=f"IQTC-TEST-{n}",
                verification_code=f"CODE{n}",
                trainee=tid,
                course=world.course_id,
                issued_on=datetime.date(2025, 3, 14),
            )
    assert [c.trainee_id for c in detail.find_certificates(inst, "IQTC-TEST")] == [ours.trainees[0]]
    assert len(detail.find_certificates(ours.admin, "IQTC-TEST")) == 2
    assert [t.id for t in trainees.search(ours.admin, "zubair")] == [stranger]


@pytest.mark.parametrize("per_row", [True, False], ids=["row check", "taught list"])
def test_both_forms_of_the_scope_list_the_same_pages(two_cohorts, monkeypatch, per_row):
    """A page picks the row check or the taught list by the instructor's share (scope.taught_condition);
    both keep to the same trainees, in order, forwards, backwards and by search."""
    from trainer.registry import scope

    ours, theirs, stranger = two_cohorts
    inst = ours.instructor
    with database.connection_context():
        assert scope.taught_condition(inst.user_id) == scope.TAUGHT.format(p=database.obj.param)  # 3 enrolments
    monkeypatch.setattr(scope, "ROW_CHECK_LIST", 0 if per_row else 10**9)
    monkeypatch.setattr(scope, "ROW_CHECK_SHARE", 0.0 if per_row else 2.0)
    with database.connection_context():
        chosen = scope.taught_condition(inst.user_id)
    assert chosen.startswith("EXISTS") == per_row
    ids = sorted(ours.trainees)
    assert [t.id for t in trainees.page(inst, None, 0, 50)] == ids
    assert [t.id for t in trainees.page(inst, None, 0, 2, after_id=ids[0])] == ids[1:3]
    assert [t.id for t in trainees.page(inst, None, 0, 2, before_id=ids[2])] == ids[:2]
    assert [t.id for t in trainees.page(inst, None, 2, 5, total=3)] == ids[2:]
    assert trainees.page(inst, TraineeFilters(text="zubair"), 0, 50) == []
    assert trainees.open_list(inst, TraineeFilters(), 50).total == 3
    # A typed search of two words: on PostgreSQL the row check walks the word index's matches of
    # both (search_walk.source), the taught list tests the words on each row; the same trainees.
    with database.connection_context():
        words = models.Trainee.get_by_id(ids[0]).search_text.split()
    # A last word of one letter is tested on the rows the other word's walk reads.
    for typed in (f"{words[0][:3]} {words[1][:3]}", f"{words[0][:3]} {words[1][:1]}"):
        everyone = [t.id for t in trainees.page(ours.admin, TraineeFilters(text=typed), 0, 50)]
        mine = [t.id for t in trainees.page(inst, TraineeFilters(text=typed), 0, 50)]
        assert ids[0] in mine and mine == [i for i in everyone if i in ids], typed
        assert set(everyone) - set(ids), typed  # someone else matches too: the scope left them out
        after = [t.id for t in trainees.page(inst, TraineeFilters(text=typed), 0, 50, after_id=ids[0])]
        assert after == mine[1:], typed

    def listed(text: str) -> list[int]:
        return [t.id for t in trainees.page(inst, TraineeFilters(text=text), 0, 50)]

    # The one letter is tested, not only walked past: with a letter none of ids[0]'s words begins
    # with, the pair lists what each word lists alone, in common (ids[0] no longer).
    with database.connection_context():
        others = [models.Trainee.get_by_id(i).search_text.split() for i in ids[1:]]
    absent = next(w[0] for ws in others for w in ws if all(not v.startswith(w[0]) for v in words))
    for letter in (words[1][0], absent):
        both = listed(f"{words[0][:3]} {letter}")
        assert both == [i for i in listed(words[0][:3]) if i in listed(letter)], letter
        assert (ids[0] in both) == (letter != absent), letter
