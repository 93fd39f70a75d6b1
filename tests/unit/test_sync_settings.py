"""Settings headquarters owns travel to the sites, and a site's own change to one is refused
(docs/sync.md, "Settings headquarters owns"); headquarters on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from db import models
from db.connection import database
from tests.sync_places import hq_and_two_sites, send
from trainer.accounts import site_settings
from trainer.errors import ValidationFailed
from trainer.stations import readiness
from trainer.sync import exchange


@pytest.fixture
def world(db_url, tmp_path, monkeypatch):
    yield from hq_and_two_sites(db_url, tmp_path, monkeypatch)


def test_headquarters_rules_reach_the_sites_and_a_site_cannot_change_them(world):
    hq, a, b, tmp = world
    hq.use()
    site_settings.change(hq.admin, "vetting_validity_months", "18")
    from trainer.accounts import settings

    settings.set(hq.admin, readiness.ILP_KEY, 35)
    got = send(hq, a, tmp / "h-a1")
    assert got.settings == 2
    a.use()
    assert site_settings.value(a.admin, "vetting_validity_months") == 18
    assert readiness.rule().ilp_pct == 35
    with database.connection_context():  # the change is in the site's audit trail, by headquarters
        event = (
            models.AuditEvent.select()
            .where(models.AuditEvent.action == "update")
            .order_by(models.AuditEvent.id.desc())
            .first()
        )
        assert event.entity == "setting" and '"by": "HQ"' in event.detail

    # A site's own change to what headquarters owns: refused with the reason; its own settings are its own.
    with pytest.raises(ValidationFailed, match="owned by headquarters"):
        site_settings.change(a.admin, "vetting_validity_months", "6")
    assert site_settings.value(a.admin, "vetting_validity_months") == 18
    assert site_settings.change(a.admin, "idle_lock_minutes", "7") == "7"

    # A late bundle does not roll back a newer value; headquarters itself may change them.
    hq.use()
    exchange.export(hq.admin, tmp / "old", "ERBIL")
    site_settings.change(hq.admin, "vetting_validity_months", "24")
    send(hq, a, tmp / "h-a2")
    a.use()
    late = exchange.import_bundle(a.admin, tmp / "old")
    assert late.settings == 0 and site_settings.value(a.admin, "vetting_validity_months") == 24
    # Set back to its default at headquarters: the site's value goes too.
    hq.use()
    with database.connection_context():
        models.Setting.delete().where(models.Setting.key == readiness.ILP_KEY).execute()
    send(hq, a, tmp / "h-a3")
    a.use()
    assert readiness.rule().ilp_pct == readiness.DEFAULTS[readiness.ILP_KEY]
    # The other site had nothing yet: its first bundle brings the lot.
    assert send(hq, b, tmp / "h-b").settings == 1


def test_a_site_may_not_edit_headquarters_catalogue(world):
    """Courses belong to headquarters: made there, they reach the site, where the course
    service refuses a new course, an edit and a retirement with the reason; headquarters may."""
    from tests.unit.test_courses import full_input
    from trainer.training import courses

    hq, a, _b, tmp = world
    hq.use()
    made = courses.create_course(hq.admin, full_input(prerequisites=()))
    send(hq, a, tmp / "h-a1")
    a.use()
    held = courses.find_course(a.admin, made.code)
    assert held.uuid == made.uuid
    edit = courses.CourseInput(**{**held.as_input().__dict__, "title_en": "Changed at the site"})
    for attempt in (
        lambda: courses.create_course(a.admin, full_input(code="SITE-1", prerequisites=())),
        lambda: courses.update_course(a.admin, held.id, held.version, edit),
        lambda: courses.retire_course(a.admin, held.id, held.version),
    ):
        with pytest.raises(ValidationFailed, match="headquarters owns the catalogue"):
            attempt()
    after = courses.find_course(a.admin, made.code)
    assert (after.title_en, after.status, after.version) == (held.title_en, held.status, held.version)
    with database.connection_context():
        assert not models.Course.select().where(models.Course.code == "SITE-1").exists()
    hq.use()
    again = courses.find_course(hq.admin, made.code)
    assert courses.retire_course(hq.admin, again.id, again.version).status == "retired"
