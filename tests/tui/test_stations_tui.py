"""The stations area driven through its keys on a real database file: the inventory check as a
keyboard checklist, a kit movement, and a cohort posted, each checked in the database."""

from __future__ import annotations

import datetime

import pytest

import tests.instructor_fixtures as fx
from db import models
from db.connection import database
from screens.inventory_check import InventoryCheckScreen
from screens.stations import StationsScreen
from screens.widgets.lazy_table import LazyTable
from tests.tui.conftest import new_app, settle, sign_in
from trainer.accounts.access import SYSTEM
from trainer.stations import kits, stations

D = datetime.date


@pytest.fixture
def audit_env(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "tui-test-key-0123456789abcdef-0123456789")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def box_url(audit_env, admin_url):
    fx.build(trainees=3)  # the MOSUL centre, a cohort BPC-01 of three
    for code in ("NI-001", "NI-002"):
        stations.create_station(
            SYSTEM,
            stations.StationInput(
                code, "police", "IQ-NI", f"Mosul station {code[-1]}", authorised_strength=3, centre="MOSUL"
            ),  # fmt: skip
        )
    kits.plan_kit(SYSTEM, "PK-001", "police")
    kits.receive(SYSTEM, "PK-001", "MOSUL", "Capt. Ahmed", D(2025, 5, 1))
    kits.issue(SYSTEM, "PK-001", "NI-001", "Capt. Ahmed", D(2025, 5, 2))
    return admin_url


async def open_stations(pilot) -> StationsScreen:
    await sign_in(pilot)
    await pilot.press("q")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StationsScreen)
    return screen


async def test_the_inventory_check_is_a_keyboard_checklist(box_url):
    app = new_app(box_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stations(pilot)
        assert screen.detail is not None and screen.detail.station.code == "NI-001"
        assert screen.detail.kit.serial == "PK-001"
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InventoryCheckScreen)
        items = [i.item for i in app.screen.kit.items]
        # tick off the first four (space marks present and moves on), the fifth is missing with a note
        await pilot.press("space", "space", "space", "space")
        assert items[4] == "GENERATOR"
        await pilot.press("x", "ctrl+s")  # refused: a missing item needs a note, and the rest are unmarked
        await settle(pilot)
        assert "Not checked yet" in str(app.screen.query_one("#check-status").render())
        await pilot.press("enter", *"stolen in transit", "enter")
        await pilot.press("down", *["space"] * (len(items) - 5))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StationsScreen), app.screen.query_one("#check-status").render()
    with database.connection_context():
        check = models.InventoryCheck.get()
        assert (check.stage, check.present, check.missing, check.damaged) == ("set-up", len(items) - 1, 1, 0)
        gen = models.KitItem.get(models.KitItem.item == "GENERATOR")
        assert (gen.condition, gen.note) == ("missing", "stolen in transit")
        assert models.AuditEvent.select().where(models.AuditEvent.action == "kit-check").count() == 1


