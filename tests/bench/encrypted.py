"""Encryption at rest: the same operations on the plain database and on an encrypted copy of it
(SQLCipher, db/cipher.py), in one run, alternating, so both see the same machine load.

The encrypted copy is made from the scratch copy with sqlcipher_export (the time it took is
noted: it is what `trainer encrypt` costs at this scale). Each row's figure is the encrypted
database's; its target is the plain database's figure times MAX_OVERHEAD, measured beside it
(so guards do not stretch it for load); the note gives both and the overhead. Each side is
measured twice, alternating, and its better median kept.
Operations: a substring search through the service (trigram index), the one-quarter report,
and a one-record save with its search index kept current (database time).
"""

from __future__ import annotations

import functools
import math
import time
from pathlib import Path

from tests.bench import reports, saving, search
from tests.bench.context import Context, actor, missing
from tests.bench.measure import Row, Stats, Target, attempt, not_measured, timed

AREA = "encrypted"
MAX_OVERHEAD = 1.3
ROUNDS = 2  # plain, encrypted, plain, encrypted
KEY = "b" * 64  # a benchmark database holds no secrets; the key is fixed like its other keys
SUMMARY = "encrypted SQLite: overhead against plain (geometric mean of the medians)"


def _bind(url: str, key: str | None) -> None:
    from trainer.setup import connect

    connect(url, key=key)


def measure(ctx: Context) -> list[Row]:
    ops = ["search substring", "report one quarter", "save one trainee"]
    if not ctx.scratch_url or not ctx.scratch_url.startswith("sqlite:"):
        return [
            not_measured(AREA, f"encrypted SQLite: {op}", "SQLite only (PostgreSQL encrypts on its server)")
            for op in ops
        ]
    why = missing("db.cipher:export_encrypted", "trainer.registry.trainees:search")
    if why:
        return [not_measured(AREA, f"encrypted SQLite: {op}", why, (Target("median", 1.0),)) for op in ops]
    from db import cipher

    plain = ctx.scratch_url
    source = Path(plain[len("sqlite:///") :])
    target = source.with_name(source.stem + "-encrypted.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    cipher.export_encrypted(source, target, KEY)
    export_s = time.perf_counter() - started
    encrypted = f"sqlite:///{target}"
    pairs = [
        ("search substring", functools.partial(_search, ctx)),
        ("report one quarter", functools.partial(_report, ctx)),
        ("save one trainee", functools.partial(saving.save_record, ctx.runs(200, 40))),
    ]
    rows, overheads = [], []
    try:
        for name, fn in pairs:
            rows += attempt(AREA, f"encrypted SQLite: {name}", (), functools.partial(_pair, name, fn, plain, encrypted))
            if rows[-1].status == "measured":
                overheads.append(rows[-1].extra["overhead"])
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    if overheads:
        mean = math.exp(sum(math.log(x) for x in overheads) / len(overheads))
        rows.append(
            Row(
                AREA,
                SUMMARY,
                note=f"{mean:.2f}x over {len(overheads)} operations (target at most {MAX_OVERHEAD}x); making the "
                f"encrypted copy (sqlcipher_export) took {export_s:.1f} s",
                status="measured",
                extra={"overhead": mean, "export_s": export_s},
            )
        )
    return rows


def _pair(name: str, fn, plain: str, encrypted: str) -> Row:  # type: ignore[no-untyped-def]
    # Two rounds, alternating, the better median of each side kept: a burst of other work on a
    # shared machine then has to hit both rounds of one side to tilt the ratio.
    plain_rows, encrypted_rows = [], []
    for _ in range(ROUNDS):
        _bind(plain, None)
        plain_rows.append(fn())
        _bind(encrypted, KEY)
        encrypted_rows.append(fn())
    before = min(plain_rows, key=lambda r: r.stats.median if r.stats else math.inf)
    after = min(encrypted_rows, key=lambda r: r.stats.median if r.stats else math.inf)
    assert before.stats is not None and after.stats is not None
    overhead = after.stats.median / before.stats.median if before.stats.median > 0 else 1.0
    return Row(
        AREA,
        f"encrypted SQLite: {name}",
        after.stats,
        after.peak_mb,
        (Target("median", before.stats.median * MAX_OVERHEAD),),
        memory_method=after.memory_method,
        note=f"{before.operation}: plain median {before.stats.median * 1000:.2f} ms, encrypted "
        f"{after.stats.median * 1000:.2f} ms: {overhead:.2f}x (target: at most {MAX_OVERHEAD}x plain, "
        "measured beside it)",
        extra={"overhead": overhead, "plain_median_s": before.stats.median, "target_from_floor": True},
    )


def _search(ctx: Context) -> Row:
    from trainer.registry import trainees

    _, substring = search.queries(ctx.runs(200, 60), seed=8)
    who = actor("admin")
    stats: Stats = timed(lambda q: trainees.search(who, q, limit=50), substring[-10:] + substring, warmup=10)
    return Row(AREA, "search substring, first 50: service call", stats)


def _report(ctx: Context) -> Row:
    return reports.one(ctx, reports.QUARTER_OP, reports.last_full_quarter())
