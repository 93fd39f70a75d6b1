"""Police in a Box services on SQLite and PostgreSQL: kits, inventory checks, postings, readiness."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

import tests.instructor_fixtures as fx
from db import models
from db.connection import database
from trainer.accounts import settings, site_settings
from trainer.accounts.access import SYSTEM
from trainer.errors import PermissionDenied, TrainerError, ValidationFailed
from trainer.reporting import summary
from trainer.stations import inventory, kits, posting_import, postings, readiness, stations
from trainer.stations.inventory import Mark

D = datetime.date
DAY = D(2025, 6, 1)
CERT_EXPIRES = D(2026, 3, 13)

pytestmark = pytest.mark.usefixtures("private_config")
private_config = fx.private_config


def graduate(w, *, ilp: int = 0, cert_expires: D | None = CERT_EXPIRES) -> None:
    """Everyone in the world's cohort graduates with a basic certificate; the first `ilp` also an ILP course."""
    with database.connection_context(), database.atomic():
        models.CourseForce.create(course=w.course_id, force="police")
        models.Enrolment.update(status="graduated").where(models.Enrolment.id.in_(w.enrolments)).execute()
        models.Cohort.update(status="completed").where(models.Cohort.id == w.cohort_id).execute()
        for eid, tid in zip(w.enrolments, w.trainees):
            models.Certificate.create(
                number=f"C-{tid}",
                verification_code=f"V{tid:08d}",
                enrolment=eid,
                trainee=tid,
                course=w.course_id,
                issued_on=w.end,
                expires_on=cert_expires,
            )
        if ilp:
            comp = models.Competency.create(code="ILP-1", name_en="Intelligence-led policing")
            models.CompetencyTag.create(competency=comp, tag="ilp")
            course = models.Course.create(
                code="ILP", title_en="ILP", category="intelligence-led-policing", duration_days=5
            )
            models.CourseCompetency.create(course=course, competency=comp)
            cohort = models.Cohort.create(
                code="ILP-01", course=course, centre=w.centre_id, start_date=w.start, end_date=w.end, capacity=10,
                status="completed",
            )  # fmt: skip
            for tid in w.trainees[:ilp]:
                models.Enrolment.create(cohort=cohort, trainee=tid, enrolled_on=w.start, status="graduated")
    summary.rebuild()


def station(code="NI-001", strength=4, centre="MOSUL", kind="police") -> stations.StationView:
    return stations.create_station(
        SYSTEM,
        stations.StationInput(code, kind, "Ninawa", f"Station {code}", authorised_strength=strength, centre=centre),
    )


def kit_at(code: str, serial="PK-001", *, check=True, missing=()) -> kits.KitView:
    kits.plan_kit(SYSTEM, serial, "police")
    kits.receive(SYSTEM, serial, "MOSUL", "Capt. Ahmed", D(2025, 5, 1))
    kits.issue(SYSTEM, serial, code, "Capt. Ahmed", D(2025, 5, 2))
    view = kits.set_up(SYSTEM, serial, "Lt. Omar", D(2025, 5, 3))
    if check:
        marks = {i.item: Mark("missing", "not delivered") if i.item in missing else Mark("present") for i in view.items}
        view = inventory.check_kit(SYSTEM, serial, marks, day=D(2025, 5, 3)).kit
    return view


def judged(code: str, day=DAY) -> readiness.StationReadiness:
    with database.connection_context():
        return [r for r in readiness.assess(day, readiness.rule()) if r.code == code][0]


# --- readiness by its rule ----------------------------------------------------


