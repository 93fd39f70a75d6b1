"""Person-level export of the whole registry (`trainer.reporting.registry_export.export_trainees`, as the
analyst runs it: pseudonymised), CSV and XLSX.

Every run is a fresh process (`python -m tests.bench.exports FORMAT URL PATH`) so that one run's
memory cannot hide in another's freed heap. Memory is the growth of that process's peak
resident set (VmHWM, reset just before the call) over its resident set just before the call:
what the export itself adds, SQLite's cache and the writer's buffers included. The whole
process's peak RSS (interpreter, imports and all) is given in the note.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.context import Context, missing
from tests.bench.measure import Row, Stats, Target, attempt, not_measured

AREA = "exports"
OPS = {"csv": "CSV export, whole registry", "xlsx": "XLSX export, whole registry"}
TARGETS = {"csv": (Target("median", 2.0), Target("memory", 30)), "xlsx": (Target("median", 25.0), Target("memory", 50))}


def measure(ctx: Context) -> list[Row]:
    why = missing("trainer.reporting.registry_export:export_trainees")
    if why:
        return [not_measured(AREA, OPS[f], why, TARGETS[f]) for f in OPS]
    rows = []
    for fmt, runs in (("csv", ctx.runs(5, 2)), ("xlsx", ctx.runs(3, 1))):
        rows += attempt(AREA, OPS[fmt], TARGETS[fmt], functools.partial(one, ctx, fmt, runs))
    return rows


def one(ctx: Context, fmt: str, runs: int) -> Row:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        for _run in range(runs):
            out = Path(tmp) / f"trainees.{fmt}"
            proc = subprocess.run(
                [ctx.python, "-m", "tests.bench.exports", fmt, ctx.url, str(out)],
                capture_output=True,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
            if proc.returncode != 0:
                raise RuntimeError((proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1])
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            out.unlink(missing_ok=True)
    r0 = results[0]
    return Row(
        AREA,
        OPS[fmt],
        Stats(tuple(r["seconds"] for r in results)),
        max(r["growth_mb"] for r in results),
        TARGETS[fmt],
        memory_method="export process's peak RSS growth",
        note=f"report_trainees.export_trainees, {r0['rows']:,} rows, {r0['bytes'] / 2**20:.1f} MB file, "
        "pseudonymised; a fresh process per run, whose whole peak RSS was "
        f"{max(r['process_peak_mb'] for r in results):.0f} MB",
    )


def _status_kb(key: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def child(fmt: str, url: str, path: str) -> None:
    from tests.bench.context import actor, bind
    from trainer.reporting.registry_export import export_trainees

    bind(url)
    who = actor("analyst")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # peak := now
    before = _status_kb("VmRSS")
    start = time.perf_counter()
    done = export_trainees(who, fmt, path)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": done.rows,
                "bytes": os.path.getsize(path),
                "growth_mb": (_status_kb("VmHWM") - before) / 1024,
                "process_peak_mb": _status_kb("VmHWM") / 1024,
            }
        )
    )


if __name__ == "__main__":
    child(*sys.argv[1:4])
