"""Reference data: security forces and Iraqi provinces (ISO 3166-2:IQ).

Field files spell places and forces many ways; ``resolve_*`` map any known
spelling (code, English, Arabic, alias; with or without the article, hamza
variants, diacritics) to the code. Unknown text gives None: callers report it
rather than guess.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from trainer.registry import names

__all__ = ["Force", "Province", "FORCES", "PROVINCES", "force", "province", "resolve_force", "resolve_province"]


@dataclass(frozen=True)
class Force:
    code: str
    name_en: str
    name_ar: str


@dataclass(frozen=True)
class Province:
    code: str
    name_en: str
    name_ar: str
    aliases: tuple[str, ...]
    liberated: bool


FORCES: tuple[Force, ...] = (
    Force("police", "Local Police", "الشرطة المحلية"),
    Force("border", "Border Guards", "حرس الحدود"),
    Force("army", "Iraqi Army", "الجيش العراقي"),
    Force("cts", "Counter Terrorism Service", "جهاز مكافحة الإرهاب"),
    Force("tribal", "Tribal Mobilization Forces", "الحشد العشائري"),
    Force("peshmerga", "Peshmerga", "البيشمركة"),
)

# Extra spellings met in field files (kept out of the dataclass: its fields are fixed).
_FORCE_ALIASES = {
    "police": ("Iraqi Police", "Police", "الشرطة"),
    "border": ("Border Guard", "Border Police", "Border Forces", "شرطة الحدود"),
    "army": ("Army", "الجيش"),
    "cts": ("Counter-Terrorism Service", "CTS", "ICTS", "مكافحة الإرهاب"),
    "tribal": ("Tribal Mobilisation Forces", "Tribal Mobilization", "Tribal Hashd", "Hashd al-Asha'iri"),
    "peshmerga": ("Peshmerga Forces", "پێشمەرگە", "بيشمركة"),
}

# The ISO 3166-2:IQ names as pycountry carries them. Kept here because loading
# pycountry's 5,000 subdivisions of the world cost 140 ms of every start-up;
# tests/unit/test_reference.py checks this table against pycountry.
ISO_NAMES = {
    "IQ-AN": "Al Anbār",
    "IQ-AR": "Arbīl",
    "IQ-BA": "Al Başrah",
    "IQ-BB": "Bābil",
    "IQ-BG": "Baghdād",
    "IQ-DA": "Dahūk",
    "IQ-DI": "Diyālá",
    "IQ-DQ": "Dhī Qār",
    "IQ-KA": "Karbalā’",
    "IQ-KI": "Kirkūk",
    "IQ-KR": "Iqlīm Kūrdistān",
    "IQ-MA": "Maysān",
    "IQ-MU": "Al Muthanná",
    "IQ-NA": "An Najaf",
    "IQ-NI": "Nīnawá",
    "IQ-QA": "Al Qādisīyah",
    "IQ-SD": "Şalāḩ ad Dīn",
    "IQ-SU": "As Sulaymānīyah",
    "IQ-WA": "Wāsiţ",
}

# Arabic name and aliases per ISO code.
_PROVINCES = {
    "IQ-AN": ("الأنبار", ("Anbar", "Al Anbar", "Al-Anbar", "Anbar Governorate")),
    "IQ-AR": ("أربيل", ("Erbil", "Arbil", "Irbil", "Hawler", "Hewler", "هەولێر", "هولير")),
    "IQ-BA": ("البصرة", ("Basra", "Basrah", "Al Basra", "Al-Basrah")),
    "IQ-BB": ("بابل", ("Babil", "Babylon", "Babel")),
    "IQ-BG": ("بغداد", ("Baghdad",)),
    "IQ-DA": ("دهوك", ("Duhok", "Dohuk", "Dahuk", "Dihok", "Dahook", "دهۆک")),
    "IQ-DI": ("ديالى", ("Diyala", "Diala", "Diyalah")),
    "IQ-DQ": ("ذي قار", ("Dhi Qar", "Thi Qar", "Dhiqar", "Di Qar", "ذيقار")),
    "IQ-KA": ("كربلاء", ("Karbala", "Kerbala", "Karbalaa")),
    "IQ-KI": ("كركوك", ("Kirkuk", "Kerkuk", "Tamim", "At Tamim", "Al Tamim", "التأميم", "کەرکووک")),
    "IQ-KR": (
        "إقليم كوردستان",
        (
            "Kurdistan Region",
            "Kurdistan",
            "Iraqi Kurdistan",
            "KRI",
            "Kurdistan Region of Iraq",
            "إقليم كردستان",
            "كردستان",
            "كوردستان",
        ),
    ),
    "IQ-MA": ("ميسان", ("Maysan", "Missan", "Maisan", "Mesan")),
    "IQ-MU": ("المثنى", ("Muthanna", "Al Muthanna", "Al-Muthanna", "Muthana")),
    "IQ-NA": ("النجف", ("Najaf", "An Najaf", "Al Najaf", "Al-Najaf")),
    "IQ-NI": ("نينوى", ("Nineveh", "Ninawa", "Ninewa", "Nineva", "Ninevah", "Ninawa Governorate")),
    "IQ-QA": (
        "القادسية",
        (
            "Qadisiyah",
            "Al-Qadisiyyah",
            "Qadisiyyah",
            "Al Qadisiyah",
            "Qadisiya",
            "Diwaniyah",
            "Diwaniya",
            "Al Diwaniyah",
            "الديوانية",
        ),
    ),
    "IQ-SD": (
        "صلاح الدين",
        (
            "Salahuddin",
            "Salah ad Din",
            "Salah al-Din",
            "Saladin",
            "Salah ad-Din",
            "Salahaddin",
            "Salah Eddin",
            "Salahadin",
        ),
    ),
    "IQ-SU": (
        "السليمانية",
        (
            "Sulaymaniyah",
            "Sulaimani",
            "As Sulaymaniyah",
            "Sulaimaniya",
            "Sulaimaniyah",
            "Slemani",
            "Suleimaniyah",
            "Silemani",
            "سلێمانی",
        ),
    ),
    "IQ-WA": ("واسط", ("Wasit", "Wassit", "Wasset")),
}
# The five provinces liberated from Daesh that the seed programme targets.
_LIBERATED = frozenset({"IQ-NI", "IQ-AN", "IQ-SD", "IQ-KI", "IQ-DI"})


def _ascii(s: str) -> str:
    """'Şalāḩ ad Dīn' -> 'Salah ad Din'; drops the ’ in 'Karbalā’'."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[’'`]", "", s)


