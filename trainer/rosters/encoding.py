"""One encoding per roster file: which lines of a non-UTF-8 file are UTF-8 nonetheless."""

from __future__ import annotations

import re

_C1 = re.compile("[\x80-\x9f]")


def utf8_line(data: bytes) -> int | None:
    """The number of the first line that is UTF-8 beyond ASCII, in a file that is not UTF-8 as a whole.

    Such a file was saved from two sources; taking it all as Windows-1256 would store
    the UTF-8 lines as mojibake (أحمد as ط£ط­ظ…ط¯), so trainer.rosters.reading refuses it.
    """
    for number, line in enumerate(data.split(b"\n"), start=1):
        if max(line, default=0) > 0x7F:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return number
    return None


def reads_as_arabic(text: str) -> bool:
    """Every byte decodes in Windows-1256, so ask whether the result reads as Arabic:
    a Latin-1 or Windows-1252 file would come out as accented Latin letters."""
    high = [c for c in text if ord(c) > 0x7F]
    arabic = sum(1 for c in high if "\u0600" <= c <= "\u06ff")
    letters_elsewhere = sum(1 for c in high if c.isalpha() and not "\u0600" <= c <= "\u06ff")
    return not (arabic == 0 or letters_elsewhere * 4 > arabic or _C1.search(text))
