"""Deterministic demo data, loaded in bulk into an empty database.

`generate(scale=..., seed=...)` fills the bound database (after
`trainer.setup.connect`). The same seed gives the same rows: every random
choice comes from `random.Random` streams seeded from it, identities are
UUIDv7-shaped values built from a fixed clock and those streams, and "today"
is the constant `TODAY`, never the machine's clock. Only the password hash
(a random salt) differs between runs.

Scales:
* default: exactly 15,000 police and 6,000 border guards trained (unique
  persons who graduated a basic course of their force; some graduate twice),
  graduates of the four other forces, and persons who failed, withdrew, are
  in training or on a waiting list; about 34,000 trainees.
* quick: the default mix shrunk to exactly 10,000 trainees (tests, quick
  benchmarks); no exact published figures.
* full (benchmarks): exactly 250,000 trainees, 10,000 cohorts, 1,000,000
  enrolments, 2,500,000 results and 250,000 certificates.

Plan first, then write: cohorts and the outcome of every seat are planned in
memory (compact arrays), with exact totals reached by selection sampling;
then rows are generated in chunks of 50,000 and written inside one
transaction (SQLite `executemany`, PostgreSQL `COPY`), the trainee search
index rebuilt once (`db.search.bulk_load`), the bulk tables' secondary
indexes (and on PostgreSQL their foreign keys) dropped first and rebuilt at
the end. One audit event records the load; the report summaries
(`trainer.reporting.summary`) are rebuilt after it, at every scale, so that no report waits for them.

Certificate numbers and verification codes take the form issued ones take
(trainer.certification.numbers); the demo's codes come from its seeded streams.
"""

from __future__ import annotations

import os
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any

from db import capture, models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import SYSTEM, Actor, require
from trainer.accounts.users import hash_password
from trainer.demo import catalogue
from trainer.demo.plan import FULL, Planner, _shrunk, _uuid7_maker
from trainer.demo.record_rows import RecordRows
from trainer.demo.reference_rows import ReferenceRows
from trainer.demo.shared import BULK_TABLES, LOAD_CACHE_KIB, POPULATION, QUICK_TRAINEES, SCALES, TABLES
from trainer.demo.state import Progress
from trainer.demo.trainee_rows import TraineeRows
from trainer.errors import PermissionDenied, TrainerError
from trainer.reporting import summary


@dataclass(frozen=True)
class DemoSummary:
    scale: str
    seed: int
    counts: dict[str, int]
    trained: dict[str, int]  # unique basic-course graduates per force
    users: tuple[str, ...]  # accounts created (existing ones are kept as they are)
    password: str | None = None  # set only when generated: shown once
    seconds: float = 0.0
    summaries: bool = True  # report summaries rebuilt (else: on first use)

    def describe(self) -> str:
        lines = [f"demo data loaded (scale {self.scale}, seed {self.seed}) in {self.seconds:.1f} s"]
        lines.append("  " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in self.counts.items()))
        lines.append(
            "  trained (unique persons, basic course of their force): "
            + ", ".join(f"{k} {v:,}" for k, v in self.trained.items())
        )
        if self.users:
            lines.append(f"  users (role = name): {', '.join(self.users)}")
        if not self.summaries:
            lines.append("  report summaries: built when a report first needs them")
        if self.password:
            lines.append(f"  their password, shown this once: {self.password}")
        return "\n".join(lines)


