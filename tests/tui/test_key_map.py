"""One meaning per key: no screen reaches two bindings on one key, none rebinds an area key."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding
from textual.screen import Screen

from screens import keymap
from screens.app import AREAS, TrainerApp

AREA_KEYS = {key for key, *_ in AREAS.values()}


def test_every_screen_keeps_one_meaning_per_key():
    found = keymap.screen_classes()
    assert len(found) >= 25  # every screen of the app is looked at, dialogs included
    problems = [p for cls in found for p in keymap.clashes(cls, TrainerApp, AREA_KEYS)]
    assert problems == []


def test_escape_leaves_every_screen_opened_over_an_area():
    from screens.app import AREAS

    area_screens = {cls for _, _, _, cls in AREAS.values()}
    stay = {"StartScreen", "LoginScreen", "FirstRunScreen", "LockScreen"}  # nothing under them to go back to
    missing = [
        cls.__qualname__
        for cls in keymap.screen_classes()
        if cls.__qualname__ not in area_screens | stay
        and not any("escape" in keymap.keys_of(b) for b in keymap.bindings_of(cls))
    ]
    assert missing == []


def test_no_widget_of_the_app_binds_an_area_key():
    widgets = keymap.widget_classes()
    assert {"LazyTable", "Grid", "Field"} <= {cls.__name__ for cls in widgets}
    taken = [
        (cls.__name__, key, b.action)
        for cls in widgets
        for b in keymap.bindings_of(cls)
        for key in keymap.keys_of(b)
        if key in AREA_KEYS
    ]
    assert taken == []


def test_the_check_catches_a_clash_and_a_rebound_area_key():
    class Careless(Screen):
        BINDINGS = [Binding("d", "delete", "Delete"), Binding("f5,x", "reload", "Reload"), ("x", "cut", "Cut")]

    problems = keymap.clashes(Careless, TrainerApp, AREA_KEYS)
    assert any("'d' is an area key" in p for p in problems)
    assert any("'x' means reload" in p for p in problems)


def test_the_key_map_document_names_every_area_key():
    doc = (Path(__file__).parents[2] / "docs" / "keys.md").read_text(encoding="utf-8")
    for key, label, *_ in AREAS.values():
        assert re.search(rf"^\| `{key}` \|", doc, re.M), f"docs/keys.md lacks the area key {key} ({label})"


def test_the_grids_take_no_area_key():
    """The attendance and results grids read keys before any binding (typing order, see
    screens.widgets.grid): the binding check above cannot see them, so ask them. Attendance once
    took a and e as marks, and the Admin and Certificates keys did nothing there."""
    from textual import events

    from screens.attendance import AttendanceScreen
    from screens.results import ResultsScreen

    for screen in (AttendanceScreen(1), ResultsScreen(1)):
        taken = [key for key in sorted(AREA_KEYS) if screen._grid_key(events.Key(key, key))]
        assert taken == [], f"{type(screen).__name__} takes {taken}"
