"""Rows of the permission matrix: courses, cohorts and their sessions, enrolment, attendance,
results, graduation, programs of instruction and delivery."""

from __future__ import annotations

from dataclasses import replace

from db import models
from tests.unit.permissions.world import D, Op, World, cohort_input, course_input, op, trainee_input, version_of
from trainer.accounts.access import Actor


def rows() -> dict[str, Op]:
    from trainer.registry import trainees
    from trainer.training import (
        attendance,
        cohorts,
        courses,
        delivery,
        enrolments,
        graduation,
        results,
        rules,
        sessions,
    )

    def cohort_update(w: World, a: Actor) -> object:
        data = replace(cohort_input(w), start_date=D(2025, 3, 2), end_date=D(2025, 3, 13), capacity=61)
        return cohorts.update_cohort(a, w.cohort_id, version_of(models.Cohort, w.cohort_id), data)

    def course_update(w: World, a: Actor) -> object:
        current = courses.get_course(w.actors["admin"], w.course_id)
        return courses.update_course(a, w.course_id, current.version, course_input(w.course_code))

    return {
        "training.sessions.add_holiday": op(
            "reference.write", lambda w, a: sessions.add_holiday(a, D(2025, 4, 1), "Holiday")
        ),
        "training.courses.list_courses": op("course.read", lambda w, a: courses.list_courses(a)),
        "training.courses.get_course": op("course.read", lambda w, a: courses.get_course(a, w.course_id)),
        "training.courses.find_course": op("course.read", lambda w, a: courses.find_course(a, w.course_code)),
        "training.courses.create_course": op("course.write", lambda w, a: courses.create_course(a, course_input())),
        "training.courses.update_course": op("course.write", course_update),
        "training.courses.set_status": op(
            "course.write",
            lambda w, a: courses.set_status(a, w.course_id, version_of(models.Course, w.course_id), "retired"),
        ),
        "training.cohorts.list_cohorts": op("cohort.read", lambda w, a: cohorts.list_cohorts(a)),
        "training.cohorts.count_cohorts": op("cohort.read", lambda w, a: cohorts.count_cohorts(a)),
        "training.cohorts.get_cohort": op("cohort.read", lambda w, a: cohorts.get_cohort(a, w.cohort_id)),
        "training.cohorts.find_cohort": op("cohort.read", lambda w, a: cohorts.find_cohort(a, w.cohort_code)),
        "training.cohorts.roster": op("cohort.read", lambda w, a: cohorts.roster(a, w.cohort_id)),
        "training.cohorts.instructor_choices": op("cohort.read", lambda w, a: cohorts.instructor_choices(a)),
        "training.cohorts.create_cohort": op(
            "cohort.write", lambda w, a: cohorts.create_cohort(a, cohort_input(w)), scoped=True
        ),
        "training.cohorts.update_cohort": op("cohort.write", cohort_update, scoped=True),
        "training.sessions.generate_sessions": op(
            "session.write", lambda w, a: sessions.generate_sessions(a, w.cohort_id), scoped=True
        ),
        "training.sessions.list_sessions": op("cohort.read", lambda w, a: sessions.list_sessions(a, w.cohort_id)),
        "training.sessions.add_session": op(
            "session.write", lambda w, a: sessions.add_session(a, w.cohort_id, D(2025, 3, 6)), scoped=True
        ),
        "training.sessions.move_session": op(
            "session.write",
            lambda w, a: sessions.move_session(
                a, w.session_id, version_of(models.Session, w.session_id), D(2025, 3, 3)
            ),
            scoped=True,
        ),
        "training.sessions.cancel_session": op(
            "session.write",
            lambda w, a: sessions.cancel_session(a, w.session_id, version_of(models.Session, w.session_id), "rain"),
            scoped=True,
        ),
        "training.enrolments.enrol": op(
            "enrolment.write",
            lambda w, a: enrolments.enrol(
                a, w.cohort_id, [trainees.create_trainee(w.actors["admin"], trainee_input(w)).id]
            ),
            scoped=True,
        ),
        "training.enrolments.withdraw": op(
            "enrolment.write", lambda w, a: enrolments.withdraw(a, w.enrolment_id, "posted away"), scoped=True
        ),
        "training.attendance.grid": op("cohort.read", lambda w, a: attendance.grid(a, w.cohort_id)),
        "training.attendance.mark": op(
            "attendance.write",
            lambda w, a: attendance.mark(a, w.session_id, w.enrolment_id, "present", today=D(2025, 3, 2)),
            scoped=True,
        ),
        "training.attendance.clear": op(
            "attendance.write",
            lambda w, a: attendance.clear(a, w.session_id, w.enrolment_id, today=D(2025, 3, 2)),
            scoped=True,
        ),
        "training.attendance.mark_column": op(
            "attendance.write",
            lambda w, a: attendance.mark_column(a, w.session_id, "present", today=D(2025, 3, 2)),
            scoped=True,
        ),
        "training.results.enter_score": op(
            "result.write", lambda w, a: results.enter_score(a, w.enrolment_id, w.assessment_id, "15"), scoped=True
        ),
        "training.results.save_checked": op(
            "result.write",
            lambda w, a: results.save_checked(
                a,
                models.Enrolment.get_by_id(w.enrolment_id),
                rules.for_cohort(w.cohort_id).assessment(w.assessment_id),
                15.0,
            ),
        ),
        "training.results.history": op("cohort.read", lambda w, a: results.history(a, w.enrolment_id, w.assessment_id)),
        "training.results.grid": op("cohort.read", lambda w, a: results.grid(a, w.cohort_id)),
        "training.graduation.preview": op("cohort.read", lambda w, a: graduation.preview(a, w.cohort_id)),
        "training.graduation.confirm": op("graduation.confirm", lambda w, a: graduation.confirm(a, w.cohort_id)),
        "training.delivery.add_program": op(
            "program.write", lambda w, a: delivery.add_program(a, "POI-PERM", "1", "Perm POI", w.course_code, "IT")
        ),
        "training.delivery.list_programs": op("course.read", lambda w, a: delivery.list_programs(a)),
        "training.delivery.set_delivery": op(
            "cohort.write", lambda w, a: delivery.set_delivery(a, w.cohort_code, None, ("IT",)), scoped=True
        ),
        "training.delivery.delivery": op("cohort.read", lambda w, a: delivery.delivery(a, w.cohort_code)),
    }
