"""Text that is safe to store and to print.

Stored text never holds terminal control characters (ESC sequences, OSC
titles, C1 controls) or the bidi embeddings, overrides and isolates
(U+202A–202E, U+2066–2069) that make a name display as something else; the
services refuse them (`problems`). Text printed to a terminal is passed
through `printable`, which shows any such character as an escape (`\\x1b`,
`\\u202e`), so older rows written before the check, or text from files, cannot
drive the terminal. The Arabic letter mark and left/right marks (U+061C,
U+200E, U+200F) are ordinary in Arabic text and allowed.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from trainer.errors import FieldProblem, TrainerError

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# One-line fields: every C0 control, DEL, C1 controls, bidi controls, lone surrogates.
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")
# Free text (notes, reasons): the same, but tabs and line breaks are text.
_UNSAFE_BLOCK = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def unsafe(text: str, *, multiline: bool = False) -> str | None:
    """The first character that may not be stored, or None."""
    found = (_UNSAFE_BLOCK if multiline else _UNSAFE_LINE).search(text)
    return found.group() if found else None


def describe(char: str) -> str:
    return f"control character U+{ord(char):04X} is not allowed"


def problems(
    fields: Mapping[str, object], *, multiline: Iterable[str] = (), row: int | None = None
) -> list[FieldProblem]:
    """One FieldProblem for each text field (strings, or strings inside tuples) holding an unsafe character."""
    blocks = frozenset(multiline)
    found = []
    for name, value in fields.items():
        for text in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(text, str):
                bad = unsafe(text, multiline=name in blocks)
                if bad is not None:
                    found.append(FieldProblem(name, describe(bad), row))
                    break
    return found


def deep_unsafe(value: object, path: str = "") -> tuple[str, str] | None:
    """(where, character) of the first unsafe character at any depth of a dict/list of values, or None."""
    if isinstance(value, str):
        bad = unsafe(value, multiline=True)
        return (path or "text", bad) if bad else None
    if isinstance(value, Mapping):
        for k, v in value.items():
            hit = deep_unsafe(str(k), path) if isinstance(k, str) and unsafe(k, multiline=True) else None
            hit = hit or deep_unsafe(v, f"{path}.{k}" if path else str(k))
            if hit:
                return hit
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            hit = deep_unsafe(v, path)
            if hit:
                return hit
    return None


_PRINT_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def printable(text: object) -> str:
    """`text` with every control, bidi-override character and lone surrogate shown as an escape."""
    s = text if isinstance(text, str) else str(text)
    return _PRINT_UNSAFE.sub(_escape, s)


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def valid_text(text: str) -> bool:
    """False for a string decoded with surrogateescape from bytes that are not UTF-8 (argv,
    environment), or holding a NUL (no file name or value can)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_STREAM_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]|\r(?!\n)")


class TerminalSafe:
    """A text stream that writes everything through `printable` (keeping CSV's CRLF line ends).

    The CLI wraps its standard output in one, so that no stored text (older rows, names
    from files) can move the cursor, retitle the terminal or reverse a line.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_STREAM_UNSAFE.sub(_escape, text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def read_small(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a file a person named, read whole only when it is a regular file of at most
    `limit` bytes. /dev/zero or /dev/urandom would be read until memory runs out (the machine's,
    not just ours), and a named pipe until someone writes to it: each is refused in one line."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise TrainerError(f"{path} is not a regular file: give the {what} itself")
        if st.st_size > limit:
            raise TrainerError(f"{path} is larger than {limit:,} bytes: not a {what}")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise TrainerError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew while we read
        raise TrainerError(f"{path} is larger than {limit:,} bytes: not a {what}")
    return data
