"""Small builders for the clerk's-desk tests: centres, courses, cohorts, trainees, vetting.

All go through the services (never raw rows), except vetting records and
graduated enrolments, whose services belong to other areas.
"""

from __future__ import annotations

import datetime

from trainer.accounts.access import SYSTEM
from trainer.registry import centres, trainees
from trainer.training import cohorts, courses

START = datetime.date(2026, 3, 1)


def centre(code: str = "MOSUL-1", province: str = "IQ-NI") -> centres.CentreView:
    return centres.create_centre(SYSTEM, code, f"{code} training centre", province)


def course(
    code: str = "POL-BASIC", *, forces=("police",), prerequisites=(), assessments=None, **extra
) -> courses.CourseView:
    if assessments is None:
        assessments = (courses.AssessmentSpec("LAW", "Law and rights", 100, 60, 1.0),)
    data = courses.CourseInput(
        code=code,
        title_en=f"{code} course",
        category="basic",
        duration_days=20,
        forces=tuple(forces),
        prerequisites=tuple(prerequisites),
        assessments=tuple(assessments),
        **extra,
    )
    return courses.create_course(SYSTEM, data)


def cohort(
    course_code: str = "POL-BASIC",
    centre_code: str = "MOSUL-1",
    *,
    capacity: int = 20,
    start: datetime.date = START,
    coalition: bool = False,
    **extra,
) -> cohorts.CohortView:
    data = cohorts.CohortInput(
        course=course_code,
        centre=centre_code,
        start_date=start,
        end_date=start + datetime.timedelta(days=27),
        capacity=capacity,
        funder="US" if coalition else "",
        coalition_funded=coalition,
        **extra,
    )
    return cohorts.create_cohort(SYSTEM, data)


def trainee(
    given: str = "علي",
    father: str = "حسن",
    grandfather: str = "كاظم",
    *,
    force: str = "police",
    province: str = "IQ-NI",
    dob: datetime.date = datetime.date(1995, 5, 17),
    **extra,
) -> trainees.TraineeView:
    data = trainees.TraineeInput(
        given_name=given,
        father_name=father,
        grandfather_name=grandfather,
        date_of_birth=dob,
        force=force,
        province=province,
        **extra,
    )
    return trainees.create_trainee(SYSTEM, data)


def vetting(
    trainee_id: int,
    result: str = "approved",
    decided: datetime.date | None = datetime.date(2026, 1, 10),
    case_ref: str = "INV-1",
) -> None:
    from db import models
    from db.connection import database

    with database.connection_context():
        models.VettingRecord.create(
            trainee=trainee_id, kind="individual", case_ref=case_ref, result=result, decision_date=decided, funder="US"
        )


def graduate(trainee_id: int, cohort_id: int) -> None:
    """Mark a trainee graduated from a cohort (graduation is another area's service)."""
    from db import models
    from db.connection import database

    with database.connection_context():
        E = models.Enrolment
        row = E.get_or_none((E.trainee == trainee_id) & (E.cohort == cohort_id))
        if row is None:
            E.create(trainee=trainee_id, cohort=cohort_id, status="graduated", enrolled_on=START)
        else:
            E.update(status="graduated").where(E.id == row.id).execute()
