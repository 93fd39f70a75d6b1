"""The demo load's trainees: names in both scripts, search keys, units, vetting."""

from __future__ import annotations

import random
from datetime import date

from trainer.demo import catalogue
from trainer.demo import names as person_names
from trainer.demo.plan import TODAY
from trainer.demo.shared import CHUNK, REC, STAMP
from trainer.demo.state import LoaderState, Row
from trainer.registry import names


class TraineeRows(LoaderState):
    """Part of the demo loader (trainer.demo.build._Loader): its state lives on the loader."""

    _parts: dict[str, tuple[list[str], list[str]]]  # name part -> names.key_parts(part)
    _compose: bool  # keys composed from the cached parts (checked against names.keys)
    _checked: int

    def _part(self, text: str) -> tuple[list[str], list[str]]:
        """A name part's search words and skeletons (names.key_parts): names.keys(*parts) joins
        these over the parts (words first, then skeletons, deduplicated); cached per part."""
        got = self._parts.get(text)
        if got is None:
            got = self._parts[text] = names.key_parts(text)
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
        self._parts = {}
        self._compose, self._checked = True, 0
        latin = {
            ar: la
            for table in (
                person_names.MALE_GIVEN,
                person_names.KURDISH_GIVEN,
                person_names.FEMALE_GIVEN,
                person_names.FAMILY,
            )
            for ar, la in table
        }
        male = [a for a, _ in person_names.MALE_GIVEN]
        kurdish = [a for a, _ in person_names.KURDISH_GIVEN]
        female = [a for a, _ in person_names.FEMALE_GIVEN]
        family = [a for a, _ in person_names.FAMILY]
        provinces = {f: ([p for p, _ in w], [n for _, n in w]) for f, w in person_names.PROVINCE_WEIGHTS.items()}
        statuses, status_w = ("active", "inactive", "dismissed", "deceased"), (94, 4, 1.5, 0.5)
        n = self.n_trainees
        # national IDs: a bijection of the trainee id onto 12-digit numbers (unique, scattered)
        mult, shift = 1 + 2 * rng.randrange(10**10, 10**11), rng.randrange(9 * 10**11)
        while mult % 3 == 0 or mult % 5 == 0:
            mult += 2
        service = {f: rng.randrange(1000, 20000) for f in self.forces}
        today, kr = TODAY.toordinal(), ("IQ-AR", "IQ-DA", "IQ-SU")
        day0, unit_from, unit_to = (date(y, 1, 1).toordinal() for y in (2017, 2016, 2026))
        rows: list[Row] = []
        units: list[Row] = []
        match: dict[tuple[str, str], str] = {}
        ua = 0
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
            women = rng.random() < catalogue.FEMALE_SHARE[force]
            fathers = kurdish if kurd and rng.random() < 0.7 else male
            given = rng.choice(female if women else kurdish if kurd and rng.random() < 0.8 else male)
            father, grand = rng.choice(fathers), rng.choice(fathers)
            local = person_names.KURDISH_FAMILY if kurd else person_names.FAMILY_BY_PROVINCE.get(prov)
            fam = rng.choice(local) if local and rng.random() < 0.7 else rng.choice(family)
            mother = rng.choice(female) + (" " + rng.choice(male) if rng.random() < 0.4 else "")
            nid = str(10**11 + (mult * t + shift) % (9 * 10**11))
            service[force] += rng.randint(1, 3)
            sn = f"{catalogue.SERVICE_PREFIX[force]}-{service[force]:07d}"
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
                    rng.choice(person_names.RANKS[force]),
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
