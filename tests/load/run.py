"""Many clerks at once (`make load`): processes acting as registrars, instructors and analysts.

    python -m tests.load.run [--seconds 60] [--pg-procs 20] [--sqlite-procs 5]

PostgreSQL: a database `<name>_load` beside the one TRAINER_LOAD_DATABASE_URL (else
TRAINER_TEST_DATABASE_URL) names, dropped and made anew; without either URL the
PostgreSQL part says it was skipped. SQLite: one file in a temporary folder. Each holds
the default demo. Loopback only, bounded in time.

Afterwards the database is checked against every process's own log of acknowledged
writes: no registration, enrolment, score or mark lost, none duplicated. The table gives
each operation's count and p50/p95; refusals (a full cohort, a finished enrolment) are
answers and are counted apart. Exit 1 on any uncaught error, lost or duplicated write,
or a single-record write whose p95 passes 50 ms (not checked with --quick, which CI runs).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
WRITES = ("register", "enrol", "score", "mark")  # single-record writes: p95 under 50 ms
P95_LIMIT_MS = 50.0
PASSWORD = "load-password-1"


def pg_url() -> str | None:
    base = os.environ.get("TRAINER_LOAD_DATABASE_URL") or os.environ.get("TRAINER_TEST_DATABASE_URL")
    if not base:
        return None
    import psycopg

    parsed = urlparse(base)
    name = f"{parsed.path.strip('/')}_load"
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TRAINER_PASSWORD": PASSWORD, "TRAINER_PSEUDONYM_KEY": "l" * 40}


def build(url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "trainer.cli", "--db", url, "demo"], cwd=ROOT, env=env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"load: the demo did not build: {done.stderr.strip()[-500:]}")


def roles(n: int) -> list[str]:
    """Half registrars, two fifths instructors, the rest analysts (at least one of each)."""
    instructors = max(1, n * 2 // 5)
    analysts = max(1, n - n // 2 - instructors)
    return ["registrar"] * (n - instructors - analysts) + ["instructor"] * instructors + ["analyst"] * analysts


def accounts(url: str, roles: list[str]) -> list[str]:
    """One account per process, as each clerk has their own: a copy of the demo's account
    for that role (its centres, its cohorts). Twenty processes signing in to one shared
    account at once would be twenty guesses at one password, and the sign-in throttle
    rightly slows them."""
    from trainer.setup import connect

    connect(url)
    from db import models
    from db.connection import database
    from trainer.accounts import users

    admin = users.authenticate("admin", PASSWORD)
    names = []
    with database.connection_context():
        for i, role in enumerate(roles):
            demo = models.User.get(models.User.username == role)
            codes = tuple(
                c.code for c in models.Centre.select().join(models.UserCentre).where(models.UserCentre.user == demo)
            )
            name = f"{role}{i}"
            made = users.create_user(admin, name, role, PASSWORD, codes)
            CI = models.CohortInstructor
            for (cohort,) in CI.select(CI.cohort).where(CI.user == demo).tuples():
                CI.create(cohort=cohort, user=made.id)
            names.append(name)
    return names


def counts(url: str) -> dict[str, int]:
    from trainer.setup import connect

    connect(url)
    from db import models
    from db.connection import database

    with database.connection_context():
        return {"result": models.Result.select().count()}


def run_one(kind: str, url: str, procs: int, seconds: float, folder: Path) -> dict:
    build(url)
    before = counts(url)
    people = roles(procs)
    names = accounts(url, people)
    logs = []
    started = time.monotonic()
    children = []
    for i, (role, name) in enumerate(zip(people, names)):
        log = folder / f"{kind}-{i}-{role}.jsonl"
        logs.append(log)
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.load.worker", role, name, url, str(seconds), str(i), str(log)],
                cwd=ROOT,
                env=env(),
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    crashed = []
    for child in children:
        try:
            _, err = child.communicate(timeout=seconds + 300)
        except subprocess.TimeoutExpired:
            child.kill()
            _, err = child.communicate()
        if child.returncode != 0:
            crashed.append(err.strip().splitlines()[-1] if err.strip() else f"exit {child.returncode}")
    elapsed = time.monotonic() - started
    return {"kind": kind, "procs": procs, "elapsed": elapsed, "crashed": crashed, **check(url, logs, before)}


def check(url: str, logs: list[Path], before: dict[str, int]) -> dict:
    from db import models
    from db.connection import database

    times: dict[str, list[float]] = defaultdict(list)
    refused: dict[str, int] = defaultdict(int)
    why: dict[str, str] = {}  # one refusal's reason per operation, to read in the table
    errors: list[str] = []
    trainees, enrols, results, marks = [], [], set(), defaultdict(set)
    for log in logs:
        if not log.exists():
            continue  # the process died before its first call: counted as crashed
        for line in log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if "error" in entry:
                errors.append(f"{entry['op']}: {entry['error']}")
                continue
            if "refused" in entry:
                refused[entry["op"]] += 1
                why.setdefault(entry["op"], entry["refused"])
                continue
            times[entry["op"]].append(entry["ms"])
            wrote = entry.get("wrote") or {}
            if "trainee" in wrote:
                trainees.append(wrote["trainee"])
            if "enrolment" in wrote:
                enrols.append(tuple(wrote["enrolment"][:2]))
            if "result" in wrote:
                results.add(tuple(wrote["result"]))
            if "mark" in wrote:
                s, e, m = wrote["mark"]
                marks[(s, e)].add(m)
    lost = duplicated = 0
    T, E, R, A = models.Trainee, models.Enrolment, models.Result, models.Attendance
    with database.connection_context():
        found = {str(u) for (u,) in T.select(T.uuid).where(T.uuid.in_(trainees)).tuples()} if trainees else set()
        lost += len(set(trainees) - found)
        duplicated += len(trainees) - len(set(trainees))
        for cohort, trainee in enrols:
            n = E.select().where((E.cohort == cohort) & (E.trainee == trainee)).count()
            lost += n == 0
            duplicated += n > 1
        for enrolment, assessment, attempt, score in results:
            row = R.get_or_none((R.enrolment == enrolment) & (R.assessment == assessment) & (R.attempt == attempt))
            lost += row is None or float(row.score) != score
        new_rows = R.select().count() - before["result"]
        duplicated += max(0, new_rows - len({r[:3] for r in results}))
        lost += max(0, len({r[:3] for r in results}) - new_rows)
        for (session, enrolment), typed in marks.items():
            rows = list(A.select(A.mark).where((A.session == session) & (A.enrolment == enrolment)).tuples())
            lost += not rows or rows[0][0] not in typed
            duplicated += len(rows) > 1
    return {
        "times": dict(times),
        "refused": dict(refused),
        "why": why,
        "errors": errors,
        "lost": lost,
        "duplicated": duplicated,
        "writes": len(trainees) + len(enrols) + len(results) + sum(len(v) for v in marks.values()),
    }


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report(outcome: dict, *, quick: bool) -> bool:
    ok = not outcome["errors"] and not outcome["crashed"] and not outcome["lost"] and not outcome["duplicated"]
    print(
        f"\n{outcome['kind']}: {outcome['procs']} processes for {outcome['elapsed']:.0f} s — "
        f"{outcome['writes']} acknowledged writes checked: {outcome['lost']} lost, {outcome['duplicated']} duplicated, "
        f"{len(outcome['errors'])} uncaught errors, {len(outcome['crashed'])} crashed processes"
    )
    print(f"  {'operation':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'refused':>8}")
    for op in sorted(set(outcome["times"]) | set(outcome["refused"])):
        values = outcome["times"].get(op, [])
        p95 = p(values, 0.95)
        slow = op in WRITES and p95 > P95_LIMIT_MS
        flag = "  over 50 ms" if slow else ""
        print(
            f"  {op:<10} {len(values):>7} {p(values, 0.5):>8.1f} {p95:>8.1f} {outcome['refused'].get(op, 0):>8}{flag}"
        )
        if slow and not quick:
            ok = False
    for op, reason in sorted(outcome["why"].items()):
        print(f"  refused {op}, e.g.: {reason[:150]}")
    for line in (outcome["errors"] + outcome["crashed"])[:10]:
        print(f"  ! {line}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make load")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pg-procs", type=int, default=20)
    parser.add_argument("--sqlite-procs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 seconds; p95 reported, not enforced (CI)")
    args = parser.parse_args(argv)
    seconds = 10 if args.quick else args.seconds
    ok = True
    with tempfile.TemporaryDirectory(prefix="trainer-load-") as tmp:
        folder = Path(tmp)
        url = pg_url()
        if url is None:
            print("load: PostgreSQL skipped: set TRAINER_LOAD_DATABASE_URL or TRAINER_TEST_DATABASE_URL")
        else:
            ok &= report(run_one("PostgreSQL", url, args.pg_procs, seconds, folder), quick=args.quick)
        sqlite = f"sqlite:///{folder / 'load.db'}"
        ok &= report(run_one("SQLite", sqlite, args.sqlite_procs, seconds, folder), quick=args.quick)
    print("\nload: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
