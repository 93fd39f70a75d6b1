"""Prepared queries: built once, run with new values, rows as peewee's .tuples() gives them."""

from __future__ import annotations

import datetime

from db import models
from db.connection import database
from db.prepared import Prepared
from tests import clerk_data as make


def test_a_prepared_query_runs_with_each_new_value_and_converts_like_peewee(db_url):
    people = [
        make.trainee(given_name_latin=name, dob=datetime.date(1990 + i, 1, 2))
        for i, name in enumerate(("Ali", "Omar", "Zaid"))
    ]
    T = models.Trainee

    def build(trainee, after):
        return (
            T.select(T.id, T.given_name_latin, T.date_of_birth, T.uuid)
            .where((T.id == trainee) | (T.id > after))
            .order_by(T.id)
        )

    prepared = Prepared(build, "trainee", "after")
    with database.connection_context():
        for person in people:
            expected = list(build(person.id, people[1].id).tuples())
            got = prepared.tuples(trainee=person.id, after=people[1].id)
            assert got == expected and len(got) == (1 if person is people[2] else 2)
            assert all(isinstance(r[2], datetime.date) for r in got)
        assert prepared.tuples(trainee=-1, after=people[2].id) == []
