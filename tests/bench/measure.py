"""Timing and memory: several runs, median and p95, peak resident memory, targets.

Memory is the growth of the process's peak resident set (VmHWM) over its
resident set when the measurement began: Linux lets a process reset its own
high-water mark (/proc/self/clear_refs "5"), so the figure covers SQLite's and
Python's allocations alike and costs nothing while timing. Where that reset
is refused, tracemalloc's peak (Python allocations only) is used instead and
the row says so.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# --- timing -------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    samples: tuple[float, ...]  # seconds, one per run

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """Nearest rank: with few runs this is the slowest run, never an interpolated figure."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def best(self) -> float:
        return min(self.samples)

    def value(self, stat: str) -> float:
        return {"median": self.median, "p95": self.p95, "best": self.best}[stat]


def timed(fn: Callable[..., object], inputs: Iterable, *, warmup: int = 1) -> Stats:
    """fn(x) for each input; the first `warmup` calls are untimed (caches, statement cache),
    so that every timed call sees an input of its own (a save never repeats an earlier one)."""
    inputs = list(inputs)
    for x in inputs[:warmup]:
        fn(x)
    samples = []
    for x in inputs[warmup:]:
        start = time.perf_counter()
        fn(x)
        samples.append(time.perf_counter() - start)
    return Stats(tuple(samples))


def repeat(fn: Callable[[], object], runs: int, *, warmup: int = 1) -> Stats:
    return timed(lambda _: fn(), range(runs + warmup), warmup=warmup)


# --- memory -------------------------------------------------------------------


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in KiB."""
    text = open("/proc/self/status").read()
    return {k: int(re.search(rf"^{k}:\s+(\d+)", text, re.M).group(1)) for k in ("VmRSS", "VmHWM")}


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class PeakMemory:
    """`with PeakMemory() as mem: ...` then `mem.mb`: how far the peak rose above the start."""

    def __init__(self) -> None:
        self.mb: float | None = None
        self.method = "rss"
        self._start = 0

    def __enter__(self) -> PeakMemory:
        if _reset_hwm():
            self._start = _status()["VmRSS"]
        else:
            self.method = "tracemalloc"
            tracemalloc.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.method == "rss":
            self.mb = max(0, _status()["VmHWM"] - self._start) / 1024
        else:
            self.mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()


def rss_mb() -> float:
    return _status()["VmRSS"] / 1024


# --- database time --------------------------------------------------------------


@contextmanager
def database_time(db) -> Iterator[dict[str, float]]:
    """Seconds spent inside the database while the block runs: every statement (peewee's query
    hooks time cursor.execute) plus BEGIN/COMMIT/ROLLBACK. Opening a connection is not counted.
    Yields {"total": ..., "commit": ...} (COMMIT alone, the part a disk flush lands in)."""
    spent = {"total": 0.0, "commit": 0.0}

    def hook(event) -> None:
        spent["total"] += event.duration

    def timed_method(name: str):
        original = getattr(db, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                spent["total"] += took
                if name == "commit":
                    spent["commit"] += took

        return wrapper

    db.query_hooks.append(hook)
    for name in ("begin", "commit", "rollback"):
        setattr(db, name, timed_method(name))
    try:
        yield spent
    finally:
        db.query_hooks.remove(hook)
        for name in ("begin", "commit", "rollback"):
            del db.__dict__[name]


# --- what one line of the table holds ----------------------------------------


@dataclass(frozen=True)
class Target:
    stat: str  # "median", "p95" (seconds) or "memory" (MB)
    limit: float

    @property
    def text(self) -> str:
        if self.stat == "memory":
            return f"< {self.limit:g} MB"
        return f"{self.stat} < {fmt_seconds(self.limit)}"

    def met(self, row: Row) -> bool | None:
        if self.stat == "memory":
            return None if row.peak_mb is None else row.peak_mb < self.limit
        return None if row.stats is None else row.stats.value(self.stat) < self.limit


@dataclass
class Row:
    area: str
    operation: str
    stats: Stats | None = None
    peak_mb: float | None = None
    targets: tuple[Target, ...] = ()
    baseline: str = ""  # what the naive way is, when there is one
    baseline_stats: Stats | None = None
    status: str = "measured"  # measured | earlier | not measured | failed
    note: str = ""
    memory_method: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def within(self) -> bool | None:
        if self.status not in ("measured", "earlier") or not self.targets:
            return None
        verdicts = [t.met(self) for t in self.targets]
        if any(v is False for v in verdicts):
            return False
        return None if any(v is None for v in verdicts) else True

    @property
    def ratio(self) -> float | None:
        """How many times slower the baseline is (medians): above 1, the app's way wins."""
        if self.stats is None or self.baseline_stats is None or self.stats.median <= 0:
            return None
        return self.baseline_stats.median / self.stats.median

    def as_json(self) -> dict:
        def stats(s: Stats | None):
            return (
                None if s is None else {"runs": s.n, "median_s": s.median, "p95_s": s.p95, "samples_s": list(s.samples)}
            )

        return {
            "area": self.area,
            "operation": self.operation,
            "status": self.status,
            "stats": stats(self.stats),
            "peak_mb": self.peak_mb,
            "memory_method": self.memory_method,
            "targets": [{"stat": t.stat, "limit": t.limit, "text": t.text} for t in self.targets],
            "within_target": self.within,
            "baseline": self.baseline or None,
            "baseline_stats": stats(self.baseline_stats),
            "ratio": self.ratio,
            "note": self.note,
            **({"extra": self.extra} if self.extra else {}),
        }


def not_measured(area: str, operation: str, why: str, targets: tuple[Target, ...] = ()) -> Row:
    return Row(area, operation, targets=targets, status="not measured", note=f"not measured: {why}")


def failed(area: str, operation: str, exc: BaseException, targets: tuple[Target, ...] = ()) -> Row:
    text = (str(exc).strip().splitlines() or [""])[0][:160]
    return Row(area, operation, targets=targets, status="failed", note=f"failed: {type(exc).__name__}: {text}")


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 0.001:
        return f"{s * 1000:.2f} ms"
    if s < 1:
        return f"{s * 1000:.3g} ms" if s < 0.1 else f"{s * 1000:.0f} ms"
    if s < 100:
        return f"{s:.3g} s"
    return f"{s:.0f} s"


def fmt_mb(mb: float | None) -> str:
    return "-" if mb is None else f"{mb:.1f} MB"


def now_stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S")


def cpu_count() -> int:
    return os.cpu_count() or 1


def attempt(area: str, operation: str, targets: tuple[Target, ...], fn: Callable[[], Row | list[Row]]) -> list[Row]:
    """One measurement; an error becomes a "failed" row (traceback on stderr), never a figure."""
    import sys
    import traceback

    try:
        result = fn()
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [failed(area, operation, exc, targets)]
    return result if isinstance(result, list) else [result]
