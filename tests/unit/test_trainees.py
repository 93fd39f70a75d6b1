"""The trainee registry service, on SQLite and PostgreSQL: records, search, the filtered list, the detail."""

from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from tests import clerk_data as make
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.registry import trainees
from trainer.registry.trainees import (
    TraineeFilters,
    TraineeInput,
    create_trainee,
    possible_duplicates,
    search,
    update_trainee,
    with_changes,
)
from trainer.training import enrolments


def person(**changes) -> TraineeInput:
    values = dict(
        given_name="محمد",
        father_name="علي",
        grandfather_name="حسين",
        family_name="الجبوري",
        given_name_latin="Mohammed",
        father_name_latin="Ali",
        date_of_birth=datetime.date(1991, 5, 17),
        force="Local Police",
        province="Nineveh",
        national_id="١٢٣٤٥٦٧٨٩٠١٢",
        phone="+9647701234567",
    )
    values.update(changes)
    return TraineeInput(**values)


def test_create_normalises_references_and_digits_and_audits(db_url):
    t = create_trainee(SYSTEM, person())
    assert (t.force, t.province, t.national_id) == ("police", "IQ-NI", "123456789012")
    assert t.phone == "+9647701234567" and t.version == 1
    with database.connection_context():
        event = models.AuditEvent.get()
        assert (event.action, event.entity, event.entity_uuid) == ("create", "trainee", t.uuid)
        assert "123456789012" not in event.detail


def test_bad_input_names_every_field_and_writes_nothing(db_url):
    bad = person(
        father_name=" ", date_of_birth=datetime.date(2030, 1, 1), national_id="12ab", force="navy", province="Atlantis"
    )
    with pytest.raises(ValidationFailed) as exc:
        create_trainee(SYSTEM, bad)
    fields = {p.field for p in exc.value.problems}
    assert fields == {"father_name", "date_of_birth", "national_id", "force", "province"}
    with database.connection_context():
        assert models.Trainee.select().count() == 0 and models.AuditEvent.select().count() == 0


def test_duplicate_national_id_is_a_field_problem_not_a_crash(db_url):
    create_trainee(SYSTEM, person())
    with pytest.raises(ValidationFailed, match="national_id: already registered"):
        create_trainee(SYSTEM, person(given_name="عمر"))


def test_second_save_from_a_stale_version_is_a_conflict(db_url):
    t = create_trainee(SYSTEM, person())
    first = update_trainee(SYSTEM, t.id, t.version, with_changes(t, rank="Lt"))
    with pytest.raises(Conflict) as exc:
        update_trainee(SYSTEM, t.id, t.version, with_changes(t, rank="Capt"))
    assert exc.value.current.rank == "Lt"
    with database.connection_context():
        row = models.Trainee.get_by_id(t.id)
        assert (row.rank, row.version) == ("Lt", first.version)


def test_search_meets_across_scripts_and_digits(db_url):
    t = create_trainee(SYSTEM, person())
    create_trainee(SYSTEM, person(given_name="أحمد", given_name_latin="Ahmed", national_id="987654321098"))
    for query in ("Muhammad", "mohamed", "محمد", "محمّد", "123456789012", "٩٨٧٦٥٤٣٢١٠٩٨", "جبوري"):
        found = {x.national_id for x in search(SYSTEM, query)}
        assert found, query
    assert {x.id for x in search(SYSTEM, "Mohamed Ali")} == {t.id}
    assert {x.national_id for x in search(SYSTEM, "احمد")} == {"987654321098"}
    assert search(SYSTEM, "zzzz") == []


def test_possible_duplicates_by_skeleton_father_and_birth(db_url):
    t = create_trainee(SYSTEM, person())
    same = person(given_name="Muhammad", national_id="", given_name_latin="")
    assert [d.id for d in possible_duplicates(same)] == [t.id]
    other_day = person(given_name="Muhammad", national_id="", date_of_birth=datetime.date(1991, 5, 18))
    assert possible_duplicates(other_day) == []


