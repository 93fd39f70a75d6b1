"""The one way read-only cells show Arabic text.

Textual and Rich neither shape Arabic letters nor reorder right-to-left runs.
For a cell of a given width we crop the *logical* string first (so the start
of the name survives, as a reader of Arabic expects), then join the letters
(arabic-reshaper) and put them in visual order (python-bidi). Terminals that
do both themselves (VTE, Konsole) would do it twice: a per-user setting turns
our reordering off. Inputs always edit the logical string; a text box shows
it shaped unless the cursor is inside the text (`in_box`), and dialogs pass
their prose through `display_lines`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bidi import get_display
from rich.cells import cell_len

from trainer.registry.names import is_arabic

ELLIPSIS = "…"
_reorder = True

# Kurdish letters that Unicode gives no presentation forms. The reshaper's Kurdish table maps them
# to a private-use font; here they keep their own glyph but are known to join, so their neighbours
# take joined forms (before, "پێشڕەو" showed ش isolated beside ێ). ە is drawn as heh's final form
# after a joining letter, as Kurdish type does.
KURDISH_FORMS = {
    "\u06d5": ("\u06d5", "", "", "\ufeea"),  # ە AE: joins to the right only
    "\u06ce": ("\u06ce",) * 4,  # ێ YEH WITH SMALL V: joins both ways
    "\u06b5": ("\u06b5",) * 4,  # ڵ LAM WITH SMALL V: joins both ways
    "\u0695": ("\u0695", "", "", "\u0695"),  # ڕ REH WITH SMALL V BELOW: joins to the right only
}
_reshaper = None  # built on the first Arabic text (see _reshape)


def set_reordering(on: bool) -> None:
    """App-wide: True when the app shapes and reorders, False to leave it to the terminal."""
    global _reorder
    _reorder = bool(on)
    _visual.cache_clear()
    _word.cache_clear()


def reordering() -> bool:
    return _reorder


# Characters one terminal cell wide: printable Latin, Arabic letters and digits, their shaped
# forms, the ellipsis. (Rich measures anything outside its Western ranges a character at a time:
# that was most of the time spent drawing a page of Arabic names.)
_ONE_CELL = re.compile(
    "[\u0020-\u007e\u00a0-\u02ff\u0621-\u064a\u0660-\u0669\u0671-\u06d5\u2026\ufb50-\ufbff\ufe80-\ufefc]*"
)


def cells(text: str) -> int:
    """The width of `text` in terminal cells."""
    return len(text) if _ONE_CELL.fullmatch(text) else cell_len(text)


def crop(text: str, width: int) -> str:
    """The logical string cut to `width` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if _ONE_CELL.fullmatch(text):
        return text if len(text) <= width else text[: width - 1].rstrip() + ELLIPSIS
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + ELLIPSIS


def _reshape(text: str) -> str:
    # Imported on the first Arabic text, not at start: it loads its ligature tables and fontTools
    # (tens of ms before the first screen, which shows no Arabic).
    global _reshaper
    if _reshaper is None:
        from arabic_reshaper import ArabicReshaper
        from arabic_reshaper.letters import LETTERS_ARABIC

        reshaper = ArabicReshaper()
        reshaper.letters = {**LETTERS_ARABIC, **KURDISH_FORMS}
        _reshaper = reshaper
    return _reshaper.reshape(text)


@lru_cache(maxsize=8192)
def _visual(text: str) -> str:
    return get_display(_reshape(text))


# Arabic letters only (no marks, digits or punctuation) and spaces: a plain right-to-left run.
_PLAIN_RTL = re.compile("[\u0621-\u064a\u0671-\u06d3\u06d5 ]+")


@lru_cache(maxsize=16384)
def _word(word: str) -> str:
    return get_display(_reshape(word))


def _plain_visual(text: str) -> str:
    """A plain right-to-left run in visual order word by word: the same as _visual (bidi reverses
    the whole run; shaping never crosses a space), but names are mostly a few thousand words, so
    each is shaped once instead of every distinct full name (a page of the registry is new names)."""
    return " ".join(_word(w) if w else w for w in reversed(text.split(" ")))


def display(text: str | None, width: int | None = None) -> str:
    """Text ready for a read-only cell: cropped to `width` cells, then shaped and reordered."""
    text = text or ""
    if width is not None:
        text = crop(text, width)
    if not _reorder or not is_arabic(text):
        return text
    if _PLAIN_RTL.fullmatch(text):
        return _plain_visual(text)
    if text.endswith(ELLIPSIS) and _PLAIN_RTL.fullmatch(text, 0, len(text) - 1):
        return ELLIPSIS + _plain_visual(text[:-1])  # a cropped name: the ellipsis ends up leftmost
    return _visual(text)


# Presentation forms: text holding them was shaped already (by `display`) and must not be again:
# a second pass would reverse it back into logical order.
_SHAPED = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")


def display_lines(text: str | None) -> str:
    """Prose that may hold names (a question, a notice, a title): each line shaped and put in
    visual order as `display` does, the Latin around a name left in place. Lines already shaped
    pass unchanged, so a caller that shaped a name itself does no harm."""
    return "\n".join(line if _SHAPED.search(line) else display(line) for line in (text or "").split("\n"))


def in_box(value: str, *, editing_inside: bool) -> str | None:
    """What a text box shows for `value`, when that is not the value itself: Arabic shaped and
    ordered while the box is not being edited, or while the cursor is at the end (typing on).
    Padded to the value's length, so the cursor cell after it and the box's width stay where the
    logical string puts them (a lam-alef pair is one glyph). None: show the value as typed (the
    cursor inside the text edits the logical string, which only reads right unshaped)."""
    if editing_inside or not _reorder or not is_arabic(value):
        return None
    shown = display(value)
    return shown + " " * max(0, len(value) - len(shown))


def fit(text: str | None, width: int) -> str:
    """`display` padded with spaces to exactly `width` cells (for column layouts)."""
    shown = display(text, width)
    return shown + " " * max(0, width - cells(shown))
