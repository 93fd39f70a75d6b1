"""`python -m tests.bench.run --scale full|quick`: build or reuse the database, measure every
area, print one table, write it as JSON under bench/results/.

Each area runs in its own child process (`--child AREA`), so that one area's memory figures
start from a fresh interpreter and a crash in one area leaves the others measured.
Exit status: 0 when every area ran and, with --guard (the default at the quick scale, that is
`make bench-quick` in CI), every row held its guard (tests/bench/guards.py: 3x its target, a
baseline ratio of at least 1); 1 when a measurement failed with an error or a guard was
breached, the breaching rows named. Without guards missed targets are printed, not asserted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from tests.bench import data, guards
from tests.bench.context import Context
from tests.bench.measure import Row, failed, not_measured
from tests.bench.table import render, row_from_json, write_json

# area -> module; in the order they run. The writing areas use a scratch copy of the database.
READING = {
    "startup": "tests.bench.startup",
    "search": "tests.bench.search",
    "reports": "tests.bench.reports",
    "exports": "tests.bench.exports",
    "tui": "tests.bench.tui",
    "stations": "tests.bench.stations",
}
WRITING = {
    "saving": "tests.bench.saving",
    "imports": "tests.bench.imports",
    "encrypted": "tests.bench.encrypted",
    "sync": "tests.bench.sync",
}
AREAS = {**READING, **WRITING}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=sorted(data.SCALES), default="full")
    p.add_argument("--only", metavar="AREA,...", help=f"areas to run (of {', '.join(AREAS)})")
    p.add_argument("--rebuild", action="store_true", help="build the database again even if it is right")
    p.add_argument(
        "--database",
        metavar="URL",
        help="measure this existing database as it is (no demo build; "
        "its demo users' password must be the benchmark's)",
    )
    p.add_argument(
        "--guard",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fail when a row is worse than its guard (default: on at the quick scale, off at full)",
    )
    p.add_argument("--child", metavar="AREA", help=argparse.SUPPRESS)
    p.add_argument("--context", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args.child, Context(**json.loads(args.context)), Path(args.out))
    areas = list(AREAS) if not args.only else [a.strip() for a in args.only.split(",") if a.strip()]
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        p.error(f"unknown area(s): {', '.join(unknown)}")
    guard = args.guard if args.guard is not None else args.scale == "quick"
    return orchestrate(data.SCALES[args.scale], areas, rebuild=args.rebuild, database=args.database, guard=guard)


def orchestrate(
    scale: data.Scale, areas: list[str], *, rebuild: bool, database: str | None = None, guard: bool = False
) -> int:
    started = time.perf_counter()
    slacks = {"data": guards.load_slack(os.getloadavg()[0])}
    data.use_bench_keys()  # children inherit them
    if database:
        url = database
        rows: list[Row] = [
            not_measured(
                "data",
                f"trainer demo --scale {scale.demo_scale}",
                "--database given: an existing database measured as it is",
            )
        ]
    else:
        url = data.database_url(scale)
        rows = data.ensure(scale, url, rebuild=rebuild)
    data.prepare(url)
    scratch = None
    timeout = 900 if scale.name == "full" else 120
    by_area: dict[str, list[Row]] = {}
    for area in areas:
        if area in WRITING and scratch is None:
            scratch = data.make_scratch(url)
        ctx = Context(scale.name, url, scratch, sys.executable)
        by_area[area], slacks[area] = measure_area(area, ctx, timeout)
    failing: list[guards.Breach] = []
    if guard:
        failing = [b for r in rows for b in guards.breaches(r, slacks["data"])]
        for area in areas:
            first = {b.operation for r in by_area[area] for b in guards.breaches(r, slacks[area])}
            if not first:
                continue
            # Once more: a row fails only if it breached both times (a burst of other work is not a slowdown).
            print(f"bench: {area}: guard breached ({', '.join(sorted(first))}), measuring again", file=sys.stderr)
            if area in WRITING:  # a fresh copy: the first run's writes would change what is measured
                data.drop_scratch(scratch)
                scratch = data.make_scratch(url)
            by_area[area], slacks[area] = measure_area(area, Context(scale.name, url, scratch, sys.executable), timeout)
            failing += [b for r in by_area[area] for b in guards.breaches(r, slacks[area]) if b.operation in first]
    for area in areas:
        rows += by_area[area]
    if scratch:
        data.drop_scratch(scratch)
    backend = "SQLite" if data.is_sqlite_url(url) else "PostgreSQL"
    load = os.getloadavg()[1]  # other work on the machine makes every wall-clock figure worse
    title = (
        f"trainer benchmark — scale {scale.name}, {backend}, {os.cpu_count()} CPUs (load average "
        f"{load:.1f} over 5 min), {time.strftime('%Y-%m-%d %H:%M')}, {time.perf_counter() - started:.0f} s"
    )
    print()
    print(render(rows, title=title))
    if guard:
        print()
        print(guards.summary(failing, len(rows), slacks))
    path = write_json(
        rows,
        {
            "scale": scale.name,
            "backend": backend,
            "database": _redacted(url),
            "commit": _commit(),
            "areas": areas,
            "seconds": time.perf_counter() - started,
            "load_average_5min": load,
            "cpus": os.cpu_count(),
            "guards": None if not guard else {"breached": [str(b) for b in failing], "load_slack": slacks},
        },
        data.RESULTS,
    )
    print(f"\nwritten to {path.relative_to(data.ROOT)}")
    return 1 if failing or any(r.status == "failed" for r in rows) else 0


def measure_area(area: str, ctx: Context, timeout: float) -> tuple[list[Row], float]:
    """The area's rows, and the load slack for its guards (the busier end of its run)."""
    print(f"bench: {area} …", end="", file=sys.stderr, flush=True)
    started, load = time.perf_counter(), os.getloadavg()[0]
    rows = run_child(area, ctx, timeout=timeout)
    load = max(load, os.getloadavg()[0])
    print(f" {time.perf_counter() - started:.0f} s (load {load:.1f})", file=sys.stderr, flush=True)
    return rows, guards.load_slack(load)


