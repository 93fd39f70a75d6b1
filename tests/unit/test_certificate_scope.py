"""An instructor sees only the certificates of the trainees of cohorts they teach, as the registry
scopes trainees (trainer/registry/scope.py): list, search by number, code or name, expiring, and
one certificate by id or number (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest

import tests.instructor_fixtures as fx
from db import models
from db.connection import database
from trainer.certification import certificates
from trainer.certification.numbers import format_number
from trainer.errors import PermissionDenied

TODAY = datetime.date(2025, 6, 1)


def _certificate(n: int, trainee_id: int, course_id: int) -> int:
    return models.Certificate.create(
        number=format_number(1000 + n),
        verification_code=f"CODE{n}X",
        trainee=trainee_id,
        course=course_id,
        issued_on=datetime.date(2025, 3, 14),
        expires_on=TODAY + datetime.timedelta(days=20),
    ).id


@pytest.fixture
def two_cohorts(db_url):
    ours = fx.build(trainees=2)
    theirs = fx.build(trainees=2, code="BPC-02", course_code="BPC2", prefix="b-")
    with database.connection_context():
        stranger = fx.trainee(99, national_id="199999999999", given_name_latin="Zubair", search_text="zubair")
        mine = [_certificate(n, tid, ours.course_id) for n, tid in enumerate(ours.trainees)]
        other = _certificate(7, theirs.trainees[0], theirs.course_id)
        loose = _certificate(8, stranger, ours.course_id)  # a trainee in no cohort at all
    return ours, mine, [other, loose]


def test_an_instructor_lists_searches_and_sees_expiring_only_their_trainees_certificates(two_cohorts):
    ours, mine, others = two_cohorts
    inst = ours.instructor
    assert sorted(c.id for c in certificates.search(inst, "", today=TODAY)) == sorted(mine)
    assert sorted(c.id for c in certificates.search(ours.admin, "", today=TODAY)) == sorted(mine + others)
    assert sorted(c.id for c in certificates.search(inst, "IQTC-", today=TODAY)) == sorted(mine)
    assert certificates.search(inst, "CODE7X", today=TODAY) == []  # another cohort's, by its printed code
    assert certificates.search(inst, "zubair", today=TODAY) == []  # by name
    assert [c.id for c in certificates.search(ours.admin, "CODE7X", today=TODAY)] == [others[0]]
    assert sorted(c.id for c in certificates.expiring(inst, 30, today=TODAY)) == sorted(mine)
    assert len(certificates.expiring(ours.admin, 30, today=TODAY)) == 4


def test_an_instructor_cannot_open_another_cohorts_certificate(two_cohorts):
    ours, mine, others = two_cohorts
    inst = ours.instructor
    assert certificates.get(inst, mine[0], today=TODAY).id == mine[0]
    assert certificates.by_number(inst, format_number(1001), today=TODAY).id == mine[1]
    assert certificates.by_number(ours.admin, format_number(1007), today=TODAY).id == others[0]
    for cid, n in zip(others, (1007, 1008), strict=True):
        with pytest.raises(PermissionDenied, match="teaches no cohort of this trainee"):
            certificates.get(inst, cid, today=TODAY)
        with pytest.raises(PermissionDenied, match="teaches no cohort of this trainee"):
            certificates.by_number(inst, format_number(n), today=TODAY)