def generate(
    actor: Actor | None = None,
    *,
    scale: str = "default",
    seed: int = 1,
    password: str | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Load demo data into the bound, empty database; see the module docstring.

    An admin loads it (demo.load); without an actor only into a database with no
    accounts yet (the first run, as the first user is added).
    """
    with database.connection_context():
        if actor is None:
            if models.User.select().exists():
                raise PermissionDenied("users exist: act as an admin (--user) to load demo data")
        else:
            require(actor, "demo.load")
    if scale not in SCALES:
        raise TrainerError(f"unknown scale {scale!r}: use {' or '.join(SCALES)}")
    started = time.perf_counter()
    password, fresh = demo_password(password)
    generated = password if fresh else None
    with database.connection_context():
        _refuse_unless_empty()
        password_hash = hash_password(password)  # once: the five demo users share the password
        loader = _Loader(scale, seed, progress or (lambda step, done, total: None))
        with loader.dialect.load_cache(LOAD_CACHE_KIB), database.atomic():
            created = loader.run(password_hash)
        _wrap_users(password)
        # trainer.reporting.summary's contract for bulk loads: one rebuild at the end, after the commit (it reads
        # faster from the database file than through the load's uncommitted WAL pages); at the full scale
        # too, or the first report would wait for it (tens of seconds).
        summaries = True
        # Every other table filled gets statistics too: PostgreSQL's autovacuum may be off or
        # not yet round, and a table never analysed is planned as a few rows (an instructor's
        # cohort_instructor rows: the registry list's scope read 51,000 trainees a keystroke).
        loader.dialect.analyze(*(t for t in TABLES if t not in summary.SOURCES))
        loader.progress("report summaries", 0, 1)
        summary.rebuild()
        loader.progress("report summaries", 1, 1)
        counts = {
            t: database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in (
                "trainee",
                "cohort",
                "enrolment",
                "result",
                "certificate",
                "vetting_record",
                "unit_assignment",
                "session",
                "attendance",
                "station",
                "kit",
                "posting",
            )
        }
    if scale == "full":
        wrong = {k: counts[k] for k, v in FULL.items() if counts[k] != v}
        if wrong:
            raise RuntimeError(f"full-scale demo counts are off: {wrong}")
    return DemoSummary(
        scale,
        seed,
        counts,
        loader.trained,
        tuple(created),
        generated if created else None,
        round(time.perf_counter() - started, 2),
        summaries,
    )


def _wrap_users(password: str) -> None:
    """An encrypted site: each demo user's password unlocks it too (trainer/accounts/sealing.py)."""
    from trainer.accounts import sealing

    if sealing.current is None:
        return
    for (name,) in models.User.select(models.User.username).tuples():
        if not sealing.has_wrap(sealing.current.path, name):
            sealing.add_wrap(sealing.current, name, password)


def demo_password(given: str | None = None) -> tuple[str, bool]:
    """The demo users' password: `given`, else TRAINER_PASSWORD, else a new one (then True:
    the caller shows it once)."""
    password = given or os.environ.get("TRAINER_PASSWORD")
    return (password, False) if password else (secrets.token_urlsafe(12), True)


def _refuse_unless_empty() -> None:
    if models.Trainee.select().exists():
        raise TrainerError("the database already holds trainees: demo data goes into an empty database")
    for table in TABLES:
        if database.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            raise TrainerError(
                f"the database already holds {table.replace('_', ' ')} rows: demo data goes into an empty database"
            )


class _Loader(ReferenceRows, TraineeRows, RecordRows, Planner):
    def __init__(self, scale: str, seed: int, progress: Progress) -> None:
        self.scale, self.full, self.seed, self.progress = scale, scale == "full", seed, progress
        self.share = QUICK_TRAINEES / sum(map(sum, POPULATION.values())) if scale == "quick" else 1.0
        self.population = _shrunk(POPULATION, QUICK_TRAINEES) if scale == "quick" else POPULATION
        self.db = database.obj
        self.dialect = dialect(self.db)
        self.cur = self.db.connection().cursor()
        self.uid = _uuid7_maker(random.Random(f"{seed}:uuid"))
        self.forces = catalogue.ALL_FORCES
        self.trained: dict[str, int] = {}

    # -- writing ------------------------------------------------------------
    def insert(self, table: str, cols: tuple[str, ...], rows: list[Any]) -> None:
        if not rows:
            return
        self.dialect.copy_rows(self.cur, table, tuple(cols), rows)

    # -- the whole load -----------------------------------------------------
    def run(self, password_hash: str) -> list[str]:
        self.progress("reference data", 0, 1)
        self.reference()
        created = self.users(password_hash)
        self.progress("reference data", 1, 1)
        plan_rng = random.Random(f"{self.seed}:plan")
        self.cohorts = self.plan_cohorts(plan_rng)
        self.plan_outcomes(plan_rng)
        self.assign_people(random.Random(f"{self.seed}:assign"))
        # The change log (db/capture.py) takes the bulk rows in one statement per table after the
        # load, not a trigger per row: per row, the triggers cost 5x the inserts themselves and
        # put a log page between every two of a table's pages, so that reading the registry in
        # order (exports, the trainees list) jumped over the file (docs/speed.md).
        indexes = self.drop_indexes(BULK_TABLES)
        logged = {t for (t,) in self.db.execute_sql('SELECT DISTINCT "table_name" FROM "sync_change"')}
        with capture.muted():
            with self.dialect.bulk_load():
                self.write_trainees(random.Random(f"{self.seed}:people"))
            self.write_cohorts()
            self.write_enrolments(random.Random(f"{self.seed}:records"))
            self.finish(random.Random(f"{self.seed}:finish"))
            self.progress("stations and kits", 0, 1)
            from trainer.demo import stations as box  # Police in a Box: its own module (stations, kits, postings)

            self.box = box.write(self)
            self.progress("stations and kits", 1, 1)
        self.progress("change log", 0, 1)
        capture.backfill(self.db, tuple(t for t in capture.shared_tables() if t not in logged and self._has_rows(t)))
        self.progress("change log", 1, 1)
        for i, sql in enumerate(indexes, 1):  # a sort per index, a join per key: cheaper than per row
            self.progress("indexes", i, len(indexes))
            self.db.execute_sql(sql)
        audit.record(
            SYSTEM,
            "demo-load",
            "database",
            scale=self.scale,
            seed=self.seed,
            trainees=self.n_trainees,
            cohorts=len(self.cohorts),
            enrolments=len(self.seats),
            users_created=created,
        )
        return created

    def _has_rows(self, table: str) -> bool:
        return self.db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None

    def drop_indexes(self, tables_: tuple[str, ...]) -> list[str]:
        """The secondary indexes of the bulk tables (PostgreSQL: also the trigram index), dropped
        inside the transaction and returned as their CREATE statements; unique ones are checked
        when they are rebuilt."""
        return self.dialect.drop_secondary_indexes(tables_)