def test_roles_are_enforced_in_the_service(db_url):
    analyst = Actor(user_id=None, username="ana", role="analyst")
    with pytest.raises(PermissionDenied):
        create_trainee(analyst, person())
    with pytest.raises(PermissionDenied):
        search(analyst, "محمد")


# --- the registry list and the detail record ---


@pytest.fixture
def registry(db_url):
    people = {
        "ali": make.trainee("علي", "حسن", "كاظم", force="police", province="IQ-NI", national_id="19950517001"),
        "mohammed_ar": make.trainee("محمد", "جاسم", "عبد الله", force="border", province="IQ-AN"),
        "mohammed_lat": make.trainee(
            "Mohammed", "Salih", "Abbas", force="police", province="IQ-AN", service_number="pb-4411"
        ),
        "omar": make.trainee("عمر", "خالد", "سعيد", force="army", province="IQ-SD"),
    }
    make.vetting(people["ali"].id)
    make.vetting(people["omar"].id, result="pending", decided=None)
    return people


def ids(rows):
    return [r.id for r in rows]


def test_pages_in_registration_order(registry):
    everyone = trainees.page(SYSTEM, None, 0, 10)
    assert ids(everyone) == sorted(ids(everyone)) and len(everyone) == 4
    assert ids(trainees.page(SYSTEM, TraineeFilters(), 1, 2)) == ids(everyone)[1:3]
    assert trainees.count(SYSTEM) == 4 and trainees.count(SYSTEM, TraineeFilters(), cap=2) == 2


def test_filters_combine(registry):
    r = registry
    police = TraineeFilters(force="police")
    assert ids(trainees.page(SYSTEM, police, 0, 10)) == [r["ali"].id, r["mohammed_lat"].id]
    assert ids(trainees.page(SYSTEM, TraineeFilters(force="police", province="IQ-AN"), 0, 10)) == [r["mohammed_lat"].id]
    assert trainees.count(SYSTEM, TraineeFilters(vetting="approved")) == 1
    assert ids(trainees.page(SYSTEM, TraineeFilters(vetting="pending"), 0, 10)) == [r["omar"].id]
    assert ids(trainees.page(SYSTEM, TraineeFilters(vetting="none"), 0, 10)) == [
        r["mohammed_ar"].id,
        r["mohammed_lat"].id,
    ]
    assert trainees.count(SYSTEM, TraineeFilters(status="inactive")) == 0


@pytest.mark.parametrize("typed", ["mohammed", "Muhammad", "محمد", "mohamed"])
def test_latin_and_arabic_spellings_meet(registry, typed):
    found = trainees.open_list(SYSTEM, TraineeFilters(text=typed), 50)
    assert set(ids(found.rows)) == {registry["mohammed_ar"].id, registry["mohammed_lat"].id}
    assert found.total == 2 and not found.capped and not found.filters.substring


def test_search_with_filters_prefix_and_ids(registry):
    r = registry
    assert ids(trainees.open_list(SYSTEM, TraineeFilters(text="moh", force="border"), 50).rows) == [r["mohammed_ar"].id]
    assert ids(trainees.open_list(SYSTEM, TraineeFilters(text="1995051"), 50).rows) == [r["ali"].id]
    assert ids(trainees.open_list(SYSTEM, TraineeFilters(text="PB-4411"), 50).rows) == [r["mohammed_lat"].id]
    assert ids(trainees.open_list(SYSTEM, TraineeFilters(text="علي حسن"), 50).rows) == [r["ali"].id]


def test_substring_when_no_prefix_matches(registry):
    found = trainees.open_list(SYSTEM, TraineeFilters(text="ammed"), 50)
    assert found.filters.substring and set(ids(found.rows)) == {registry["mohammed_lat"].id}
    later = trainees.page(SYSTEM, found.filters, 0, 50)
    assert ids(later) == ids(found.rows)


