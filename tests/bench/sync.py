"""Sync bundles (docs/sync.md): export and import of about 100,000 changes, and the demo's bundle size.

A field site is built from nothing as a user would (`trainer init`, `site init`, `trainer demo
--scale quick`: about 97,000 logged changes), headquarters likewise, each trusting the other,
in child processes; then the export (site) and the import (a fresh headquarters) are timed in
this process with the peak memory growth (streamed: it must stay flat, not grow with the
bundle). At full scale the default demo (33,900 persons) is exported too, for its size.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench.context import Context, missing
from tests.bench.measure import PeakMemory, Row, Stats, Target, not_measured

AREA = "sync"
TARGETS = (Target("median", 10.0), Target("memory", 200))
PASSWORD = "bench sync password 1"
AUDIT_KEY = "bench-sync-audit-key-0123456789abcdef"


def _trainer(ctx: Context, url: str, config: Path, *argv: str, stdin: str | None = None) -> str:
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "TRAINER_AUDIT_KEY": AUDIT_KEY, "TRAINER_PASSWORD": PASSWORD}
    done = subprocess.run(
        [ctx.python, "-m", "trainer.cli", "--db", url, *argv],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        cwd=Path(__file__).resolve().parents[2],
    )
    if done.returncode != 0:
        raise RuntimeError(f"trainer {' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout


def _place(ctx: Context, tmp: Path, code: str, *flags: str, demo: str | None = None) -> tuple[str, Path]:
    url, config = f"sqlite:///{tmp / (code + '.db')}", tmp / f"{code}-config"
    _trainer(ctx, url, config, "init")
    _trainer(ctx, url, config, "user", "add", "chief", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    _trainer(ctx, url, config, "--user", "chief", "site", "init", code, "--name", code, *flags)
    if demo:
        _trainer(ctx, url, config, "--user", "chief", "demo", "--scale", demo)
    _trainer(ctx, url, config, "--user", "chief", "site", "key", "--output", str(tmp / f"{code}.json"))
    return url, config


def _use(url: str, config: Path):
    os.environ.update(XDG_CONFIG_HOME=str(config), TRAINER_AUDIT_KEY=AUDIT_KEY)
    from trainer.accounts import users
    from trainer.setup import connect

    connect(url)
    return users.authenticate("chief", PASSWORD)


def measure(ctx: Context) -> list[Row]:
    why = missing("trainer.sync.exchange:export", "trainer.sync.exchange:import_bundle")
    if why:
        return [not_measured(AREA, "sync export, ~100,000 changes", why, TARGETS)]
    from trainer.sync import exchange

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as name:
        tmp = Path(name)
        site_url, site_cfg = _place(ctx, tmp, "ERBIL", "--block", "3", demo="quick")
        hq_url, hq_cfg = _place(ctx, tmp, "HQ", "--hq")
        _trainer(
            ctx, hq_url, hq_cfg, "--user", "chief", "site", "trust", "ERBIL", "--public-key", str(tmp / "ERBIL.json")
        )
        _trainer(
            ctx, site_url, site_cfg, "--user", "chief", "site", "trust", "HQ", "--public-key", str(tmp / "HQ.json")
        )
        hq_copy = tmp / "HQ.db"  # closed: only child processes opened it

        chief = _use(site_url, site_cfg)
        bundle = tmp / "erbil.bundle"
        runs = ctx.runs(3, 2)
        times, done = [], None
        with PeakMemory() as mem:
            for _ in range(runs):
                start = time.perf_counter()
                done = exchange.export(chief, bundle, None)
                times.append(time.perf_counter() - start)
        assert done is not None
        rows.append(
            Row(
                AREA,
                f"sync export, {done.changes:,} changes",
                Stats(tuple(times)),
                mem.mb,
                TARGETS,
                memory_method=mem.method,
                note=f"exchange.export of a quick demo site (signed, encrypted, compressed): "
                f"{done.bytes / 2**20:.1f} MB, {done.changes / min(times):,.0f} changes/s",
                extra={"changes": done.changes, "bytes": done.bytes},
            )
        )

        times, applied = [], 0
        with PeakMemory() as mem:
            for run in range(runs):
                fresh = tmp / f"HQ-run{run}.db"  # each run into an empty headquarters of its own
                fresh.write_bytes(hq_copy.read_bytes())
                hq_chief = _use(f"sqlite:///{fresh}", hq_cfg)
                start = time.perf_counter()
                got = exchange.import_bundle(hq_chief, bundle)
                times.append(time.perf_counter() - start)
                applied = got.applied
        rate = applied / min(times)
        rows.append(
            Row(
                AREA,
                f"sync import, {applied:,} changes",
                Stats(tuple(times)),
                mem.mb,
                TARGETS,
                memory_method=mem.method,
                note=f"exchange.import_bundle into an empty headquarters (SQLite): verify, decrypt, log, "
                f"merge, summaries; {rate:,.0f} changes/s applied (target >= 10,000/s)",
                extra={"changes": applied, "changes_per_s": rate},
            )
        )

        if not ctx.quick:
            demo_url, demo_cfg = _place(ctx, tmp, "MOSUL", "--block", "4", demo="default")
            _trainer(
                ctx, demo_url, demo_cfg, "--user", "chief", "site", "trust", "HQ", "--public-key", str(tmp / "HQ.json")
            )
            chief = _use(demo_url, demo_cfg)
            start = time.perf_counter()
            done = exchange.export(chief, tmp / "mosul.bundle", None)
            took = time.perf_counter() - start
            rows.append(
                Row(
                    AREA,
                    f"default demo bundle, {done.changes:,} changes",
                    Stats((took,)),
                    None,
                    (),
                    note=f"size {done.bytes / 2**20:.1f} MB (target < 20 MB) for the default demo's 33,900 persons",
                    extra={"changes": done.changes, "bytes": done.bytes},
                )
            )
    return rows
