"""Snapshots of the main screens (Textual pinned; cursor blink off).

SVGs show Arabic as a browser shapes it, so Arabic display is asserted on
strings in test_arabic_display.py, not here. Update with `--snapshot-update`
after checking the new pictures by eye.
"""

from __future__ import annotations

import datetime

import pytest

from tests import clerk_data as make
from tests.tui.conftest import SIZE, new_app, settle, sign_in


@pytest.fixture
def desk(admin_url):
    """A small, fixed registry: a course, a cohort with a roster, trainees with vetting."""
    make.centre()
    make.course("POL-BASIC")
    cohort = make.cohort(capacity=2, start=datetime.date(2026, 3, 1))
    people = [
        make.trainee(
            "محمد",
            "جاسم",
            "عباس",
            given_name_latin="Mohammed",
            father_name_latin="Jasim",
            national_id="19900101001",
            dob=datetime.date(1990, 1, 1),
        ),
        make.trainee(
            "علي",
            "حسن",
            "كاظم",
            given_name_latin="Ali",
            father_name_latin="Hassan",
            family_name="الجبوري",
            national_id="19920202002",
            dob=datetime.date(1992, 2, 2),
        ),
        make.trainee("عمر", "خالد", "سعيد", force="border", province="IQ-AN", dob=datetime.date(1994, 3, 3)),
    ]
    make.vetting(people[0].id)
    from trainer.accounts.access import SYSTEM
    from trainer.training import enrolments

    enrolments.enrol(SYSTEM, cohort.id, [p.id for p in people], today=datetime.date(2026, 2, 1))
    return admin_url


def signed_in(*keys: str):
    async def run_before(pilot) -> None:
        await sign_in(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


NARROW = (80, 24)
SIZES = {"80x24": NARROW, "120x35": SIZE}
# Every area by its key, at the narrowest supported terminal and a common wide one.
AREA_KEYS = {
    "dashboard": "d",
    "trainees": "t",
    "courses": "c",
    "cohorts": "o",
    "certificates": "e",
    "reports": "r",
    "admin": "a",
}


@pytest.fixture
def steady_cwd(monkeypatch, tmp_path):
    """Export paths shown on screen start from the working directory: the same one on every machine."""
    monkeypatch.chdir("/tmp")


def test_login_screen(snap_compare, admin_url):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(new_app(admin_url), terminal_size=SIZE, run_before=ready)


def test_login_screen_narrow(snap_compare, admin_url):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(new_app(admin_url), terminal_size=NARROW, run_before=ready)


def test_first_run_screen(snap_compare, tui_url):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(new_app(tui_url), terminal_size=SIZE, run_before=ready)


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("area", sorted(AREA_KEYS))
def test_area(snap_compare, desk, steady_cwd, area, size):
    assert snap_compare(new_app(desk), terminal_size=SIZES[size], run_before=signed_in(AREA_KEYS[area]))


def test_trainees_screen(snap_compare, desk):
    assert snap_compare(new_app(desk), terminal_size=SIZE, run_before=signed_in("down"))


def test_trainees_typing_in_the_search_box(snap_compare, desk):
    assert snap_compare(new_app(desk), terminal_size=NARROW, run_before=signed_in("slash", "m", "o"))


@pytest.mark.parametrize("size", sorted(SIZES))
def test_trainee_form(snap_compare, desk, size):
    assert snap_compare(new_app(desk), terminal_size=SIZES[size], run_before=signed_in("enter"))


def test_help_screen(snap_compare, desk):
    assert snap_compare(new_app(desk), terminal_size=SIZE, run_before=signed_in("f1"))
