"""The demo load's reference data, course catalogue and users."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime

from db import models
from trainer.accounts.access import ROLES
from trainer.demo import catalogue
from trainer.demo import names as person_names
from trainer.demo.plan import _Course
from trainer.demo.shared import REC, STAMP, USER_CENTRE
from trainer.demo.state import LoaderState, Row


class ReferenceRows(LoaderState):
    """Part of the demo loader (trainer.demo.build._Loader): its state lives on the loader."""

    def reference(self) -> None:
        rec: Callable[[int], Row] = lambda i: (i, self.uid(), 1, STAMP, STAMP)  # noqa: E731
        self.centre_id = {code: i for i, (code, *_rest) in enumerate(catalogue.CENTRES, 1)}
        self.insert(
            "centre",
            REC + ("code", "province_id", "name_en", "name_ar"),
            [rec(i) + row for i, row in enumerate(catalogue.CENTRES, 1)],
        )
        units: list[Row] = []
        self.units_at, self.units_of = {}, {}
        for f in self.forces:
            for prov, _w in person_names.PROVINCE_WEIGHTS[f]:
                for n in (1, 2):
                    i = len(units) + 1
                    name = catalogue.UNIT_NAMES[f].format(province=catalogue.PROVINCE_SHORT[prov], n=n)
                    units.append(rec(i) + (f"{catalogue.UNIT_PREFIX[f]}-{prov[3:]}-{n:02d}", name, f, prov))
                    self.units_at.setdefault((f, prov), []).append(i)
                    self.units_of.setdefault(f, []).append(i)
        self.insert("unit", REC + ("code", "name", "force_id", "province_id"), units)
        self.insert(
            "requirement",
            REC + ("province_id", "force_id", "required", "as_of", "source"),
            [
                rec(i) + (p, f, n, "2017-06-30", catalogue.REQUIREMENT_SOURCE)
                for i, ((p, f), n) in enumerate(catalogue.REQUIREMENTS.items(), 1)
            ],
        )
        comp_id = {c[0]: i for i, c in enumerate(catalogue.COMPETENCIES, 1)}
        self.insert(
            "competency",
            REC + ("code", "name_en", "name_ar"),
            [rec(i) + c[:3] for i, c in enumerate(catalogue.COMPETENCIES, 1)],
        )
        self.insert(
            "competency_tag",
            ("id", "competency_id", "tag"),
            [
                (i, comp_id[c], tag)
                for i, (c, tag) in enumerate(((c[0], tag) for c in catalogue.COMPETENCIES for tag in c[3]), 1)
            ],
        )
        self.courses, courses = [], []
        links: dict[str, list[Row]] = {"force": [], "prereq": [], "comp": [], "assess": []}
        for idx, spec in enumerate(catalogue.COURSES):
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
        quals: list[Row] = []
        for c in self.courses:
            periods: list[tuple[str, str | None]] = [("2016-09-01", None)]
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