def _redacted(url: str) -> str:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return url.replace(f":{parsed.password}@", ":***@") if parsed.password else url


def _commit() -> str | None:
    """The checked-out commit (and whether the tree differs from it), to compare runs over time."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=data.ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=data.ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (head + ("+changes" if dirty else "")) or None


def run_child(area: str, ctx: Context, *, timeout: float) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out, err = Path(tmp) / "rows.json", Path(tmp) / "stderr.txt"
        cmd = [
            sys.executable,
            "-m",
            "tests.bench.run",
            "--child",
            area,
            "--context",
            json.dumps(ctx.as_dict()),
            "--out",
            str(out),
        ]
        with open(err, "w") as stderr:
            try:
                code = subprocess.run(cmd, cwd=data.ROOT, stdout=stderr, stderr=stderr, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                return [failed(area, f"{area} (whole area)", TimeoutError(f"no result within {timeout:.0f} s"))]
        text = err.read_text(errors="replace")
        if out.exists():
            rows = [row_from_json(r) for r in json.loads(out.read_text())]
            if any(r.status == "failed" for r in rows) and text.strip():
                sys.stderr.write(text)
            return rows
        sys.stderr.write(text)
        last = (text.strip().splitlines() or [f"exit {code}"])[-1]
        return [failed(area, f"{area} (whole area)", RuntimeError(last))]


def child(area: str, ctx: Context, out: Path) -> int:
    try:
        rows = importlib.import_module(AREAS[area]).measure(ctx)
    except Exception as exc:
        traceback.print_exc()
        rows = [failed(area, f"{area} (whole area)", exc)]
    out.write_text(json.dumps([r.as_json() for r in rows], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
