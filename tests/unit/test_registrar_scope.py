"""A registrar's trainees (issue 14): those registered at one of their centres, or enrolled in a
cohort at one. Others they may read but not edit or merge. Both databases."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from db import models
from db.connection import database
from tests import clerk_data as make
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import PermissionDenied
from trainer.registry import trainees
from trainer.rosters import imports, merges


@pytest.fixture
def two_centres(db_url, tmp_path):
    mosul, basra = make.centre("MOSUL-1"), make.centre("BASRA-1", "IQ-BA")
    make.course()
    basra_cohort = make.cohort(centre_code="BASRA-1")
    at_mosul = Actor(None, "reg-mosul", "registrar", frozenset({mosul.id}))
    at_basra = Actor(None, "reg-basra", "registrar", frozenset({basra.id}))
    data = trainees.TraineeInput(
        "علي", "حسن", "كاظم", datetime.date(1995, 5, 17), "police", "IQ-NI", national_id="11112222333"
    )
    mine = trainees.create_trainee(at_mosul, data)  # registered at Mosul
    enrolled = make.trainee("عمر", "سعد", "جاسم", national_id="44445555666")  # by an admin ...
    with database.connection_context():  # ... then trained in Basra
        models.Enrolment.create(trainee=enrolled.id, cohort=basra_cohort.id, enrolled_on=datetime.date(2026, 3, 1))
    nobody = make.trainee("زيد", "كريم", "هادي", national_id="77778888999")  # an admin's, never enrolled
    return at_mosul, at_basra, mine, enrolled, nobody


def edit(actor, view, **change):
    data = dataclasses.replace(view.as_input(), **change)
    return trainees.update_trainee(actor, view.id, trainees.get_trainee(SYSTEM, view.id).version, data)


def test_a_registrar_edits_only_their_centres_trainees(two_centres):
    at_mosul, at_basra, mine, enrolled, nobody = two_centres
    assert edit(at_mosul, mine, rank="Corporal").rank == "Corporal"  # registered at Mosul
    assert edit(at_basra, enrolled, rank="Sergeant").rank == "Sergeant"  # enrolled at Basra
    for actor, view in ((at_basra, mine), (at_mosul, enrolled), (at_mosul, nobody), (at_basra, nobody)):
        with pytest.raises(PermissionDenied, match="registered or enrolled at their centre"):
            edit(actor, view, rank="Private")
    assert edit(SYSTEM, nobody, rank="Private").rank == "Private"  # an admin everywhere
    with database.connection_context():
        assert models.Trainee.get_by_id(mine.id).rank == "Corporal"
        assert models.AuditEvent.select().where(models.AuditEvent.action == "update").count() == 3


def test_a_registrar_merges_only_their_own_trainees(two_centres):
    at_mosul, at_basra, mine, enrolled, nobody = two_centres
    with pytest.raises(PermissionDenied):
        merges.merge_trainees(at_mosul, mine.id, enrolled.id)  # the other is Basra's
    with pytest.raises(PermissionDenied):
        merges.merge_trainees(at_basra, enrolled.id, mine.id)
    with database.connection_context():
        assert models.Trainee.select().where(models.Trainee.status == "merged").count() == 0
    merges.merge_trainees(SYSTEM, mine.id, enrolled.id)
    assert trainees.get_trainee(SYSTEM, enrolled.id).status == "merged"


def test_a_registrars_import_registers_at_their_centre(two_centres, tmp_path):
    at_mosul, *_ = two_centres
    roster = tmp_path / "r.csv"
    roster.write_text(
        "given_name,father_name,grandfather_name,date_of_birth,force,province,national_id\n"
        "سعيد,كريم,جواد,1994-07-21,police,IQ-NI,555000111222\n",
        encoding="utf-8",
    )
    imports.import_trainees(at_mosul, roster)
    with database.connection_context():
        row = models.Trainee.get(models.Trainee.national_id == "555000111222")
        assert row.registered_centre_id == min(at_mosul.centre_ids)
    view = trainees.get_trainee(SYSTEM, row.id)
    assert edit(at_mosul, view, rank="Private").rank == "Private"