async def test_a_kit_is_set_up_and_a_cohort_posted_from_the_keyboard(box_url):
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    app = new_app(box_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stations(pilot)
        await pilot.press("b")  # the kit is issued here: the dialog offers its set-up
        await settle(pilot)
        await pilot.press(*"Lt. Omar", "ctrl+s")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press(*"BPC-01", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StationsScreen)
        assert app.screen.detail.readiness.posted == 3
        await pilot.press("h")  # the station's history: its creation and the cohort posted there
        await settle(pilot)
        from screens.history import RecordHistoryScreen

        assert isinstance(app.screen, RecordHistoryScreen)
        assert app.screen.query_one("#history-table").row_count == 2
        await pilot.press("escape")
    with database.connection_context():
        kit = models.Kit.get()
        assert (kit.state, kit.set_up_on) == ("set-up", D.today())
        assert models.Posting.select().where(models.Posting.station == kit.station_id).count() == 3


async def test_a_graduating_cohort_is_posted_from_the_cohorts_screen(box_url):
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    app = new_app(box_url)
    async with app.run_test(size=(80, 24)) as pilot:
        stations_screen = await open_stations(pilot)
        await pilot.press("down")  # NI-002, where the cohort goes
        await settle(pilot)
        assert stations_screen.detail.station.code == "NI-002" and stations_screen.detail.readiness.posted == 0
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press(*"NI-002", "ctrl+s")
        await settle(pilot)
        await pilot.press("j")  # again: refused, all or nothing, with the reason per person
        await settle(pilot)
        await pilot.press(*"NI-001", "ctrl+s")
        await settle(pilot)
        assert "already posted at NI-002" in str(app.screen.query_one("#post-status").render())
        await pilot.press("escape", "q")  # back in Stations: what was posted meanwhile shows without F5
        await settle(pilot)
        assert app.screen is stations_screen
        assert stations_screen.detail.readiness.posted == 3
        assert stations_screen.query_one("#station-list").current.posted == 3
    with database.connection_context():
        at = models.Posting.select(models.Station.code).join(models.Station).tuples()
        assert [code for (code,) in at] == ["NI-002"] * 3


async def test_the_kit_movement_offers_the_serials_it_could_take(box_url):
    kits.plan_kit(SYSTEM, "PK-002", "police")
    app = new_app(box_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stations(pilot)
        await pilot.press("down", "b")  # NI-002 has no kit: the dialog opens on "issue"
        await settle(pilot)
        assert screen.detail.station.code == "NI-002"
        hint = lambda: str(app.screen.query_one("#kit-hint").render())  # noqa: E731
        assert hint() == "No police kit waits at MOSUL: receive one."
        app.screen.query_one("#move").value = "receive"
        await settle(pilot)
        assert hint() == "Not yet received (police): PK-002"
        await pilot.press(*"PK-002", "tab", "tab", *"Capt. Ahmed", "ctrl+s")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert hint() == "Received at MOSUL, not issued: PK-002"
    with database.connection_context():
        assert models.Kit.get(models.Kit.serial == "PK-002").state == "received"


async def test_who_delivered_a_cohort_is_recorded_from_the_cohorts_screen(box_url):
    from trainer.training import delivery

    with database.connection_context():
        course = models.Course.select(models.Course.code).scalar()
    delivery.add_program(SYSTEM, "POI-POL-IT", "2", "Carabinieri police programme", course, "IT")
    app = new_app(box_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        app.screen.query_one("#program").value = "POI-POL-IT@2"
        await pilot.press(*"Atlantis, IQ", "ctrl+s")  # refused: one line naming the nation
        await settle(pilot)
        assert "unknown nation 'Atlantis'" in str(app.screen.query_one("#delivery-status").render())
        app.screen.query_one("#nations").value = "Italy, IQ"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")  # opened again: what was recorded
        await settle(pilot)
        assert app.screen.query_one("#nations").value == "IQ, IT"
        assert app.screen.query_one("#program").value == "POI-POL-IT@2"
    assert delivery.delivery(SYSTEM, "BPC-01").nations == ("IQ", "IT")


# --- opening the area (docs/speed.md, "Opening an area") ---------------------------------


def _record(app, styled: list, painted: list) -> None:
    """Screens restyled whole (app.update_styles on a screen) and, per paint of the stations
    screen, whether its list had rows."""
    update_styles, display = app.update_styles, app._display

    def restyle(node, animate: bool = True) -> None:
        if node is app.screen or node.__class__.__name__.endswith("Screen"):
            styled.append(node.__class__.__name__)
        update_styles(node, animate=animate)

    def paint(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and isinstance(screen, StationsScreen):
            painted.append(screen.query_one(LazyTable).row(0) is not None)

    app.update_styles, app._display = restyle, paint


async def test_the_stations_area_is_styled_once_and_painted_with_its_rows(box_url, monkeypatch):
    # A generous wait: on a loaded test machine the page must still be taken before the paint.
    monkeypatch.setattr("screens.stations.FIRST_WAIT", 5.0)
    app = new_app(box_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        styled: list[str] = []
        painted: list[bool] = []
        _record(app, styled, painted)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, StationsScreen)
        assert app.screen.has_class("-wide")  # the breakpoint class, given before it mounted
        assert "StationsScreen" not in styled  # no whole-screen restyle on opening
        assert painted and painted[0]  # the first paint already had the rows
        assert app.screen.query_one(LazyTable).row(1).code == "NI-002"

        await pilot.press("t")  # away and back: the resume restyles, as Textual's does
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert "StationsScreen" in styled
