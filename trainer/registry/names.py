"""Arabic/Latin name normalisation for search and duplicate detection.

Keys only *suggest* that two records are the same person; a person decides
(docs/domain.md, "Persons and names"). Pure stdlib on purpose: it runs in imports,
migrations and tests without the app.

Two levels:
* ``normalise`` folds spelling noise inside one script (hamza seats, ta
  marbuta, tashkeel, Latin diacritics, digits, case).
* ``skeleton`` maps either script onto one reduced Latin consonant alphabet so
  محمد and Mohammed meet. Arabic script writes no short vowels, so the
  skeleton drops them everywhere and keeps only markers for long vowels
  (``y``/``w``) and a leading ``a`` for a word-initial vowel/alef/ain.

Limits (keys only suggest): long ā is never marked, so عامر/Amer meets عمر/Omar
and صلاح meets صالح; Kazim (z) misses كاظم/Kadhim unless listed in _COMMON;
Latin spellings outside _COMMON that write a long vowel plainly (Rahim for رحيم)
miss the Arabic form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "to_ascii_digits",
    "normalise",
    "skeleton",
    "keys",
    "key_parts",
    "name_skeleton",
    "is_arabic",
    "transliterate",
    "strip_articles",
    "matches",
]

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def to_ascii_digits(s: str) -> str:
    """Arabic-Indic and Extended Arabic-Indic (Persian) digits to ASCII."""
    return s.translate(_DIGITS)


# Removed before NFKC (which would turn ´ into space + accent), so Sa'ad -> saad.
_APOS = str.maketrans(dict.fromkeys("'`´‘’ʼʻʿʾʹ′", None))
# Applied after NFKD + mark removal, which already turned أ إ آ ؤ ئ into their
# bare seats and dropped tashkeel/superscript alef. Pairs "from,to": ة/ى, alef
# wasla, Persian/Kurdish letters onto the Arabic ones Iraqi clerks type, a few
# Latin letters NFKD leaves alone. Tatweel is dropped, digits go to ASCII.
_FOLD = (
    str.maketrans(
        {
            **dict(
                p.split(",")
                for p in (
                    "ٱ,ا ة,ه ى,ي ی,ي ێ,ي ې,ي ک,ك ە,ه ھ,ه ہ,ه ۆ,و ۇ,و ڕ,ر ڵ,ل ı,i ø,o ł,l đ,d ð,d æ,ae œ,oe þ,th ß,ss"
                ).split()
            ),
            "ـ": None,
        }
    )
    | _DIGITS
)
_AR_CHARS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_AR_RE = re.compile(f"[{_AR_CHARS}]")
# Mixed-script runs (e.g. "محمدAli" from a bad paste) become separate words.
_SCRIPT_EDGE = re.compile(f"(?<=[{_AR_CHARS}])(?=[a-z])|(?<=[a-z])(?=[{_AR_CHARS}])")


def _normalise_once(s: str) -> str:
    s = unicodedata.normalize("NFKC", s.translate(_APOS)).casefold()
    s = unicodedata.normalize("NFKD", s.translate(_APOS))
    out = []
    for c in s:
        cat = unicodedata.category(c)
        if cat[0] == "M" or cat == "Cf":  # tashkeel, accents, ZWNJ, RLM ...
            continue
        out.append(c if cat[0] in "LN" else " ")
    s = "".join(out).translate(_FOLD)
    s = _SCRIPT_EDGE.sub(" ", s)
    return unicodedata.normalize("NFC", " ".join(s.split()))


def normalise(s: str) -> str:
    """Matching form: space-separated words, casefolded, no diacritics/tashkeel,
    alef forms -> ا, ة -> ه, ى/ئ -> ي, ؤ -> و, ASCII digits. Idempotent."""
    if not s:
        return ""
    prev, s = None, _normalise_once(s)
    for _ in range(4):  # fold chains are short; loop guards idempotence
        if s == prev:
            break
        prev, s = s, _normalise_once(s)
    return s


def is_arabic(s: str | None) -> bool:
    """True when ``s`` contains at least one Arabic-script letter."""
    return bool(s) and any(c.isalpha() and _AR_RE.match(c) for c in s or "")


# --- articles and compounds -------------------------------------------------
_LAT_ARTICLES = {"al", "el", "ul", "il"}
# Assimilated article before sun letters: "As Sulaymaniyah", "Ad-Dulaimi".
_SUN = {"at", "ath", "ad", "adh", "ar", "az", "as", "ash", "an"}
_ABD = {"عبد", "abd", "abdul", "abdel", "abdal", "abdil", "abdol", "abdu", "abdou"}


def _is_article(w: str, nxt: str | None) -> bool:
    if nxt is None:
        return False
    return w in _LAT_ARTICLES or w == "ال" or (w in _SUN and nxt.startswith(w[1:]))


def _prepare(words: list[str]) -> list[str]:
    """Join عبد/Abdul with the next word (Abd al-Rahman -> abdalrahman) and drop
    detached articles; attached ال is dropped later by the Arabic rules."""
    out, i = [], 0
    while i < len(words):
        w = words[i]
        if w in _ABD and i + 1 < len(words):
            nxt = words[i + 1]
            if _is_article(nxt, words[i + 2] if i + 2 < len(words) else None):
                out.append(w + nxt + words[i + 2])
                i += 3
            else:
                out.append(w + nxt)
                i += 2
            continue
        if not _is_article(w, words[i + 1] if i + 1 < len(words) else None):
            out.append(w)
        i += 1
    return out


def strip_articles(s: str) -> str:
    """``normalise(s)`` without articles: "As Sulaymaniyah" -> "sulaymaniyah",
    "الأنبار" -> "انبار". Used by reference-data lookups."""
    words = normalise(s).split()
    out = [w for i, w in enumerate(words) if not _is_article(w, words[i + 1] if i + 1 < len(words) else None)]
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in out)


# --- skeleton rules ---------------------------------------------------------
# One reduced alphabet for both scripts: emphatics fold onto plain letters
# (ط->t, ص->s, ض/ظ/ذ->d), ث->t, ش->s, خ->k, ق->k, Persian/Kurdish پ چ ژ گ ڤ
# onto their nearest Arabic sound. Latin follows the Iraqi conventions
# kh/gh/sh/th/dh/ch. Known gap: Kazim (Levantine z) vs Kadhim (dh).
_AR_MAP = dict(
    zip("بتثجحخدذرزسشصضطظغفقكلمنهويپچژگڤ", "b t t j h k d d r z s s s d t d g f k k l m n h w y b j z g w".split())
)
_LAT_DI = {"kh": "k", "gh": "g", "sh": "s", "ch": "j", "th": "t", "dh": "d", "ph": "f", "ck": "k"}
_LAT_MAP = dict(zip("bcdfghjklmnpqrstvwxz", "b k d f g h j k l m n b k r s t w w ks z".split()))
_VOWELS = set("aeiou")
# Vowels: Arabic ي/و inside a word become markers y/w, so حسين (hsyn) and
# حسن (hsn) stay apart. Latin gets the same markers only from spellings that
# show a long vowel or diphthong (ee, ai, ei, ou, oo, ...); a plain i/u is
# dropped since it is usually short (Jasim, Hussein). Names whose common
# spelling writes a long vowel plainly (Karim, Yusuf) go through _COMMON below.
_Y_PAT = ("ee", "ii", "ai", "ay", "ei", "ey", "ae", "ia", "ie", "io", "iu", "ea", "iy", "uy", "oy")
_W_STRONG = ("ou", "oo", "uu")
_W_PAT = ("au", "ua", "oa", "uo")


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def _skel_ar(w: str) -> str:
    if w.startswith("ال") and len(w) > 3:
        w = w[2:]
    out, last = [], len(w) - 1
    for i, ch in enumerate(w):
        if ch in "اعء":
            out.append("a" if i == 0 else "")  # first sound kept, long ā dropped
        elif i == last and i > 0 and ch in "ويه":
            pass  # final ī/ū and ة (folded to ه) are not written in Latin skeletons
        else:
            out.append(_AR_MAP.get(ch, ""))
    return _collapse("".join(out))


def _cluster_marker(cl: str) -> str:
    if len(cl) < 2:
        return ""  # short vowel
    if any(p in cl for p in _W_STRONG):
        return "w"
    if any(p in cl for p in _Y_PAT):
        return "y"
    return "w" if any(p in cl for p in _W_PAT) else ""


def _skel_lat_rules(w: str) -> str:
    w = "".join(c for c in w if "a" <= c <= "z")
    if len(w) >= 3 and w.endswith("ah"):
        w = w[:-1]  # Fatimah/Abdullah: -ah is ة or الله; -eh/-ih keep ح (Saleh)
    n, i, out = len(w), 0, []

    def vowel(k: int) -> bool:  # y is a vowel unless it starts a syllable
        return w[k] in _VOWELS or (w[k] == "y" and k > 0 and not (k + 1 < n and w[k + 1] in _VOWELS))

    while i < n:
        if vowel(i):
            j = i
            while j < n and vowel(j):
                j += 1
            mark = _cluster_marker(w[i:j])
            if i == 0:
                out.append("a" + ("y" if mark == "y" else ""))
            elif j < n:
                out.append(mark)  # word-final vowels dropped like final ي/و/ة
            i = j
        elif w[i : i + 2] in _LAT_DI:
            out.append(_LAT_DI[w[i : i + 2]])
            i += 2
        else:
            out.append(_LAT_MAP.get(w[i], "y" if w[i] == "y" else ""))
            i += 1
    return _collapse("".join(out))


def _skel_lat(w: str, lat_lex: dict[str, str] | None = None) -> str:
    return (_tables()[1] if lat_lex is None else lat_lex).get(w) or _skel_lat_rules(w)


_ABD_AR = re.compile(r"^عبد(?:ال)?(..+)$")
_ABD_LAT = re.compile(r"^abd(?:ul|el|al|il|ol|ou|u)?(..+)$")


def _skel_word(w: str, lat_lex: dict[str, str] | None = None) -> str:
    """Skeleton of one normalised word; عبد/abd compounds become abdl+name so
    Abdulkarim, Abd al-Karim and عبد الكريم meet. (`lat_lex`: the table while _tables builds it.)"""
    if is_arabic(w):
        m = _ABD_AR.match(w)
        return _collapse("abdl" + _skel_ar(m.group(1))) if m else _skel_ar(w)
    m = _ABD_LAT.match(w)
    return _collapse("abdl" + _skel_lat(m.group(1), lat_lex)) if m else _skel_lat(w, lat_lex)


def skeleton(word: str) -> str:
    """Latin consonant skeleton of a name word (several words: space-joined)."""
    toks = (_skel_word(w) for w in _prepare(normalise(word or "").split()))
    return " ".join(t for t in toks if t)


def name_skeleton(*parts: str | None) -> str:
    """Space-joined skeletons of the non-empty parts, e.g. (given, father) for
    duplicate candidates together with date of birth."""
    return " ".join(s for s in (skeleton(p) for p in parts if p) if s)


def keys(*parts: str | None) -> str:
    """Search text: every part's normalised words (plus joined عبد compounds),
    then each word's skeleton as a plain token, deduplicated, space-separated.
    To search, compare the query's normalised words and skeletons with these
    tokens (see ``matches``)."""
    words: list[str] = []
    skels: list[str] = []
    for p in parts:
        if p:
            w, s = key_parts(p)
            words += w
            skels += s
    return " ".join(dict.fromkeys(words + skels))


def key_parts(part: str) -> tuple[list[str], list[str]]:
    """One part's share of ``keys``: its words and its skeletons (keys joins them over the parts,
    words first, then skeletons, deduplicated). A bulk writer caches these per distinct part."""
    ws = normalise(part).split()
    # A detached article (the "al" of Al-Dulaimi) is no search term: kept,
    # it would answer every query whose skeleton is "al" (Ali, علي).
    words = [w for i, w in enumerate(ws) if not _is_article(w, ws[i + 1] if i + 1 < len(ws) else None)]
    skels: list[str] = []
    for w in _prepare(ws):
        if w not in ws:
            words.append(w)
        s = _skel_word(w)
        if s:
            skels.append(s)
    return words, skels


def matches(query: str, key_text: str) -> bool:
    """True when every query word is a prefix of a key token or its skeleton
    equals one (skeletons only count from 2 letters, so "m" alone is a prefix
    test). ``key_text`` is a ``keys()`` result."""
    tokens = key_text.split()
    for w in _prepare(normalise(query).split()):
        s = _skel_word(w)
        if not any(t.startswith(w) for t in tokens) and not (len(s) >= 2 and s in tokens):
            return False
    return True


# --- common names -----------------------------------------------------------
# Entries "/"-separated: Arabic form, then Latin spellings; the first is the
# display default. Latin
# spellings whose rule skeleton misses the Arabic one (Karim for كريم: Latin
# writes long ī as plain i) are mapped onto the Arabic skeleton.
_NAMES = """
محمد Muhammad Mohammed Mohamed Mohammad Muhammed Mohamad / أحمد Ahmed Ahmad / علي Ali
حسين Hussein Husain Hussain Husayn Hossein / حسن Hassan Hasan
فاطمة Fatima Fatimah Fatma / يوسف Yousif Yusuf Yousef Youssef Yusif Yosef
عبدالله Abdullah Abdallah Abdulla / خالد Khalid Khaled / سلمان Salman
سليمان Sulaiman Suleiman Sulayman Sleman / مهدي Mahdi Mehdi
إبراهيم Ibrahim Ebrahim Ibraheem / عمر Omar Umar / زينب Zainab Zeinab Zaynab
كريم Karim Kareem / جاسم Jasim Jassim Jasem / قاسم Qasim Kasim Qassim Kassim Qasem
صالح Salih Saleh / شاكر Shakir Shaker / محمود Mahmoud Mahmood Mahmud
مصطفى Mustafa Mostafa / عباس Abbas / جعفر Jaafar Jafar / كاظم Kadhim Kazim Kathim Kazem
حيدر Haider Haidar Hayder / عدي Uday Udai Oday / قصي Qusay Qusai / رائد Raed Raid
سعد Saad / زيد Zaid Zayd Zeid / مرتضى Murtadha Murtada Murtaza
منتظر Muntadhar Muntazar / عقيل Aqeel Aqil Akeel / سعيد Saeed Said Saeid
وليد Walid Waleed / سالم Salim Salem / نوري Nouri Nuri / يونس Younis Yunus Younes Yonis
إسماعيل Ismail Ismael Esmail / عثمان Othman Uthman Osman / طارق Tariq Tarek Tareq
ماجد Majid Majed / فاضل Fadhil Fadel Fadil / ضياء Dhiaa Diaa Dhia Diya / زياد Ziad Ziyad
مؤيد Muayad Moayad Muayyad / عادل Adil Adel / أمير Amir Ameer / نور Noor Nour Nur
مريم Maryam Mariam / خديجة Khadija Khadijah / عائشة Aisha Aysha / صباح Sabah
صلاح Salah / فلاح Falah / طه Taha / رعد Raad / ستار Sattar / جبار Jabbar / هادي Hadi
ناصر Nasser Nasir Naser / منصور Mansour Mansur / مسعود Masoud Masood Masud
إياد Iyad Ayad Eyad / عماد Imad Emad / داود Dawood Dawud Daoud
الدليمي al-Dulaimi Dulaimi Dulaymi / الجبوري al-Jubouri Jubouri Juburi Jabouri Jibouri
العبيدي al-Obaidi Obaidi Ubaidi / الشمري al-Shammari Shammari Shamari
الزبيدي al-Zubaidi Zubaidi / الكبيسي al-Kubaisi Kubaisi / التميمي al-Tamimi Tamimi
العزاوي al-Azzawi Azzawi / الجنابي al-Janabi Janabi / الحسيني al-Husseini Husseini
الربيعي al-Rubaie Rubaie Rubaiy / الساعدي al-Saadi Saadi
الموسوي al-Mousawi Musawi Moussawi / الخفاجي al-Khafaji Khafaji
البياتي al-Bayati Bayati / النعيمي al-Nuaimi Nuaimi Naimi
الجميلي al-Jumaili Jumaili Jumaily / الطائي al-Taie Taie Tai
"""
_COMMON = [(e.split()[0], e.split()[1:]) for e in _NAMES.replace("\n", " / ").split(" / ") if e.strip()]


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(display Latin by normalised Arabic, Arabic skeleton by Latin spelling), built on first use
    rather than at import: the app's start does not need them (tens of ms of normalising)."""
    display: dict[str, str] = {}
    lat_lex: dict[str, str] = {}
    for ar, latin in _COMMON:
        key = normalise(ar)
        display[key] = latin[0]
        target = _skel_word(key, lat_lex)
        for v in latin:
            w = _prepare(normalise(v).split())
            if len(w) == 1 and _skel_lat_rules(w[0]) != target:
                lat_lex.setdefault(w[0], target)
    return display, lat_lex


