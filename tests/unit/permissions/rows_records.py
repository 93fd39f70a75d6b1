"""Rows of the permission matrix: certificates and badges, reports and person-level exports."""

from __future__ import annotations

from tests.unit.permissions.world import D, Op, next_n, op


def rows() -> dict[str, Op]:
    from trainer.certification import badges, certificates
    from trainer.reporting import catalogue as reports
    from trainer.reporting import people as report_people
    from trainer.reporting import registry_export as report_trainees
    from trainer.reporting.base import ReportParams

    return {
        "certification.lookup.get": op("certificate.read", lambda w, a: certificates.get(a, w.certificate_id)),
        "certification.lookup.by_number": op(
            "certificate.read", lambda w, a: certificates.by_number(a, "MOSUL-2025-000017")
        ),
        "certification.lookup.search": op("certificate.read", lambda w, a: certificates.search(a, "")),
        "certification.lookup.expiring": op(
            "certificate.read", lambda w, a: certificates.expiring(a, 400, today=D(2025, 6, 1))
        ),
        "certification.certificates.issue_for_cohort": op(
            "certificate.issue", lambda w, a: certificates.issue_for_cohort(a, w.cohort_id)
        ),
        "certification.certificates.issue": op("certificate.issue", lambda w, a: certificates.issue(a, w.enrolment_id)),
        "certification.certificates.revoke": op(
            "certificate.revoke", lambda w, a: certificates.revoke(a, w.certificate_id, "issued in error")
        ),
        "certification.certificates.recertify": op(
            "certificate.issue", lambda w, a: certificates.recertify(a, w.certificate_id)
        ),
        "certification.badges.revoked_indexes": op("certificate.read", lambda w, a: badges.revoked_indexes(a)),
        "reporting.catalogue.run_report": op(
            "report.run", lambda w, a: reports.run_report(a, "trained-by-force", ReportParams())
        ),
        # Analysts may run it (pseudonymised); clerks may print their own cohorts' rosters.
        "reporting.people.cohort_roster": op(
            ("report.run", "cohort.read"),
            lambda w, a: report_people.cohort_roster(a, ReportParams(cohort=w.cohort_code)),
            scoped=True,
            any_of=True,
        ),
        # person-level exports: pseudonymised for readers and analysts, names only with trainee.identify
        "reporting.registry_export.export_trainees": op(
            ("report.run", "trainee.read"),
            lambda w, a: report_trainees.export_trainees(a, "csv", w.tmp / f"export-{next_n()}.csv"),
            any_of=True,
        ),
        "reporting.registry_export.export_trainees(identified)": op(
            "trainee.identify",
            lambda w, a: report_trainees.export_trainees(a, "csv", w.tmp / f"export-{next_n()}.csv", identified=True),
        ),
    }
