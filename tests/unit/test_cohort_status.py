"""A cohort's status follows its dates; cancelling and reopening are edits (versioned, audited)."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from tests import clerk_data as make
from trainer.accounts.access import SYSTEM
from trainer.errors import Conflict, ValidationFailed
from trainer.training import cohorts
from trainer.training.cohorts import status_on

D = datetime.date


def test_status_follows_the_dates():
    start, end = D(2026, 3, 1), D(2026, 3, 20)
    assert status_on("planned", start, end, D(2026, 2, 28)) == "planned"
    assert status_on("planned", start, end, D(2026, 3, 1)) == "running"
    assert status_on("running", start, end, D(2026, 3, 20)) == "running"
    assert status_on("planned", start, end, D(2026, 3, 21)) == "ended"
    assert status_on("completed", start, end, D(2026, 3, 10)) == "completed"
    assert status_on("cancelled", start, end, D(2026, 3, 10)) == "cancelled"


def test_cancel_and_reopen_by_editing(db_url):
    make.centre()
    make.course()
    today = datetime.date.today()
    c = make.cohort(start=today - datetime.timedelta(days=2))
    assert c.status == "running"  # its start date has passed
    cancelled = cohorts.update_cohort(SYSTEM, c.id, c.version, replace(c.as_input(), cancelled=True, capacity=30))
    assert (cancelled.status, cancelled.capacity, cancelled.version) == ("cancelled", 30, c.version + 1)
    with pytest.raises(Conflict):
        cohorts.update_cohort(SYSTEM, c.id, c.version, replace(c.as_input(), capacity=31))
    reopened = cohorts.update_cohort(SYSTEM, c.id, cancelled.version, replace(cancelled.as_input(), cancelled=False))
    assert reopened.status == "running"


def test_a_graduated_cohort_cannot_be_cancelled(db_url):
    from db import models
    from db.connection import database

    make.centre()
    make.course()
    c = make.cohort()
    with database.connection_context():
        models.Cohort.update(status="completed").where(models.Cohort.id == c.id).execute()
    c = cohorts.get_cohort(SYSTEM, c.id)
    with pytest.raises(ValidationFailed, match="cancelled: the cohort has graduated"):
        cohorts.update_cohort(SYSTEM, c.id, c.version, replace(c.as_input(), cancelled=True))
    edited = cohorts.update_cohort(SYSTEM, c.id, c.version, replace(c.as_input(), capacity=25))
    assert edited.status == "completed" and edited.capacity == 25
