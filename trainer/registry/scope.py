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
# cohort_instructor.user_id), as a list built once per query...
TAUGHT = (
    "t.id IN (SELECT e.trainee_id FROM enrolment e"
    " JOIN cohort_instructor ci ON ci.cohort_id = e.cohort_id WHERE ci.user_id = {p})"
)
# ...or as a check of each row read (enrolment.trainee_id, then the (cohort_id, user_id) key).
TEACHES_ROW = (
    "EXISTS (SELECT 1 FROM enrolment e JOIN cohort_instructor ci ON ci.cohort_id = e.cohort_id"
    " AND ci.user_id = {p} WHERE e.trainee_id = t.id)"
)
# The list costs what it holds, on every page: the full-scale demo's instructor teaches 634 of
# 10,000 cohorts, 61,820 enrolments (28 ms a page); at the default scale 73 cohorts, 3,033
# enrolments (2.2 ms). The check costs the rows a page reads to find its own, one in (share of
# cohorts x enrolments per trainee): 4-7 ms at any size from a share of a few percent (full
# scale: 7 ms), ever more below. So: the check for a list of 10,000 enrolments or more, unless
# the share is under 1%. A count reads every row: the list always (the check counted the
# full-scale instructor's trainees in 2.6 s, the list in 73 ms).
ROW_CHECK_LIST = 10_000
ROW_CHECK_SHARE = 0.01


def taught_condition(teacher: int) -> str:
    """TAUGHT or TEACHES_ROW (same rows, parameter: the teacher), whichever reads less for this
    teacher, for a query that reads `trainee t` in order and stops at a LIMIT (a registry page).
    Sizes are estimated from the largest ids (no count of a big table)."""
    p = database.obj.param
    taught, cohorts, enrolments = database.execute_sql(
        f"SELECT (SELECT count(*) FROM cohort_instructor WHERE user_id = {p}),"
        " (SELECT max(id) FROM cohort), (SELECT max(id) FROM enrolment)",
        [teacher],
    ).fetchone()
    share = taught / cohorts if cohorts else 0.0
    per_row = share >= ROW_CHECK_SHARE and share * (enrolments or 0) >= ROW_CHECK_LIST
    return (TEACHES_ROW if per_row else TAUGHT).format(p=p)


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
