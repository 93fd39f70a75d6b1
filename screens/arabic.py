"""The one way read-only cells show Arabic text.

Textual and Rich neither shape Arabic letters nor reorder right-to-left runs.
For a cell of a given width we crop the *logical* string first (so the start
of the name survives, as a reader of Arabic expects), then join the letters
(arabic-reshaper) and put them in visual order (python-bidi). Terminals that
do both themselves (VTE, Konsole) would do it twice: a per-user setting turns
our reordering off. Inputs always edit the logical string.
"""
from __future__ import annotations

from functools import lru_cache

import arabic_reshaper
from bidi import get_display
from rich.cells import cell_len

from trainer.names import is_arabic

ELLIPSIS = "…"
_reorder = True


def set_reordering(on: bool) -> None:
    """App-wide: True when the app shapes and reorders, False to leave it to the terminal."""
    global _reorder
    _reorder = bool(on)
    _visual.cache_clear()


def reordering() -> bool:
    return _reorder


def crop(text: str, width: int) -> str:
    """The logical string cut to `width` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
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


@lru_cache(maxsize=8192)
def _visual(text: str) -> str:
    return get_display(arabic_reshaper.reshape(text))


def display(text: str | None, width: int | None = None) -> str:
    """Text ready for a read-only cell: cropped to `width` cells, then shaped and reordered."""
    text = text or ""
    if width is not None:
        text = crop(text, width)
    if not _reorder or not is_arabic(text):
        return text
    return _visual(text)


def fit(text: str | None, width: int) -> str:
    """`display` padded with spaces to exactly `width` cells (for column layouts)."""
    shown = display(text, width)
    return shown + " " * max(0, width - cell_len(shown))
