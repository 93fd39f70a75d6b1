"""The one table the benchmark prints, and the same figures as JSON under bench/results/."""

from __future__ import annotations

import json
import platform
import textwrap
from pathlib import Path

from tests.bench.measure import Row, Stats, Target, fmt_mb, fmt_seconds, now_stamp

HEAD = ("operation", "median", "p95", "runs", "peak mem", "target", "within", "baseline", "ratio")


def _cells(row: Row) -> tuple[str, ...]:
    if row.status in ("not measured", "failed"):
        return (row.operation, row.note, "", "", "", ", ".join(t.text for t in row.targets) or "-", "-", "", "")
    s = row.stats
    within = {True: "yes", False: "NO", None: "-"}[row.within]
    base = "-"
    if row.baseline:
        base = f"{row.baseline} {fmt_seconds(row.baseline_stats.median) if row.baseline_stats else '-'}"
    ratio = f"{row.ratio:.1f}x" if row.ratio is not None else "-"
    return (
        row.operation,
        fmt_seconds(s.median if s else None),
        fmt_seconds(s.p95 if s else None),
        str(s.n) if s else "-",
        fmt_mb(row.peak_mb),
        ", ".join(t.text for t in row.targets) or "-",
        within,
        base,
        ratio,
    )


def render(rows: list[Row], *, title: str) -> str:
    cells = [HEAD] + [_cells(r) for r in rows]
    # A "not measured"/"failed" note spans the figure columns: keep it out of the width sums.
    widths = [
        max(len(c[i]) for c in cells if not (i == 1 and c is not HEAD and c[2] == "" and c[3] == ""))
        for i in range(len(HEAD))
    ]
    lines = [title, ""]
    for n, c in enumerate(cells):
        if n and c[2] == "" and c[3] == "":
            lines.append(f"{c[0]:<{widths[0]}}  {c[1]}")
            continue
        lines.append(
            "  ".join(v.ljust(w) if i in (0, 5, 7) else v.rjust(w) for i, (v, w) in enumerate(zip(c, widths))).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [(r.operation, r.note) for r in rows if r.note and r.status not in ("not measured", "failed")]
    if notes:
        lines += ["", "notes:"]
        for op, note in notes:
            lines += textwrap.wrap(f"{op}: {note}", 110, initial_indent="  ", subsequent_indent="    ")
    missed = [r for r in rows if r.within is False]
    not_measured = [r for r in rows if r.status in ("not measured", "failed")]
    lines += [
        "",
        f"{len(rows)} operations: {sum(r.within is True for r in rows)} within target, "
        f"{len(missed)} missed, {len(not_measured)} not measured or failed",
    ]
    return "\n".join(lines)


def write_json(rows: list[Row], meta: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{meta['scale']}-{now_stamp()}.json"
    meta = dict(meta, python=platform.python_version(), machine=platform.machine(), system=platform.platform())
    path.write_text(json.dumps({"meta": meta, "rows": [r.as_json() for r in rows]}, indent=1, ensure_ascii=False))
    return path


def row_from_json(d: dict) -> Row:
    def stats(s):
        return None if s is None else Stats(tuple(s["samples_s"]))

    targets = tuple(Target(t["stat"], t["limit"]) for t in d.get("targets", ()))
    return Row(
        d["area"],
        d["operation"],
        stats(d["stats"]),
        d["peak_mb"],
        targets,
        d["baseline"] or "",
        stats(d["baseline_stats"]),
        d["status"],
        d["note"],
        d.get("memory_method", ""),
        d.get("extra", {}),
    )
