"""Reference data: forces and provinces, and resolving field spellings to codes."""

from __future__ import annotations

import dataclasses

import pycountry
import pytest

from trainer.registry.reference import (
    FORCES,
    PROVINCES,
    Force,
    Province,
    force,
    province,
    resolve_force,
    resolve_province,
)

ALIASES = {
    "IQ-NI": ["Nineveh", "Ninawa", "Ninewa", "Nineva", "Nīnawá", "نينوى", "نينوي"],
    "IQ-AR": ["Erbil", "Arbil", "Irbil", "Hawler", "Arbīl", "أربيل", "اربيل", "هەولێر"],
    "IQ-DA": ["Duhok", "Dohuk", "Dahuk", "Dahūk", "دهوك", "دهۆک"],
    "IQ-AN": ["Anbar", "Al Anbar", "Al-Anbar", "al anbar", "Al Anbār", "الأنبار", "الانبار", "انبار"],
    "IQ-SD": ["Salahuddin", "Salah ad Din", "Salah al-Din", "Saladin", "Şalāḩ ad Dīn", "صلاح الدين"],
    "IQ-SU": [
        "Sulaymaniyah",
        "Sulaimani",
        "As Sulaymaniyah",
        "As Sulaymānīyah",
        "Al-Sulaymaniyah",
        "السليمانية",
        "سليمانيه",
    ],
    "IQ-BA": ["Basra", "Basrah", "Al Başrah", "Al-Basrah", "البصرة", "البصره"],
    "IQ-BG": ["Baghdad", "Baghdād", "BAGHDAD", "بغداد"],
    "IQ-BB": ["Babil", "Babylon", "Bābil", "بابل"],
    "IQ-KA": ["Karbala", "Kerbala", "Karbalā’", "كربلاء", "كربلا"],
    "IQ-NA": ["Najaf", "An Najaf", "Al-Najaf", "النجف"],
    "IQ-QA": ["Qadisiyah", "Al-Qadisiyyah", "Diwaniyah", "Al Qādisīyah", "القادسية", "الديوانية"],
    "IQ-MU": ["Muthanna", "Al Muthanna", "Al Muthanná", "المثنى", "المثني"],
    "IQ-DQ": ["Dhi Qar", "Thi Qar", "Dhī Qār", "Dhiqar", "ذي قار"],
    "IQ-MA": ["Maysan", "Missan", "Maysān", "ميسان"],
    "IQ-WA": ["Wasit", "Wassit", "Wāsiţ", "واسط"],
    "IQ-KI": ["Kirkuk", "Tamim", "At Tamim", "Kirkūk", "كركوك"],
    "IQ-DI": ["Diyala", "Diala", "Diyālá", "ديالى", "ديالي"],
    "IQ-KR": ["Kurdistan Region", "Kurdistan", "Iqlīm Kūrdistān", "إقليم كوردستان", "اقليم كوردستان", "إقليم كردستان"],
}


def test_nineteen_provinces_from_iso():
    assert len(PROVINCES) == 19
    codes = {p.code for p in PROVINCES}
    assert codes == {s.code for s in pycountry.subdivisions.get(country_code="IQ")}
    assert "IQ-KR" in codes
    for p in PROVINCES:
        assert p.name_en == pycountry.subdivisions.get(code=p.code).name
        assert p.name_ar and p.aliases and isinstance(p.aliases, tuple)
        assert all("|" not in a for a in p.aliases)  # stored "|"-joined


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PROVINCES[0].code = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        FORCES[0].code = "x"


def test_liberated_provinces():
    assert {p.code for p in PROVINCES if p.liberated} == {"IQ-NI", "IQ-AN", "IQ-SD", "IQ-KI", "IQ-DI"}


def test_arabic_names():
    assert province("IQ-NI").name_ar == "نينوى"
    assert province("IQ-SD").name_ar == "صلاح الدين"
    assert province("IQ-KR").name_ar == "إقليم كوردستان"


@pytest.mark.parametrize("code", sorted(ALIASES))
def test_every_spelling_resolves(code):
    for text in ALIASES[code]:
        assert resolve_province(text) == code, text


@pytest.mark.parametrize("p", PROVINCES, ids=lambda p: p.code)
def test_own_names_and_codes_resolve(p):
    short = p.code.split("-")[1]
    for text in (p.code, p.code.lower(), short, short.lower(), p.name_en, p.name_ar, *p.aliases):
        assert resolve_province(text) == p.code, text


def test_forces_table():
    assert [(f.code, f.name_en, f.name_ar) for f in FORCES] == [
        ("police", "Local Police", "الشرطة المحلية"),
        ("border", "Border Guards", "حرس الحدود"),
        ("army", "Iraqi Army", "الجيش العراقي"),
        ("cts", "Counter Terrorism Service", "جهاز مكافحة الإرهاب"),
        ("tribal", "Tribal Mobilization Forces", "الحشد العشائري"),
        ("peshmerga", "Peshmerga", "البيشمركة"),
    ]


@pytest.mark.parametrize("f", FORCES, ids=lambda f: f.code)
def test_forces_resolve_from_all_spellings(f):
    for text in (f.code, f.code.upper(), f.name_en, f.name_en.upper(), f.name_ar, f"  {f.name_en.lower()}  "):
        assert resolve_force(text) == f.code, text


def test_force_arabic_variants():
    assert resolve_force("جهاز مكافحة الارهاب") == "cts"
    assert resolve_force("البيشمركه") == "peshmerga"
    assert resolve_force("الحشد العشايري") == "tribal"
    assert resolve_force("TRIBAL") == "tribal"


@pytest.mark.parametrize("text", ["", "   ", None, "Atlantis", "Paris", "xx", "IQ-ZZ", "navy", "القاهرة", "12"])
def test_unknown_text_is_none(text):
    assert resolve_province(text) is None
    assert resolve_force(text) is None


def test_lookups():
    assert isinstance(force("cts"), Force) and force("cts").name_en == "Counter Terrorism Service"
    assert isinstance(province("IQ-NI"), Province)
    with pytest.raises(KeyError):
        force("navy")
    with pytest.raises(KeyError):
        province("IQ-XX")
