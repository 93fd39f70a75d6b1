"""The search index after bulk loads: rebuilt into an empty registry, extended in a full one."""

from __future__ import annotations

import datetime

from db import models
from db.connection import database, is_postgres
from db.search import bulk_load
from trainer.accounts.access import SYSTEM
from trainer.registry.trainees import TraineeInput, create_trainee, search, search_text


def _person(i: int) -> TraineeInput:
    return TraineeInput(
        given_name="كريم",
        father_name="ناصر",
        grandfather_name=f"عباس{i}",
        date_of_birth=datetime.date(1990, 1, 1),
        force="police",
        province="IQ-NI",
        national_id=f"{770000000000 + i}",
    )


def test_bulk_load_into_a_registry_indexes_the_new_rows_and_keeps_the_old(db_url):
    create_trainee(SYSTEM, _person(0))
    with database.connection_context(), database.atomic():
        with bulk_load(database.obj, postgres=is_postgres()):
            for i in (1, 2):
                data = _person(i)
                models.Trainee.insert(
                    given_name=data.given_name,
                    father_name=data.father_name,
                    grandfather_name=data.grandfather_name,
                    date_of_birth=data.date_of_birth,
                    force="police",
                    province="IQ-NI",
                    national_id=data.national_id,
                    search_text=search_text(data),
                ).execute()
    found = {t.national_id for t in search(SYSTEM, "Karim")}
    assert found == {"770000000000", "770000000001", "770000000002"}
    assert {t.national_id for t in search(SYSTEM, "770000000002")} == {"770000000002"}
    if not is_postgres():
        with database.connection_context():
            for table in ("trainee_fts", "trainee_trgm"):
                database.execute_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    create_trainee(SYSTEM, _person(3))  # the triggers are back: a later single save is indexed too
    assert len(search(SYSTEM, "Karim")) == 4
