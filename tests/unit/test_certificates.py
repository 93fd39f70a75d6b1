"""Certificates: numbers, the vetting and qualification gates, revoke, recertify, expiry lists."""

from __future__ import annotations

import datetime
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config, user  # noqa: F401
from trainer.certification import certificates as certs
from trainer.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.usefixtures("private_config")
ISSUED = D(2025, 3, 14)


def _graduate(w, *which):
    with database.connection_context():
        E = models.Enrolment
        ids = [w.enrolments[i] for i in which] if which else w.enrolments
        E.update(status="graduated").where(E.id.in_(ids)).execute()


def _vet(trainee_id, result, day, kind="individual", unit=None):
    with database.connection_context():
        return models.VettingRecord.create(
            trainee=trainee_id if kind == "individual" else None,
            unit=unit,
            kind=kind,
            case_ref=f"INV-{trainee_id}-{day}",
            result=result,
            decision_date=day if result != "pending" else None,
            funder="INL",
        )


def test_numbers_carry_a_check_digit():
    number = certs.format_number(123)
    assert number == "IQTC-0000001230" and certs.valid_number(number) and certs.valid_number(number.lower())
    assert certs.format_number(1) == "IQTC-0000000018"
    assert not certs.valid_number("IQTC-0000001320")  # neighbouring digits swapped
    assert not certs.valid_number("IQTC-0000001231")  # one digit mistyped
    assert not certs.valid_number("IQTC-000000123") and not certs.valid_number("0000001230")
    number = certs.format_number(123_456_789)
    for i in range(5, len(number)):  # any single mistyped digit is caught
        for d in "0123456789":
            if d != number[i]:
                assert not certs.valid_number(number[:i] + d + number[i + 1 :])
    for serial in (0, 10**9):
        with pytest.raises(ValueError, match="out of range"):
            certs.format_number(serial)


def test_issue_on_graduation(db_url):
    w = build(trainees=3)
    _graduate(w, 0, 1)
    report = certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED)
    assert [c.latin_name for c in report.issued] == ["Ali Hassan Kadhim Al-Jubouri", "Omar Khalid Mahmoud Al-Obaidi"]
    first = report.issued[0]
    assert first.number == "IQTC-0000000018" and report.issued[1].number == "IQTC-0000000026"
    assert certs.valid_number(first.number) and len(first.verification_code) == 10
    assert (first.issued_on, first.expires_on, first.status) == (ISSUED, D(2026, 3, 14), "valid")
    assert first.issued_by == "Instructor" and first.cohort_code == "BPC-01"
    # Issuing again adds nothing; a trainee who did not graduate gets none.
    assert certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED).issued == ()
    with pytest.raises(ValidationFailed, match=r"not graduated \(enrolled\)"):
        certs.issue(w.admin, w.enrolments[2], on=ISSUED)
    with pytest.raises(PermissionDenied):
        certs.issue_for_cohort(w.instructor, w.cohort_id)
    assert certs.by_number(w.instructor, first.number.lower()).id == first.id
    with pytest.raises(ValidationFailed, match="check digit"):
        certs.by_number(w.instructor, "IQTC-0000000011")
    assert [c.number for c in certs.search(w.instructor, "omar")] == [report.issued[1].number]
    assert [c.number for c in certs.search(w.instructor, first.verification_code)] == [first.number]
    with database.connection_context():
        assert models.AuditEvent.select().where(models.AuditEvent.action == "issue").count() == 2


def test_a_course_without_certificate_issues_none(db_url):
    w = build(trainees=1)
    _graduate(w)
    with database.connection_context():
        models.Course.update(grants_certificate=False).where(models.Course.id == w.course_id).execute()
    with pytest.raises(ValidationFailed, match="grants no certificate"):
        certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED)


def test_vetting_gate_refuses_with_reasons(db_url):
    w = build(trainees=4, coalition=True)
    _graduate(w)
    _vet(w.trainees[0], "approved", w.start - datetime.timedelta(days=30))  # cleared
    _vet(w.trainees[1], "approved", w.start + datetime.timedelta(days=1))  # after the start
    _vet(w.trainees[2], "denied", w.start - datetime.timedelta(days=30))
    report = certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED)
    assert [c.trainee_id for c in report.issued] == [w.trainees[0]]
    reasons = {r.enrolment_id: r.reason for r in report.refused}
    assert reasons == {
        w.enrolments[1]: f"vetting: vetting INV-{w.trainees[1]}-2025-03-03 was approved on 2025-03-03, "
        "not before the cohort starts on 2025-03-02",
        w.enrolments[2]: f"vetting: vetting INV-{w.trainees[2]}-2025-01-31 is denied, not approved",
        w.enrolments[3]: "vetting: no vetting record: a coalition-funded cohort needs an approved vetting decision",
    }
    with pytest.raises(certs.GateRefused, match="no vetting record"):
        certs.issue(w.admin, w.enrolments[3], on=ISSUED)


