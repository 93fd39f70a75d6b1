"""Sync bundles (docs/sync.md): export and import of about 100,000 changes, and the demo's bundle size.

A field site is built from nothing as a user would (`trainer init`, `site init`, `trainer demo
--scale quick`: about 97,000 logged changes), headquarters likewise, each trusting the other,
in child processes; then the export (site) and the import (a fresh headquarters) are timed in
this process with the peak memory growth (streamed: it must stay flat, not grow with the
bundle). At full scale the default demo (33,900 persons) is exported too, for its size.

The places live on the benchmark's own kind of database: SQLite files, or, when the run is on
PostgreSQL (TRAINER_BENCH_DATABASE_URL), databases named after the benchmark's with `_sync_<code>`
appended (made from nothing and dropped at the end, as each fresh headquarters is).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from tests.bench import data
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


class Places:
    """Where each place's database lives: files in the temporary folder, or PostgreSQL databases
    beside the benchmark's (each made empty, and all dropped by `drop`)."""

    def __init__(self, ctx: Context, tmp: Path) -> None:
        self.tmp, self.made = tmp, []
        self.postgres = not data.is_sqlite_url(ctx.url)
        self.base = urlparse(ctx.url)
        self.backend = "PostgreSQL" if self.postgres else "SQLite"

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.base._replace(path="/postgres").geturl(), autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def _name(self, name: str) -> str:
        return f"{self.base.path.strip('/')}_sync_{name.lower()}"

    def url(self, name: str) -> str:
        """An empty database for the place `name`."""
        if not self.postgres:
            return f"sqlite:///{self.tmp / (name + '.db')}"
        db = self._name(name)
        self._admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"')
        self.made.append(db)
        return self.base._replace(path=f"/{db}").geturl()

    def copy(self, name: str, to: str) -> str:
        """A copy of the (closed) database of place `name`, as place `to`."""
        if not self.postgres:
            target = self.tmp / f"{to}.db"
            target.write_bytes((self.tmp / f"{name}.db").read_bytes())
            return f"sqlite:///{target}"
        db = self._name(to)
        self._admin(
            f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}" TEMPLATE "{self._name(name)}"'
        )
        self.made.append(db)
        return self.base._replace(path=f"/{db}").geturl()

    def drop(self) -> None:
        if self.postgres:
            self._admin(*(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in self.made))


def _place(ctx: Context, places: Places, code: str, *flags: str, demo: str | None = None) -> tuple[str, Path]:
    url, config = places.url(code), places.tmp / f"{code}-config"
    _trainer(ctx, url, config, "init")
    _trainer(ctx, url, config, "user", "add", "chief", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    _trainer(ctx, url, config, "--user", "chief", "site", "init", code, "--name", code, *flags)
    if demo:
        _trainer(ctx, url, config, "--user", "chief", "demo", "--scale", demo)
    _trainer(ctx, url, config, "--user", "chief", "site", "key", "--output", str(places.tmp / f"{code}.json"))
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
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as name:
        places = Places(ctx, Path(name))
        try:
            return _measure(ctx, places)
        finally:
            from db.connection import database

            database.close()  # this process's connection to the last place, before dropping them
            places.drop()


def _measure(ctx: Context, places: Places) -> list[Row]:
    from trainer.sync import exchange

    rows = []
    tmp, on = places.tmp, f" ({places.backend})"
    site_url, site_cfg = _place(ctx, places, "ERBIL", "--block", "3", demo="quick")
    hq_url, hq_cfg = _place(ctx, places, "HQ", "--hq")
    _trainer(ctx, hq_url, hq_cfg, "--user", "chief", "site", "trust", "ERBIL", "--public-key", str(tmp / "ERBIL.json"))
    _trainer(ctx, site_url, site_cfg, "--user", "chief", "site", "trust", "HQ", "--public-key", str(tmp / "HQ.json"))
    # The headquarters' database is closed: only child processes opened it.

    chief = _use(site_url, site_cfg)
    bundle = tmp / "erbil.bundle"
    runs = ctx.runs(3, 2)
    times, cpu, done = [], [], None  # CPU seconds beside wall: on a busy machine they tell more
    with PeakMemory() as mem:
        for _ in range(runs):
            start, began = time.perf_counter(), time.process_time()
            done = exchange.export(chief, bundle, None)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - began)
    assert done is not None
    rows.append(
        Row(
            AREA,
            f"sync export, {done.changes:,} changes{on}",
            Stats(tuple(times)),
            mem.mb,
            TARGETS,
            memory_method=mem.method,
            note=f"exchange.export of a quick demo site (signed, encrypted, compressed): "
            f"{done.bytes / 2**20:.1f} MB, {done.changes / min(times):,.0f} changes/s, CPU {min(cpu):.1f} s",
            extra={"changes": done.changes, "bytes": done.bytes, "cpu_s": min(cpu)},
        )
    )

    times, cpu, applied = [], [], 0
    with PeakMemory() as mem:
        for run in range(runs):
            fresh = places.copy("HQ", f"HQ-run{run}")  # each run into an empty headquarters of its own
            hq_chief = _use(fresh, hq_cfg)
            start, began = time.perf_counter(), time.process_time()
            got = exchange.import_bundle(hq_chief, bundle)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - began)
            applied = got.applied
    rate = applied / min(times)
    rows.append(
        Row(
            AREA,
            f"sync import, {applied:,} changes{on}",
            Stats(tuple(times)),
            mem.mb,
            TARGETS,
            memory_method=mem.method,
            note=f"exchange.import_bundle into an empty headquarters ({places.backend}): verify, decrypt, log, "
            f"merge, summaries; {rate:,.0f} changes/s applied (target >= 10,000/s), CPU {min(cpu):.1f} s",
            extra={"changes": applied, "changes_per_s": rate, "cpu_s": min(cpu)},
        )
    )

    if not ctx.quick:
        demo_url, demo_cfg = _place(ctx, places, "MOSUL", "--block", "4", demo="default")
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
                f"default demo bundle, {done.changes:,} changes{on}",
                Stats((took,)),
                None,
                (),
                note=f"size {done.bytes / 2**20:.1f} MB (target < 20 MB) for the default demo's 33,900 persons",
                extra={"changes": done.changes, "bytes": done.bytes},
            )
        )
    return rows
