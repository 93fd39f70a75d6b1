"""Whom a reader of the registry may see (docs/roles.md).

An instructor reads only the trainees of the cohorts they teach; a role without `trainee.identify`
reads no national ID and no phone number. The registry's list, search, record and detail all go
through here, so the screens cannot show more than this allows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from peewee import Expression, Field

from db.connection import database
from trainer.accounts.access import TEACHING_SCOPED, Actor
from trainer.errors import PermissionDenied

if TYPE_CHECKING:  # trainees imports this module
    from trainer.registry.trainees import TraineeView

# The trainees of the cohorts user {p} teaches (indexed on both sides: enrolment.cohort_id,
# cohort_instructor.user_id).
TAUGHT = (
    "t.id IN (SELECT e.trainee_id FROM enrolment e"
    " JOIN cohort_instructor ci ON ci.cohort_id = e.cohort_id WHERE ci.user_id = {p})"
)


def taught_by(actor: Actor) -> int | None:
    """The user whose cohorts bound what `actor` sees (an instructor), or None: no such bound."""
    return actor.user_id if actor.role in TEACHING_SCOPED else None


def taught_trainees(actor: Actor, trainee_id: Field) -> tuple[Expression, ...]:
    """Peewee conditions (none, or one) keeping `trainee_id` to what `actor` may see."""
    teacher = taught_by(actor)
    if teacher is None:
        return ()
    from db import models

    E, CI = models.Enrolment, models.CohortInstructor
    taught = E.select(E.trainee).join(CI, on=(CI.cohort == E.cohort)).where(CI.user == teacher)
    return (trainee_id.in_(taught),)


def require_sees(actor: Actor, trainee_id: int) -> None:
    """Refuse one trainee's record to an instructor who teaches none of their cohorts."""
    teacher = taught_by(actor)
    if teacher is None:
        return
    p = database.obj.param
    # From the trainee's own enrolments: TAUGHT would list every trainee the instructor teaches
    # (tens of thousands at the full scale) for each record the detail pane loads.
    sql = (
        "SELECT 1 FROM enrolment e JOIN cohort_instructor ci ON ci.cohort_id = e.cohort_id"
        f" WHERE e.trainee_id = {p} AND ci.user_id = {p} LIMIT 1"
    )
    if database.execute_sql(sql, [trainee_id, teacher]).fetchone() is None:
        raise PermissionDenied(f"{actor.username} (instructor) teaches no cohort of this trainee")


def shown(actor: Actor, view: TraineeView) -> TraineeView:
    """The view with what `actor` may not read left empty (national ID, phone)."""
    if actor.may("trainee.identify"):
        return view
    return replace(view, national_id="", phone="")
