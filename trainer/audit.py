"""Audit events, written in the same transaction as the change they describe."""
from __future__ import annotations

import json

from db import models
from trainer.access import Actor

# Never written into audit text: secrets and identity numbers.
REDACTED_FIELDS = frozenset({"password", "password_hash", "national_id"})


def redact(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: ("***" if k in REDACTED_FIELDS and v else v) for k, v in values.items()}


def record(actor: Actor, action: str, entity: str = "", entity_uuid: str = "",
           before: dict | None = None, after: dict | None = None, **extra) -> None:
    """Append one event; the caller's transaction makes it atomic with the change."""
    detail = {"before": redact(before), "after": redact(after), **extra}
    models.AuditEvent.insert(
        user=actor.user_id, username=actor.username, action=action, entity=entity,
        entity_uuid=str(entity_uuid), detail=json.dumps(detail, ensure_ascii=False, default=str),
    ).execute()