def test_a_station_is_just_ready_at_its_strength_with_its_ilp_share(db_url):
    w = fx.build(trainees=4)
    graduate(w, ilp=1)  # 1 of 4 = 25 % >= 20 %
    station(strength=4)
    kit_at("NI-001")
    assert postings.post_cohort(SYSTEM, "BPC-01", "NI-001", D(2025, 3, 20)).posted == 4
    r = judged("NI-001")
    assert (r.ready, r.qualified, r.ilp, r.reason) == (True, 4, 1, "")
    # one officer short of the authorised strength: not ready, and it says why
    settings.set(SYSTEM, readiness.STRENGTH_KEY, 100)
    stations.update_station(
        SYSTEM, r.station_id, replace(stations.get_station(SYSTEM, "NI-001").as_input(), authorised_strength=5),
        version=stations.get_station(SYSTEM, "NI-001").version,
    )  # fmt: skip
    r = judged("NI-001")
    assert not r.ready and r.reason == "4/5 qualified officers"
    # the thresholds are site settings an admin changes (trainer settings set, Admin > Site settings): 80 % of 5 is 4
    assert site_settings.change(SYSTEM, readiness.STRENGTH_KEY, "80") == "80"
    assert judged("NI-001").ready
    assert "at least 80% of authorised strength" in readiness.rule().describe()
    with pytest.raises(ValidationFailed, match="readiness.ilp_pct: a whole number from 0 to 100"):
        site_settings.change(SYSTEM, readiness.ILP_KEY, "120")
    site_settings.change(SYSTEM, readiness.ILP_KEY, "30")  # 1 of 4 is 25 %: no longer enough
    assert judged("NI-001").reason == "ILP/community 1/4 below 30%"


def test_an_expired_certificate_makes_the_station_not_ready(db_url):
    w = fx.build(trainees=4)
    graduate(w, ilp=4, cert_expires=D(2025, 5, 31))  # expired the day before
    station(strength=4)
    kit_at("NI-001")
    postings.post_cohort(SYSTEM, "BPC-01", "NI-001", D(2025, 3, 20))
    r = judged("NI-001")
    assert (r.ready, r.posted, r.qualified) == (False, 4, 0)
    assert judged("NI-001", day=D(2025, 5, 30)).ready  # still valid the day before it expired


def test_one_missing_kit_item_makes_the_station_not_ready_until_found(db_url):
    w = fx.build(trainees=4)
    graduate(w, ilp=4)
    station(strength=4)
    view = kit_at("NI-001", missing=("GENERATOR",))
    assert [p.item for p in view.problems] == ["GENERATOR"]
    postings.post_cohort(SYSTEM, "BPC-01", "NI-001", D(2025, 3, 20))
    r = judged("NI-001")
    assert not r.ready and r.reason == "kit: 1 item(s) not present"
    # the missing item stays until a later check finds it
    marks = {i.item: Mark("present") for i in view.items}
    assert inventory.check_kit(SYSTEM, "PK-001", marks, day=D(2025, 5, 20)).stage == "routine"
    assert judged("NI-001").ready
    with database.connection_context():  # the first check after the set-up was the set-up check
        stages = [
            s
            for (s,) in models.InventoryCheck.select(models.InventoryCheck.stage)
            .order_by(models.InventoryCheck.id)
            .tuples()
        ]
    assert stages == ["set-up", "routine"]


def test_too_few_ilp_trained_makes_the_station_not_ready(db_url):
    w = fx.build(trainees=5)
    graduate(w, ilp=0)
    station(strength=5)
    kit_at("NI-001")
    postings.post_cohort(SYSTEM, "BPC-01", "NI-001", D(2025, 3, 20))
    assert judged("NI-001").reason == "ILP/community 0/5 below 20%"


# --- kits and inventory: refusals --------------------------------------------------


def test_kit_movements_in_order_and_a_kit_issued_twice_is_refused(db_url):
    fx.build(trainees=1)
    station("NI-001")
    station("NI-002")
    kits.plan_kit(SYSTEM, "PK-001", "police")
    with pytest.raises(TrainerError, match="not been received"):
        kits.issue(SYSTEM, "PK-001", "NI-001", "Capt. Ahmed", D(2025, 5, 2))
    view = kits.receive(SYSTEM, "PK-001", "MOSUL", "Capt. Ahmed", D(2025, 5, 1))
    assert (view.state, view.centre, view.received_by) == ("received", "MOSUL", "Capt. Ahmed")
    kits.issue(SYSTEM, "PK-001", "NI-001", "Capt. Ahmed", D(2025, 5, 2))
    with pytest.raises(TrainerError, match="already issued to NI-001"):
        kits.issue(SYSTEM, "PK-001", "NI-002", "Capt. Ahmed", D(2025, 5, 3))
    view = kits.transfer(SYSTEM, "PK-001", "NI-002", "Maj. Ali", D(2025, 5, 4))
    assert (view.state, view.station) == ("issued", "NI-002")
    assert [m.action for m in view.movements] == ["receive", "issue", "transfer"]
    assert all(m.signed_by for m in view.movements)
    with pytest.raises(ValidationFailed, match="signed_by"):
        kits.set_up(SYSTEM, "PK-001", "  ", D(2025, 5, 5))
    with database.connection_context():
        actions = [a for (a,) in models.AuditEvent.select(models.AuditEvent.action).tuples()]
    assert {"kit-receive", "kit-issue", "kit-transfer"} <= set(actions)