# Letter-by-letter fallback for names outside the table.
_TR = dict(
    zip("بتثجحخدذرزسشصضطظغفقكلمنهپچژگڤ", "b t th j h kh d dh r z s sh s dh t dh gh f q k l m n h p ch zh g v".split())
)


def _letters(w: str) -> str:
    units: list[tuple[str, str]] = []  # (text, kind): kind c=consonant, v=vowel, a=long ā
    n = len(w)
    for i, ch in enumerate(w):
        prev = units[-1][1] if units else None
        nxt = w[i + 1] if i + 1 < n else ""
        if i == 0 and ch in "اعء":
            units.append(("a", "v"))
            continue
        if ch == "ا":
            if prev != "a":
                units.append(("a", "a"))
            continue
        if ch in "وي":
            cons = i == 0 or prev != "c" or nxt == "ا"
            if not cons:
                units.append(("u" if ch == "و" else "i", "v"))
                continue
            text = "w" if ch == "و" else "y"
        elif ch in "عء":
            text = "a" if i == n - 1 else "'"
        elif ch == "ه" and i == n - 1 and i > 0:
            units.append(("a", "v"))
            continue
        else:
            text = _TR.get(ch, ch)
        # Insert a vowel between consonants: avoid word-initial and triple
        # clusters; after long ā use i (fā'il pattern: Jasim, Khalid).
        if prev == "c" and (len(units) == 1 or units[-2][1] in "ca"):
            units.append(("i" if units[-2:-1] == [("a", "a")] else "a", "v"))
        units.append((text, "c"))
    s = "".join(t for t, _ in units)
    return s[:1].upper() + s[1:]


def _translit_word(w: str) -> str:
    display = _tables()[0]
    if w in display:
        return display[w]
    m = _ABD_AR.match(w)
    if m:
        return "Abd " + ("al-" if w[3:5] == "ال" else "") + _translit_word(m.group(1))
    if w.startswith("ال") and len(w) > 3:
        rest = w[2:]
        return "al-" + display.get(rest, _letters(rest))
    return _letters(w)


def transliterate(s: str) -> str:
    """Readable Latin default for Arabic-script names (display only): common
    names from a table, others letter by letter. Non-Arabic words pass through."""
    out, words, i = [], (s or "").split(), 0
    while i < len(words):
        w = words[i]
        if not is_arabic(w):
            out.append(w)
            i += 1
            continue
        n = normalise(w).replace(" ", "")
        if n == "عبد" and i + 1 < len(words):
            n += normalise(words[i + 1]).replace(" ", "")
            i += 1
        if n:
            out.append(_translit_word(n))
        i += 1
    return " ".join(out)
