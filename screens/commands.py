"""The command palette's jump provider: any trainee, cohort or certificate by what the clerk knows.

Trainees by name in either script, national ID or service number (the
registry search); cohorts by code or course; certificates by number or
verification code. Look-ups run in a thread so typing in the palette never
waits for the database.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hit, Hits, Provider

from screens.widgets import arabic
from trainer.errors import TrainerError

if TYPE_CHECKING:
    from screens.app import TrainerApp


@dataclass(frozen=True)
class Target:
    kind: str  # trainee | cohort | certificate
    key: object
    label: str
    help: str


def lookup(actor, query: str) -> list[Target]:
    # Imported on the first look-up (in its thread), not while the app starts.
    from trainer.registry import trainees
    from trainer.registry.detail import find_certificates
    from trainer.training import cohorts

    found: list[Target] = []
    if actor.may("trainee.read"):
        page = trainees.open_list(actor, trainees.TraineeFilters(text=query), 8, cap=8)
        for t in page.rows:
            ids = " · ".join(x for x in (t.national_id, t.service_number) if x)
            found.append(
                Target(
                    "trainee",
                    t.id,
                    f"Trainee: {arabic.display(t.full_name)}",
                    " · ".join(x for x in (t.latin_name, ids, t.force) if x),
                )
            )
        for c in find_certificates(actor, query):
            found.append(
                Target(
                    "certificate",
                    c.number,
                    f"Certificate {c.number}",
                    f"{c.course_code} · {c.status} · {arabic.display(c.trainee_name)}",
                )
            )
    if actor.may("cohort.read"):
        for co in cohorts.list_cohorts(actor, query, limit=5):
            found.append(
                Target("cohort", co.id, f"Cohort {co.code}", f"{co.course_title} · {co.start_date} · {co.status}")
            )
    return found


class JumpProvider(Provider):
    async def search(self, query: str) -> Hits:
        actor = getattr(self.app, "actor", None)
        if actor is None or len(query.strip()) < 2:
            return
        try:
            targets = await asyncio.to_thread(lookup, actor, query)
        except TrainerError:
            return
        matcher = self.matcher(query)
        for rank, target in enumerate(targets):
            # The database already matched (in either script); keep its order, above fuzzy commands.
            score = max(matcher.match(target.label), 1.0 - rank / 100)
            yield Hit(
                score,
                target.label,
                partial(cast("TrainerApp", self.app).jump_to, target.kind, target.key),
                help=target.help,
            )
