"""The registry list and search count persons: a merged record (a tombstone pointing at its
survivor) is left out of rows and counts unless the status filter asks for "merged".
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from tests import clerk_data as make
from trainer.accounts.access import SYSTEM
from trainer.registry import trainees
from trainer.registry.trainees import TraineeFilters
from trainer.rosters import merges


def ids(rows) -> list[int]:
    return [r.id for r in rows]


@pytest.fixture
def merged(db_url):
    """Six records of four persons: two roster duplicates merged into their survivors."""
    kept = make.trainee("سلمان", "حسن", "كاظم", family_name="التميمي", force="police", province="IQ-NI")
    gone = make.trainee("نوري", "حسن", "كاظم", family_name="العبيدي", force="police", province="IQ-NI")
    other = make.trainee("عمر", "خالد", "سعيد", force="army", province="IQ-SD")
    twin = make.trainee("عمر", "خالد", "سعيد", force="army", province="IQ-SD", dob=datetime.date(1990, 1, 2))
    last = make.trainee("يوسف", "فاضل", "جاسم", force="border", province="IQ-AN")
    lone = make.trainee("زينب", "علي", "حسين", force="police", province="IQ-AN")
    merges.merge_trainees(SYSTEM, kept.id, gone.id, reason="same person")
    merges.merge_trainees(SYSTEM, other.id, twin.id, reason="same person")
    return {"kept": kept, "gone": gone, "other": other, "twin": twin, "last": last, "lone": lone}


def test_the_list_and_its_count_hold_persons_only(merged):
    persons = [merged[k].id for k in ("kept", "other", "last", "lone")]
    assert ids(trainees.page(SYSTEM, None, 0, 50)) == persons
    assert trainees.count(SYSTEM) == 4 and trainees.count(SYSTEM, TraineeFilters(), cap=10) == 4
    opened = trainees.open_list(SYSTEM, TraineeFilters(), 2)
    assert opened.total == 4 and not opened.capped and ids(opened.rows) == persons[:2]
    # Keyset pages, and the jump into the second half counted from the end, skip them too.
    assert ids(trainees.page(SYSTEM, None, 0, 2, after_id=persons[1])) == persons[2:]
    assert ids(trainees.page(SYSTEM, None, 0, 2, before_id=persons[2])) == persons[:2]
    assert ids(trainees.page(SYSTEM, None, 3, 1, total=4)) == persons[3:]


def test_filters_count_persons(merged):
    police = TraineeFilters(force="police")
    assert ids(trainees.page(SYSTEM, police, 0, 50)) == [merged["kept"].id, merged["lone"].id]
    assert trainees.count(SYSTEM, police) == 2
    assert trainees.count(SYSTEM, TraineeFilters(province="IQ-SD")) == 1
    assert trainees.count(SYSTEM, TraineeFilters(force="army", province="IQ-SD")) == 1
    assert trainees.count(SYSTEM, TraineeFilters(vetting="none")) == 4
    assert trainees.count(SYSTEM, TraineeFilters(status="active")) == 4


def test_the_status_filter_merged_finds_the_old_records_by_their_old_names(merged):
    tombstones = TraineeFilters(status="merged")
    assert ids(trainees.page(SYSTEM, tombstones, 0, 50)) == [merged["gone"].id, merged["twin"].id]
    assert trainees.count(SYSTEM, tombstones) == 2
    old = trainees.open_list(SYSTEM, TraineeFilters(text="نوري", status="merged"), 50)
    assert ids(old.rows) == [merged["gone"].id] and old.total == 1
    assert old.rows[0].status == "merged"
    # Without the filter the old name finds no person (prefix nor substring).
    nobody = trainees.open_list(SYSTEM, TraineeFilters(text="نوري"), 50)
    assert nobody.rows == () and nobody.total == 0


def test_a_search_in_the_list_counts_persons(merged):
    found = trainees.open_list(SYSTEM, TraineeFilters(text="عمر"), 50)
    assert ids(found.rows) == [merged["other"].id] and found.total == 1
    # The duplicates shared their father's name: one person has it now, counted with or without a cap.
    shared = TraineeFilters(text="حسن")
    assert trainees.count(SYSTEM, shared, cap=5) == 1 and trainees.count(SYSTEM, shared) == 1
    assert ids(trainees.open_list(SYSTEM, shared, 50).rows) == [merged["kept"].id]


def test_search_offers_no_merged_record(merged):
    assert ids(trainees.search(SYSTEM, "عمر")) == [merged["other"].id]
    assert trainees.search(SYSTEM, "نوري") == []  # the tombstone's own name
    assert ids(trainees.search(SYSTEM, "حسن كاظم")) == [merged["kept"].id]
