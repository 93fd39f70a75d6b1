"""The display helper: crop the logical string, then shape and reorder; a switch to leave it to the terminal."""

from __future__ import annotations

import random

import arabic_reshaper
import pytest
from bidi import get_display
from rich.cells import cell_len

from screens.widgets import arabic

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


def test_plain_names_shaped_word_by_word_read_as_the_whole_string_would():
    # Lam-alef ligatures, hamza seats, taa marbuta, spaces at the ends, cropped: the word-by-word path
    # must give exactly what shaping and reordering the whole string gives.
    words = ["محمد", "عبد", "الله", "لا", "إسلام", "آمنة", "لأمير", "مؤمن", "فاطمة", "هيئة", "سلإ"]
    rnd = random.Random(7)
    for _ in range(3000):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 5)))
        text = rnd.choice(["", " "]) + text + rnd.choice(["", "  ", arabic.ELLIPSIS])
        assert arabic.display(text) == get_display(arabic_reshaper.reshape(text))
        width = rnd.randint(2, 30)
        assert arabic.display(text, width) == get_display(arabic_reshaper.reshape(arabic.crop(text, width)))


def test_cells_and_crop_agree_with_rich_on_every_script():
    samples = [
        "Mohammed Salih",
        "محمد جاسم",
        "ﻣﺤﻤﺪ",
        "9001234567",
        "…",
        "Ahmed…",
        "漢字 name",
        "مُحَمَّد",
        "e\u0301",
        "",
        " ",
    ]
    for text in samples:
        assert arabic.cells(text) == cell_len(text), text
        for width in range(0, 16):
            cut = arabic.crop(text, width)
            assert cell_len(cut) <= max(width, 0)
            assert cut == text or cut.endswith(arabic.ELLIPSIS) or width == 0


# Kurdish (Sorani) letters that Unicode gives no joined forms must still let their neighbours join.
PESHRAW = "پێشڕەو"  # p, yeh with small v, sheen, reh with small v, ae, waw


def test_kurdish_letters_let_their_neighbours_join():
    shown = arabic.display(PESHRAW)
    assert shown == "\ufeed\u06d5\u0695\ufeb8\u06ce\ufb58"  # visual order: waw … peh
    assert "\ufeb8" in shown  # sheen in its medial form between ێ and ڕ (was isolated: unjoined)
    assert shown[-1] == "\ufb58"  # peh's initial form: it joins the ێ after it


def test_kurdish_ae_after_a_joining_letter_takes_heh_final_form():
    shown = arabic.display("کۆچەر")  # Kocher
    assert "\ufeea" in shown and "\ufb7c" in shown  # ە drawn as ـە, چ in its initial form


@pytest.mark.parametrize("name", ["هێڤی", "ژیلا گوڵ", "ڕەزا", "ئاسۆ", "چیا پێشڕەو"])
def test_kurdish_names_keep_every_letter_and_their_width(name):
    shown = arabic.display(name)
    assert arabic.cells(shown) == cell_len(shown) <= len(name)  # one cell a letter (لا: one ligature)
    # Every Kurdish letter without presentation forms survives as itself.
    for letter in "ێڵڕ":
        assert shown.count(letter) == name.count(letter)
    assert arabic.fit(name, 12).startswith(shown) and arabic.cells(arabic.fit(name, 12)) == 12


def test_prose_lines_are_shaped_once_and_latin_stays_in_place():
    kurdish = "پێشڕەو هێڤی"
    question = f"Revoke certificate IQTC-0000001005 ({kurdish})?\nIt cannot be undone."
    shown = arabic.display_lines(question)
    first, second = shown.split("\n")
    assert first.startswith("Revoke certificate IQTC-0000001005 (") and first.endswith(")?")
    assert arabic.display(kurdish) in first and second == "It cannot be undone."
    assert arabic.display_lines(shown) == shown  # shaped already: a second pass changes nothing


def test_a_text_box_shows_arabic_shaped_unless_editing_inside_it():
    kurdish = "لا ڕۆژ"  # lam-alef: two letters, one glyph; the box keeps the typed length
    shown = arabic.in_box(kurdish, editing_inside=False)
    assert shown is not None and shown.rstrip() == arabic.display(kurdish) and len(shown) == len(kurdish)
    assert arabic.in_box(kurdish, editing_inside=True) is None  # the cursor edits the logical string
    assert arabic.in_box("Ali", editing_inside=False) is None
    arabic.set_reordering(False)
    assert arabic.in_box(kurdish, editing_inside=False) is None  # the terminal does it