def test_an_inventory_check_must_cover_the_manifest_and_explain_problems(db_url):
    fx.build(trainees=1)
    kits.plan_kit(SYSTEM, "PK-001", "police")
    kits.receive(SYSTEM, "PK-001", "MOSUL", "Capt. Ahmed", D(2025, 5, 1))
    view = kits.get_kit(SYSTEM, "PK-001")
    marks = {i.item: Mark("present") for i in view.items}
    with pytest.raises(ValidationFailed, match="LAPTOP: missing: say what is wrong"):
        inventory.check_kit(SYSTEM, "PK-001", {**marks, "LAPTOP": Mark("missing")})
    with pytest.raises(ValidationFailed, match="GPS: not checked"):
        inventory.check_kit(SYSTEM, "PK-001", {k: v for k, v in marks.items() if k != "GPS"})
    with pytest.raises(ValidationFailed, match="TOWER: not on kit"):
        inventory.check_kit(SYSTEM, "PK-001", {**marks, "TOWER": Mark("present")})
    done = inventory.check_kit(SYSTEM, "PK-001", {**marks, "LAPTOP": Mark("damaged", "screen broken")})
    assert (done.stage, done.present, done.damaged) == ("receipt", len(marks) - 1, 1)
    assert inventory.open_problems(SYSTEM, "PK-001") == [("LAPTOP", "damaged", "screen broken")]


def test_a_check_on_a_kit_at_another_centre_is_refused(db_url):
    w = fx.build(trainees=1)
    with database.connection_context():
        models.Centre.create(code="BASRA", name_en="Basra centre", province="IQ-BA")
        uid, clerk = fx.user("basra-clerk", "registrar")
    basra = replace(clerk, centre_ids=frozenset({2}))
    mosul = replace(clerk, centre_ids=frozenset({w.centre_id}))
    kits.plan_kit(SYSTEM, "PK-001", "police")
    kits.receive(SYSTEM, "PK-001", "MOSUL", "Capt. Ahmed", D(2025, 5, 1))
    marks = {i.item: Mark("present") for i in kits.get_kit(SYSTEM, "PK-001").items}
    with pytest.raises(PermissionDenied, match="does not work at this centre"):
        inventory.check_kit(basra, "PK-001", marks)
    assert inventory.check_kit(mosul, "PK-001", marks).present == len(marks)


# --- postings: refusals -----------------------------------------------------------------


def test_postings_refuse_non_graduates_the_dead_the_dismissed_and_overlaps(db_url):
    w = fx.build(trainees=4)
    graduate(w)
    station("NI-001")
    station("NI-002")
    with database.connection_context():
        outsider = fx.trainee(9, national_id="999000111222")
        models.Trainee.update(status="deceased").where(models.Trainee.id == w.trainees[1]).execute()
        models.Trainee.update(status="dismissed").where(models.Trainee.id == w.trainees[2]).execute()
    with pytest.raises(ValidationFailed, match="has not graduated"):
        postings.post(SYSTEM, outsider, "NI-001", D(2025, 4, 1))
    with pytest.raises(ValidationFailed, match="recorded as dead"):
        postings.post(SYSTEM, w.trainees[1], "NI-001", D(2025, 4, 1))
    with pytest.raises(ValidationFailed, match="was dismissed"):
        postings.post(SYSTEM, w.trainees[2], "NI-001", D(2025, 4, 1))
    first = postings.post(SYSTEM, w.trainees[0], "NI-001", D(2025, 4, 1), end=D(2025, 4, 30), reason="transferred")
    with pytest.raises(ValidationFailed, match="already posted at NI-001 from 2025-04-01 to 2025-04-30"):
        postings.post(SYSTEM, w.trainees[0], "NI-002", D(2025, 4, 30))
    later = postings.post(SYSTEM, w.trainees[0], "NI-002", D(2025, 5, 1))
    assert (first.station, later.station, later.end_date) == ("NI-001", "NI-002", None)
    # a cohort in one step: who can be posted is, the others are named with the reason
    done = postings.post_cohort(SYSTEM, "BPC-01", "NI-001", D(2025, 6, 1))
    assert done.posted == 1
    assert [(p.row, p.reason.split(" at ")[0]) for p in done.skipped] == [
        (1, "is already posted"),
        (2, "is recorded as dead"),
        (3, "was dismissed"),
    ]
    with pytest.raises(ValidationFailed, match="row 4, .*already posted at NI-001"):  # nobody left: refused
        postings.post_cohort(SYSTEM, "BPC-01", "NI-002", D(2025, 6, 2))
    with database.connection_context():
        assert models.Posting.select().count() == 3


