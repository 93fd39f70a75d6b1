"""The report catalogue: hand-computed small cases on SQLite and PostgreSQL, and the demo's published figures."""

from __future__ import annotations

import datetime
from datetime import date

import pytest

from db import models
from db.connection import database
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import PermissionDenied, ValidationFailed
from trainer.reporting import catalogue as reports
from trainer.reporting import summary
from trainer.reporting.catalogue import ReportParams
from trainer.reporting.pseudonyms import ENV_KEY

AS_OF = date(2025, 2, 20)
ANALYST = Actor(user_id=None, username="ana", role="analyst")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv(ENV_KEY, "k" * 40)


def build_small() -> dict:
    """A few persons whose every figure is worked out by hand in the tests below.

    Police p1 p2 p3 (Ninawa), p4 (Anbar); border b1 (Ninawa), b2 (Anbar);
    army a1 (Ninawa, inactive). Basic police BP-1 (Ninawa, Jan–Feb 2024,
    coalition funded): p1 p2 a1 graduate, p3 fails, p4 withdraws (medical).
    BP-2 (Anbar, Apr–May 2024): p4, p3 and p1 (again) graduate. Basic border
    BB-1 (Feb–Mar 2024): b1 graduates, b2 withdraws (transferred). ILP-1
    (June 2024): p1 graduates, p2 still enrolled, p4 fails, p3 waitlisted.
    Weapons WPN-1 (March 2024): p1 and b1 graduate.
    """
    M = models
    with database.connection_context(), database.atomic():
        nin = M.Centre.create(code="NIN", name_en="Mosul Centre", province="IQ-NI")
        anb = M.Centre.create(code="ANB", name_en="Ramadi Centre", province="IQ-AN")
        unit = M.Unit.create(code="U1", name="1st Bn", force="police", province="IQ-NI")
        ilp = M.Competency.create(code="C-ILP", name_en="Intelligence-led policing")
        M.CompetencyTag.create(competency=ilp, tag="ilp")
        courses = {}
        for code, cat, forces in (
            ("BP", "basic", ("police",)),
            ("BB", "basic", ("border",)),
            ("ILP", "intelligence-led-policing", ("police",)),
            ("WPN", "specialist", ("police", "border")),
        ):
            c = M.Course.create(
                code=code,
                title_en=f"{code} course",
                category=cat,
                duration_days=20,
                certificate_months=12 if code == "WPN" else None,
            )
            for f in forces:
                M.CourseForce.create(course=c, force=f)
            courses[code] = c
        M.CourseCompetency.create(course=courses["ILP"], competency=ilp)
        a_bp = M.Assessment.create(course=courses["BP"], code="A1", title="Exam", max_score=100, pass_mark=50)
        a_bb = M.Assessment.create(course=courses["BB"], code="A1", title="Exam", max_score=100, pass_mark=50)
        people = {}
        for n, (key, force, prov, status) in enumerate(
            (
                ("p1", "police", "IQ-NI", "active"),
                ("p2", "police", "IQ-NI", "active"),
                ("p3", "police", "IQ-NI", "active"),
                ("p4", "police", "IQ-AN", "active"),
                ("b1", "border", "IQ-NI", "active"),
                ("b2", "border", "IQ-AN", "active"),
                ("a1", "army", "IQ-NI", "inactive"),
            )
        ):
            people[key] = M.Trainee.create(
                given_name=f"اسم{key}",
                father_name="حسن",
                grandfather_name="علي",
                given_name_latin=key,
                date_of_birth=date(1990, 1, 1 + n),
                force=force,
                province=prov,
                status=status,
                service_number=f"SN-{key}",
                phone="+9647701234567",
            )
        M.UnitAssignment.create(trainee=people["p3"], unit=unit, start_date=date(2020, 1, 1))
        cohorts = {}
        for code, course, centre, start, end, funded in (
            ("BP-1", "BP", nin, date(2024, 1, 7), date(2024, 2, 29), True),
            ("BP-2", "BP", anb, date(2024, 4, 7), date(2024, 5, 30), False),
            ("BB-1", "BB", nin, date(2024, 2, 4), date(2024, 3, 28), False),
            ("ILP-1", "ILP", nin, date(2024, 6, 2), date(2024, 6, 27), False),
            ("WPN-1", "WPN", nin, date(2024, 3, 3), date(2024, 3, 14), False),
        ):
            cohorts[code] = M.Cohort.create(
                code=code,
                course=courses[course],
                centre=centre,
                start_date=start,
                end_date=end,
                capacity=30,
                coalition_funded=funded,
                funder="US" if funded else "",
                status="completed",
            )
        enrol = {}
        for cohort, key, status, reason in (
            ("BP-1", "p1", "graduated", ""),
            ("BP-1", "p2", "graduated", ""),
            ("BP-1", "p3", "failed", ""),
            ("BP-1", "p4", "withdrawn", "medical"),
            ("BP-1", "a1", "graduated", ""),
            ("BP-2", "p4", "graduated", ""),
            ("BP-2", "p3", "graduated", ""),
            ("BP-2", "p1", "graduated", ""),
            ("BB-1", "b1", "graduated", ""),
            ("BB-1", "b2", "withdrawn", "transferred"),
            ("ILP-1", "p1", "graduated", ""),
            ("ILP-1", "p2", "enrolled", ""),
            ("ILP-1", "p4", "failed", ""),
            ("ILP-1", "p3", "waitlisted", ""),
            ("WPN-1", "p1", "graduated", ""),
            ("WPN-1", "b1", "graduated", ""),
        ):
            c = cohorts[cohort]
            enrol[(cohort, key)] = M.Enrolment.create(
                cohort=c,
                trainee=people[key],
                status=status,
                withdrawal_reason=reason,
                enrolled_on=c.start_date - datetime.timedelta(days=7),
                waitlist_position=1 if status == "waitlisted" else None,
            )
        for cohort, key, assessment, attempt, score in (
            ("BP-1", "p1", a_bp, 1, 80),
            ("BP-1", "p2", a_bp, 1, 70),
            ("BP-1", "p3", a_bp, 1, 30),
            ("BP-1", "p3", a_bp, 2, 40),
            ("BP-1", "a1", a_bp, 1, 60),
            ("BP-2", "p4", a_bp, 1, 75),
            ("BP-2", "p3", a_bp, 1, 55),
            ("BP-2", "p1", a_bp, 1, 90),
            ("BB-1", "b1", a_bb, 1, 65),
        ):
            M.Result.create(enrolment=enrol[(cohort, key)], assessment=assessment, attempt=attempt, score=score)
        for number, (cohort, key, course, issued, expires, status) in enumerate(
            (
                ("WPN-1", "p1", "WPN", date(2024, 3, 14), date(2025, 3, 14), "valid"),  # 22 days left
                ("WPN-1", "b1", "WPN", date(2024, 3, 14), date(2025, 5, 1), "valid"),  # 70 days left
                ("BB-1", "b1", "BB", date(2024, 3, 28), date(2025, 1, 31), "valid"),  # expired
                (None, "p4", "WPN", date(2023, 3, 1), date(2024, 3, 1), "revoked"),  # not counted
                (None, "p2", "WPN", date(2023, 3, 1), date(2025, 3, 1), "superseded"),
            )
        ):  # not counted
            M.Certificate.create(
                number=f"N{number}",
                verification_code=f"V{number}",
                enrolment=enrol.get((cohort, key)),
                trainee=people[key],
                course=courses[course],
                issued_on=issued,
                expires_on=expires,
                status=status,
                revoked_reason="fraud" if status == "revoked" else "",
            )
        # Vetting for BP-1 (starts 2024-01-07, validity 12 months by default).
        for key, kind, result, decided in (
            ("p1", "individual", "approved", date(2023, 12, 1)),
            ("p2", "individual", "approved", date(2024, 1, 10)),
            ("p4", "individual", "denied", date(2023, 12, 1)),
            ("a1", "individual", "approved", date(2022, 6, 1)),
        ):
            M.VettingRecord.create(
                trainee=people[key],
                kind=kind,
                case_ref=f"CASE-{key}",
                result=result,
                decision_date=decided,
                funder="US",
            )
        M.VettingRecord.create(
            unit=unit, kind="unit", case_ref="CASE-U1", result="approved", decision_date=date(2023, 11, 1), funder="US"
        )
        s = [
            M.Session.create(cohort=cohorts["BP-1"], day=d, status=st)
            for d, st in ((date(2024, 1, 7), "held"), (date(2024, 1, 8), "held"), (date(2024, 1, 9), "cancelled"))
        ]
        for key, marks in (("p1", ("present", "late")), ("p2", ("present", "absent"))):
            for sess, mark in zip(s, marks):
                M.Attendance.create(session=sess, enrolment=enrol[("BP-1", key)], mark=mark)
        for prov, force, required in (("IQ-NI", "police", 10), ("IQ-NI", "border", 5), ("IQ-AN", "police", 8)):
            M.Requirement.create(province=prov, force=force, required=required, as_of=date(2017, 1, 1))
    summary.rebuild()
    return {
        "people": {k: v.id for k, v in people.items()},
        "cohorts": {k: v.id for k, v in cohorts.items()},
        "centres": {"NIN": nin.id, "ANB": anb.id},
    }


