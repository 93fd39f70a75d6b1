"""Recording vetting decisions (form, batch, unit, file import): the gate then clears, refusals name the row."""

from __future__ import annotations

import datetime

import pytest

from db import models
from db.connection import database
from tests import clerk_data as make
from trainer.accounts.access import SYSTEM, Actor
from trainer.errors import PermissionDenied, ValidationFailed
from trainer.registry import vetting_decisions as vd
from trainer.rosters.vetting_sheets import import_vetting
from trainer.training import enrolments

D = datetime.date


@pytest.fixture
def funded(db_url):
    make.centre()
    make.course("POL-BASIC", forces=("police",))
    return make.cohort("POL-BASIC", coalition=True, start=D(2026, 3, 1))


def _audit_count(entity: str) -> int:
    with database.connection_context():
        return models.AuditEvent.select().where(models.AuditEvent.entity == entity).count()


def test_recorded_decision_clears_the_refused_trainee(funded):
    person = make.trainee()
    (first,) = enrolments.enrol(SYSTEM, funded.id, [person.id]).outcomes
    assert first.status == "refused" and "no vetting record" in first.reason
    data = vd.DecisionInput("lv-2026-0042", "approved", D(2026, 2, 1), "US", "batch 7", trainee_id=person.id)
    assert vd.record_decision(SYSTEM, data) == 1
    (again,) = enrolments.enrol(SYSTEM, funded.id, [person.id]).outcomes
    assert again.status == "enrolled"
    (line,) = vd.history(SYSTEM, person.id)
    assert (line.case_ref, line.result, line.decision_date, line.funder, line.note) == (
        "LV-2026-0042",
        "approved",
        D(2026, 2, 1),
        "US",
        "batch 7",
    )
    assert _audit_count("vetting_record") == 1


def test_batch_is_one_transaction_and_each_person_gets_a_record(funded):
    a, b = make.trainee(given="علي"), make.trainee(given="عمر")
    data = vd.DecisionInput("LV-9", "approved", D(2026, 1, 5), "US")
    assert vd.record_batch(SYSTEM, data, [a.id, b.id, a.id]) == 2
    with pytest.raises(ValidationFailed, match="no trainee 999999"):
        vd.record_batch(SYSTEM, vd.DecisionInput("LV-10", "approved", D(2026, 1, 5)), [a.id, 999999])
    assert [line.case_ref for line in vd.history(SYSTEM, a.id)] == ["LV-9"]  # LV-10 not half-written


def test_unit_decision_shows_in_members_history_and_clears_them(funded):
    person = make.trainee()
    with database.connection_context():
        unit = models.Unit.create(code="NI-POL-3", name="3rd Ninawa police battalion", force="police")
        models.UnitAssignment.create(trainee=person.id, unit=unit, start_date=D(2020, 1, 1))
    covered = vd.record_decision(SYSTEM, vd.DecisionInput("LV-U1", "approved", D(2026, 1, 20), "UK", unit="ni-pol-3"))
    assert covered == 1
    (line,) = vd.history(SYSTEM, person.id)
    assert line.kind == "unit" and line.unit.startswith("NI-POL-3")
    assert enrolments.enrol(SYSTEM, funded.id, [person.id]).outcomes[0].status == "enrolled"


@pytest.mark.parametrize(
    "data, field",
    [
        (vd.DecisionInput("", "approved", D(2026, 1, 1), trainee_id=1), "case_ref"),
        (vd.DecisionInput("X", "maybe", D(2026, 1, 1), trainee_id=1), "result"),
        (vd.DecisionInput("X", "approved", None, trainee_id=1), "decision_date"),
        (vd.DecisionInput("X", "approved", D(2099, 1, 1), trainee_id=1), "decision_date"),
        (vd.DecisionInput("X", "approved", D(2026, 1, 1), trainee_id=1, unit="U"), "unit"),
    ],
)
def test_bad_decisions_are_refused_by_field(funded, data, field):
    with pytest.raises(ValidationFailed) as caught:
        vd.record_decision(SYSTEM, data)
    assert field in [p.field for p in caught.value.problems]


def test_analyst_may_not_record(funded):
    person = make.trainee()
    with pytest.raises(PermissionDenied):
        vd.record_decision(
            Actor(None, "ana", "analyst"), vd.DecisionInput("X", "approved", D(2026, 1, 1), trainee_id=person.id)
        )


def test_import_is_all_or_nothing_and_names_rows(funded, tmp_path):
    a = make.trainee(given="علي", national_id="199512345678")
    make.trainee(given="عمر", national_id="199512345679")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "national_id,case_ref,result,decision_date,funder\n"
        "199512345678,LV-1,approved,2026-01-05,US\n"
        "000000000000,LV-2,approved,2026-01-05,US\n"
        "199512345679,LV-3,perhaps,2026-01-05,US\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught:
        import_vetting(SYSTEM, bad)
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, "national_id"), (4, "result")]
    assert vd.history(SYSTEM, a.id) == []
    good = tmp_path / "good.csv"
    good.write_text(
        "national_id,case_ref,result,decision_date,funder,note\n199512345678,LV-1,approved,05/01/2026,US,\n"
        "199512345679,LV-3,pending,,US,awaiting\n",
        encoding="utf-8",
    )
    report = import_vetting(SYSTEM, good, date_format="DD/MM/YYYY")
    assert (report.rows, report.individual, report.unit) == (2, 2, 0)
    assert [(h.case_ref, h.decision_date) for h in vd.history(SYSTEM, a.id)] == [("LV-1", D(2026, 1, 5))]


def test_import_refuses_unknown_columns(funded, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("who,case_ref,result\nx,LV,approved\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="row 1, who: unknown column"):
        import_vetting(SYSTEM, f)
