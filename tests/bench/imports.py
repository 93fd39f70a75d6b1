"""Roster import: a generated roster (tests/fixtures/make_roster.py) validated and committed by
`trainer.rosters.imports.import_trainees`, into the scratch copy of the full registry (so possible
duplicates are looked up among every registered person).

Each run imports a file of its own (fresh national IDs), since importing the same file twice
adds nothing. Baseline: the naive loop, `Trainee.create` per row in one transaction with the
search-index triggers firing, over a smaller count and scaled to the roster's size.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.context import Context, actor, bind, missing
from tests.bench.measure import PeakMemory, Row, Stats, Target, not_measured

AREA = "imports"
TARGETS = (Target("median", 10.0),)
BASELINE = "create loop"


def operation(n: int) -> str:
    return f"roster import, {n:,} rows"


def measure(ctx: Context) -> list[Row]:
    size = ctx.runs(100_000, 10_000)
    why = missing(
        "trainer.rosters.imports:import_trainees",
        "tests.fixtures.make_roster:make_rows",
        "tests.fixtures.make_roster:write_roster",
    )
    if why:
        return [not_measured(AREA, operation(size), why, TARGETS)]
    from trainer.rosters import imports

    bind(ctx.scratch_url)
    who = actor("admin")
    runs = ctx.runs(3, 2)
    times, added, held = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        # Written by another process, so that generating them leaves nothing in this one's heap.
        paths = [Path(tmp) / f"roster{run}.csv" for run in range(runs)]
        subprocess.run(
            [ctx.python, "-m", "tests.bench.imports", str(size), *map(str, paths)],
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        with PeakMemory() as mem:
            for path in paths:
                start = time.perf_counter()
                report = imports.import_trainees(who, path)
                times.append(time.perf_counter() - start)
                added.append(report.new)
                held.append(len(report.held))
    n_base = ctx.runs(2_000, 400)
    base_seconds = create_loop(n_base, seed=99)
    scaled = Stats(tuple(s * size / n_base for s in base_seconds))
    return [
        Row(
            AREA,
            operation(size),
            Stats(tuple(times)),
            mem.mb,
            TARGETS,
            BASELINE,
            scaled,
            memory_method=mem.method,
            note=f"imports.import_trainees (validated, committed, all or nothing) into the scratch copy; "
            f"added {added[0]:,} and held {held[0]:,} for review per run (the registry grows by each "
            f"run); baseline: Trainee.create loop in one transaction, timed on {n_base:,} rows and "
            f"scaled x{size // n_base}; memory is the peak RSS growth over all runs",
        )
    ]


def create_loop(n: int, *, seed: int) -> list[float]:
    """Seconds for n `Trainee.create` calls in one transaction (two runs), triggers on."""
    from db import models
    from db.connection import database
    from tests.fixtures.make_roster import FORCE_CODE, PROVINCE_CODE, make_rows
    from trainer.registry.trainees import TraineeInput
    from trainer.rosters.imports import trainee_values

    out = []
    for run in range(2):
        rows = make_rows(n, seed=seed + run, id_start=950_000_000_000 + run * 1_000_000)
        inputs = [
            TraineeInput(
                given_name=r["given_name"],
                father_name=r["father_name"],
                grandfather_name=r["grandfather_name"],
                family_name=r["family_name"],
                mother_name=r["mother_name"],
                date_of_birth=r["date_of_birth"],
                force=FORCE_CODE[r["force"]],
                province=PROVINCE_CODE[r["province"]],
                gender=r["gender"],
                national_id=r["national_id"],
                rank=r["rank"],
                phone=r["phone"],
            )
            for r in rows
        ]
        start = time.perf_counter()
        with database.connection_context(), database.atomic():
            for data in inputs:
                models.Trainee.create(**trainee_values(data, "bench:create-loop"))
        out.append(time.perf_counter() - start)
    return out


def write_rosters(size: int, paths: list[str]) -> None:
    """One roster per path, each with national IDs of its own (re-importing a file adds nothing)."""
    from tests.fixtures.make_roster import make_rows, write_roster

    for run, path in enumerate(paths):
        write_roster(path, make_rows(size, seed=run, id_start=900_000_000_000 + run * 1_000_000), headers="english")


if __name__ == "__main__":
    write_rosters(int(sys.argv[1]), sys.argv[2:])
