"""Saving: one trainee record with the search index kept current, one grid cell end to end.

Runs on the scratch copy of the database (these measurements write).
- Trainee: `trainees.update_trainee` changing a Latin name part, so search_text changes and the
  FTS5/trigram triggers (PostgreSQL: the GIN index) do their work. The target is database time:
  every statement plus BEGIN/COMMIT (measure.database_time); the whole call's wall time is noted.
- Grid cells: `results.enter_score` (a score typed into the results grid) and `attendance.mark`
  (one key in the attendance grid), each a whole service call (validation, frozen rule, audit
  event, its own connection and transaction) on a cell of a running cohort never saved before.
No baseline: there is no naive way the app would save one record.
"""

from __future__ import annotations

import datetime
import itertools
import os
import time

from tests.bench.context import Context, actor, bind, missing
from tests.bench.measure import PeakMemory, Row, Stats, Target, attempt, database_time, not_measured, timed

AREA = "saving"
# The COMMIT is timed apart: with synchronous=FULL (db/connection.py) it is the disk's sync, which a
# save pays so that it survives a power cut; the target is for the database's own work.
RECORD = "save one trainee, search index kept: DB time, COMMIT's sync apart"
RESULT_CELL = "save one results-grid cell"
ATTENDANCE_CELL = "save one attendance-grid cell"
RECORD_TARGET = (Target("p95", 0.001),)
CELL_TARGET = (Target("p95", 0.020),)


def measure(ctx: Context) -> list[Row]:
    bind(ctx.scratch_url)
    runs = ctx.runs(200, 40)
    rows = []
    why = missing("trainer.registry.trainees:update_trainee", "trainer.registry.trainees:get_trainee")
    rows += (
        [not_measured(AREA, RECORD, why, RECORD_TARGET)]
        if why
        else attempt(AREA, RECORD, RECORD_TARGET, lambda: save_record(runs))
    )
    why = missing("trainer.training.results:enter_score")
    rows += (
        [not_measured(AREA, RESULT_CELL, why, CELL_TARGET)]
        if why
        else attempt(AREA, RESULT_CELL, CELL_TARGET, lambda: result_cell(ctx.runs(100, 30)))
    )
    why = missing("trainer.training.attendance:mark")
    rows += (
        [not_measured(AREA, ATTENDANCE_CELL, why, CELL_TARGET)]
        if why
        else attempt(AREA, ATTENDANCE_CELL, CELL_TARGET, lambda: attendance_cell(ctx.runs(100, 30)))
    )
    return rows


_CALLS = itertools.count(1)


def _letters(n: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(n))