def _build_provinces() -> tuple[Province, ...]:
    out = []
    for code, (name_ar, extra) in sorted(_PROVINCES.items()):
        name_en = ISO_NAMES[code]
        aliases = dict.fromkeys(a for a in (name_en, _ascii(name_en), *extra) if a)
        out.append(Province(code, name_en, name_ar, tuple(aliases), code in _LIBERATED))
    return tuple(out)


PROVINCES: tuple[Province, ...] = _build_provinces()
_FORCE_BY_CODE = {f.code: f for f in FORCES}
_PROVINCE_BY_CODE = {p.code: p for p in PROVINCES}


def force(code: str) -> Force:
    """The force with this code; KeyError if unknown."""
    return _FORCE_BY_CODE[code]


def province(code: str) -> Province:
    """The province with this ISO code (e.g. 'IQ-NI'); KeyError if unknown."""
    return _PROVINCE_BY_CODE[code]


def _forms(text: str) -> set[str]:
    """Comparable forms of a spelling: normalised, and without articles, each
    with spaces removed so 'Dhi Qar' = 'Dhiqar' and 'Salah al-Din' = 'Salah ad Din'."""
    return {f.replace(" ", "") for f in (names.normalise(text), names.strip_articles(text)) if f}


def _index(entries: Iterable[tuple[str, Iterable[str]]]) -> tuple[dict[str, str], dict[str, set[str]]]:
    exact: dict[str, str] = {}
    skel: dict[str, set[str]] = {}
    for code, spellings in entries:
        for s in spellings:
            for f in _forms(s):
                exact.setdefault(f, code)
            k = names.skeleton(names.strip_articles(s)).replace(" ", "")
            if len(k) >= 3:
                skel.setdefault(k, set()).add(code)
    return exact, skel


@functools.cache
def _indexes() -> dict[str, tuple[dict[str, str], dict[str, set[str]]]]:
    """Built on the first look-up, not at import (the app's start does not need them)."""
    return {
        "force": _index((f.code, (f.code, f.name_en, f.name_ar, *_FORCE_ALIASES.get(f.code, ()))) for f in FORCES),
        "province": _index((p.code, (p.name_en, p.name_ar, *p.aliases)) for p in PROVINCES),
    }


_ISO = re.compile(r"^(?:IQ[-_ ]?)?([A-Z]{2})$")


def _resolve(text: str | None, exact: dict[str, str], skel: dict[str, set[str]]) -> str | None:
    if not text or not text.strip():
        return None
    for f in _forms(text):
        if f in exact:
            return exact[f]
    # Last resort: a unique consonant skeleton (Ninawah, Kerbala'a); 3+ letters
    # so short junk cannot land on a code by chance.
    k = names.skeleton(names.strip_articles(text)).replace(" ", "")
    codes = skel.get(k, set()) if len(k) >= 3 else set()
    return next(iter(codes)) if len(codes) == 1 else None


def resolve_force(text: str | None) -> str | None:
    """Force code for a code, English or Arabic name or known alias; else None."""
    return _resolve(text, *_indexes()["force"])


def resolve_province(text: str | None) -> str | None:
    """ISO code for 'IQ-NI'/'ni', an ISO name (with or without diacritics), the
    Arabic name (hamza/ta-marbuta variants), or a known alias, with or without
    the article (Al-, As, ال); else None."""
    if not text:
        return None
    m = _ISO.match(text.strip().upper())
    if m and f"IQ-{m.group(1)}" in _PROVINCE_BY_CODE:
        return f"IQ-{m.group(1)}"
    return _resolve(text, *_indexes()["province"])