@pytest.fixture
def small(db_url):
    return build_small()


def run(name, actor=SYSTEM, **params):
    params.setdefault("as_of", AS_OF)
    return reports.run_report(actor, name, ReportParams(**params))


def by_key(result, width=1):
    return {r[:width] if width > 1 else r[0]: r for r in result.rows}


def test_trained_by_force_counts_unique_persons_of_their_forces_basic_course(small):
    rows = by_key(run("trained-by-force"))
    assert rows["police"][3] == 4  # p1 (twice), p2, p3 (after failing), p4
    assert rows["border"][3] == 1  # b1; b2 withdrew
    assert rows["army"][3] == 0  # a1 graduated a police course, not his force's
    assert rows["police"][1:3] == ("Local Police", "الشرطة المحلية")
    assert by_key(run("trained-by-force", date_from=date(2024, 3, 1)))["police"][3] == 2  # p3, p4 first trained in May
    assert by_key(run("trained-by-force", date_to=date(2024, 3, 1)))["police"][3] == 2  # p1, p2
    assert by_key(run("trained-by-force", province="Ninawa"))["police"][3] == 3
    assert by_key(run("trained-by-force", centre="ANB"))["police"][3] == 2  # p3, p4 first at Anbar
    assert [r[0] for r in run("trained-by-force", force="Local Police").rows] == ["police"]