def save_record(runs: int) -> Row:
    from dataclasses import replace

    from db import models
    from db.connection import database
    from trainer.registry import trainees

    who = actor("admin")
    # Each call its own names: rounds on the same copy (the encrypted area runs this four times
    # after the saving area, each area in its own process) would otherwise leave enough
    # Benchmark<n> people to crowd the check out of the first page of results.
    # Letters only: the name keys keep a Latin name's letters, so names differing in digits collide.
    tag = "".join(chr(ord("a") + int(d)) for d in f"{os.getpid()}{next(_CALLS)}")
    T = models.Trainee
    with database.connection_context():
        top = T.select(T.id).order_by(T.id.desc()).scalar()
        spread = list(range(1, top + 1, max(1, top // (2 * runs + 10))))  # across the whole registry
        ids = [
            i
            for (i,) in T.select(T.id)
            .where(T.id.in_(spread) & (T.status == "active"))
            .order_by(T.id)
            .limit(runs + 5)
            .tuples()
        ]
    views = {i: trainees.get_trainee(who, i) for i in ids}
    db_times, commits, walls = [], [], []
    with PeakMemory() as mem:
        for n, i in enumerate(ids):
            view = views[i]
            data = replace(view.as_input(), family_name_latin=f"Benchmark{tag}x{_letters(n)}")
            with database_time(database.obj) as spent:
                start = time.perf_counter()
                trainees.update_trainee(who, i, view.version, data)
                walls.append(time.perf_counter() - start)
            db_times.append(spent["total"])
            commits.append(spent["commit"])
    # the first few warm the caches and the statement cache, as a clerk's first save of the day does
    work = [total - commit for total, commit in zip(db_times, commits)]
    db_stats, wall_stats, commit_stats = (Stats(tuple(x[5:])) for x in (work, walls, commits))
    with database.connection_context():
        found = trainees.search(who, f"benchmark{tag}x{_letters(len(ids) - 1)}", limit=len(ids) + 10)
    if ids[-1] not in {v.id for v in found}:
        raise RuntimeError("the saved trainee is not found by its new name: the search index is not current")
    return Row(
        AREA,
        RECORD,
        db_stats,
        mem.mb,
        RECORD_TARGET,
        memory_method=mem.method,
        note=f"trainees.update_trainee changing a Latin name part; statements + BEGIN; the COMMIT (its sync to "
        f"disk, synchronous=FULL): median {commit_stats.median * 1000:.2f} ms, p95 {commit_stats.p95 * 1000:.2f} ms; "
        f"whole call: median {wall_stats.median * 1000:.2f} ms, p95 "
        f"{wall_stats.p95 * 1000:.2f} ms (validation, audit event, connection); the "
        "saved name is found by search afterwards",
    )


def _running_cohorts(limit: int) -> list[int]:
    from db import models

    C = models.Cohort
    return [c for (c,) in C.select(C.id).where(C.status == "running").order_by(C.id).limit(limit).tuples()]


def result_cell(runs: int) -> Row:
    from db import models
    from db.connection import database
    from trainer.training import results

    who = actor("admin")
    E, A, R, C = models.Enrolment, models.Assessment, models.Result, models.Cohort
    cells = []
    with database.connection_context():
        for cohort in _running_cohorts(50):
            course = C.select(C.course).where(C.id == cohort).scalar()
            assessments = list(A.select(A.id, A.pass_mark).where(A.course == course).order_by(A.id).tuples())
            enrolments = [
                e
                for (e,) in E.select(E.id)
                .where((E.cohort == cohort) & (E.status == "enrolled"))
                .order_by(E.id)
                .tuples()
            ]
            done = set(R.select(R.enrolment, R.assessment).join(E).where(E.cohort == cohort).tuples())
            cells += [(e, a, mark) for e in enrolments for a, mark in assessments if (e, a) not in done]
            if len(cells) >= runs + 3:
                break
    if len(cells) < runs + 3:
        raise RuntimeError(f"only {len(cells)} empty result cells in running cohorts")
    cells = cells[: runs + 3]
    with PeakMemory() as mem:
        stats = timed(lambda cell: results.enter_score(who, cell[0], cell[1], f"{cell[2]:g}"), cells, warmup=3)
    return Row(
        AREA,
        RESULT_CELL,
        stats,
        mem.mb,
        CELL_TARGET,
        memory_method=mem.method,
        note="results.enter_score, the whole service call a typed score makes (screen redraw not included)",
    )


def attendance_cell(runs: int) -> Row:
    from db import models
    from db.connection import database
    from trainer.training import attendance

    who = actor("admin")
    S, E, A = models.Session, models.Enrolment, models.Attendance
    today = datetime.date.today()
    cells = []
    with database.connection_context():
        for cohort in _running_cohorts(50):
            sessions = list(
                S.select(S.id, S.day)
                .where((S.cohort == cohort) & (S.status != "cancelled") & (S.day <= today))
                .order_by(S.day)
                .tuples()
            )
            enrolments = list(
                E.select(E.id, E.enrolled_on)
                .where((E.cohort == cohort) & (E.status == "enrolled"))
                .order_by(E.id)
                .tuples()
            )
            marked = set(A.select(A.session, A.enrolment).join(S).where(S.cohort == cohort).tuples())
            cells += [(s, e) for s, day in sessions for e, on in enrolments if on <= day and (s, e) not in marked]
            if len(cells) >= runs + 3:
                break
    if len(cells) < runs + 3:
        raise RuntimeError(f"only {len(cells)} empty attendance cells in running cohorts")
    cells = cells[: runs + 3]
    with PeakMemory() as mem:
        stats = timed(lambda cell: attendance.mark(who, cell[0], cell[1], "p"), cells, warmup=3)
    return Row(
        AREA,
        ATTENDANCE_CELL,
        stats,
        mem.mb,
        CELL_TARGET,
        memory_method=mem.method,
        note="attendance.mark, the whole service call one mark key makes, percentage included (screen "
        "redraw not included)",
    )
