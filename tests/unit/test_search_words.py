"""Word-prefix search stays in step with the registry on both databases: a new person, a
renamed one, one deleted, a bulk load into an empty registry; several words and windows.

On PostgreSQL it is the word index (db.search_words, kept by triggers), on SQLite FTS5:
the same answers either way."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import replace

import pytest

from db import models, search_walk, search_words
from db import search as db_search
from db.connection import database, is_postgres
from db.dialect import dialect
from db.search import bulk_load
from trainer.accounts.access import SYSTEM
from trainer.registry.trainees import (
    TraineeFilters,
    TraineeInput,
    count,
    create_trainee,
    page,
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


def sub(text: str, **page: int) -> list[int]:
    with database.connection_context():
        return dialect().search_ids(query_words(text), substring=True, **{"limit": 50, **page})


def test_a_new_a_renamed_and_a_deleted_person_are_found_as_they_now_are(db_url):
    a = create_trainee(SYSTEM, _person(1))
    b = create_trainee(SYSTEM, _person(2, given="Ghassan"))
    assert ids("bakht") == [a.id] and ids("ghas") == [b.id]
    assert ids("bakht sal") == [a.id] and ids("ghas salm") == [b.id] and ids("bakht ghas") == []
    update_trainee(SYSTEM, a.id, a.version, dataclasses.replace(_person(1), given_name_latin="Karwan"))
    assert ids("bakht") == [] and ids("karw") == [a.id] and ids("karwan salman") == [a.id]
    # Substrings too (PostgreSQL: the vocabulary learnt the new word from the rename's trigger).
    assert sub("arwa") == [a.id] and sub("htiy") == [] and sub("hass") == [b.id]
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


@pytest.mark.parametrize("merged", [3000, 4, 1])
def test_the_first_fifty_come_in_id_order_merged_or_from_the_gin_index(db_url, monkeypatch, merged):
    """Several words on PostgreSQL: the terms' ids merged, and past `merged` ids of each the GIN
    index: the same answers as one query, and as SQLite's."""
    monkeypatch.setattr(search_walk, "MERGED", merged)
    made = [
        create_trainee(
            SYSTEM, _person(i, given="Hussein" if i % 3 else "Hassan", father="Karim" if i % 5 else "Salman")
        ).id
        for i in range(30)
    ]
    husseins = [m for i, m in enumerate(made) if i % 3]
    assert ids("huss") == husseins
    assert ids("huss", limit=5, offset=3) == husseins[3:8]
    # Every one is عباس (grandfather), a common word: every id matches.
    assert ids("huss عبا") == husseins and ids("عبا huss", limit=4, offset=10) == husseins[10:14]
    assert ids("hussei عباس") == husseins and ids("husseq عبا") == [] and ids("عباس husseix") == []
    # Rare together: Hassan son of Salman (every 15th), and none is Hussein son of Salman and Hassan.
    hassan_salman = [m for i, m in enumerate(made) if i % 3 == 0 and i % 5 == 0]
    assert ids("hassan salm") == hassan_salman and ids("salm hass", limit=1, offset=1) == hassan_salman[1:2]
    assert (
        ids("huss salm hass") == []
        and ids("kari huss", limit=3) == [m for i, m in enumerate(made) if i % 3 and i % 5][:3]
    )
    # A finished word's skeleton (hsn) matches only whole skeletons: the Husseins' is hsyn.
    assert ids("hassan") == [m for i, m in enumerate(made) if i % 3 == 0]
    # While typing, the skeleton's prefix (hs*, two letters: every head beginning hs) also finds the Hassans.
    assert ids("husse", typing=True) == made and ids("عباس husse", typing=True) == made
    assert ids("hu") == husseins and ids("ka hu", limit=2) == [m for i, m in enumerate(made) if i % 3 and i % 5][:2]


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
    assert len(ids("dara")) == 3 and len(ids("darab")) == 1 and len(sub("arab")) == 1 and len(sub("ara")) == 3
    later = create_trainee(SYSTEM, _person(9, given="Darazan"))  # the insert trigger is back on
    assert ids("daraz") == [later.id] and len(ids("dara")) == 4 and sub("araz") == [later.id]


@pytest.mark.parametrize("words", [200, 0])
def test_substrings_come_in_id_order_past_the_scanned_ids(db_url, monkeypatch, words):
    """PostgreSQL reads a substring's words from the vocabulary and their ids from the word index
    (`words`: at most so many words, else as below); or scans the first ids, then asks the
    trigram index for the rest. The answer is the same as one query's, and a skeleton
    alternative does not widen a substring (as SQLite)."""
    monkeypatch.setattr(search_walk, "SUBSTRING_WORDS", words)
    monkeypatch.setattr(db_search, "SCAN_FIRST", 4)
    monkeypatch.setattr(db_search, "SCAN_MORE", 4)
    made = [create_trainee(SYSTEM, _person(i, given="Hussein" if i % 3 else "Hassan")).id for i in range(30)]
    husseins = [m for i, m in enumerate(made) if i % 3]

    assert sub("ssei") == husseins and sub("ssei", limit=4, offset=9) == husseins[9:13]
    assert sub("ssa") == [m for i, m in enumerate(made) if i % 3 == 0]
    assert sub("ssei alma") == husseins and sub("ssei zzz") == []
    # Digits only: not in the vocabulary, the trigram path's (a national ID's middle).
    assert sub("0000000029") == [made[29]] and sub("0000000") == made


def test_the_list_as_typed_finds_what_the_search_finds(db_url):
    """The registry list (the keystroke path: the last word's skeleton as a prefix too) pages
    through the same trainees as the search, on both databases; on PostgreSQL through the word
    index, each page's bound at the start of every term's ranges."""
    made = [
        create_trainee(
            SYSTEM, _person(i, given="Hussein" if i % 3 else "Hassan", father="Karim" if i % 5 else "Salman")
        ).id
        for i in range(30)
    ]
    for text in ("husse", "hu", "عباس husse", "kari hu", "hassan sa", "salm hass", "moh", "huss salm hass"):
        expected = ids(text, typing=True)
        shown = [t.id for t in page(SYSTEM, TraineeFilters(text=text), 0, 50)]
        assert shown == expected, text
        assert count(SYSTEM, TraineeFilters(text=text)) == len(expected), text
        if len(expected) > 4:  # the next page after a row, and the page before one
            assert [t.id for t in page(SYSTEM, TraineeFilters(text=text), 0, 3, after_id=expected[1])] == expected[2:5]
            assert [t.id for t in page(SYSTEM, TraineeFilters(text=text), 0, 2, before_id=expected[4])] == expected[2:4]
    husseins = [m for i, m in enumerate(made) if i % 3]
    assert ids("hu", typing=True) == husseins
    assert ids("kari hu", typing=True) == [m for i, m in enumerate(made) if i % 3 and i % 5]
    # Beside a filter (PostgreSQL: the terms tested on each row, the planner free to start elsewhere).
    for text in ("husse", "kari hu", "hassan sa", "عباس husse"):
        police = TraineeFilters(text=text, force="police")
        assert [t.id for t in page(SYSTEM, police, 0, 50)] == ids(text, typing=True), text
        assert count(SYSTEM, police) == len(ids(text, typing=True)) and not page(
            SYSTEM, replace(police, force="army"), 0, 50
        )