def test_trained_by_province_is_a_province_by_force_table_with_totals(small):
    result = run("trained-by-province")
    cols = result.columns
    rows = by_key(result)
    ni = dict(zip(cols, rows["IQ-NI"]))
    assert (ni["police"], ni["border"], ni["army"], ni["total"]) == (3, 1, 0, 4)
    an = dict(zip(cols, rows["IQ-AN"]))
    assert (an["police"], an["border"], an["total"]) == (1, 0, 1)
    assert len(result.rows) == 19
    only = run("trained-by-province", force="border", province="IQ-AN")
    assert only.columns[3:] == ("border", "total")
    assert [(r[0], *r[3:]) for r in only.rows] == [("IQ-AN", 0, 0)]


def test_trained_by_course_month_counts_persons_once_per_course(small):
    result = run("trained-by-course-month")
    got = {r[:4]: r[5:] for r in result.rows}
    assert got == {
        ("2024-02", "army", "IQ-NI", "BP"): (1, 1, 1, 1),
        ("2024-02", "police", "IQ-AN", "BP"): (1, 0, 0, 0),
        ("2024-02", "police", "IQ-NI", "BP"): (3, 2, 4, 2),
        ("2024-03", "border", "IQ-AN", "BB"): (1, 0, 0, 0),
        ("2024-03", "border", "IQ-NI", "BB"): (1, 1, 1, 1),
        ("2024-03", "border", "IQ-NI", "WPN"): (1, 1, 0, 0),
        ("2024-03", "police", "IQ-NI", "WPN"): (1, 1, 0, 0),
        ("2024-05", "police", "IQ-AN", "BP"): (1, 1, 1, 1),
        ("2024-05", "police", "IQ-NI", "BP"): (2, 1, 2, 2),  # p1's second BP is not a new person
        ("2024-06", "police", "IQ-AN", "ILP"): (1, 0, 0, 0),
        ("2024-06", "police", "IQ-NI", "ILP"): (2, 1, 0, 0),  # p3 waitlisted: not an enrolment
    }
    quarter = run("trained-by-course-month", date_from=date(2024, 4, 1), date_to=date(2024, 6, 30), force="police")
    assert {r[:4] for r in quarter.rows} == {
        ("2024-05", "police", "IQ-AN", "BP"),
        ("2024-05", "police", "IQ-NI", "BP"),
        ("2024-06", "police", "IQ-AN", "ILP"),
        ("2024-06", "police", "IQ-NI", "ILP"),
    }
    assert {r[:4] for r in run("trained-by-course-month", centre="ANB").rows} == {
        ("2024-05", "police", "IQ-AN", "BP"),
        ("2024-05", "police", "IQ-NI", "BP"),
    }


