"""Settings headquarters owns: national rules every site applies the same way (docs/sync.md,
"Settings headquarters owns").

Headquarters sends their values in every bundle to a site; a field site takes them and
refuses a local change with the reason. Everywhere else (headquarters, a database that is not
a site) they are ordinary settings. The site's identity is read from its setting row, written
by `trainer site init` (trainer/sync/identity.py), since accounts may not import sync.
"""

from __future__ import annotations

import json
from typing import Any

from db import models
from trainer.accounts import audit
from trainer.accounts.access import Actor
from trainer.errors import FieldProblem, ValidationFailed

SITE_IDENTITY = "site.identity"
# National rules: how long a vetting stays valid, the requirement the dashboard counts against,
# and what makes a station ready (trainer/stations/readiness.py).
OWNED = ("vetting_validity_months", "dashboard_requirement", "readiness.strength_pct", "readiness.ilp_pct")
STAMP = "sync.hq_settings_stamp"  # at a site: headquarters' clock when it sent the values held


def at_field_site() -> bool:
    row = models.Setting.get_or_none(models.Setting.key == SITE_IDENTITY)
    return row is not None and json.loads(row.value).get("kind") == "site"


def refuse_at_site(key: str) -> None:
    """Inside the caller's connection: a field site may not change what headquarters owns."""
    if key in OWNED and at_field_site():
        raise ValidationFailed(
            [
                FieldProblem(
                    key,
                    "owned by headquarters: change it there, it reaches this site with headquarters' next bundle",
                )
            ]
        )


def refuse_catalogue_at_site(what: str) -> None:
    """Inside the caller's connection: the course catalogue (a course with its competencies,
    assessments and links) and the force requirements are headquarters'; a field site's own
    edit would be overwritten or fork the national catalogue, so it is refused."""
    if at_field_site():
        raise ValidationFailed(
            [
                FieldProblem(
                    what,
                    "headquarters owns the catalogue: change it there, it reaches this site with headquarters' "
                    "next bundle",
                )
            ]
        )


def snapshot() -> dict[str, Any]:
    """At headquarters: the owned settings' values (None: not set, the default applies)."""
    S = models.Setting
    held = {k: json.loads(v) for k, v in S.select(S.key, S.value).where(S.key.in_(OWNED)).tuples()}
    return {key: held.get(key) for key in OWNED}


def take(actor: Actor, values: dict[str, Any], stamp: int, origin: str) -> int:
    """At a site, inside the import's transaction: headquarters' values, unless this site already
    holds newer ones (a bundle arriving late). Each change is audited; returns how many changed."""
    S = models.Setting
    row = S.get_or_none(S.key == STAMP)
    if row is not None and json.loads(row.value) >= stamp:
        return 0
    changed = 0
    for key in OWNED:
        if key not in values:
            continue
        current = S.get_or_none(S.key == key)
        before = json.loads(current.value) if current else None
        if before == values[key]:
            continue
        if values[key] is None:
            S.delete().where(S.key == key).execute()
        else:
            text = json.dumps(values[key], ensure_ascii=False)
            S.insert(key=key, value=text).on_conflict(conflict_target=[S.key], update={S.value: text}).execute()
        audit.record(actor, "update", "setting", key, before={"value": before}, after={"value": values[key]}, by=origin)
        changed += 1
    S.insert(key=STAMP, value=json.dumps(stamp)).on_conflict(
        conflict_target=[S.key], update={S.value: json.dumps(stamp)}
    ).execute()
    return changed
