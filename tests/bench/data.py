"""The benchmark's database: built by `trainer demo` in a real subprocess (itself a measurement),
or reused when it already holds the right counts; a scratch copy for the measurements that write.

SQLite: bench/data/<scale>.db. PostgreSQL: TRAINER_BENCH_DATABASE_URL. A PostgreSQL database
that holds other data is emptied only when its name contains "bench"; otherwise the run stops.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from tests.bench.measure import Row, Stats, Target

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
# The demo users' password (TRAINER_PASSWORD for the build): a benchmark database holds no secrets.
PASSWORD = "bench-password-2017"
COUNTED = ("trainee", "cohort", "enrolment", "result", "certificate", "user")
# Keys the app keeps outside the database, fixed for the benchmark: its database's audit chain
# stays verifiable whoever runs it, and no key file is created in the user's config directory.
KEYS = {
    "TRAINER_AUDIT_KEY": "bench-audit-key-0123456789abcdef",
    "TRAINER_PSEUDONYM_KEY": "bench-pseudonym-key-0123456789abcdef0123456789",
}


def use_bench_keys() -> None:
    os.environ.update(KEYS)


@dataclass(frozen=True)
class Scale:
    name: str
    demo_scale: str  # `trainer demo --scale`
    expected: dict[str, int]  # counts the database must hold to be reused
    demo_target_s: float | None  # the demo's own target applies to the full scale


SCALES = {
    "full": Scale(
        "full",
        "full",
        {"trainee": 250_000, "cohort": 10_000, "enrolment": 1_000_000, "result": 2_500_000, "certificate": 250_000},
        180.0,
    ),
    "quick": Scale("quick", "quick", {"trainee": 10_000}, None),
}


def trainer_command() -> list[str]:
    """The installed `trainer` script beside this interpreter (what users run)."""
    script = Path(sys.executable).parent / "trainer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "trainer.cli"]


def database_url(scale: Scale) -> str:
    return os.environ.get("TRAINER_BENCH_DATABASE_URL") or f"sqlite:///{DATA / (scale.name + '.db')}"


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_file(url: str) -> Path:
    return Path(url[len("sqlite:///") :])


def read_counts(url: str) -> dict[str, int] | None:
    """Row counts of the tables that make a scale, or None if there is no such database yet."""
    try:
        if is_sqlite_url(url):
            path = sqlite_file(url)
            if not path.exists():
                return None
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            import psycopg

            conn = psycopg.connect(url)
        try:
            cur = conn.cursor()
            return {t: _count(cur, t) for t in COUNTED}
        finally:
            conn.close()
    except Exception:
        return None  # no tables yet, a half-written file: not reusable


def _count(cur, table: str) -> int:
    cur.execute(f'SELECT COUNT(*) FROM "{table}"')
    return cur.fetchone()[0]


def generator_digest() -> str:
    """The demo generator's source: a database built by another version of it is built again."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "trainer" / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sidecar(scale: Scale, url: str) -> Path:
    tag = "" if is_sqlite_url(url) else "-" + (urlparse(url).path.strip("/") or "pg")
    return DATA / f"{scale.name}{tag}.json"