def test_a_graduate_is_posted_to_a_unit_and_never_to_a_station_at_the_same_time(db_url, tmp_path):
    w = fx.build(trainees=3)
    graduate(w)
    station("NI-001")
    with database.connection_context():
        models.Unit.create(code="NI-POL-BN3", name="3rd Police Battalion, Ninawa", force="police", province="IQ-NI")
    in_unit = postings.post(SYSTEM, w.trainees[0], "", D(2025, 4, 1), unit="NI-POL-BN3")
    assert (in_unit.unit, in_unit.station) == ("NI-POL-BN3", "")
    with pytest.raises(ValidationFailed, match="already posted at NI-POL-BN3 from 2025-04-01"):
        postings.post(SYSTEM, w.trainees[0], "NI-001", D(2025, 5, 1))
    with pytest.raises(ValidationFailed, match="give a station or a unit"):
        postings.post(SYSTEM, w.trainees[1], "NI-001", D(2025, 5, 1), unit="NI-POL-BN3")
    with pytest.raises(TrainerError, match="no unit NI-POL-BN9"):
        postings.post(SYSTEM, w.trainees[1], "", D(2025, 5, 1), unit="NI-POL-BN9")
    # a personnel list may name a unit instead of a station, row by row
    with database.connection_context():
        ids = [t.national_id for t in models.Trainee.select().order_by(models.Trainee.id)]
    sheet = tmp_path / "personnel.csv"
    sheet.write_text(
        f"national_id,station,unit,start_date\n{ids[1]},,NI-POL-BN3,2025-04-01\n{ids[2]},NI-001,NI-POL-BN3,2025-04-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed, match="row 3, station: give a station or a unit"):
        posting_import.import_postings(SYSTEM, sheet)
    sheet.write_text(f"national_id,unit,start_date\n{ids[1]},NI-POL-BN3,2025-04-01\n", encoding="utf-8")
    assert posting_import.import_postings(SYSTEM, sheet).written == 1
    assert posting_import.import_postings(SYSTEM, sheet).present == 1  # the same row again: already there
    with database.connection_context():
        assert models.Posting.select().where(models.Posting.unit.is_null(False)).count() == 2


def test_a_station_that_opened_is_never_planned_again(db_url):
    fx.build(trainees=1)
    view = station("NI-009")
    opened = stations.update_station(SYSTEM, view.id, replace(view.as_input(), status="open"), version=view.version)
    closed = stations.update_station(SYSTEM, view.id, replace(view.as_input(), status="closed"), version=opened.version)
    with pytest.raises(ValidationFailed, match="NI-009 is closed: it cannot be planned again"):
        stations.update_station(SYSTEM, view.id, replace(view.as_input(), status="planned"), version=closed.version)
    reopened = stations.update_station(SYSTEM, view.id, replace(view.as_input(), status="open"), version=closed.version)
    assert reopened.status == "open"


def test_the_dashboard_counts_ready_stations_among_those_not_closed(db_url):
    from trainer.reporting.box_status import box_figures

    fx.build(trainees=1)
    for code in ("NI-001", "NI-002", "NI-003"):
        station(code)
    gone = station("NI-004")
    stations.update_station(SYSTEM, gone.id, replace(gone.as_input(), status="closed"), version=gone.version)
    with database.connection_context():
        figures = box_figures(DAY)
    assert (figures.stations, figures.stations_ready) == (3, 0)
