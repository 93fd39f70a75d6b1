"""Writes that race on a unique key resolve by rule, on both databases: nothing entered is lost.

Each test starts several threads (each with its own database connection) at one barrier,
so that their transactions overlap: on PostgreSQL they really run at once; on SQLite the
write lock taken at BEGIN orders them. Without the row locks and the serialised number
allocation, PostgreSQL raised IntegrityError for the losers and their entries were lost.
"""

from __future__ import annotations

import datetime
import threading

from db import models
from db.connection import database
from tests.instructor_fixtures import build, trainee
from trainer.certification import certificates
from trainer.training import attendance, enrolments, results, sessions

LATER = datetime.date(2025, 6, 1)
ROUNDS = 5


def race(n: int, work) -> list:
    """Run work(i) on n threads released together; every result, or the exception raised."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = work(i)
        except Exception as exc:  # the test reports any of them
            out[i] = exc
        finally:
            if not database.obj.is_closed():
                database.obj.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_racing_scores_for_one_cell_are_all_kept_as_attempts(db_url):
    w = build(trainees=1)
    law = w.assessments["LAW"]  # out of 50: five rounds of six different scores
    for round_ in range(ROUNDS):
        scores = [str(10 + 6 * round_ + i) for i in range(6)]
        before = len(results.history(w.instructor, w.enrolments[0], law))
        out = race(len(scores), lambda i, s=scores: results.enter_score(w.instructor, w.enrolments[0], law, s[i]))
        assert not [o for o in out if isinstance(o, Exception)], out
        history = results.history(w.instructor, w.enrolments[0], law)
        # Every score typed is an attempt, numbered without gaps or repeats.
        assert [h.attempt for h in history] == list(range(1, before + len(scores) + 1))
        assert sorted(str(int(h.score)) for h in history[before:]) == scores


def test_racing_first_marks_on_a_fresh_cell_leave_one_mark_and_each_writer_told(db_url):
    w = build(trainees=1)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    marks = ["p", "a", "e", "l"]
    for day in days[:ROUNDS]:
        out = race(
            len(marks), lambda i, d=day: attendance.mark(w.instructor, d.id, w.enrolments[0], marks[i], today=LATER)
        )
        assert not [o for o in out if isinstance(o, Exception)], out
        with database.connection_context():
            rows = list(models.Attendance.select().where(models.Attendance.session == day.id))
        assert len(rows) == 1
        # Last writer wins, and every writer but the first is told which mark it replaced.
        final = rows[0].mark
        assert sorted(o.mark for o in out) == sorted(["present", "absent", "excused", "late"])
        assert [o.replaced for o in out].count(None) == 1
        assert sorted(o.replaced for o in out if o.replaced) == sorted(o.mark for o in out if o.mark != final)


def test_racing_for_the_last_seat_seats_exactly_one(db_url):
    w = build(trainees=2)
    for round_ in range(ROUNDS):
        with database.connection_context():
            E = models.Enrolment
            seated = E.select().where((E.cohort == w.cohort_id) & (E.status == "enrolled")).count()
            models.Cohort.update(capacity=seated + 1).where(models.Cohort.id == w.cohort_id).execute()
            newcomers = [trainee(100 + round_ * 10 + i, national_id=f"9{round_:02d}{i:09d}") for i in range(4)]
        out = race(4, lambda i, n=newcomers: enrolments.enrol(w.admin, w.cohort_id, [n[i]], today=w.start))
        assert not [o for o in out if isinstance(o, Exception)], out
        statuses = sorted(o.outcomes[0].status for o in out)
        assert statuses == ["enrolled", "waitlisted", "waitlisted", "waitlisted"], statuses


def test_racing_certificate_issues_get_distinct_numbers(db_url):
    worlds = [build(trainees=3, code=f"BPC-{k}", course_code=f"BP{k}", prefix=f"w{k}") for k in range(4)]
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    out = race(
        len(worlds),
        lambda i: certificates.issue_for_cohort(worlds[i].admin, worlds[i].cohort_id, on=datetime.date(2025, 3, 14)),
    )
    assert not [o for o in out if isinstance(o, Exception)], out
    numbers = [c.number for o in out for c in o.issued]
    assert len(numbers) == 12 == len(set(numbers)) and all(certificates.valid_number(n) for n in numbers)
