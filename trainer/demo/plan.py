"""Demo data, planning: cohorts, the outcome of every seat and who sits in it.

The plan is held in memory as compact arrays; trainer.demo.build (with its *_rows parts) writes it.
Exact totals (the published figures, the full-scale counts) are reached here.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
from array import array
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from trainer.demo.catalogue import CourseSpec

TODAY = date(2026, 11, 1)  # the demo's "today" (a Sunday, first day of the Iraqi week)
FULL = {"trainee": 250_000, "cohort": 10_000, "enrolment": 1_000_000, "result": 2_500_000, "certificate": 250_000}
FULL_SHARE = {"police": 40, "border": 16, "army": 16, "cts": 8, "tribal": 10, "peshmerga": 10}
YEARS = tuple(range(2017, 2028))
YEAR_WEIGHTS = (16, 16, 13, 7, 9, 9, 9, 8, 8, 7, 2)


def _shrunk(population: dict[str, tuple[int, int, int]], total: int) -> dict[str, tuple[int, int, int]]:
    """The same mix of persons scaled to exactly `total` (the remainder goes to the largest part);
    enough who never graduate to fill a running or planned basic cohort."""
    share = total / sum(map(sum, population.values()))
    shrunk = {
        f: (round(a * share), max(100, round(b * share)), round(c * share)) for f, (a, b, c) in population.items()
    }
    first = next(iter(shrunk))
    target, nongrad, exp = shrunk[first]
    shrunk[first] = (target, nongrad, exp + total - sum(map(sum, shrunk.values())))
    return shrunk


def _sunday(d: date) -> date:
    return d + timedelta(days=(6 - d.weekday()) % 7)


def _end(start: date, days: int) -> date:
    end = start + timedelta(days=days - 1)
    while end.weekday() in (4, 5):  # the working week is Sunday to Thursday
        end -= timedelta(days=1)
    return end


def _uuid7_maker(rng: random.Random) -> Callable[[], str]:
    """UUIDv7s as 32 hex digits (what UUIDField stores): a clock that ticks one millisecond per
    record from 2026-11-01T00:00Z, and 74 bits from `rng`. Index-friendly: they ascend."""
    clock, bits, low = itertools.count(1793491200001), rng.getrandbits, (1 << 62) - 1

    def uid() -> str:
        r = bits(74)
        return f"{next(clock):012x}7{r >> 62:03x}{(2 << 62) | (r & low):016x}"

    return uid


class _Course:
    def __init__(self, spec: CourseSpec, idx: int, course_id: int, force_idx: tuple[int, ...]) -> None:
        self.spec, self.idx, self.id, self.force_idx = spec, idx, course_id, force_idx
        self.basic = spec.category == "basic"
        self.assessments: list[tuple[int, str, float, float]] = []
        self.rules = ""


class _Cohort:
    __slots__ = (
        "id",
        "course",
        "centre",
        "start",
        "end",
        "capacity",
        "status",
        "funder",
        "size",
        "codes",
        "code",
        "taught",
    )

    id: int
    code: str

    def __init__(self, course: _Course, centre: str, start: date, status: str, capacity: int, size: int) -> None:
        self.course, self.centre, self.start, self.status = course, centre, start, status
        self.end = _end(start, course.spec.duration_days)
        self.capacity, self.size, self.codes, self.funder, self.taught = capacity, size, "", "GoI", False


class Planner:
    """The planning half of the demo loader (mixed into trainer.demo._Loader)."""

    # Set by the loader before (or by) planning.
    full: bool
    share: float
    population: dict[str, tuple[int, int, int]]
    forces: tuple[str, ...]
    courses: list[_Course]
    cohorts: list[_Cohort]
    trained: dict[str, int]
    n_trainees: int
    force_of: bytearray
    seats: array[int]
    first: array[int]
    busy: array[int]

    # -- planning: cohorts, the outcome of each seat, who sits in it ---------
    def plan_cohorts(self, rng: random.Random) -> list[_Cohort]:
        cohorts: list[_Cohort] = []
        last_start = date(2027, 3, 28)

        def start_between(first: date, last: date) -> date:
            while True:
                year = rng.choices(YEARS, YEAR_WEIGHTS)[0]
                d = _sunday(date(year, 1, 1) + timedelta(days=rng.randrange(365)))
                if first <= d <= last:
                    return d

        def first_day(course: _Course) -> date:
            return date(2017, 1, 1) if course.basic else date(2017, 6, 4)

        def add(course: _Course, status: str, start: date, capacity: int | None = None) -> _Cohort:
            cap = capacity or (rng.randint(70, 136) if self.full else rng.randint(25, 60))
            size = {
                "completed": cap - rng.randint(0, 4),
                "running": cap - rng.randint(0, 3),
                "planned": rng.randint(cap * 2 // 3, cap + 8),
                "cancelled": 0,
            }[status]
            cohorts.append(_Cohort(course, rng.choice(course.spec.centres), start, status, cap, size))
            return cohorts[-1]

        if self.full:
            weights = [c.spec.weight for c in self.courses]
            for _ in range(FULL["cohort"]):
                course = rng.choices(self.courses, weights)[0]
                start = start_between(first_day(course), last_start)
                end = _end(start, course.spec.duration_days)
                add(course, "completed" if end < TODAY else "planned" if start > TODAY else "running", start)
            for c in rng.sample(cohorts, 100):
                c.status, c.size = "cancelled", 0
            self._exact_enrolments(rng, cohorts)
        else:
            for course in self.courses:
                days = course.spec.duration_days
                latest = TODAY - timedelta(days=days + 7)
                if course.basic:
                    target, _, _ = self.population[course.spec.forces[0]]
                    seats, needed = 0, round((target + self.retrain(target)) / 0.87)
                    while seats < needed:
                        seats += add(course, "completed", start_between(first_day(course), latest)).size
                else:
                    for _ in range(max(2, round(course.spec.cohorts * self.share))):
                        add(course, "completed", start_between(first_day(course), latest))
                busy = course.spec.code == "BASIC-POL"
                for _ in range(3 if busy else 1):
                    weeks = rng.randint(0, max(0, (days - 1) // 7 - 1))
                    add(course, "running", TODAY - timedelta(weeks=weeks))
                for _ in range(3 if busy else 2 if course.basic else 1):
                    add(course, "planned", _sunday(TODAY + timedelta(days=rng.randint(7, 150))))
            by_code = {c.spec.code: c for c in self.courses}
            # weapons qualifications (12 months) that expire within 30, 60 and 90 days of TODAY
            for d in (date(2025, 11, 9), date(2025, 12, 7), date(2026, 1, 18), date(2025, 10, 5)):
                add(by_code["WPN-Q"], "completed", d)
            for code, d in (
                ("BASIC-POL", date(2020, 3, 22)),
                ("LEAD-1", date(2023, 5, 7)),
                ("FA-1", date(2026, 12, 6)),
            ):
                add(by_code[code], "cancelled", d)
        cohorts.sort(key=lambda c: (c.start, c.course.idx, c.centre))
        per_year: dict[tuple[str, int], int] = {}
        for i, c in enumerate(cohorts, 1):
            key = (c.course.spec.code, c.start.year)
            per_year[key] = per_year.get(key, 0) + 1
            c.id, c.code = i, f"{key[0]}-{key[1]}-{per_year[key]:03d}"
            funded_share = (
                0.8
                if "peshmerga" in c.course.spec.forces[:1]
                else (0.7 if c.start.year <= 2019 else 0.45 if c.start.year <= 2022 else 0.25)
            )
            if rng.random() < funded_share:
                c.funder = "US-ITEF" if c.start.year == 2017 and rng.random() < 0.5 else "CTEF"
        return cohorts

    def _exact_enrolments(self, rng: random.Random, cohorts: list[_Cohort]) -> None:
        open_ = [c for c in cohorts if c.status == "completed"]
        diff = FULL["enrolment"] - sum(c.size for c in cohorts)
        while diff:
            c = rng.choice(open_)
            if diff > 0:
                c.size += 1
                c.capacity = max(c.capacity, c.size)
                diff -= 1
            elif c.size > 30:
                c.size -= 1
                diff += 1

    @staticmethod
    def retrain(target: int) -> int:
        return round(target * 0.02)

    def plan_outcomes(self, rng: random.Random) -> None:
        """A status letter per seat: G graduated, g graduated after a re-sit, F failed, f failed a
        re-sit too, W withdrawn, E enrolled, L waitlisted. Exact totals by selection sampling."""

        def group(c: _Cohort) -> str:
            if self.full:
                return "cert" if c.course.spec.grants else c.course.spec.code
            return c.course.spec.forces[0] if c.course.basic else c.course.spec.code

        seats: dict[str, int] = {}
        for c in self.cohorts:
            if c.status == "completed":
                seats[group(c)] = seats.get(group(c), 0) + c.size
        quota = {g: round(n * 0.87) for g, n in seats.items()}
        if self.full:
            quota["cert"] = FULL["certificate"]
        else:
            for f, (target, _, _) in self.population.items():
                quota[f] = target + self.retrain(target)
        seen = dict.fromkeys(seats, 0)
        for c in self.cohorts:
            if c.status == "completed":
                g, out = group(c), []
                for _ in range(c.size):
                    if (seats[g] - seen[g]) * rng.random() < quota[g]:
                        quota[g] -= 1
                        out.append("G")
                    else:
                        out.append("F" if rng.random() < 0.55 else "W")
                    seen[g] += 1
                c.codes = "".join(out)
            elif c.status == "running":
                c.codes = "".join("W" if rng.random() < 0.04 else "E" for _ in range(c.size))
            elif c.status == "planned":
                c.codes = "E" * min(c.size, c.capacity) + "L" * max(0, c.size - c.capacity)
        assessed = sum(c.codes.count("G") + c.codes.count("F") for c in self.cohorts)
        base = sum((c.codes.count("G") + c.codes.count("F")) * len(c.course.spec.assessments) for c in self.cohorts)
        resits = FULL["result"] - base if self.full else round(assessed * 0.07)
        if not 0 <= resits <= assessed:
            raise RuntimeError(f"demo plan cannot reach the result total ({base} before re-sits)")
        left = assessed
        for c in self.cohorts:
            if c.status != "completed":
                continue
            out = []
            for ch in c.codes:
                if ch in "GF":
                    if left * rng.random() < resits:
                        ch = ch.lower()
                        resits -= 1
                    left -= 1
                out.append(ch)
            c.codes = "".join(out)

    def assign_people(self, rng: random.Random) -> None:
        """Trainee ids for every seat, in cohort start order: basic graduates are new persons
        (or, re-training, earlier graduates); specialist courses draw earlier graduates and
        experienced persons; those who never graduate come from their own pool."""
        nf = len(self.forces)
        grads = [0] * nf
        for c in self.cohorts:
            if c.course.basic:
                grads[c.course.force_idx[0]] += c.codes.count("G") + c.codes.count("g")
        sizes = []
        for fi, f in enumerate(self.forces):
            if self.full:
                n = FULL["trainee"] * FULL_SHARE[f] // 100
                target = min(round(grads[fi] * 0.97), int(n * 0.8))
                sizes.append((target, n // 10, n - target - n // 10))
            else:
                sizes.append(self.population[f])
        owner = [fi for fi, s in enumerate(sizes) for _ in range(sum(s))]
        rng.shuffle(owner)
        self.n_trainees = len(owner)
        self.force_of = bytearray([0]) + bytearray(owner)
        by_force: list[list[int]] = [[] for _ in range(nf)]
        for t, fi in enumerate(owner, 1):
            by_force[fi].append(t)
        fresh, nongrad, exp = [], [], []
        for fi, ids in enumerate(by_force):
            rng.shuffle(ids)
            a, b, _ = sizes[fi]
            fresh.append(ids[:a])
            nongrad.append(ids[a : a + b])
            exp.append(ids[a + b :])
        retrain_left = [grads[fi] - sizes[fi][0] for fi in range(nf)]
        grad_left = grads[:]
        ptr = [0] * nf
        released = [array("i") for _ in range(nf)]
        released_on = [array("i") for _ in range(nf)]
        pending: list[tuple[int, int, int]] = []
        busy = array("i", bytes(4 * (self.n_trainees + 1)))
        first = array("i", bytes(4 * (self.n_trainees + 1)))
        seats = array("i")

        def pick(pools: Sequence[Sequence[int]], members: set[int], start: int) -> int:
            total = sum(len(p) for p in pools)
            for attempt in range(200):
                r = rng.randrange(total)
                for p in pools:
                    if r < len(p):
                        t = p[r]
                        break
                    r -= len(p)
                if t not in members and (attempt >= 10 or busy[t] < start):
                    return t
            raise RuntimeError("demo plan: a pool of trainees is too small for a cohort")

        for c in self.cohorts:
            s, e = c.start.toordinal(), c.end.toordinal()
            while pending and pending[0][0] < s:
                end, t, fi = heapq.heappop(pending)
                released[fi].append(t)
                released_on[fi].append(end)
            members: set[int] = set()
            course = c.course
            if not course.basic:
                grad_pools: list[Sequence[int]] = [released[fi] for fi in course.force_idx]
                exp_pools: list[Sequence[int]] = [exp[fi] for fi in course.force_idx]
                if not any(grad_pools):
                    if course.spec.prerequisite:
                        raise RuntimeError(f"demo plan: nobody has the prerequisite for {c.code}")
                    grad_pools = exp_pools
            fi = course.force_idx[0]
            for ch in c.codes:
                if not course.basic:
                    use_exp = not course.spec.prerequisite and rng.random() < 0.25
                    t = pick(exp_pools if use_exp else grad_pools, members, s)
                elif ch in "Gg":
                    left, rl = grad_left[fi], retrain_left[fi]
                    k = bisect.bisect_right(released_on[fi], s - 730)
                    if rl and (left == rl or (k > 50 and left * rng.random() < rl)):
                        pool, k = released[fi], k if k > 50 else len(released[fi])
                        t = pool[rng.randrange(k)]
                        while t in members:
                            t = pool[rng.randrange(k)]
                        retrain_left[fi] -= 1
                    else:
                        t = fresh[fi][ptr[fi]]
                        ptr[fi] += 1
                        heapq.heappush(pending, (e, t, fi))
                    grad_left[fi] -= 1
                else:
                    t = pick([nongrad[fi]], members, s)
                members.add(t)
                busy[t] = max(busy[t], e)
                if not first[t] or s < first[t]:
                    first[t] = s
                seats.append(t)
        self.trained = {f: ptr[fi] for fi, f in enumerate(self.forces)}
        self.seats, self.first, self.busy = seats, first, busy
