"""Verifying a certificate by the code printed on it (e.g. VBYC6JCQ6U), against the records.

The QR payload is checked offline with the public key (trainer.certification.signing);
the printed code is a look-up: it proves nothing without the database that
issued it, so it is checked against the database it is given, and says so.
Users' guide: docs/certificates.md.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from db import models
from db.connection import database
from trainer.certification.lookup import effective_status
from trainer.certification.numbers import CODE_ALPHABET

CODE = re.compile(f"^[{CODE_ALPHABET}]{{6,16}}$")


@dataclass(frozen=True)
class CodeCheck:
    number: str
    code: str
    holder_latin: str
    holder_arabic: str
    course: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    status: str  # valid | expired | revoked | superseded
    revoked_reason: str
    superseded_by: str


def looks_like_code(text: str) -> bool:
    """A printed verification code (typed back: case, spaces and dashes do not matter)."""
    return bool(CODE.match(normalise(text)))


def normalise(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def check_code(text: str, *, today: datetime.date | None = None) -> CodeCheck | None:
    """The certificate with this printed code, with its status today; None when no record has it."""
    C, T, K = models.Certificate, models.Trainee, models.Course
    Newer = C.alias()
    today = today or datetime.date.today()
    with database.connection_context():
        row = (
            C.select(
                C.number,
                C.verification_code,
                T.given_name_latin,
                T.father_name_latin,
                T.grandfather_name_latin,
                T.family_name_latin,
                T.given_name,
                T.father_name,
                T.grandfather_name,
                T.family_name,
                K.code,
                K.title_en,
                C.issued_on,
                C.expires_on,
                C.status,
                C.revoked_reason,
                Newer.number,
            )
            .join(T, on=(C.trainee == T.id))
            .switch(C)
            .join(K, on=(C.course == K.id))
            .switch(C)
            .join(Newer, join_type="LEFT OUTER JOIN", on=(C.superseded_by == Newer.id))
            .where(C.verification_code == normalise(text))
            .tuples()
            .first()
        )
    if row is None:
        return None
    number, code, *names, course_code, title, issued, expires, status, reason, newer = row
    latin = " ".join(n for n in names[:4] if n)
    arabic = " ".join(n for n in names[4:] if n)
    return CodeCheck(
        number,
        code,
        latin,
        arabic,
        f"{course_code} {title}",
        issued,
        expires,
        effective_status(status, expires, today),
        reason,
        newer or "",
    )
