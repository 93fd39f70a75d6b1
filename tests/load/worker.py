"""One simulated person working for a while: `python -m tests.load.worker ROLE USER URL SECONDS INDEX OUT`.

Every acknowledged write goes to OUT (JSON lines) the moment the service returns, so
the parent can check the database against what each process was told; every call's
time goes there too. A refusal (TrainerError) is an answer, counted apart; anything
else is an uncaught error and fails the run.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROLES = ("registrar", "instructor", "analyst")
GIVEN = ("Ali", "Hasan", "Omar", "Karim", "Yousif", "Mahmoud", "Sami", "Zaid", "Rebwar", "Haidar")
ARABIC_GIVEN = ("علي", "حسن", "عمر", "كريم", "يوسف", "محمود", "سامي", "زيد", "ريبوار", "حيدر")


def main(role: str, username: str, url: str, seconds: float, index: int, out_path: str) -> int:
    from trainer.setup import connect

    connect(url)
    import os

    from trainer.accounts import users

    actor = users.authenticate(username, os.environ["TRAINER_PASSWORD"], session="load")  # signed in, as a person is
    rng = random.Random(index)
    out = open(out_path, "w", encoding="utf-8", buffering=1)
    work = {"registrar": Registrar, "instructor": Instructor, "analyst": Analyst}[role](actor, rng, index)
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        op, fn = work.next_op()
        started = time.perf_counter()
        try:
            logged = fn()
        except Exception as exc:
            from trainer.errors import TrainerError

            kind = "refused" if isinstance(exc, TrainerError) else "error"
            out.write(json.dumps({"op": op, "ms": 0, kind: f"{type(exc).__name__}: {exc}"[:300]}) + "\n")
            continue
        ms = (time.perf_counter() - started) * 1000
        out.write(json.dumps({"op": op, "ms": round(ms, 3), "wrote": logged}) + "\n")
    out.close()
    return 0


class Registrar:
    """Registers people, searches, and enrols their own registrations in open cohorts."""

    def __init__(self, actor, rng, index) -> None:
        from db import models
        from db.connection import database

        self.actor, self.rng, self.index, self.n = actor, rng, index, 0
        self.mine: list[int] = []
        M = models
        with database.connection_context():
            self.cohorts = [
                c
                for (c,) in M.Cohort.select(M.Cohort.id)
                .join(M.Course)
                .join(M.CourseForce, on=(M.CourseForce.course == M.Course.id))
                .where(
                    M.Cohort.status.in_(("planned", "running"))
                    & (M.CourseForce.force == "police")
                    & M.Cohort.centre.in_(list(actor.centre_ids))
                )
                .tuples()
            ]

    def next_op(self):
        r = self.rng.random()
        if r < 0.4 or not self.mine:
            return "register", self.register
        if r < 0.8:
            return "search", self.search
        return "enrol", self.enrol

    def register(self):
        import datetime

        from trainer.registry import trainees

        self.n += 1
        k = self.rng.randrange(len(GIVEN))
        data = trainees.TraineeInput(
            given_name=ARABIC_GIVEN[k],
            father_name=ARABIC_GIVEN[(k + 3) % len(GIVEN)],
            grandfather_name=ARABIC_GIVEN[(k + 7) % len(GIVEN)],
            given_name_latin=GIVEN[k],
            father_name_latin=GIVEN[(k + 3) % len(GIVEN)],
            grandfather_name_latin=GIVEN[(k + 7) % len(GIVEN)],
            date_of_birth=datetime.date(1985, 1, 1) + datetime.timedelta(days=self.rng.randrange(5000)),
            force="police",
            province="IQ-NI",
            national_id=f"7{self.index:04d}{self.n:07d}",
        )
        view = trainees.create_trainee(self.actor, data)
        self.mine.append(view.id)
        return {"trainee": str(view.uuid), "national_id": data.national_id}

    def search(self):
        from trainer.registry import trainees

        trainees.search(self.actor, self.rng.choice(GIVEN).lower()[:4])
        return None

    def enrol(self):
        from trainer.training import enrolments

        trainee = self.mine.pop(self.rng.randrange(len(self.mine)))
        cohort = self.rng.choice(self.cohorts)
        report = enrolments.enrol(self.actor, cohort, [trainee])
        status = report.outcomes[0].status
        return {"enrolment": [cohort, trainee, status]} if status in ("enrolled", "waitlisted") else None


class Instructor:
    """Scores (cells shared with the other instructors: re-sits race) and marks (cells its own)."""

    def __init__(self, actor, rng, index) -> None:
        import datetime

        from db import models
        from db.connection import database

        self.actor, self.rng, self.index = actor, rng, index
        self.today = datetime.date.today()
        M = models
        with database.connection_context():
            taught = [
                c
                for (c,) in M.CohortInstructor.select(M.CohortInstructor.cohort)
                .join(M.Cohort)
                .where((M.CohortInstructor.user == actor.user_id) & (M.Cohort.status == "running"))
                .tuples()
            ]
            self.cells = [
                (e, a)
                for e, a in M.Enrolment.select(M.Enrolment.id, M.Assessment.id)
                .join(M.Cohort)
                .join(M.Assessment, on=(M.Assessment.course == M.Cohort.course))
                .where(M.Enrolment.cohort.in_(taught) & (M.Enrolment.status == "enrolled"))
                .tuples()
            ]
            maxima = dict(M.Assessment.select(M.Assessment.id, M.Assessment.max_score).tuples())
            self.max = maxima
            self.days = [
                (s, e)
                for s, e in M.Session.select(M.Session.id, M.Enrolment.id)
                .join(M.Enrolment, on=(M.Enrolment.cohort == M.Session.cohort))
                .where(
                    M.Session.cohort.in_(taught)
                    & (M.Session.day <= self.today)
                    & (M.Session.day >= M.Enrolment.enrolled_on)
                    & (M.Session.status != "cancelled")
                    & (M.Enrolment.status == "enrolled")
                )
                .tuples()
            ]

    def next_op(self):
        return ("score", self.score) if self.rng.random() < 0.5 or not self.days else ("mark", self.mark)

    def score(self):
        from trainer.training import results

        enrolment, assessment = self.rng.choice(self.cells[:40] or self.cells)  # a few hot cells
        value = self.rng.randint(0, int(self.max[assessment]))
        saved = results.enter_score(self.actor, enrolment, assessment, str(value))
        return {"result": [enrolment, assessment, saved.attempt, float(saved.score)]}

    def mark(self):
        from trainer.training import attendance

        session, enrolment = self.rng.choice(self.days)
        value = self.rng.choice("pael")
        saved = attendance.mark(self.actor, session, enrolment, value, today=self.today)
        return {"mark": [session, enrolment, saved.mark]}


class Analyst:
    """Reports and exports: reads only."""

    def __init__(self, actor, rng, index) -> None:
        self.actor, self.rng = actor, rng
        self.folder = Path(tempfile.mkdtemp(prefix="trainer-load-"))

    def next_op(self):
        return ("report", self.report) if self.rng.random() < 0.8 else ("export", self.export)

    def report(self):
        from trainer.reporting import catalogue

        name = self.rng.choice(("trained-by-force", "requirement-gap", "trained-by-province", "pass-rates"))
        catalogue.run_report(self.actor, name, catalogue.ReportParams())
        return None

    def export(self):
        from trainer.reporting import catalogue

        result = catalogue.run_report(self.actor, "trained-by-course-month", catalogue.ReportParams())
        catalogue.write_result(result, "csv", self.folder / "by-month.csv")
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]))
