"""How a typed password and a user name are compared: the same text, however it was typed.

Kept apart from users.py (the accounts service) because both are pure text rules, used by the
sign-in, by the key sealing of an encrypted site and by the forms that name a new user.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normal", "skeleton"]


def normal(password: str) -> str:
    """NFKC, as NIST SP 800-63B advises, and every decimal digit as ASCII: the same password
    typed as NFC or NFD, or with Arabic-Indic or full-width digits, is the same password."""
    text = unicodedata.normalize("NFKC", password)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def skeleton(username: str) -> str:
    """What a name looks like: each letter that has a Latin look-alike replaced by it, case folded
    (Cyrillic "асе" and Latin "ace" share one skeleton; so do "admin" and "ADMIN")."""
    from confusable_homoglyphs import confusables  # its tables cost tens of ms to load: not at app start

    out = []
    for char in username:
        found = confusables.is_confusable(char, preferred_aliases=["latin", "common"]) if ord(char) > 0x7F else None
        out.append(found[0]["homoglyphs"][0]["c"] if found else char)
    return "".join(out).casefold()
