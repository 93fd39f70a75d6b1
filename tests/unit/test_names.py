"""Name normalisation: the keys that let Arabic and Latin spellings meet."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.registry import names
from trainer.registry.names import (
    is_arabic,
    keys,
    matches,
    name_skeleton,
    normalise,
    skeleton,
    strip_articles,
    to_ascii_digits,
    transliterate,
)

# Every spelling on a row must give the same skeleton.
MEET = [
    ["محمد", "Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed"],
    ["أحمد", "احمد", "Ahmed", "Ahmad"],
    ["علي", "Ali"],
    ["حسين", "Hussein", "Husain", "Hussain", "Husayn"],
    ["فاطمة", "فاطمه", "Fatima", "Fatimah"],
    ["يوسف", "Yousef", "Yusuf", "Youssef", "Yousif"],
    ["عبدالله", "Abdullah", "Abdallah"],
    ["خالد", "Khalid", "Khaled"],
    ["سلمان", "Salman"],
    ["سليمان", "Sulaiman", "Suleiman", "Sulayman"],
    ["مهدي", "Mahdi", "Mehdi"],
    ["إبراهيم", "ابراهيم", "Ibrahim", "Ebrahim"],
    ["عمر", "Omar", "Umar"],
    ["زينب", "Zainab", "Zeinab"],
    ["كريم", "Karim", "Kareem"],
    ["جاسم", "Jasim", "Jassim"],
    ["قاسم", "Qasim", "Kasim", "Qassim"],
    ["الدليمي", "Al-Dulaimi", "al Dulaimi", "Dulaimi", "al-Dulaymi"],
    ["صالح", "Saleh", "Salih"],
    ["شاكر", "Shakir", "Shaker"],
    ["حسن", "Hassan", "Hasan"],
    ["محمود", "Mahmoud", "Mahmood", "Mahmud"],
    ["الجبوري", "al-Jubouri", "Jubouri", "Juburi"],
]

DIFFER = [
    ("محمد", "أحمد"),
    ("علي", "عمر"),
    ("حسن", "حسين"),
    ("سلمان", "سليمان"),
    ("Hassan", "Hussein"),
    ("Salman", "Sulaiman"),
    ("محمد", "محمود"),
    ("Muhammad", "Mahmoud"),
    ("Ali", "Omar"),
]


@pytest.mark.parametrize("row", MEET, ids=lambda r: r[1])
def test_spellings_of_one_name_meet(row):
    got = {w: skeleton(w) for w in row}
    assert len(set(got.values())) == 1, got
    assert all(got.values())


@pytest.mark.parametrize("a,b", DIFFER)
def test_distinct_names_differ(a, b):
    assert skeleton(a) != skeleton(b)


@pytest.mark.parametrize(
    "text",
    [
        "عبد الله",
        "عبدالله",
        "Abdullah",
        "Abd Allah",
        "Abdallah",
        "Abdulla",
        "عبد اللّه",
    ],
)
def test_abd_allah_compounds_meet(text):
    assert name_skeleton(text) == skeleton("عبدالله") == "abdl"


@pytest.mark.parametrize(
    "text",
    [
        "عبد الرحمن",
        "عبدالرحمن",
        "Abdul Rahman",
        "Abdulrahman",
        "Abd al-Rahman",
        "Abdel Rahman",
        "Abd Al Rahman",
    ],
)
def test_abd_al_rahman_compounds_meet(text):
    assert name_skeleton(text) == skeleton("عبدالرحمن")


def test_abd_compound_uses_the_known_name():
    assert skeleton("Abdul Karim") == skeleton("عبد الكريم") == skeleton("Abdulkareem")


def test_digits():
    assert to_ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_ascii_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_ascii_digits("ID ٧٨٩-abc") == "ID 789-abc"
    assert normalise("رقم ١٢٣ و ۴۵۶") == "رقم 123 و 456"


@pytest.mark.parametrize("form", ["أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"])
def test_alef_forms_fold(form):
    assert normalise(form) == "احمد"


def test_arabic_letter_folds():
    assert normalise("فاطمة") == "فاطمه"
    assert normalise("مصطفى") == "مصطفي"
    assert normalise("مسؤول") == "مسوول"
    assert normalise("سائق") == "سايق"
    # Persian/Kurdish keyboard letters
    assert normalise("کریم") == normalise("كريم")
    assert normalise("دهۆک") == "دهوك"


def test_tatweel_and_tashkeel_removed():
    assert normalise("مـحـمـد") == "محمد"
    assert normalise("مُحَمَّدٌ") == "محمد"
    assert normalise("عَلِيّ") == "علي"
    assert normalise("هٰذا") == "هذا"  # superscript alef
    assert normalise("مُـحَـمَّـد") == normalise("محمد")


def test_latin_folding():
    assert normalise("  Élodie   MÜLLER ") == "elodie muller"
    assert normalise("Sa'ad Al-Dulaimi") == "saad al dulaimi"
    assert normalise("Karbalā’") == "karbala"
    assert normalise("") == "" and normalise(None) == ""


def test_normalise_separates_scripts_and_strips_invisibles():
    assert normalise("محمدAli") == "محمد ali"
    assert normalise("\u200fمحمد\u200c") == "محمد"


def test_keys_hold_both_scripts_tokens():
    k = keys("محمد", "جاسم", None, "", "الدليمي").split()
    assert "محمد" in k and "جاسم" in k and "الدليمي" in k
    for latin in ("Mohammed", "Muhammad", "Jassim", "Al-Dulaimi", "Dulaimi"):
        assert skeleton(latin).replace(" ", "") in k, latin


def test_keys_latin_row_found_by_arabic_query():
    k = keys("Mohammed", "Jassim")
    assert skeleton("محمد") in k.split()
    assert matches("محمد جاسم", k)


def test_keys_join_abd_compounds():
    k = keys("عبد الله").split()
    assert {"عبد", "الله", "عبدالله", "abdl"} <= set(k)
    assert skeleton("Abdullah") in k


def test_keys_deduplicate():
    k = keys("محمد", "محمد").split()
    assert k.count("محمد") == 1 and k.count("mhmd") == 1


def test_matches():
    row = keys("محمد", "حسين", "علي", "الجبوري")
    assert matches("Mohammed", row)
    assert matches("Hussein Jubouri", row)
    assert matches("مح", row)  # prefix of a stored word
    assert not matches("Hassan", row)
    assert not matches("Omar", row)


def test_name_skeleton():
    assert name_skeleton("محمد", "جاسم") == name_skeleton("Mohammed", "Jassim") == "mhmd jsm"
    assert name_skeleton("محمد", None) == "mhmd"
    assert name_skeleton() == ""


def test_strip_articles():
    assert strip_articles("As Sulaymaniyah") == "sulaymaniyah"
    assert strip_articles("Al-Anbar") == "anbar"
    assert strip_articles("الأنبار") == "انبار"
    assert strip_articles("Salah ad Din") == "salah din"
    assert strip_articles("Ali") == "ali"


def test_is_arabic():
    assert is_arabic("محمد")
    assert is_arabic("Ali علي")
    assert not is_arabic("Mohammed")
    assert not is_arabic("١٢٣")  # digits are not letters
    assert not is_arabic("") and not is_arabic(None)


@pytest.mark.parametrize(
    "ar,latin",
    [
        ("محمد", "Muhammad"),
        ("فاطمة", "Fatima"),
        ("عبد الله", "Abdullah"),
        ("الدليمي", "al-Dulaimi"),
        ("حسين", "Hussein"),
        ("عبدالله", "Abdullah"),
    ],
)
def test_transliterate_known_names(ar, latin):
    assert transliterate(ar) == latin


def test_transliterate_full_name_and_fallback():
    assert transliterate("محمد جاسم الدليمي") == "Muhammad Jasim al-Dulaimi"
    assert transliterate("عبد الرحمن") == "Abd al-Rahman"
    # Names outside the table are spelled letter by letter, readable, not a skeleton.
    assert transliterate("رحيم") == "Rahim"
    assert transliterate("سعد") == "Saad"
    assert transliterate("الخزرجي") == "al-Khazraji"
    assert transliterate("Ali") == "Ali"
    assert transliterate("") == ""


def test_table_spellings_meet_their_arabic_name():
    """Every Latin spelling in the common-names table reaches its Arabic skeleton."""
    assert len(names._COMMON) >= 60
    for ar, latin in names._COMMON:
        for v in latin:
            assert name_skeleton(v) == skeleton(ar), (ar, v)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(s):
    once = normalise(s)
    assert normalise(once) == once
    assert once == once.strip() and "  " not in once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8")) | st.text(alphabet="محمدعليأإآةىـًٌٍَُِّْ abdulhsy'-"))
def test_skeleton_and_keys_never_raise(s):
    assert isinstance(skeleton(s), str)
    assert isinstance(keys(s, s), str)
    assert isinstance(transliterate(s), str)
    assert isinstance(name_skeleton(s, None, s), str)
