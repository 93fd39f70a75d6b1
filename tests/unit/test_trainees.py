"""The trainee registry service, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from trainer.access import SYSTEM, Actor
from trainer.errors import Conflict, PermissionDenied, ValidationFailed
from trainer.trainees import TraineeInput, create_trainee, possible_duplicates, search, update_trainee, with_changes


def person(**changes) -> TraineeInput:
    values = dict(given_name="محمد", father_name="علي", grandfather_name="حسين", family_name="الجبوري",
                  given_name_latin="Mohammed", father_name_latin="Ali", date_of_birth=datetime.date(1991, 5, 17),
                  force="Local Police", province="Nineveh", national_id="١٢٣٤٥٦٧٨٩٠١٢", phone="+9647701234567")
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
    bad = person(father_name=" ", date_of_birth=datetime.date(2030, 1, 1), national_id="12ab",
                 force="navy", province="Atlantis")
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
