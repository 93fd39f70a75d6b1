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
(`trainer.reporting.summary`) are rebuilt after it, except at the full scale, where the
first report builds them.

Certificate numbers: "IQTC-" + a 9-digit serial + one Luhn check digit over
the serial (`certificate_number`, `certificate_number_valid`): any single
mistyped digit and most swaps of neighbouring digits are caught.
"""

from __future__ import annotations

import io
import json
import os
import random
import secrets
import time
import uuid
from array import array
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from db import models
from db.connection import database, is_postgres
from db.search import bulk_load
from trainer.accounts import audit
from trainer.accounts.access import SYSTEM, Actor, require
from trainer.accounts.users import hash_password
from trainer.demo import names as tables
from trainer.demo.plan import FULL, TODAY, Planner, _Course, _shrunk, _uuid7_maker
from trainer.errors import PermissionDenied, TrainerError
from trainer.registry import names
from trainer.reporting import summary

STAMP = "2026-11-01 06:00:00"
CHUNK = 50_000
LOAD_CACHE_KIB = 256 * 1024
SCALES = ("default", "quick", "full")
QUICK_TRAINEES = 10_000  # the quick scale: the default one shrunk, for tests and quick benchmarks
ROLES = ("admin", "registrar", "instructor", "analyst", "auditor")
USER_CENTRE = "NIN-MOSUL-01"  # where the registrar and the instructor work
VERIFY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed back
# default scale, per force: (trained persons, never-graduating, experienced without basic here)
POPULATION = {
    "police": (15_000, 3_000, 1_200),
    "border": (6_000, 1_200, 500),
    "army": (1_500, 350, 600),
    "cts": (700, 150, 300),
    "tribal": (1_200, 300, 300),
    "peshmerga": (900, 200, 500),
}
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
BULK_TABLES = ("trainee", "unit_assignment", "vetting_record", "enrolment", "result", "certificate", "attendance")
REC = ("id", "uuid", "version", "created_at", "updated_at")
TABLES = (
    "centre",
    "unit",
    "requirement",
    "competency",
    "competency_tag",
    "course",
    "course_force",
    "course_prerequisite",
    "course_competency",
    "assessment",
    "instructor_qualification",
    "trainee",
    "unit_assignment",
    "vetting_record",
    "cohort",
    "cohort_instructor",
    "session",
    "enrolment",
    "attendance",
    "result",
    "certificate",
)


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


def _luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def certificate_number(serial: int) -> str:
    """ "IQTC-" + the serial as 9 digits + its Luhn check digit, e.g. 1 -> IQTC-0000000018."""
    if not 0 < serial < 10**9:
        raise ValueError("certificate serial out of range")
    body = f"{serial:09d}"
    return f"IQTC-{body}{_luhn(body)}"


def certificate_number_valid(number: str) -> bool:
    digits = number[5:] if number.startswith("IQTC-") else ""
    return len(digits) == 10 and digits.isdigit() and _luhn(digits[:9]) == int(digits[9])


def generate(
    actor: Actor | None = None,
    *,
    scale: str = "default",
    seed: int = 1,
    password: str | None = None,
    progress=None,
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
        sqlite = not loader.pg
        if sqlite:  # a bigger page cache for the load: fewer pages spilled to, and looked up in, the WAL
            cache = database.execute_sql("PRAGMA cache_size").fetchone()[0]
            database.execute_sql(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
        try:
            with database.atomic():
                created = loader.run(password_hash)
        finally:
            if sqlite:
                database.execute_sql(f"PRAGMA cache_size = {cache}")
        # trainer.reporting.summary's contract for bulk loads: one rebuild at the end, after the commit (it reads
        # faster from the database file than through the load's uncommitted WAL pages). Not at the
        # full scale (45 s or more): there the first report builds it (summary.ensure_built).
        summaries = scale != "full"
        if summaries:
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


class _Loader(Planner):
    def __init__(self, scale: str, seed: int, progress):
        self.scale, self.full, self.seed, self.progress = scale, scale == "full", seed, progress
        self.share = QUICK_TRAINEES / sum(map(sum, POPULATION.values())) if scale == "quick" else 1.0
        self.population = _shrunk(POPULATION, QUICK_TRAINEES) if scale == "quick" else POPULATION
        self.db = database.obj
        self.pg = is_postgres(self.db)
        self.cur = self.db.connection().cursor()
        self.uid = _uuid7_maker(random.Random(f"{seed}:uuid"))
        self._sql: dict[str, str] = {}
        self.forces = tables.ALL_FORCES
        self.trained: dict[str, int] = {}

    # -- writing ------------------------------------------------------------
    def insert(self, table: str, cols: tuple[str, ...], rows: list) -> None:
        if not rows:
            return
        sql = self._sql.get(table)
        if sql is None:
            names_ = ", ".join(f'"{c}"' for c in cols)
            sql = self._sql[table] = (
                f'COPY "{table}" ({names_}) FROM STDIN'
                if self.pg
                else f'INSERT INTO "{table}" ({names_}) VALUES ({", ".join("?" * len(cols))})'
            )
        if self.pg:  # COPY's text format: tab-separated, \N for NULL
            text = "".join(
                "\t".join(
                    "\\N" if v is None else v.translate(_COPY_ESCAPE) if isinstance(v, str) else str(v) for v in row
                )
                + "\n"
                for row in rows
            )
            self.cur.copy_expert(sql, io.StringIO(text))
        else:
            self.cur.executemany(sql, rows)

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
        indexes = self.drop_indexes(BULK_TABLES)
        with bulk_load(self.db, postgres=self.pg):
            self.write_trainees(random.Random(f"{self.seed}:people"))
        self.write_cohorts()
        self.write_enrolments(random.Random(f"{self.seed}:records"))
        self.finish(random.Random(f"{self.seed}:finish"))
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

    def drop_indexes(self, tables_: tuple[str, ...]) -> list[str]:
        """The secondary indexes of the bulk tables (PostgreSQL: also the trigram index), dropped
        inside the transaction and returned as their CREATE statements; unique ones are checked
        when they are rebuilt."""
        marks = ", ".join(["%s" if self.pg else "?"] * len(tables_))
        sql = (
            f"SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            f"AND tablename IN ({marks}) AND NOT EXISTS "
            f"(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname"
            if self.pg
            else f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name"
        )
        rows = self.db.execute_sql(sql, tables_).fetchall()
        for name, _sql in rows:
            self.db.execute_sql(f'DROP INDEX "{name}"')
        restore = [sql for _name, sql in rows]
        if self.pg:  # foreign keys too: one join to validate each beats a trigger per row
            for table, name, definition in self.db.execute_sql(
                f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                f"WHERE contype = 'f' AND conrelid::regclass::text IN ({marks}) ORDER BY 1, 2",
                tables_,
            ).fetchall():
                self.db.execute_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return restore

    # -- reference data, catalogue, users ----------------------------------
    def reference(self) -> None:
        rec = lambda i: (i, self.uid(), 1, STAMP, STAMP)  # noqa: E731
        self.centre_id = {code: i for i, (code, *_rest) in enumerate(tables.CENTRES, 1)}
        self.insert(
            "centre",
            REC + ("code", "province_id", "name_en", "name_ar"),
            [rec(i) + row for i, row in enumerate(tables.CENTRES, 1)],
        )
        units, self.units_at, self.units_of = [], {}, {}
        for f in self.forces:
            for prov, _w in tables.PROVINCE_WEIGHTS[f]:
                for n in (1, 2):
                    i = len(units) + 1
                    name = tables.UNIT_NAMES[f].format(province=tables.PROVINCE_SHORT[prov], n=n)
                    units.append(rec(i) + (f"{tables.UNIT_PREFIX[f]}-{prov[3:]}-{n:02d}", name, f, prov))
                    self.units_at.setdefault((f, prov), []).append(i)
                    self.units_of.setdefault(f, []).append(i)
        self.insert("unit", REC + ("code", "name", "force_id", "province_id"), units)
        self.insert(
            "requirement",
            REC + ("province_id", "force_id", "required", "as_of", "source"),
            [
                rec(i) + (p, f, n, "2017-06-30", tables.REQUIREMENT_SOURCE)
                for i, ((p, f), n) in enumerate(tables.REQUIREMENTS.items(), 1)
            ],
        )
        comp_id = {c[0]: i for i, c in enumerate(tables.COMPETENCIES, 1)}
        self.insert(
            "competency",
            REC + ("code", "name_en", "name_ar"),
            [rec(i) + c[:3] for i, c in enumerate(tables.COMPETENCIES, 1)],
        )
        self.insert(
            "competency_tag",
            ("id", "competency_id", "tag"),
            [
                (i, comp_id[c], tag)
                for i, (c, tag) in enumerate(((c[0], tag) for c in tables.COMPETENCIES for tag in c[3]), 1)
            ],
        )
        self.courses, courses, links = [], [], {"force": [], "prereq": [], "comp": [], "assess": []}
        for idx, spec in enumerate(tables.COURSES):
            course = _Course(spec, idx, idx + 1, tuple(self.forces.index(f) for f in spec.forces))
            self.courses.append(course)
            courses.append(
                rec(course.id)
                + (
                    spec.code,
                    spec.title_en,
                    spec.title_ar,
                    spec.category,
                    spec.duration_days,
                    "1",
                    True,
                    80,
                    spec.min_weighted,
                    spec.grants,
                    spec.months,
                    90,
                    "active",
                )
            )
            links["force"] += [(course.id, f) for f in spec.forces]
            links["comp"] += [(course.id, comp_id[c]) for c in spec.competencies]
            for pos, (code, title, mx, pm, w) in enumerate(spec.assessments):
                aid = len(links["assess"]) + 1
                links["assess"].append(rec(aid) + (course.id, code, title, mx, pm, w, pos))
                course.assessments.append((aid, code, float(mx), float(pm)))
            course.rules = json.dumps(
                {  # the pass rule and assessments as they stood (trainer.training.rules' form)
                    "course_code": spec.code,
                    "curriculum_version": "1",
                    "all_assessments": True,
                    "min_attendance": 80,
                    "min_weighted": spec.min_weighted,
                    "grants_certificate": spec.grants,
                    "certificate_months": spec.months,
                    "recert_window_days": 90,
                    "assessments": [
                        {
                            "id": aid,
                            "code": code,
                            "title": title,
                            "max_score": float(mx),
                            "pass_mark": float(pm),
                            "weight": float(w),
                        }
                        for (aid, *_), (code, title, mx, pm, w) in zip(course.assessments, spec.assessments)
                    ],
                },
                ensure_ascii=False,
                sort_keys=True,
            )
        by_code = {c.spec.code: c.id for c in self.courses}
        links["prereq"] = [
            (by_code[c.spec.code], by_code[c.spec.prerequisite]) for c in self.courses if c.spec.prerequisite
        ]
        self.insert(
            "course",
            REC
            + (
                "code",
                "title_en",
                "title_ar",
                "category",
                "duration_days",
                "curriculum_version",
                "rule_all_assessments",
                "rule_min_attendance",
                "rule_min_weighted",
                "grants_certificate",
                "certificate_months",
                "recert_window_days",
                "status",
            ),
            courses,
        )
        for table, cols, key in (
            ("course_force", ("course_id", "force_id"), "force"),
            ("course_prerequisite", ("course_id", "requires_id"), "prereq"),
            ("course_competency", ("course_id", "competency_id"), "comp"),
        ):
            self.insert(table, ("id",) + cols, [(i,) + row for i, row in enumerate(links[key], 1)])
        self.insert(
            "assessment",
            REC + ("course_id", "code", "title", "max_score", "pass_mark", "weight", "position"),
            links["assess"],
        )

    def users(self, password_hash: str) -> list[str]:
        created, self.user_id = [], {}
        stamp = datetime(2026, 11, 1, 6, 0)
        centre = models.Centre.get(models.Centre.code == USER_CENTRE)
        for role in ROLES:
            user = models.User.get_or_none(models.User.username == role)
            if user is None:
                user = models.User.create(
                    uuid=uuid.UUID(self.uid()),
                    created_at=stamp,
                    updated_at=stamp,
                    username=role,
                    display_name=f"Demo {role}",
                    password_hash=password_hash,
                    role=role,
                )
                created.append(role)
                if role in ("registrar", "instructor"):
                    models.UserCentre.create(user=user, centre=centre)
            self.user_id[role] = user.id
        quals = []
        for c in self.courses:
            periods = [("2016-09-01", None)]
            if c.spec.code == "WPN-Q":
                periods = [("2016-09-01", "2020-08-31"), ("2020-09-01", None)]
            elif c.spec.code == "TTT-1":
                periods = [("2016-09-01", "2027-06-30")]  # runs out within the year: up for renewal
            for valid_from, valid_until in periods:
                i = len(quals) + 1
                quals.append(
                    (
                        i,
                        self.uid(),
                        1,
                        STAMP,
                        STAMP,
                        self.user_id["instructor"],
                        c.id,
                        valid_from,
                        valid_until,
                        f"IQ-INSTR-{valid_from[:4]}-{i:03d}",
                    )
                )
        self.insert(
            "instructor_qualification", REC + ("user_id", "course_id", "valid_from", "valid_until", "reference"), quals
        )
        return created

    # -- trainees -----------------------------------------------------------
    def _part(self, text: str) -> tuple[list[str], list[str]]:
        """A name part's normalised words and skeletons: names.keys(*parts) joins these over the
        parts (words first, then skeletons, deduplicated); cached, checked against keys()."""
        got = self._parts.get(text)
        if got is None:
            words, skels = names.normalise(text).split(), names.skeleton(text).split()
            if names.keys(text) != " ".join(dict.fromkeys(words + skels)):
                self._compose = False
            got = self._parts[text] = (words, skels)
        return got

    def _keys(self, parts: tuple[str, ...]) -> str:
        if self._compose:
            words, skels = [], []
            for p in parts:
                if p:
                    w, s = self._part(p)
                    words += w
                    skels += s
            text = " ".join(dict.fromkeys(words + skels))
            if self._checked < 500:  # the shortcut must give exactly what keys() gives
                self._checked += 1
                if text != names.keys(*parts):
                    self._compose = False
            if self._compose:
                return text
        return names.keys(*parts)

    def write_trainees(self, rng: random.Random) -> None:
        self._parts, self._compose, self._checked = {}, True, 0
        latin = {
            ar: la
            for table in (tables.MALE_GIVEN, tables.KURDISH_GIVEN, tables.FEMALE_GIVEN, tables.FAMILY)
            for ar, la in table
        }
        male = [a for a, _ in tables.MALE_GIVEN]
        kurdish = [a for a, _ in tables.KURDISH_GIVEN]
        female = [a for a, _ in tables.FEMALE_GIVEN]
        family = [a for a, _ in tables.FAMILY]
        provinces = {f: ([p for p, _ in w], [n for _, n in w]) for f, w in tables.PROVINCE_WEIGHTS.items()}
        statuses, status_w = ("active", "inactive", "dismissed", "deceased"), (94, 4, 1.5, 0.5)
        n = self.n_trainees
        # national IDs: a bijection of the trainee id onto 12-digit numbers (unique, scattered)
        mult, shift = 1 + 2 * rng.randrange(10**10, 10**11), rng.randrange(9 * 10**11)
        while mult % 3 == 0 or mult % 5 == 0:
            mult += 2
        service = {f: rng.randrange(1000, 20000) for f in self.forces}
        today, kr = TODAY.toordinal(), ("IQ-AR", "IQ-DA", "IQ-SU")
        day0, unit_from, unit_to = (date(y, 1, 1).toordinal() for y in (2017, 2016, 2026))
        rows, units, match, ua = [], [], {}, 0
        cols = REC + (
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "mother_name",
            "given_name_latin",
            "father_name_latin",
            "grandfather_name_latin",
            "family_name_latin",
            "search_text",
            "match_key",
            "date_of_birth",
            "gender",
            "national_id",
            "service_number",
            "force_id",
            "province_id",
            "rank",
            "phone",
            "status",
            "merged_into_id",
            "source",
        )
        ucols = REC + ("trainee_id", "unit_id", "start_date", "end_date")
        source = f"demo:{self.seed}"
        for t in range(1, n + 1):
            force = self.forces[self.force_of[t]]
            provs, weights = provinces[force]
            prov = rng.choices(provs, weights)[0]
            kurd = force == "peshmerga" or (prov in kr and rng.random() < 0.7)
            women = rng.random() < tables.FEMALE_SHARE[force]
            fathers = kurdish if kurd and rng.random() < 0.7 else male
            given = rng.choice(female if women else kurdish if kurd and rng.random() < 0.8 else male)
            father, grand = rng.choice(fathers), rng.choice(fathers)
            local = tables.KURDISH_FAMILY if kurd else tables.FAMILY_BY_PROVINCE.get(prov)
            fam = rng.choice(local) if local and rng.random() < 0.7 else rng.choice(family)
            mother = rng.choice(female) + (" " + rng.choice(male) if rng.random() < 0.4 else "")
            nid = str(10**11 + (mult * t + shift) % (9 * 10**11))
            service[force] += rng.randint(1, 3)
            sn = f"{tables.SERVICE_PREFIX[force]}-{service[force]:07d}"
            ar = (given, father, grand, fam)
            la = (latin[given], latin[father], latin[grand], latin[fam])
            text = " ".join((self._keys(ar + (mother,) + la), nid, sn.lower()))
            key = match.get((given, father))
            if key is None:  # names.name_skeleton(given, father), from the cached skeletons
                key = match[(given, father)] = " ".join(self._part(given)[1] + self._part(father)[1])
                if len(match) <= 200 and key != names.name_skeleton(given, father):
                    raise RuntimeError("demo: names.name_skeleton no longer joins the parts' skeletons")
            first = self.first[t]
            base = min(first, today) if first else today - rng.randint(365, 3000)
            dob = date.fromordinal(base - rng.randint(18 * 366, 38 * 365))
            created = f"{date.fromordinal(max(base - rng.randint(14, 60), day0)).isoformat()} 08:00:00"
            rows.append(
                (t, self.uid(), 1, created, created)
                + ar
                + (mother,)
                + la
                + (
                    text,
                    key,
                    dob.isoformat(),
                    "f" if women else "m",
                    nid,
                    sn,
                    force,
                    prov,
                    rng.choice(tables.RANKS[force]),
                    f"+9647{rng.choice('5789')}{rng.randrange(10**8):08d}",
                    "active" if self.busy[t] >= today else rng.choices(statuses, status_w)[0],
                    None,
                    source,
                )
            )
            if rng.random() < 0.25:
                start = (first + rng.randint(60, 120)) if first else rng.randrange(unit_from, unit_to)
                unit = rng.choice(self.units_at.get((force, prov)) or self.units_of[force])
                if start < today:
                    if rng.random() < 0.3:
                        ua += 1
                        units.append(
                            (
                                ua,
                                self.uid(),
                                1,
                                STAMP,
                                STAMP,
                                t,
                                rng.choice(self.units_of[force]),
                                date.fromordinal(start - rng.randint(400, 1500)).isoformat(),
                                date.fromordinal(start - 1).isoformat(),
                            )
                        )
                    ua += 1
                    units.append((ua, self.uid(), 1, STAMP, STAMP, t, unit, date.fromordinal(start).isoformat(), None))
            if len(rows) >= CHUNK or t == n:
                self.insert("trainee", cols, rows)
                self.insert("unit_assignment", ucols, units)
                rows, units = [], []
            if t % 5000 == 0 or t == n:
                self.progress("trainees", t, n)

    # -- cohorts, enrolments and what follows from them -----------------------
    def write_cohorts(self) -> None:
        instructor, home = self.user_id["instructor"], self.centre_id[USER_CENTRE]
        rows, teach = [], []
        for c in self.cohorts:
            centre = self.centre_id[c.centre]
            created = f"{min(c.start - timedelta(days=60), TODAY).isoformat()} 08:00:00"
            rules = c.course.rules if c.status in ("running", "completed") else ""  # frozen at the start
            rows.append(
                (
                    c.id,
                    self.uid(),
                    1,
                    created,
                    created,
                    c.code,
                    c.course.id,
                    centre,
                    c.start.isoformat(),
                    c.end.isoformat(),
                    c.capacity,
                    c.funder,
                    c.funder != "GoI",
                    c.status,
                    rules,
                )
            )
            # the instructor teaches at their centre, and every cohort still to graduate (so that the
            # app's certificate gate finds a qualified instructor for it)
            if c.status in ("running", "planned") or (
                centre == home and c.status == "completed" and c.start.year >= 2022
            ):
                c.taught = True
                teach.append((len(teach) + 1, c.id, instructor))
        self.insert(
            "cohort",
            REC
            + (
                "code",
                "course_id",
                "centre_id",
                "start_date",
                "end_date",
                "capacity",
                "funder",
                "coalition_funded",
                "status",
                "rules",
            ),
            rows,
        )
        self.insert("cohort_instructor", ("id", "cohort_id", "user_id"), teach)

    def write_enrolments(self, rng: random.Random) -> None:
        n, total, today = self.n_trainees, len(self.seats), TODAY.toordinal()
        rnd, uid, reasons = rng.random, self.uid, tables.WITHDRAWAL_REASONS
        E, R, C, V = [], [], [], []
        eid = rid = cert = vid = pos = 0
        self.last_vet = last_vet = array("i", bytes(4 * (n + 1)))
        last_cert: dict[int, tuple[int, int]] = {}
        codes: set[str] = set()
        self.supersede, self.running = [], []

        def flush():
            self.insert(
                "vetting_record",
                REC + ("trainee_id", "unit_id", "kind", "case_ref", "result", "decision_date", "funder", "note"),
                V,
            )
            self.insert(
                "enrolment",
                REC
                + (
                    "cohort_id",
                    "trainee_id",
                    "status",
                    "enrolled_on",
                    "waitlist_position",
                    "withdrawal_reason",
                    "outcome_reason",
                    "decided_at",
                ),
                E,
            )
            self.insert(
                "result", REC + ("enrolment_id", "assessment_id", "attempt", "score", "entered_by_id", "entered_at"), R
            )
            self.insert(
                "certificate",
                REC
                + (
                    "number",
                    "verification_code",
                    "enrolment_id",
                    "trainee_id",
                    "course_id",
                    "issued_on",
                    "expires_on",
                    "status",
                    "revoked_reason",
                    "superseded_by_id",
                    "issued_by_id",
                ),
                C,
            )
            for rows in (V, E, R, C):
                rows.clear()
            self.progress("enrolments", pos, total)

        for c in self.cohorts:
            if not c.size:
                continue
            course, assessments = c.course, c.course.assessments
            s, e, end_s = c.start.toordinal(), c.end.toordinal(), c.end.isoformat()
            by = self.user_id["instructor"] if c.taught else None
            on_days = [date.fromordinal(min(s - k, today)).isoformat() for k in range(5, 40, 3)]
            resit = date.fromordinal(min(e + 7, today - 1)).isoformat()  # never after TODAY
            done, at1, at2 = (f"{end_s} 15:00:00", f"{resit} 17:00:00"), f"{end_s} 14:00:00", f"{resit} 16:00:00"
            grants, funded, months = course.spec.grants, c.funder != "GoI", course.spec.months
            expires = c.end + relativedelta(months=months) if months else None
            expires_s = expires.isoformat() if expires else None
            cert_status = "expired" if expires and expires < TODAY else "valid"
            enrolled, wait = [], 0
            for ch in c.codes:
                t = self.seats[pos]
                pos += 1
                eid += 1
                on = rng.choice(on_days)
                wpos, reason, outcome, decided = None, "", "", None
                if ch in "GgFf":
                    status = "graduated" if ch in "Gg" else "failed"
                    decided = done[ch in "gf"]
                    fail = -1 if ch == "G" else rng.randrange(len(assessments))
                    for i, (aid, code, mx, pm) in enumerate(assessments):
                        if i == fail or (ch in "Ff" and rnd() < 0.3):
                            score = round(mx * 0.2 + (pm - 0.5 - mx * 0.2) * rnd(), 1)
                        else:
                            score = round(pm + (mx - pm) * rnd(), 1)
                        rid += 1
                        R.append((rid, uid(), 1, at1, at1, eid, aid, 1, score, by, at1))
                        if i == fail and ch in "gf":  # the re-sit: passed (graduated) or failed again
                            score = round(pm + (mx - pm) * rnd(), 1) if ch == "g" else round(pm * rnd() * 0.9, 1)
                            rid += 1
                            R.append((rid, uid(), 1, at2, at2, eid, aid, 2, score, by, at2))
                        if i == fail and ch in "Ff":  # in trainer.training.rules' words
                            outcome = f"{code}: {score:g}/{mx:g} below pass mark {pm:g}"
                elif ch == "W":
                    status, reason = "withdrawn", rng.choice(reasons)
                    decided = f"{date.fromordinal(rng.randint(s, max(s, min(e, today - 1)))).isoformat()} 10:00:00"
                elif ch == "E":
                    status = "enrolled"
                    enrolled.append(eid)
                else:
                    wait += 1
                    status, wpos = "waitlisted", wait
                E.append(
                    (
                        eid,
                        uid(),
                        1,
                        on + " 09:00:00",
                        decided or on + " 09:00:00",
                        c.id,
                        t,
                        status,
                        on,
                        wpos,
                        reason,
                        outcome,
                        decided,
                    )
                )
                if funded and (not last_vet[t] or s - last_vet[t] > 330):
                    # Leahy: an approved individual decision before the start (validity 12 months)
                    d = min(s - rng.randint(15, 120), today - rng.randint(1, 20))
                    ds = date.fromordinal(d).isoformat()
                    vid += 1
                    V.append(
                        (
                            vid,
                            uid(),
                            1,
                            ds + " 12:00:00",
                            ds + " 12:00:00",
                            t,
                            None,
                            "individual",
                            f"INV-{ds[:4]}-{vid:07d}",
                            "approved",
                            ds,
                            c.funder,
                            "",
                        )
                    )
                    last_vet[t] = d
                if grants and ch in "Gg":
                    cert += 1
                    code = ""
                    while not code or code in codes:
                        x = rng.getrandbits(50)
                        code = "".join(VERIFY_ALPHABET[(x >> (5 * i)) & 31] for i in range(10))
                    codes.add(code)
                    key, status, superseded_by = t * 32 + course.idx, cert_status, None
                    prev = last_cert.get(key)
                    if prev is None or e > prev[1]:
                        if prev:
                            self.supersede.append((cert, prev[0]))  # recertified: the older one is superseded
                        last_cert[key] = (cert, e)
                    elif e < prev[1]:
                        status, superseded_by = "superseded", prev[0]
                    C.append(
                        (
                            cert,
                            uid(),
                            1,
                            at1,
                            at1,
                            certificate_number(cert),
                            code,
                            eid,
                            t,
                            course.id,
                            end_s,
                            expires_s,
                            status,
                            "",
                            superseded_by,
                            by,
                        )
                    )
            if enrolled and c.status == "running":
                self.running.append((c, enrolled))
            if len(R) >= CHUNK or len(E) >= CHUNK:
                flush()
            elif pos // 5000 != (pos - c.size) // 5000:
                self.progress("enrolments", pos, total)
        flush()
        self.n_certificates, self.n_vetting = cert, vid

    def finish(self, rng: random.Random) -> None:
        q = "%s" if self.pg else "?"
        self.progress("finishing", 0, 1)
        if self.supersede:
            self.cur.executemany(
                f"UPDATE certificate SET status = 'superseded', superseded_by_id = {q} WHERE id = {q}", self.supersede
            )
        row = self.db.execute_sql(
            f"SELECT id FROM certificate WHERE status = 'valid' AND id >= {q} ORDER BY id LIMIT 1",
            (self.n_certificates // 3,),
        ).fetchone()
        if row:
            self.db.execute_sql(
                f"UPDATE certificate SET status = 'revoked', revoked_reason = {q} WHERE id = {q}",
                ("issued in error: an assessment result was entered for the wrong trainee", row[0]),
            )
        # unit vettings, and persons never in a coalition-funded cohort: pending, denied, suspended
        vetting, vid = [], self.n_vetting
        units = [u for f in ("police", "border") for p in ("IQ-NI", "IQ-AN", "IQ-SD") for u in self.units_at[(f, p)]]
        for i, unit in enumerate(units):
            d = date(2018 + i % 7, 1 + i % 12, 10 + i).isoformat()
            result = "suspended" if i == len(units) - 1 else "approved"
            vid += 1
            vetting.append(
                (
                    vid,
                    self.uid(),
                    1,
                    STAMP,
                    STAMP,
                    None,
                    unit,
                    "unit",
                    f"INV-U-{d[:4]}-{vid:07d}",
                    result,
                    d,
                    "CTEF",
                    "unit vetting" if result == "approved" else "credible information received; unit under review",
                )
            )
        wanted, picked = max(60, self.n_trainees // 200), set()
        while len(picked) < wanted:
            t = rng.randint(1, self.n_trainees)
            if self.last_vet[t] or t in picked:
                continue
            picked.add(t)
            result = rng.choices(("pending", "denied", "suspended"), (6, 3, 1))[0]
            d = None if result == "pending" else date.fromordinal(TODAY.toordinal() - rng.randint(30, 2000)).isoformat()
            vid += 1
            vetting.append(
                (
                    vid,
                    self.uid(),
                    1,
                    STAMP,
                    STAMP,
                    t,
                    None,
                    "individual",
                    f"INV-{vid:07d}",
                    result,
                    d,
                    "CTEF",
                    "" if result == "pending" else "decision received from the embassy",
                )
            )
        self.insert(
            "vetting_record",
            REC + ("trainee_id", "unit_id", "kind", "case_ref", "result", "decision_date", "funder", "note"),
            vetting,
        )
        self.sessions()
        if self.pg:
            for table in TABLES:
                self.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
                )
        self.progress("finishing", 1, 1)

    def sessions(self) -> None:
        """Sessions (Sunday to Thursday, not on holidays) of the running cohorts, attendance for those
        already held; the holiday calendar too unless the site has entered one."""
        rng = random.Random(f"{self.seed}:attendance")
        holidays = {date.fromisoformat(d) for (d,) in self.db.execute_sql("SELECT day FROM holiday").fetchall()}
        if not holidays:
            self.insert(
                "holiday",
                REC + ("day", "name_en", "name_ar"),
                [(i, self.uid(), 1, STAMP, STAMP) + h for i, h in enumerate(tables.HOLIDAYS, 1)],
            )
            holidays = {date.fromisoformat(h[0]) for h in tables.HOLIDAYS}
        sessions, marks = [], []
        for c, enrolled in self.running:
            by = self.user_id["instructor"] if c.taught else None
            day, k = c.start, 0
            while day <= c.end:
                if day.weekday() not in (4, 5) and day not in holidays:
                    k += 1
                    sid = len(sessions) + 1
                    held = day < TODAY
                    sessions.append(
                        (
                            sid,
                            self.uid(),
                            1,
                            STAMP,
                            STAMP,
                            c.id,
                            day.isoformat(),
                            "held" if held else "planned",
                            f"{c.course.spec.title_en}, day {k}",
                        )
                    )
                    for eid in enrolled if held else ():
                        mark = rng.choices(("present", "late", "absent", "excused"), (90, 4, 4, 2))[0]
                        marks.append((len(marks) + 1, self.uid(), 1, STAMP, STAMP, sid, eid, mark, by))
                day += timedelta(days=1)
        self.insert("session", REC + ("cohort_id", "day", "status", "topic"), sessions)
        self.insert("attendance", REC + ("session_id", "enrolment_id", "mark", "entered_by_id"), marks)
