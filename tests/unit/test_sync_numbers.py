"""Numbers that never collide (docs/sync.md, "Numbers"), headquarters on SQLite and PostgreSQL.

Two sites create the same-looking cohort offline on the same day (same course, same centre,
same start; once with the code made for them, once with the same code typed): both reach
headquarters, both are kept, with distinct codes and nothing held for review. With the site's
mark taken away the same exchange collides at headquarters, so the test can fail. (Certificate
numbers' blocks: tests/unit/test_site.py and the journey test.)
"""

from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from tests.sync_places import hq_and_two_sites, send
from trainer.training import cohorts
from trainer.training.cohorts import CohortInput, create_cohort, update_cohort

START = datetime.date(2026, 3, 1)


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def _catalogue(world) -> None:
    """A course and a centre made at headquarters, sent to both sites."""
    hq, a, b, tmp = world
    hq.use()
    with database.connection_context(), database.atomic():
        models.Centre.create(code="MOSUL", name_en="Mosul", name_ar="الموصل", province="IQ-NI")
        models.Course.create(
            code="BPC",
            title_en="Basic Police Course",
            title_ar="دورة الشرطة الأساسية",
            category="basic",
            duration_days=10,
            rule_min_attendance=80,
            recert_window_days=90,
        )
    send(hq, a, tmp / "c-a")
    send(hq, b, tmp / "c-b")


def _same_cohort(code: str = "") -> CohortInput:
    return CohortInput("BPC", "MOSUL", START, START + datetime.timedelta(days=9), 30, code=code)


def _cohorts_at(place) -> dict[str, str]:
    place.use()
    with database.connection_context():
        return {str(c.uuid): c.code for c in models.Cohort.select()}


def test_two_sites_create_the_same_looking_cohort_offline_and_both_are_kept(world):
    hq, a, b, tmp = world
    _catalogue(world)
    made = {}
    for place in (a, b):
        place.use()
        made[place.code] = [create_cohort(place.admin, _same_cohort()), create_cohort(place.admin, _same_cohort("X1"))]
    assert [c.code for c in made["ERBIL"]] == ["BPC-MOSUL-260301-S03", "X1-S03"]
    assert [c.code for c in made["BASRA"]] == ["BPC-MOSUL-260301-S04", "X1-S04"]
    a.use()
    again = create_cohort(a.admin, _same_cohort())  # the same again at one site: numbered on, mark kept
    assert again.code == "BPC-MOSUL-260301-2-S03"
    # An edit keeps a code as it is; a new typed code at a site takes the mark.
    assert update_cohort(a.admin, again.id, again.version, _same_cohort(again.code)).code == again.code

    got_a = send(a, hq, tmp / "a1")
    got_b = send(b, hq, tmp / "b1")
    assert got_a.review == 0 and got_b.review == 0
    at_hq = _cohorts_at(hq)
    assert len(at_hq) == 5 and len(set(at_hq.values())) == 5
    assert {c.code for c in made["ERBIL"] + made["BASRA"]} <= set(at_hq.values())
    hq.use()
    with database.connection_context():
        assert models.SyncReview.select().count() == 0
    # Headquarters (block 00) makes codes without a mark, as before sites existed.
    assert create_cohort(hq.admin, _same_cohort()).code == "BPC-MOSUL-260301"


def test_without_the_sites_mark_the_same_exchange_collides(world, monkeypatch):
    hq, a, b, tmp = world
    _catalogue(world)
    monkeypatch.setattr(cohorts, "site_mark", lambda: "")
    for place in (a, b):
        place.use()
        create_cohort(place.admin, _same_cohort())
    send(a, hq, tmp / "a1")
    got = send(b, hq, tmp / "b1")
    assert got.review == 1  # the second cohort could not be written: held, not kept
    assert len(_cohorts_at(hq)) == 1