def test_unit_vetting_clears_its_members(db_url):
    w = build(trainees=1, coalition=True)
    _graduate(w)
    with database.connection_context():
        unit = models.Unit.create(code="NI-POL-7", name="7th Police Battalion", force="police", province="IQ-NI")
        models.UnitAssignment.create(trainee=w.trainees[0], unit=unit, start_date=D(2020, 1, 1))
    _vet(None, "approved", w.start - datetime.timedelta(days=10), kind="unit", unit=unit.id)
    assert len(certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED).issued) == 1


def test_qualification_gate(db_url):
    w = build(trainees=1, qualified=False)
    _graduate(w)
    with pytest.raises(certs.GateRefused, match="instructor Instructor holds no qualification for BPC"):
        certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED)
    with database.connection_context():
        models.InstructorQualification.create(
            user=w.instructor_id, course=w.course_id, valid_from=D(2024, 1, 1), valid_until=D(2025, 3, 10)
        )  # lapses mid-cohort
    with pytest.raises(
        certs.GateRefused,
        match=r"qualification for BPC \(2024-01-01 to 2025-03-10\) does not "
        r"cover 2025-03-02 to 2025-03-13",
    ):
        certs.issue(w.admin, w.enrolments[0], on=ISSUED)
    with database.connection_context():
        models.InstructorQualification.create(
            user=w.instructor_id, course=w.course_id, valid_from=D(2025, 3, 1), valid_until=D(2026, 3, 1)
        )
    assert certs.issue(w.admin, w.enrolments[0], on=ISSUED).status == "valid"


def test_revoke_keeps_the_reason(db_url):
    w = build(trainees=1)
    _graduate(w)
    cert = certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED).issued[0]
    with pytest.raises(ValidationFailed, match="needs a reason"):
        certs.revoke(w.admin, cert.id, "  ")
    with pytest.raises(PermissionDenied):
        certs.revoke(w.instructor, cert.id, "misconduct")
    revoked = certs.revoke(w.admin, cert.id, "dismissed for misconduct", version=cert.version)
    assert (revoked.status, revoked.revoked_reason) == ("revoked", "dismissed for misconduct")
    with pytest.raises(ValidationFailed, match="already revoked"):
        certs.revoke(w.admin, cert.id, "again")
    with pytest.raises(ValidationFailed, match="is revoked"):
        certs.recertify(w.admin, cert.id, on=D(2026, 3, 1))
    assert certs.public_status(cert.number) == ("revoked", "dismissed for misconduct", "")


def test_recertify_inside_the_window(db_url):
    w = build(trainees=1)
    _graduate(w)
    old = certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED).issued[0]
    with pytest.raises(ValidationFailed, match="window for .* opens on 2025-12-14"):
        certs.recertify(w.admin, old.id, on=D(2025, 12, 1))
    new = certs.recertify(w.admin, old.id, on=D(2026, 1, 10))
    assert (new.issued_on, new.expires_on, new.status) == (D(2026, 1, 10), D(2027, 3, 14), "valid")
    again = certs.get(w.admin, old.id)
    assert (again.status, again.superseded_by) == ("superseded", new.number)
    with pytest.raises(ValidationFailed, match="is superseded"):
        certs.recertify(w.admin, old.id, on=D(2026, 1, 11))
    # Too late: expired certificates need the course again.
    with pytest.raises(ValidationFailed, match="is expired: the course must be taken again"):
        certs.recertify(w.admin, new.id, on=D(2027, 3, 15))


def test_recertify_needs_a_qualified_instructor_on_the_day(db_url):
    w = build(trainees=1, qualified=False)
    _graduate(w)
    with database.connection_context():
        models.InstructorQualification.create(
            user=w.instructor_id, course=w.course_id, valid_from=D(2024, 1, 1), valid_until=D(2025, 12, 31)
        )
        other_id, _ = user("refresher", "instructor")
        models.InstructorQualification.create(user=other_id, course=w.course_id, valid_from=D(2025, 6, 1))
    old = certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED).issued[0]
    with pytest.raises(certs.GateRefused, match=r"does not cover 2026-02-01"):
        certs.recertify(w.admin, old.id, on=D(2026, 2, 1))
    assert certs.recertify(w.admin, old.id, on=D(2026, 2, 1), instructor_id=other_id).issued_by == "Refresher"