def test_requirement_gap_against_trained_and_certified(small):
    rows = {r[:3:2]: r for r in run("requirement-gap").rows}
    assert rows[("IQ-NI", "police")][3:] == (10, 3, 1, 7, 30.0)  # p1 holds a valid weapons certificate
    assert rows[("IQ-NI", "border")][3:] == (5, 1, 1, 4, 20.0)  # b1's WPN valid, his BB one expired
    assert rows[("IQ-AN", "police")][3:] == (8, 1, 0, 7, 12.5)
    later = {r[:3:2]: r for r in run("requirement-gap", date_to=date(2025, 6, 1)).rows}
    assert later[("IQ-NI", "police")][5] == 0 and later[("IQ-NI", "border")][5] == 0  # all expired by then
    early = {r[:3:2]: r for r in run("requirement-gap", date_to=date(2024, 3, 1)).rows}
    assert early[("IQ-NI", "police")][4] == 2


def test_pass_rates_per_course(small):
    rows = by_key(run("pass-rates"))
    assert rows["BP"][3:] == (8, 6, 1, 85.7, 8, 6, 75.0)
    assert rows["BB"][3:] == (2, 1, 0, 100.0, 1, 1, 100.0)
    assert rows["ILP"][3:] == (3, 1, 1, 50.0, 0, 0, None)
    assert rows["WPN"][3:] == (2, 2, 0, 100.0, 0, 0, None)
    assert by_key(run("pass-rates", province="IQ-AN"))["BP"][3:7] == (2, 1, 0, 100.0)  # p4 in both BP cohorts


def test_attrition_with_withdrawal_reasons(small):
    result = run("attrition")
    assert result.columns[5:] == ("reason: medical", "reason: transferred")
    rows = by_key(result)
    assert rows["BP"][2:] == (8, 1, 12.5, 1, 0)
    assert rows["BB"][2:] == (2, 1, 50.0, 0, 1)
    assert rows["ILP"][2:] == (3, 0, 0.0, 0, 0)


def test_certificates_expiring_and_expired(small):
    rows = by_key(run("certificates-expiring"))
    assert rows["WPN"][2:] == (0, 1, 0, 1, 2)  # revoked and superseded certificates never count
    assert rows["BB"][2:] == (1, 0, 0, 0, 0)
    later = by_key(run("certificates-expiring", date_to=date(2025, 3, 20)))
    assert later["WPN"][2:] == (1, 0, 1, 0, 1)


