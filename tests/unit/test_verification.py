"""Verification by the printed code: looked up in the database given, with its status; the CLI says so."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.certification import certificates as certs
from trainer.certification import verification
from trainer.cli import main

pytestmark = pytest.mark.usefixtures("private_config")


@pytest.fixture
def issued(db_url):
    w = build(trainees=2)
    with database.connection_context():
        models.Enrolment.update(status="graduated").where(models.Enrolment.id.in_(w.enrolments)).execute()
    report = certs.issue_for_cohort(w.admin, w.cohort_id, on=D(2025, 3, 14))
    return w, report.issued


def test_printed_code_is_found_with_its_status(issued):
    w, (first, second) = issued
    typed = first.verification_code.lower()[:5] + "-" + first.verification_code.lower()[5:]
    assert verification.looks_like_code(typed)
    found = verification.check_code(typed, today=D(2025, 4, 1))
    assert (found.number, found.status, found.holder_latin) == (first.number, "valid", first.latin_name)
    certs.revoke(w.admin, second.id, "issued in error")
    assert verification.check_code(second.verification_code).status == "revoked"
    assert verification.check_code("ZZZZZZZZZZ") is None
    assert not verification.looks_like_code("TRC1.abc.def")


def test_cli_verifies_the_printed_code_against_the_database(issued, db_url, capsys):
    w, (first, second) = issued
    with database.connection_context():  # no expiry: valid whatever today is
        models.Certificate.update(expires_on=None).where(models.Certificate.id == first.id).execute()
    assert main(["--db", db_url, "cert", "verify", first.verification_code]) == 0
    out = capsys.readouterr().out
    assert f"found: certificate {first.number} (code {first.verification_code})" in out
    assert "valid until no expiry" in out and "status:  valid" in out
    assert main(["--db", db_url, "cert", "verify", "ZZZZZZZZZZ"]) == 1
    assert (
        capsys.readouterr().err.strip() == "trainer: no certificate with verification code ZZZZZZZZZZ in these records"
    )
    certs.revoke(w.admin, second.id, "issued in error")
    assert main(["--db", db_url, "cert", "verify", second.verification_code]) == 1
    assert "REVOKED: issued in error" in capsys.readouterr().out


def test_the_signer_is_who_acted_or_the_named_signatory(db_url):
    from trainer.accounts import site_settings
    from trainer.accounts.access import SYSTEM

    w = build(trainees=2)
    with database.connection_context():
        models.Enrolment.update(status="graduated").where(models.Enrolment.id == w.enrolments[0]).execute()
        models.User.update(display_name="Colonel Admin").where(models.User.id == w.admin.user_id).execute()
    report = certs.issue_for_cohort(w.admin, w.cohort_id, on=D(2025, 3, 14))
    assert report.signed_by == "Colonel Admin" and report.issued[0].signed_by == "Colonel Admin"
    assert report.instructor != report.signed_by  # the qualified instructor is kept apart
    site_settings.change(SYSTEM, "certificate_signatory", "Brig. Gen. Saad Al-Tamimi")
    with database.connection_context():
        models.Enrolment.update(status="graduated").where(models.Enrolment.id == w.enrolments[1]).execute()
    second = certs.issue_for_cohort(w.admin, w.cohort_id, on=D(2025, 3, 14))
    assert second.issued[0].signed_by == "Brig. Gen. Saad Al-Tamimi"


def test_cert_pdf_goes_to_the_exports_folder(issued, db_url, tmp_path, monkeypatch, capsys):
    from trainer.accounts import settings, users

    w, (first, _) = issued
    users.create_user(w.admin, "boss", "admin", "correct horse")
    boss = users.authenticate("boss", "correct horse")
    settings.set_personal(boss, "exports_directory", str(tmp_path / "exports"))
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse")
    monkeypatch.chdir(tmp_path)
    assert main(["--db", db_url, "--user", "boss", "cert", "pdf", first.number]) == 0
    written = tmp_path / "exports" / f"{first.number}.pdf"
    assert capsys.readouterr().out.strip() == f"wrote {written}"
    assert written.read_bytes().startswith(b"%PDF") and not (tmp_path / f"{first.number}.pdf").exists()
