"""Who signs a certificate: the site's named signatory (Admin > Site settings), else the user who issued it.

The issuing instructor (the qualification gate) is recorded apart; a certificate
an admin issued after graduating a cohort is signed by that admin, not reported
as "signed by instructor …". Users' guide: docs/certificates.md.
"""

from __future__ import annotations

from db import models
from db.connection import database
from trainer.accounts import settings
from trainer.accounts.access import Actor

SIGNATORY_SETTING = "certificate_signatory"


def signer_name(actor: Actor) -> str:
    named = (settings.get(actor, SIGNATORY_SETTING, "") or "").strip()
    if named:
        return named
    if actor.user_id is not None:
        with database.connection_context():
            U = models.User
            row = U.select(U.display_name, U.username).where(U.id == actor.user_id).tuples().first()
        if row:
            return str(row[0] or row[1])
    return actor.username