def test_ilp_transition_share_over_time(small):
    result = run("ilp-transition", date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    got = {(r[0], r[1], r[2]): r[3:] for r in result.rows}
    assert got[(date(2024, 3, 31), "police", "IQ-NI")] == (3, 0, 0.0)
    assert got[(date(2024, 6, 30), "police", "IQ-NI")] == (3, 1, 33.3)
    assert got[(date(2024, 12, 31), "police", "IQ-AN")] == (1, 0, 0.0)
    assert got[(date(2024, 3, 31), "border", "IQ-NI")] == (1, 0, 0.0)
    assert not any(r[1] == "army" for r in result.rows)  # a1 is inactive
    assert sorted({r[0] for r in result.rows}) == [
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
    ]


def test_vetting_compliance_lists_every_exception_with_the_gates_reason(small):
    result = run("vetting-compliance")
    assert not result.aggregate
    rows = {r[3].split()[0]: r for r in result.rows}
    assert set(rows) == {"اسمp2", "اسمp4", "اسمa1"}  # p1 vetted in time, p3 cleared through his unit
    assert "not before the cohort starts" in rows["اسمp2"][5]
    assert "denied" in rows["اسمp4"][5]
    assert "expired" in rows["اسمa1"][5]
    assert "5 coalition-funded enrolment(s) checked; 2 had" in result.notes[0] and "(40.0 %)" in result.notes[0]
    pseudonymous = run("vetting-compliance", actor=ANALYST)
    assert all(r[3].startswith("P-") for r in pseudonymous.rows) and len(pseudonymous.rows) == 3


def test_cohort_roster_with_results_and_attendance(small):
    result = run("cohort-roster", cohort="BP-1")
    assert result.columns == (
        "no",
        "trainee",
        "service_number",
        "force",
        "attendance_pct",
        "A1 (/100)",
        "outcome",
        "certificate",
    )
    rows = {r[1].split()[0]: r for r in result.rows}
    assert rows["اسمp1"][2:] == ("SN-p1", "police", 100.0, 80.0, "graduated", "")
    assert rows["اسمp2"][4] == 50.0
    assert rows["اسمp3"][5:7] == (40.0, "failed")  # the latest attempt
    assert rows["اسمp4"][6] == "withdrawn" and len(result.rows) == 5
    hidden = run("cohort-roster", actor=ANALYST, cohort="BP-1")
    assert all(r[1].startswith("P-") and r[2] == "" for r in hidden.rows)
    with pytest.raises(ValidationFailed, match="cohort"):
        run("cohort-roster")


def test_roles_and_scopes(small):
    nin, anb = small["centres"]["NIN"], small["centres"]["ANB"]
    registrar = Actor(user_id=None, username="reg", role="registrar", centre_ids=frozenset({nin}))
    assert run("cohort-roster", actor=registrar, cohort="BP-1").rows[0][1].startswith("اسم")
    with pytest.raises(PermissionDenied):
        run("cohort-roster", actor=registrar, cohort="BP-2")
    with pytest.raises(PermissionDenied):
        run("trained-by-force", actor=registrar)
    with pytest.raises(PermissionDenied):
        run("vetting-compliance", actor=Actor(user_id=None, username="i", role="instructor"))
    assert anb


def test_unknown_parameters_are_refused_by_name(small):
    with pytest.raises(ValidationFailed, match="province: no province called 'Atlantis'"):
        run("trained-by-force", province="Atlantis")
    with pytest.raises(ValidationFailed, match="centre"):
        run("pass-rates", centre="NOPE")
    with pytest.raises(ValidationFailed, match="start date is after"):
        run("pass-rates", date_from=date(2025, 1, 1), date_to=date(2024, 1, 1))


def test_summary_refresh_follows_a_graduation(small):
    """A service that changes an outcome calls refresh_cohort; the reports follow at once."""
    with database.connection_context(), database.atomic():
        models.Enrolment.update(status="graduated").where(
            (models.Enrolment.cohort == small["cohorts"]["BB-1"]) & (models.Enrolment.trainee == small["people"]["b2"])
        ).execute()
        summary.refresh_cohort(small["cohorts"]["BB-1"])
    assert by_key(run("trained-by-force"))["border"][3] == 2
    assert by_key(run("trained-by-province"))["IQ-AN"][4] == 1


# --- the demo data's published figures (SQLite: one generation, ~15 s; on PostgreSQL
# the generator alone takes ~45 s, and the small cases above cover that backend) ---


def test_demo_reproduces_the_published_figures(sqlite_url):
    from trainer.demo import build as demo
    from trainer.demo.plan import TODAY

    demo.generate(scale="default", seed=1)
    summary.rebuild()
    rows = by_key(run("trained-by-force", as_of=TODAY))
    assert rows["police"][3] == 15_000 and rows["border"][3] == 6_000
    gap = {r[:3:2]: r for r in run("requirement-gap", as_of=TODAY).rows}
    assert gap[("IQ-NI", "police")][3] == 25_000
    assert gap[("IQ-NI", "police")][6] == 25_000 - gap[("IQ-NI", "police")][4]
    provinces = run("trained-by-province", as_of=TODAY)
    police = provinces.columns.index("police")
    assert sum(r[police] for r in provinces.rows) == 15_000
    months = run("trained-by-course-month", as_of=TODAY)
    assert months.rows and all(r[6] <= r[5] for r in months.rows)
    vet = run("vetting-compliance", as_of=TODAY)
    assert "(100.0 %)" in vet.notes[0] and vet.rows == ()
    from trainer.reporting.dashboard import dashboard

    figures = dashboard(SYSTEM, as_of=TODAY)
    assert (figures.trained_police, figures.trained_border) == (15_000, 6_000)
    # Certified counts only the trained (Anbar army once showed 214 certified, 205 trained).
    assert all(r[5] <= r[4] for r in gap.values())
    # The dashboard reconciles with the gap report's totals and shows the Ninawa police requirement.
    assert figures.trained_against_required == sum(r[4] for r in gap.values())
    assert figures.gap == sum(r[3] for r in gap.values()) - figures.trained_against_required
    h = figures.headline
    assert (h.province, h.force, h.required, h.trained, h.certified) == (
        "IQ-NI",
        "police",
        25_000,
        gap[("IQ-NI", "police")][4],
        gap[("IQ-NI", "police")][5],
    )
