"""The display helper: crop the logical string, then shape and reorder; a switch to leave it to the terminal."""
from __future__ import annotations

import pytest
from rich.cells import cell_len

from screens import arabic

NAME = "محمد جاسم عبد الله"


@pytest.fixture(autouse=True)
def reorder_on():
    arabic.set_reordering(True)
    yield
    arabic.set_reordering(True)


def test_latin_passes_through():
    assert arabic.display("Mohammed Jasim") == "Mohammed Jasim"
    assert arabic.fit("Ali", 6) == "Ali   "


def test_arabic_is_shaped_and_reversed():
    shown = arabic.display("محمد")
    # Presentation forms (joined letters), first logical letter now last on screen.
    assert all("\ufe70" <= c <= "\ufeff" for c in shown)
    assert shown[-1] in "\ufee3\ufee4\ufee1\ufee2"  # a form of م
    assert shown != "محمد"


def test_crops_the_logical_string_before_reordering():
    shown = arabic.display(NAME, 8)
    assert cell_len(shown) <= 8
    # The start of the name (محمد) survives the crop; the ellipsis ends the logical text,
    # so after reordering it stands at the left.
    assert shown.startswith(arabic.ELLIPSIS)
    expected_visible = arabic.display("محمد جا")
    assert shown.endswith(expected_visible)


def test_switch_leaves_ordering_to_the_terminal():
    arabic.set_reordering(False)
    assert arabic.display(NAME) == NAME
    assert arabic.display(NAME, 8) == "محمد جا" + arabic.ELLIPSIS
    assert not arabic.reordering()


def test_fit_pads_to_width():
    out = arabic.fit(NAME, 30)
    assert cell_len(out) == 30
