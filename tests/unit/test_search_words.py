"""Word-prefix search stays in step with the registry on both databases: a new person, a
renamed one, one deleted, a bulk load into an empty registry; several words and windows.

On PostgreSQL it is the word index (db.search_words, kept by triggers), on SQLite FTS5:
the same answers either way."""

from __future__ import annotations

import dataclasses
import datetime

from db import models, search_words
from db import search as db_search
from db.connection import database, is_postgres
from db.dialect import dialect
from db.search import bulk_load
from trainer.accounts.access import SYSTEM
from trainer.registry.trainees import (
    TraineeInput,
    create_trainee,
    query_words,
    search,
    search_text,
    typing_terms,
    update_trainee,
)


def _person(i: int, given: str = "Bakhtiyar", father: str = "Salman") -> TraineeInput:
    return TraineeInput(
        given_name="بختيار",
        father_name="سلمان",
        grandfather_name="عباس",
        given_name_latin=given,
        father_name_latin=father,
        date_of_birth=datetime.date(1990, 1, 1),
        force="police",
        province="IQ-NI",
        national_id=f"{880000000000 + i}",
    )


def ids(text: str, *, limit: int = 50, offset: int = 0, typing: bool = False) -> list[int]:
    terms = typing_terms(text) if typing else query_words(text)
    with database.connection_context():
        return dialect().search_ids(terms, limit=limit, offset=offset)


def test_a_new_a_renamed_and_a_deleted_person_are_found_as_they_now_are(db_url):
    a = create_trainee(SYSTEM, _person(1))
    b = create_trainee(SYSTEM, _person(2, given="Ghassan"))
    assert ids("bakht") == [a.id] and ids("ghas") == [b.id]
    assert ids("bakht sal") == [a.id] and ids("ghas salm") == [b.id] and ids("bakht ghas") == []
    update_trainee(SYSTEM, a.id, a.version, dataclasses.replace(_person(1), given_name_latin="Karwan"))
    assert ids("bakht") == [] and ids("karw") == [a.id] and ids("karwan salman") == [a.id]
    with database.connection_context():
        models.Trainee.delete().where(models.Trainee.id == b.id).execute()
        if is_postgres():  # nothing of the deleted person is left in the word index
            assert (
                database.execute_sql(
                    f'SELECT count(*) FROM "{search_words.TABLE}" WHERE trainee_id = %s', (b.id,)
                ).fetchone()[0]
                == 0
            )
    assert ids("ghas") == [] and [t.id for t in search(SYSTEM, "salman")] == [a.id]


def test_the_first_fifty_come_in_id_order_across_windows_and_pages(db_url, monkeypatch):
    # Small windows, so that 30 people span several (the registry would need thousands).
    monkeypatch.setattr(search_words, "FIRST_WINDOW", 4)
    made = [create_trainee(SYSTEM, _person(i, given="Hussein" if i % 3 else "Hassan")).id for i in range(30)]
    husseins = [m for i, m in enumerate(made) if i % 3]
    assert ids("huss") == husseins
    assert ids("huss", limit=5, offset=3) == husseins[3:8]
    # Two words: past the first window PostgreSQL asks the tsvector GIN index for the rest.
    assert ids("huss salm") == husseins and ids("salm huss", limit=4, offset=10) == husseins[10:14]
    # Longer prefixes, and a near miss, past the first window too.
    assert ids("hussei salm") == husseins and ids("husseq salm") == [] and ids("salman husseix") == []
    assert ids("huss bakh") == [] and ids("salman hussein") == husseins
    # A finished word's skeleton (hsn) matches only whole skeletons: the Husseins' is hsyn.
    assert ids("hassan") == [m for i, m in enumerate(made) if i % 3 == 0]
    # While typing, the skeleton's prefix (hs*) also finds the Hassans (hsn).
    assert ids("husse", typing=True) == made


def test_a_bulk_load_into_an_empty_registry_is_indexed_once_at_the_end(db_url):
    with database.connection_context(), database.atomic():
        with bulk_load(database.obj, postgres=is_postgres()):
            for i, given in enumerate(("Darawan", "Daraban", "Darakan")):
                data = _person(i, given=given)
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
    assert len(ids("dara")) == 3 and len(ids("darab")) == 1
    later = create_trainee(SYSTEM, _person(9, given="Darazan"))  # the insert trigger is back on
    assert ids("daraz") == [later.id] and len(ids("dara")) == 4


def test_substrings_come_in_id_order_past_the_scanned_ids(db_url, monkeypatch):
    """PostgreSQL scans the first ids, then asks the trigram index for the rest: the answer is
    the same as one query's, and a skeleton alternative does not widen a substring (as SQLite)."""
    monkeypatch.setattr(db_search, "SCAN_FIRST", 4)
    monkeypatch.setattr(db_search, "SCAN_MORE", 4)
    made = [create_trainee(SYSTEM, _person(i, given="Hussein" if i % 3 else "Hassan")).id for i in range(30)]
    husseins = [m for i, m in enumerate(made) if i % 3]

    def sub(text: str, **page: int) -> list[int]:
        with database.connection_context():
            return dialect().search_ids(query_words(text), substring=True, **{"limit": 50, **page})

    assert sub("ssei") == husseins and sub("ssei", limit=4, offset=9) == husseins[9:13]
    assert sub("ssa") == [m for i, m in enumerate(made) if i % 3 == 0]
    assert sub("ssei alma") == husseins and sub("ssei zzz") == []