def run_measured(
    cmd: list[str], *, env: dict | None = None, stdout=None, stderr=None, cwd: Path = ROOT
) -> tuple[int, float, float, float]:
    """Run a command; its exit status, wall seconds, peak RSS in MB and CPU seconds (user + system),
    from its own rusage (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=stderr, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _empty(url: str) -> None:
    if is_sqlite_url(url):
        path = sqlite_file(url)
        if path.exists() and path.resolve().parent != DATA.resolve():
            # A file named by TRAINER_BENCH_DATABASE_URL may be someone's real registry.
            raise SystemExit(
                f"bench: {path} is outside bench/data and is not the benchmark's build; the benchmark "
                "deletes only its own databases (--database URL measures a database as it is)"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        for old in path.parent.glob(f"{path.stem}.*.bak{path.suffix}"):
            old.unlink()  # migration backups of an earlier benchmark database
        return
    counts = read_counts(url)
    if counts is None or not any(v for k, v in counts.items() if k != "user"):
        return  # nothing in it yet
    name = urlparse(url).path.strip("/")
    if "bench" not in name:
        raise SystemExit(
            f"bench: {name!r} holds other data; the benchmark empties only a database whose name contains 'bench'"
        )
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cur.execute("CREATE SCHEMA public")
    conn.close()


def ensure(scale: Scale, url: str, *, rebuild: bool = False) -> list[Row]:
    """Reuse the database if it holds the scale's counts and was built by this demo generator (the
    record of its build says so), else build it with `trainer demo` and measure that, and the first
    report after it (the demo builds the report summaries, so that report need not). Returns those
    two rows of the table."""
    DATA.mkdir(parents=True, exist_ok=True)
    targets = (Target("median", scale.demo_target_s),) if scale.demo_target_s else ()
    operation = f"trainer demo --scale {scale.demo_scale}"
    sidecar = _sidecar(scale, url)
    counts = None if rebuild else read_counts(url)
    if counts and sidecar.exists():
        built = json.loads(sidecar.read_text())
        if (
            built.get("counts") == counts
            and built.get("generator") == generator_digest()
            and "first_report_seconds" in built
            and all(counts.get(k) == v for k, v in scale.expected.items())
        ):
            reused = f"database reused: figure from its build at {built['built_at']} (--rebuild measures it again)"
            return [
                Row(
                    "data",
                    operation,
                    Stats((built["seconds"],)),
                    built["peak_mb"],
                    targets,
                    status="earlier",
                    memory_method="child peak RSS",
                    note=f"{reused}{_cpu_note(built.get('cpu_seconds'))}",
                ),
                Row(
                    "data",
                    FIRST_REPORT,
                    Stats((built["first_report_seconds"],)),
                    built["first_report_peak_mb"],
                    FIRST_REPORT_TARGETS,
                    status="earlier",
                    memory_method="child peak RSS",
                    note=f"{reused}; {FIRST_REPORT_NOTE}",
                ),
            ]
    _empty(url)
    env = dict(os.environ, TRAINER_PASSWORD=PASSWORD)
    log = DATA / f"{scale.name}.build.log"
    print(
        f"bench: building the {scale.name}-scale database with `trainer demo` (log: {log.relative_to(ROOT)}) …",
        file=sys.stderr,
        flush=True,
    )
    with open(log, "w") as out:
        code, wall, peak, cpu = run_measured(
            trainer_command() + ["--db", url, "demo", "--scale", scale.demo_scale],
            env=env,
            stdout=out,
            stderr=None if sys.stderr.isatty() else out,
        )
    if code != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        raise SystemExit(f"bench: `trainer demo --scale {scale.demo_scale}` failed (exit {code}): {tail[0]}")
    counts = read_counts(url)
    wrong = {k: (counts or {}).get(k) for k, v in scale.expected.items() if (counts or {}).get(k) != v}
    if wrong:
        raise SystemExit(f"bench: the demo database does not hold the {scale.name} counts: {wrong}")
    report = trainer_command() + ["--db", url, "--user", "analyst", "report", "trained-by-force"]
    code, report_wall, report_peak, _ = run_measured(
        report, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if code != 0:
        raise SystemExit(f"bench: the first report after the demo failed (exit {code}): {' '.join(report)}")
    sidecar.write_text(
        json.dumps(
            {
                "url": url,
                "counts": counts,
                "generator": generator_digest(),
                "seconds": wall,
                "peak_mb": peak,
                "cpu_seconds": cpu,
                "first_report_seconds": report_wall,
                "first_report_peak_mb": report_peak,
                "built_at": time.strftime("%Y-%m-%d %H:%M"),
            },
            indent=1,
        )
    )
    return [
        Row(
            "data",
            operation,
            Stats((wall,)),
            peak,
            targets,
            memory_method="child peak RSS",
            note=f"built now: {counts['trainee']:,} trainees, {counts['result']:,} results"
            f"{_cpu_note(cpu)}; memory is the demo process's peak RSS",
        ),
        Row(
            "data",
            FIRST_REPORT,
            Stats((report_wall,)),
            report_peak,
            FIRST_REPORT_TARGETS,
            memory_method="child peak RSS",
            note=FIRST_REPORT_NOTE,
        ),
    ]


FIRST_REPORT = "first report after the demo (trainer report)"
# No user action waits more than 2 s for the report summaries: the demo builds them in its own run.
FIRST_REPORT_TARGETS = (Target("median", 2.0),)
FIRST_REPORT_NOTE = (
    "`trainer report trained-by-force` right after the demo, a subprocess (process start included); "
    "it would build the report summaries had the demo left them empty (trainer.reporting.summary.ensure_built)"
)


def _cpu_note(cpu: float | None) -> str:
    return "" if cpu is None else f"; CPU (user+system) {cpu:.0f} s"


def prepare(url: str) -> None:
    """Bring the schema up to date outside any timed step (`trainer init`); drop its backups."""
    done = subprocess.run(trainer_command() + ["--db", url, "init"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise SystemExit(f"bench: `trainer init` failed on the benchmark database: {tail}")
    if is_sqlite_url(url):
        path = sqlite_file(url)
        for old in path.parent.glob(f"{path.stem}.*.bak{path.suffix}"):
            old.unlink()


def make_scratch(url: str) -> str:
    """A copy of the database for the measurements that write (saves, grid cells, imports), so that
    the reused database keeps its counts."""
    if is_sqlite_url(url):
        source = sqlite_file(url)
        target = source.with_name(source.stem + "-scratch.db")
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        src = sqlite3.connect(str(source))
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return f"sqlite:///{target}"
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.strip("/")
    scratch = f"{name}_scratch"
    conn = psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cur.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}"')
    conn.close()
    return parsed._replace(path=f"/{scratch}").geturl()


def drop_scratch(url: str) -> None:
    if is_sqlite_url(url):
        path = sqlite_file(url)
        if path.exists() and path.resolve().parent != DATA.resolve():
            # A file named by TRAINER_BENCH_DATABASE_URL may be someone's real registry.
            raise SystemExit(
                f"bench: {path} is outside bench/data and is not the benchmark's build; the benchmark "
                "deletes only its own databases (--database URL measures a database as it is)"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    parsed = urlparse(url)
    conn = psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{parsed.path.strip("/")}"')
    conn.close()
