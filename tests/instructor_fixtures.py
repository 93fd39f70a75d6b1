"""A small training world for the instructor's-desk tests, built straight on the models."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from db import models
from db.connection import database
from trainer.accounts.access import Actor

D = datetime.date
FIRST_DAY, LAST_DAY = D(2025, 3, 2), D(2025, 3, 13)  # the default cohort's two weeks
NAMES = [
    ("علي", "حسن", "كاظم", "الجبوري", "Ali", "Hassan", "Kadhim", "Al-Jubouri"),
    ("عمر", "خالد", "محمود", "العبيدي", "Omar", "Khalid", "Mahmoud", "Al-Obaidi"),
    ("ڕێبوار", "ئەحمەد", "کاوە", "", "Rebwar", "Ahmad", "Kawa", ""),
    ("سعد", "جاسم", "عباس", "الدليمي", "Saad", "Jasim", "Abbas", "Al-Dulaimi"),
    ("يوسف", "ابراهيم", "صالح", "الشمري", "Yousif", "Ibrahim", "Salih", "Al-Shammari"),
]


@dataclass
class World:
    cohort_id: int
    course_id: int
    centre_id: int
    admin: Actor
    instructor: Actor
    instructor_id: int
    assessments: dict[str, int]
    enrolments: list[int]
    trainees: list[int]
    start: datetime.date
    end: datetime.date
    extra: dict = field(default_factory=dict)


def user(username: str, role: str) -> tuple[int, Actor]:
    row = models.User.create(username=username, display_name=username.title(), role=role, password_hash="x")
    return row.id, Actor(row.id, username, role)


def trainee(i: int, **overrides) -> int:
    g, f, gf, fam, gl, fl, gfl, faml = NAMES[i % len(NAMES)]
    values = dict(
        given_name=g,
        father_name=f,
        grandfather_name=gf,
        family_name=fam,
        given_name_latin=gl,
        father_name_latin=fl,
        grandfather_name_latin=gfl,
        family_name_latin=faml,
        date_of_birth=D(1990, 1, 1) + datetime.timedelta(days=37 * i),
        force="police",
        province="IQ-NI",
        national_id=f"{100000000000 + i}",
        search_text=f"{gl} {fl}".lower(),
    )
    values.update(overrides)
    return models.Trainee.create(**values).id


def build(
    *,
    trainees: int = 4,
    start: datetime.date = FIRST_DAY,
    end: datetime.date = LAST_DAY,
    coalition: bool = False,
    qualified: bool = True,
    code: str = "BPC-01",
    course_code: str = "BPC",
    months: int | None = 12,
    prefix: str = "",
) -> World:
    """A course (WPN /20 pass 12, LAW /50 pass 25), a cohort, its instructor, trainees enrolled on the start."""
    with database.connection_context(), database.atomic():
        centre = models.Centre.get_or_none(models.Centre.code == "MOSUL") or models.Centre.create(
            code="MOSUL", name_en="Mosul Police Training Centre", name_ar="مركز تدريب شرطة الموصل", province="IQ-NI"
        )
        course = models.Course.create(
            code=course_code,
            title_en="Basic Police Course",
            title_ar="دورة الشرطة الأساسية",
            category="basic",
            duration_days=10,
            rule_min_attendance=80,
            certificate_months=months,
            recert_window_days=90,
        )
        wpn = models.Assessment.create(
            course=course, code="WPN", title="Weapons handling", max_score=20, pass_mark=12, position=0
        )
        law = models.Assessment.create(
            course=course, code="LAW", title="Law and human rights", max_score=50, pass_mark=25, position=1
        )
        admin_id, admin = user(f"{prefix}manager", "admin")
        inst_id, inst = user(f"{prefix}instructor", "instructor")
        cohort = models.Cohort.create(
            code=code,
            course=course,
            centre=centre,
            start_date=start,
            end_date=end,
            capacity=60,
            coalition_funded=coalition,
            funder="INL" if coalition else "",
            status="running",
        )
        models.CohortInstructor.create(cohort=cohort, user=inst_id)
        if qualified:
            models.InstructorQualification.create(
                user=inst_id,
                course=course,
                valid_from=start - datetime.timedelta(365),
                valid_until=None,
                reference="TTT-1",
            )
        tids, eids = [], []
        for i in range(trainees):
            tid = trainee(i, national_id=f"{prefix and 2 or 1}{cohort.id:05d}{i:06d}")
            tids.append(tid)
            eids.append(models.Enrolment.create(cohort=cohort, trainee=tid, enrolled_on=start).id)
        return World(
            cohort.id,
            course.id,
            centre.id,
            admin,
            inst,
            inst_id,
            {"WPN": wpn.id, "LAW": law.id},
            eids,
            tids,
            start,
            end,
        )


@pytest.fixture(autouse=False)
def private_config(tmp_path, monkeypatch):
    """Keys (audit, certificate signing) in a throwaway config directory, never the user's own."""
    import base64

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TRAINER_SIGNING_KEY", base64.b64encode(bytes(range(32))).decode())
    return tmp_path / "config"