def test_expiring_lists_and_the_expired_status(db_url):
    w = build(trainees=3)
    _graduate(w)
    issued = certs.issue_for_cohort(w.admin, w.cohort_id, on=ISSUED).issued
    with database.connection_context():  # spread the expiry dates
        for c, expires in zip(issued, (D(2026, 1, 20), D(2026, 2, 25), D(2026, 3, 30))):
            models.Certificate.update(expires_on=expires).where(models.Certificate.id == c.id).execute()
    today = D(2026, 1, 1)
    counts = [len(certs.expiring(w.instructor, days, today=today)) for days in certs.EXPIRING_CHOICES]
    assert counts == [1, 2, 3]
    assert [c.expires_on for c in certs.expiring(w.instructor, 90, today=today)] == sorted(
        [D(2026, 1, 20), D(2026, 2, 25), D(2026, 3, 30)]
    )
    assert certs.get(w.admin, issued[0].id, today=D(2026, 1, 21)).status == "expired"
    assert certs.expiring(w.instructor, 30, today=D(2026, 1, 21)) == []


# --- the property: no certificate without a prior approved vetting decision ---------

OFFSETS = st.integers(min_value=-500, max_value=60)
RECORDS = st.lists(
    st.tuples(
        st.sampled_from(["individual", "unit"]),
        st.sampled_from(["approved", "denied", "pending", "suspended"]),
        OFFSETS,
    ),
    max_size=4,
)
_counter = itertools.count()


def _violations() -> list[str]:
    """Certificates of coalition-funded cohorts with no approved decision dated before the start."""
    C, E, H, V, U = (models.Certificate, models.Enrolment, models.Cohort, models.VettingRecord, models.UnitAssignment)
    bad = []
    with database.connection_context():
        for number, trainee_id, start in (
            C.select(C.number, C.trainee, H.start_date).join(E).join(H).where(H.coalition_funded == True).tuples()
        ):  # noqa: E712
            units = U.select(U.unit).where(
                (U.trainee == trainee_id) & (U.start_date <= start) & (U.end_date.is_null() | (U.end_date >= start))
            )
            ok = (
                V.select()
                .where(
                    (V.result == "approved")
                    & (V.decision_date < start)
                    & ((V.trainee == trainee_id) | ((V.kind == "unit") & V.unit.in_(units)))
                )
                .exists()
            )
            if not ok:
                bad.append(number)
    return bad


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=D(2018, 1, 1), max_value=D(2027, 12, 31)),
    coalition=st.booleans(),
    records=RECORDS,
    renew=st.booleans(),
)
def test_no_certificate_without_an_approved_vetting_decision_before_the_start(db_url, start, coalition, records, renew):
    n = next(_counter)
    w = build(
        trainees=1,
        start=start,
        end=start + datetime.timedelta(days=11),
        coalition=coalition,
        code=f"P{n}",
        course_code=f"K{n}",
        prefix=f"p{n}_",
    )
    _graduate(w)
    with database.connection_context():
        unit = models.Unit.create(code=f"U{n}", name="unit", force="police")
        models.UnitAssignment.create(trainee=w.trainees[0], unit=unit, start_date=start - datetime.timedelta(days=900))
    for kind, result, offset in records:
        _vet(w.trainees[0], result, start + datetime.timedelta(days=offset), kind=kind, unit=unit.id)
    on = start + datetime.timedelta(days=12)
    try:
        cert = certs.issue(w.admin, w.enrolments[0], on=on)
    except certs.GateRefused:
        cert = None
    # Independent of trainer.registry.vetting: cleared iff an approved decision falls in the 12 months before the start.
    expected = not coalition or any(
        r == "approved" and _within_months(start, start + datetime.timedelta(days=o)) for _, r, o in records
    )
    assert (cert is not None) == expected
    if cert is not None and renew:
        try:
            certs.recertify(w.admin, cert.id, on=cert.expires_on - datetime.timedelta(days=10))
        except (certs.GateRefused, ValidationFailed):
            pass
    assert _violations() == []


def _within_months(start: datetime.date, decided: datetime.date, months: int = 12) -> bool:
    from dateutil.relativedelta import relativedelta

    return start - relativedelta(months=months) <= decided < start
