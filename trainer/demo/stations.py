"""Police in a Box demo data: stations, the 200 kits, their movements and checks, postings of
the demo's graduates, and who delivered each cohort (nations, programs of instruction).

Reproduces the seed (docs/stations.md): 200 kits planned (100 police, 100
border); 100 received by training centres in July 2017 (50 police, 50
border); the first 50 police kits 10 to each of Ninawa, Kirkuk, Salah ad-Din,
Diyala and Anbar. Stations are staffed from the demo's basic-course graduates,
with posting rates that differ by delivering nation and province, so that
readiness, leakage and outcomes vary. Deterministic: every choice comes from
`random.Random(f"{seed}:stations")`; written by the demo loader inside its
transaction (called from trainer/demo/build.py after the training records).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from trainer.demo.plan import TODAY
from trainer.demo.state import LoaderState, Row
from trainer.stations.kits import manifest

STAMP = "2026-11-01 06:00:00"
REC = ("id", "uuid", "version", "created_at", "updated_at")
# police stations, border posts
STATIONS = {"default": (280, 120), "quick": (90, 60), "full": (1400, 600)}
POLICE_WEIGHTS = {
    "IQ-NI": 22, "IQ-AN": 14, "IQ-SD": 10, "IQ-KI": 8, "IQ-DI": 8, "IQ-BG": 18, "IQ-BA": 6, "IQ-BB": 3,
    "IQ-DQ": 3, "IQ-WA": 2, "IQ-MA": 2, "IQ-NA": 2, "IQ-KA": 2,
}  # fmt: skip
BORDER_WEIGHTS = {"IQ-AN": 30, "IQ-NI": 25, "IQ-BA": 12, "IQ-DI": 10, "IQ-MA": 8, "IQ-WA": 7, "IQ-MU": 8}
DISTRICTS = {
    "IQ-NI": ("Mosul", "Tal Afar", "Sinjar", "Hamdaniya", "Tel Kaif", "Baaj", "Hatra", "Makhmur"),
    "IQ-AN": ("Ramadi", "Fallujah", "Hit", "Haditha", "Al-Qaim", "Rutba", "Anah"),
    "IQ-SD": ("Tikrit", "Samarra", "Baiji", "Balad", "Tuz Khurmatu", "Shirqat", "Dujail"),
    "IQ-KI": ("Kirkuk", "Hawija", "Dibis", "Daquq"),
    "IQ-DI": ("Baquba", "Khalis", "Muqdadiya", "Khanaqin", "Balad Ruz", "Mandali"),
    "IQ-BG": ("Karkh", "Rusafa", "Adhamiya", "Kadhimiya", "Mahmudiya", "Abu Ghraib", "Sadr City"),
    "IQ-BA": ("Basra", "Zubair", "Abu al-Khasib", "Fao", "Qurna", "Safwan"),
}
# The first plan: ten police kits to each of the five liberated provinces, in this order.
FIRST_PLAN = ("IQ-NI", "IQ-KI", "IQ-SD", "IQ-DI", "IQ-AN")
POLICE_CENTRE = {
    "IQ-NI": "NIN-MOSUL-01", "IQ-KI": "KIR-KIRKUK-01", "IQ-SD": "SAL-TIKRIT-01", "IQ-DI": "DIY-BAQUBA-01",
    "IQ-AN": "ANB-RAMADI-01", "IQ-BG": "BGD-BAGHDAD-01",
}  # fmt: skip
BORDER_CENTRE = {"IQ-AN": "ANB-ASAD-01", "IQ-NI": "NIN-MOSUL-02"}
# Programs of instruction: code, revision, name, course, nation; and each nation's posting rate.
PROGRAMS = (
    ("POI-POL-IT", "2", "Carabinieri police training programme", "BASIC-POL", "IT"),
    ("POI-POL-ES", "1", "Guardia Civil basic police programme", "BASIC-POL", "ES"),
    ("POI-POL-US", "3", "INL basic police curriculum", "BASIC-POL", "US"),
    ("POI-POL-AU", "1", "AFP basic policing course", "BASIC-POL", "AU"),
    ("POI-BG-US", "1", "Border security basic programme", "BASIC-BG", "US"),
    ("POI-BG-GB", "2", "Border policing programme", "BASIC-BG", "GB"),
    ("POI-ILP-GB", "1", "Intelligence-led policing programme", "ILP-1", "GB"),
)
POSTED_RATE = {"IT": 0.86, "ES": 0.8, "US": 0.7, "AU": 0.76, "GB": 0.78, "": 0.6}
PROVINCE_RATE = {"IQ-NI": 0.92, "IQ-AN": 1.0, "IQ-SD": 0.9, "IQ-KI": 1.05, "IQ-DI": 0.95}
AWAITING = 45  # days: cohorts that ended this recently are not posted yet
END_REASONS = (("transferred", 6), ("deserted", 3), ("killed", 1), ("dismissed", 1), ("retired", 1))


def write(loader: LoaderState) -> dict[str, int]:
    """Write everything through `loader.insert` (SQLite executemany / PostgreSQL COPY); counts back."""
    return _Writer(loader).run()


class _Writer:
    def __init__(self, loader: LoaderState) -> None:
        self.loader, self.insert, self.uid = loader, loader.insert, loader.uid
        self.rng = random.Random(f"{loader.seed}:stations")
        self.db = loader.db
        self.counts: dict[str, int] = {}

    def rec(self, i: int) -> Row:
        return (i, self.uid(), 1, STAMP, STAMP)

    def run(self) -> dict[str, int]:
        centres = dict(self.db.execute_sql("SELECT code, id FROM centre").fetchall())
        names_ar = dict(self.db.execute_sql("SELECT code, name_ar FROM province").fetchall())
        self.stations(centres, names_ar)
        self.kits(centres)
        self.delivery()
        self.postings()
        self.loader.dialect.reset_sequences(
            (
                "station",
                "kit",
                "kit_item",
                "kit_movement",
                "inventory_check",
                "inventory_line",
                "posting",
                "program",
                "cohort_nation",
            )  # fmt: skip
        )
        return self.counts

    # -- stations ------------------------------------------------------------
    def stations(self, centres: dict[str, int], names_ar: dict[str, str]) -> None:
        rng = self.rng
        police, border = STATIONS[self.loader.scale]
        plan: list[tuple[str, str]] = []
        for prov in FIRST_PLAN:  # enough stations where the first kits go
            plan += [("police", prov)] * 10
        plan += [("border", "IQ-AN")] * 25 + [("border", "IQ-NI")] * 25
        provs, weights = zip(*POLICE_WEIGHTS.items())
        plan += [("police", p) for p in rng.choices(provs, weights, k=police - 50)]
        provs, weights = zip(*BORDER_WEIGHTS.items())
        plan += [("border", p) for p in rng.choices(provs, weights, k=border - 50)]
        rows, self.station_of = [], defaultdict(list)  # (kind, province) -> [(id, strength)]
        numbers: dict[tuple[str, str], int] = defaultdict(int)
        self.station_meta = {}
        for sid, (kind, prov) in enumerate(plan, 1):
            numbers[(kind, prov)] += 1
            n = numbers[(kind, prov)]
            district = rng.choice(DISTRICTS.get(prov, ("",)))
            place = district or prov[3:]
            strength = rng.randint(8, 24) if kind == "police" else rng.randint(6, 14)
            centre = (POLICE_CENTRE if kind == "police" else BORDER_CENTRE).get(prov)
            code = f"{prov[3:]}-{'PS' if kind == 'police' else 'BP'}-{n:04d}"
            name_en = f"{place} {'Police Station' if kind == 'police' else 'Border Post'} {n}"
            name_ar = f"{'مركز شرطة' if kind == 'police' else 'مخفر حدود'} {names_ar.get(prov, '')} {n}"
            lat = round(29.5 + rng.random() * 7.5, 5) if rng.random() < 0.6 else None
            lon = round(39.0 + rng.random() * 9.0, 5) if lat is not None else None
            status = rng.choices(("open", "planned", "closed"), (70, 27, 3))[0]
            self.station_meta[sid] = [code, kind, prov, status]
            centre_id = centres.get(centre) if centre is not None else None
            rows.append((sid, kind, prov, district, name_en, name_ar, lat, lon, strength, centre_id, code))
            if status != "closed":
                self.station_of[(kind, prov)].append((sid, strength))
        self.station_rows = rows
        self.counts["stations"] = len(rows)

    def write_stations(self) -> None:
        self.insert(
            "station",
            REC
            + (
                "code",
                "kind",
                "province_id",
                "district",
                "name_en",
                "name_ar",
                "latitude",
                "longitude",
                "status",
                "authorised_strength",
                "centre_id",
            ),  # fmt: skip
            [
                self.rec(sid)
                + (
                    self.station_meta[sid][0],
                    kind,
                    prov,
                    district,
                    en,
                    ar,
                    lat,
                    lon,
                    self.station_meta[sid][3],
                    strength,
                    centre,
                )  # fmt: skip
                for sid, kind, prov, district, en, ar, lat, lon, strength, centre, _code in self.station_rows
            ],
        )

    # -- kits ------------------------------------------------------------------
    def kits(self, centres: dict[str, int]) -> None:
        rng = self.rng
        kits, items, moves, checks, lines = [], [], [], [], []
        item_id = move_id = check_id = line_id = 0
        targets = {("police", p): [s for s, _ in self.station_of[("police", p)]] for p in FIRST_PLAN}
        for prov in BORDER_CENTRE:
            targets[("border", prov)] = [s for s, _ in self.station_of[("border", prov)]]
        for kid in range(1, 201):
            kind = "police" if kid <= 100 else "border"
            n = kid if kind == "police" else kid - 100
            serial = f"{'PK' if kind == 'police' else 'BK'}-{n:03d}"
            state, centre, station, received, by, issued, set_up = "planned", None, None, None, "", None, None
            if n <= 50:  # the first hundred: received in July 2017
                prov = FIRST_PLAN[(n - 1) // 10] if kind == "police" else ("IQ-AN" if n <= 25 else "IQ-NI")
                centre = centres[(POLICE_CENTRE if kind == "police" else BORDER_CENTRE)[prov]]
                received = date(2017, 7, 2 + (n * 7) % 26)
                by = rng.choice(("Col. Khalid Hassan", "Maj. Ahmed Jasim", "Capt. Omar Salih", "Lt. Col. Ali Kadhim"))
                state = "received"
                free = targets[(kind, prov)]
                if free and rng.random() < 0.86:
                    station, state = free.pop(0), "issued"
                    issued = received + timedelta(days=rng.randint(20, 150))
                    self.station_meta[station][3] = "open" if self.station_meta[station][3] != "closed" else "closed"
                    if rng.random() < 0.85:
                        state, set_up = "set-up", issued + timedelta(days=rng.randint(3, 30))
            kits.append(self.rec(kid) + (serial, kind, state, centre, station, received, by, issued, set_up))
            conditions: dict[str, tuple[str, str]] = {}
            for stage, day, place in (("receipt", received, centre), ("set-up", set_up, station)):
                if day is None:
                    continue
                check_id += 1
                marks = {}
                for code, _name, _q in manifest(kind):
                    roll = rng.random()
                    marks[code] = ("missing", "not in the container") if roll < 0.012 else (
                        ("damaged", "arrived broken") if roll < 0.02 else ("present", "")
                    )  # fmt: skip
                if stage == "set-up":  # most problems found at receipt were put right by set-up
                    for code, (cond, _note) in conditions.items():
                        if cond != "present" and rng.random() < 0.6:
                            marks[code] = ("present", "")
                counts = [sum(1 for c, _ in marks.values() if c == x) for x in ("present", "missing", "damaged")]
                checks.append(
                    self.rec(check_id)
                    + (
                        kid,
                        stage,
                        day,
                        place if stage == "receipt" else None,
                        place if stage == "set-up" else None,
                        None,
                        *counts,
                    )  # fmt: skip
                )
                for code, (cond, note) in marks.items():
                    line_id += 1
                    lines.append((line_id, check_id, code, cond, note))
                conditions = marks
            for code, name, qty in manifest(kind):
                item_id += 1
                cond, note = conditions.get(code, ("unchecked", ""))
                items.append((item_id, kid, code, name, qty, cond, note))
            for action, day, c, s in (("receive", received, centre, None), ("issue", issued, None, station),
                                      ("set-up", set_up, None, station)):  # fmt: skip
                if day is not None:
                    move_id += 1
                    moves.append(self.rec(move_id) + (kid, action, day, c, s, by or "demo", None))
        self.write_stations()
        self.insert(
            "kit",
            REC
            + (
                "serial",
                "kind",
                "state",
                "centre_id",
                "station_id",
                "received_on",
                "received_by",
                "issued_on",
                "set_up_on",
            ),  # fmt: skip
            [tuple(v.isoformat() if isinstance(v, date) else v for v in k) for k in kits],
        )
        self.insert("kit_item", ("id", "kit_id", "item", "name", "quantity", "condition", "note"), items)
        self.insert(
            "kit_movement",
            REC + ("kit_id", "action", "day", "centre_id", "station_id", "signed_by", "user_id"),
            [tuple(v.isoformat() if isinstance(v, date) else v for v in m) for m in moves],
        )
        self.insert(
            "inventory_check",
            REC + ("kit_id", "stage", "day", "centre_id", "station_id", "user_id", "present", "missing", "damaged"),
            [tuple(v.isoformat() if isinstance(v, date) else v for v in c) for c in checks],
        )
        self.insert("inventory_line", ("id", "check_id", "item", "condition", "note"), lines)
        self.counts.update(kits=len(kits), kits_received=sum(1 for k in kits if k[10]))

    # -- delivering nations and programs of instruction -------------------------
    def delivery(self) -> None:
        rng = self.rng
        course_id = dict(self.db.execute_sql("SELECT code, id FROM course").fetchall())
        programs, by_course = [], defaultdict(list)
        for pid, (code, revision, name, course, nation) in enumerate(PROGRAMS, 1):
            if course in course_id:
                programs.append(self.rec(pid) + (code, revision, name, course_id[course], nation))
                by_course[course_id[course]].append((pid, nation))
        self.insert("program", REC + ("code", "revision", "name", "course_id", "nation"), programs)
        marks = self.loader.dialect.marks(1)
        ids = ", ".join(str(c) for c in by_course) or "0"
        cohorts = self.db.execute_sql(
            f"SELECT id, course_id FROM cohort WHERE course_id IN ({ids}) AND status <> {marks} ORDER BY id",
            ("cancelled",),
        ).fetchall()
        delivered: list[Row] = []
        nations: list[Row] = []
        self.nation_of = {}
        for cohort, course in cohorts:
            if rng.random() < 0.12:
                continue  # no delivery recorded
            pid, nation = rng.choice(by_course[course])
            delivered.append((cohort, pid))
            crew = [nation] + (["IQ"] if rng.random() < 0.3 else [])
            for n in crew:
                nations.append((len(nations) + 1, cohort, n))
            self.nation_of[cohort] = nation
        self.insert("cohort_delivery", ("cohort_id", "program_id"), delivered)
        self.insert("cohort_nation", ("id", "cohort_id", "nation"), nations)
        self.counts["programs"] = len(programs)

    # -- postings --------------------------------------------------------------------
    def postings(self) -> None:
        rng = self.rng
        marks = self.loader.dialect.marks(1)
        grads = self.db.execute_sql(
            "SELECT e.trainee_id, e.cohort_id, c.end_date, t.force_id, t.province_id FROM enrolment e "
            "JOIN cohort c ON c.id = e.cohort_id JOIN course k ON k.id = c.course_id "
            "JOIN trainee t ON t.id = e.trainee_id "
            f"WHERE e.status = 'graduated' AND k.category = {marks} AND t.status = 'active' "
            "ORDER BY c.end_date, e.trainee_id",
            ("basic",),
        ).fetchall()
        units = defaultdict(list)
        for uid, force, prov in self.db.execute_sql("SELECT id, force_id, province_id FROM unit ORDER BY id"):
            units[(force, prov)].append(uid)
        room = {key: [[sid, int(strength * rng.uniform(0.75, 1.5))] for sid, strength in stations]
                for key, stations in self.station_of.items()}  # fmt: skip
        reasons = [r for r, _w in END_REASONS]
        weights = [w for _r, w in END_REASONS]
        seen, rows, pid = set(), [], 0
        for tid, cohort, end, force, prov in grads:
            if tid in seen:
                continue
            seen.add(tid)
            end = end if isinstance(end, date) else date.fromisoformat(str(end)[:10])
            rate = POSTED_RATE[self.nation_of.get(cohort, "")] * PROVINCE_RATE.get(prov, 0.9)
            roll = rng.random()
            if roll < rate:
                start = end + timedelta(days=rng.randint(7, 80))
            elif roll < rate + 0.12:
                start = end + timedelta(days=rng.randint(120, 500))
            else:
                continue  # never joined the ranks
            if start >= TODAY or end > TODAY - timedelta(days=AWAITING):
                continue  # the latest graduates await their posting (the app posts a cohort in one step)
            places = room.get((force, prov), [])
            while places and places[0][1] <= 0:
                places.pop(0)
            if places:
                places[0][1] -= 1
                where: tuple[int | None, int | None] = (places[0][0], None)
            elif units.get((force, prov)):
                where = (None, rng.choice(units[(force, prov)]))
            else:
                continue
            stop: date | None = None
            reason = ""
            if rng.random() < 0.12:
                reason = rng.choices(reasons, weights)[0]
                stop = start + timedelta(days=rng.randint(60, 1500))
                if stop >= TODAY:
                    stop, reason = None, ""
            pid += 1
            rows.append(self.rec(pid) + (tid, *where, start.isoformat(), stop and stop.isoformat(), reason, "demo"))
            if reason == "transferred" and units.get((force, prov)):  # serves on in a unit from the next day
                pid += 1
                assert stop is not None  # a transfer has its end
                nxt = (stop + timedelta(days=1)).isoformat()
                rows.append(self.rec(pid) + (tid, None, rng.choice(units[(force, prov)]), nxt, None, "", "demo"))
        self.insert(
            "posting",
            REC + ("trainee_id", "station_id", "unit_id", "start_date", "end_date", "end_reason", "source"),
            rows,
        )
        self.counts["postings"] = len(rows)
