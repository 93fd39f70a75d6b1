"""Verification by the printed code in the app: the Certificates area's `k` looks the code up."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from screens.certificates import CertificatesScreen
from screens.verify_code import VerifyCodeDialog
from tests.instructor_fixtures import build, private_config  # noqa: F401
from tests.tui.test_instructor import SIZE, Desk, settle, text
from trainer.certification import certificates

pytestmark = pytest.mark.usefixtures("private_config")


async def test_check_a_printed_code(sqlite_url, tmp_path):
    w = build(trainees=2)
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    first, second = certificates.issue_for_cohort(w.admin, w.cohort_id).issued
    certificates.revoke(w.admin, second.id, "forged identity papers")
    app = Desk(w.admin, CertificatesScreen(export_dir=tmp_path / "out"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, VerifyCodeDialog)
        await pilot.press(*first.verification_code.lower(), "enter")
        await settle(pilot)
        shown = text(app, "#verify-result")
        assert f"Certificate {first.number}" in shown and first.latin_name in shown
        field = app.screen.query_one("#code")
        field.value = ""
        await pilot.press(*second.verification_code, "enter")
        await settle(pilot)
        assert "REVOKED: forged identity papers" in text(app, "#verify-result")
        field.value = ""
        await pilot.press(*"ZZZZZZZZZZ", "enter")
        await settle(pilot)
        assert "No certificate with verification code ZZZZZZZZZZ" in text(app, "#verify-result")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CertificatesScreen)
