"""Speed guards: what makes `make bench-quick` (CI) fail, while the table itself only informs.

A row breaches its guard when
- a timed figure is worse than GUARD_FACTOR times its target (the same statistic: a p95 target
  guards the p95), or a memory figure is worse than GUARD_FACTOR times its memory target;
- it has a baseline and the ratio (baseline median / the app's median) falls below 1: the
  app's way lost to the naive one;
- it was meant to be measured and was not (a failed or "not measured" row with a target or a
  baseline): a check that never runs guards nothing.

Wall-clock figures stretch when the machine runs more work than it has CPUs (each runnable
process gets about cpus / load of a CPU), so a time limit is multiplied by max(1, load / cpus),
the 1-minute load average around the area's run, and a p95 limit by its square (tails are what
a busy machine stretches most); on a quiet machine (CI) the guards are exactly 3x. Memory
limits, ratios and targets set from a floor measured beside the row (app start) are not
stretched.
An area with a breach is measured once more; a row fails only if it breached both times, so a
burst of other work does not fail a merge, and a real slowdown still does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tests.bench.measure import Row, fmt_mb, fmt_seconds

GUARD_FACTOR = 3.0


def load_slack(load: float, cpus: int | None = None) -> float:
    """How much a wall-clock limit is stretched for a machine running `load` runnable tasks."""
    cpus = cpus or os.cpu_count() or 1
    return max(1.0, load / cpus)


@dataclass(frozen=True)
class Breach:
    operation: str
    reason: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.reason}"


def breaches(row: Row, slack: float = 1.0) -> list[Breach]:
    """What is wrong with this row under the guards (empty: it holds)."""
    if row.status in ("failed", "not measured"):
        if row.targets or row.baseline:
            return [Breach(row.operation, row.note or row.status)]
        return []
    found = []
    for t in row.targets:
        if t.stat == "memory":
            if row.peak_mb is not None and row.peak_mb > GUARD_FACTOR * t.limit:
                found.append(
                    Breach(
                        row.operation,
                        f"peak memory {fmt_mb(row.peak_mb)} > guard {fmt_mb(GUARD_FACTOR * t.limit)} "
                        f"({GUARD_FACTOR:g} x target {t.text})",
                    )
                )
            continue
        if row.stats is None:
            found.append(Breach(row.operation, f"no figure for target {t.text}"))
            continue
        if row.extra.get("target_from_floor"):
            slack = 1.0  # the target is a floor measured under the same load
        # A tail waits out whole time slices of the other work (a run cut off mid-way waits for
        # every other runnable task's turn), so a p95 stretches by the square of the median's factor.
        stretch = slack * slack if t.stat == "p95" else slack
        figure, limit = row.stats.value(t.stat), GUARD_FACTOR * t.limit * stretch
        if figure > limit:
            stretched = f" x load {stretch:.1f}" if stretch > 1 else ""
            found.append(
                Breach(
                    row.operation,
                    f"{t.stat} {fmt_seconds(figure)} > guard {fmt_seconds(limit)} "
                    f"({GUARD_FACTOR:g} x target {t.text}{stretched})",
                )
            )
    if row.baseline and row.ratio is not None and row.ratio < 1:
        found.append(Breach(row.operation, f"ratio {row.ratio:.2f}x against {row.baseline}: below 1"))
    return found


def summary(failing: list[Breach], checked: int, slacks: dict[str, float]) -> str:
    most = max(slacks.values(), default=1.0)
    head = f"guards: {checked} rows checked against {GUARD_FACTOR:g} x target and baseline ratio >= 1" + (
        f"; time limits stretched up to x{most:.1f} for load" if most > 1 else ""
    )
    if not failing:
        return f"{head}: all held"
    return "\n".join([f"{head}: {len(failing)} BREACHED", *(f"  {b}" for b in failing)])