def test_capped_count_for_searches_exact_for_filters(registry):
    found = trainees.open_list(SYSTEM, TraineeFilters(text="m"), 1, cap=1)
    assert found.total == 1 and found.capped and len(found.rows) == 1
    everyone = trainees.open_list(SYSTEM, TraineeFilters(), 2, cap=3)
    assert everyone.total == 4 and not everyone.capped and len(everyone.rows) == 2


def test_detail_gathers_the_whole_record(registry):
    make.centre()
    make.course()
    cohort = make.cohort(capacity=1)
    ali = registry["ali"]
    enrolments.enrol(SYSTEM, cohort.id, [ali.id, registry["mohammed_lat"].id])
    d = trainees.detail(SYSTEM, ali.id)
    assert d.trainee.full_name == "علي حسن كاظم"
    assert [(e.cohort_code, e.status) for e in d.enrolments] == [(cohort.code, "enrolled")]
    assert [(v.case_ref, v.result) for v in d.vetting] == [("INV-1", "approved")]
    assert d.units == () and d.results == () and d.certificates == ()
    other = trainees.detail(SYSTEM, registry["mohammed_lat"].id)
    assert other.enrolments[0].status == "waitlisted" and other.enrolments[0].waitlist_position == 1


def test_existing_functions_keep_working(registry):
    assert ids(trainees.search(SYSTEM, "mohammed")) == [registry["mohammed_ar"].id, registry["mohammed_lat"].id]
    dup = trainees.possible_duplicates(
        trainees.TraineeInput("علي", "حسن", "x", datetime.date(1995, 5, 17), "police", "IQ-NI")
    )
    assert ids(dup) == [registry["ali"].id]


def test_analysts_never_list_names(registry):
    with pytest.raises(PermissionDenied):
        trainees.page(Actor(None, "ana", "analyst"), None, 0, 10)


def test_keyset_and_reverse_pages_equal_offset_pages(db_url):
    made = [
        make.trainee(given=g, force=f)
        for g in ("علي", "عمر", "زيد", "سعد", "حيدر", "كريم", "جاسم")
        for f in ("police", "border")
    ]
    everyone = trainees.page(SYSTEM, None, 0, 100)
    assert ids(everyone) == [t.id for t in made]
    for filters in (
        TraineeFilters(),
        TraineeFilters(force="border"),
        TraineeFilters(text="علي"),
        TraineeFilters(text="ali", force="police"),
    ):
        full = trainees.page(SYSTEM, filters, 0, 100)
        n = len(full)
        for offset in range(0, n, 3):
            plain = trainees.page(SYSTEM, filters, offset, 3)
            assert plain == full[offset : offset + 3]
            assert trainees.page(SYSTEM, filters, offset, 3, total=n) == plain  # counted from the end
            if offset:
                assert trainees.page(SYSTEM, filters, offset, 3, after_id=full[offset - 1].id) == plain
            if offset + 3 < n:
                assert trainees.page(SYSTEM, filters, offset, 3, before_id=full[offset + 3].id) == plain


def test_the_article_of_a_family_name_does_not_answer_for_ali(db_url):
    create_trainee(
        SYSTEM,
        person(
            given_name="عمر",
            given_name_latin="Omar",
            father_name="خالد",
            father_name_latin="",
            family_name="الدليمي",
            family_name_latin="Al-Dulaimi",
            national_id="555555555555",
        ),
    )
    ali = create_trainee(
        SYSTEM,
        person(
            given_name="علي", given_name_latin="", father_name="خالد", father_name_latin="", national_id="666666666666"
        ),
    )
    assert [t.id for t in search(SYSTEM, "ali")] == [ali.id]


def test_every_way_of_reading_a_trainee_gives_the_same_view(db_url):
    """The list and search read plain tuples, get_trainee a model row: one canonical form (UUID text too)."""
    from trainer.registry.trainees import get_trainee, page

    t = create_trainee(SYSTEM, person())
    assert search(SYSTEM, "محمد") == [t]
    assert page(SYSTEM, None, 0, 10) == [t]
    assert get_trainee(SYSTEM, t.id) == t
