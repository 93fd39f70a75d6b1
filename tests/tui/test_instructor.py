"""The instructor's desk driven by keys on a real database file: attendance, results,
graduation with its gates, and the certificates screen."""

from __future__ import annotations

import datetime

import pytest
from textual.app import App
from textual.widgets import DataTable, Static

from db import models
from db.connection import database
from screens.attendance import AttendanceScreen
from screens.certificates import CertificatesScreen
from screens.graduation import GraduationScreen
from screens.results import ResultsScreen
from screens.widgets.grid import Grid
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from trainer.training import attendance, results, sessions

pytestmark = pytest.mark.usefixtures("private_config")
SIZE = (130, 36)


class Desk(App):
    """Just enough app: the signed-in actor, and one of our screens on top."""

    def __init__(self, actor, screen) -> None:
        super().__init__()
        self.actor = actor
        self.cursor_blink = False
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def verdict(pilot) -> str:
    await pilot.pause()  # the Input's Changed message is handled on the next turn
    return str(pilot.app.screen.query_one("#verdict", Static).render())


def cell(app, row_key, column_key) -> str:
    """A cell's text, from our Grid (attendance, results) or a DataTable (graduation)."""
    grids = app.screen.query(Grid)
    if grids:
        return grids.first().get_cell(str(row_key), column_key)
    return str(app.screen.query_one(DataTable).get_cell(str(row_key), column_key))


async def test_mark_attendance_for_a_day(sqlite_url):
    w = build(trainees=4)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    app = Desk(w.instructor, AttendanceScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(Grid)
        assert table.row_count == 4 and len(table.columns) == 2 + len(days)
        assert (table.cursor_row, table.cursor_column) == (0, 2)  # first trainee, first day
        await pilot.press("P")  # the whole first day present
        await settle(pilot)
        assert "4 trainees marked" in text(app, "#status")
        await pilot.press("down", "2")  # second trainee absent after all
        await settle(pilot)
        row_keys = [r.enrolment_id for r in app.screen.grid.rows]
        assert cell(app, row_keys[1], f"s{days[0].id}") == "A"
        assert cell(app, row_keys[1], "pct") == "0%" and cell(app, row_keys[0], "pct") == "100%"
        # Marking the next day makes it held: everyone else's share moves at once.
        await pilot.press("right", "up", "up", "1")
        await settle(pilot)
        assert cell(app, row_keys[0], f"s{days[1].id}") == "P"
        assert cell(app, row_keys[2], "pct") == "50%"  # present day 1, nothing on day 2 yet
        await pilot.press("up", "delete")  # a mistake: cleared, the day is planned again
        await settle(pilot)
        assert cell(app, row_keys[0], f"s{days[1].id}") == "·"
        assert cell(app, row_keys[2], "pct") == "100%"
    with database.connection_context():
        A = models.Attendance
        marks = dict(A.select(A.enrolment, A.mark).where(A.session == days[0].id).tuples())
        assert sorted(marks.values()) == ["absent", "present", "present", "present"]
        assert marks[row_keys[1]] == "absent"
        assert models.Session.get_by_id(days[0].id).status == "held"
        assert A.select().where(A.entered_by == w.instructor_id).count() == 4
        assert models.Session.get_by_id(days[1].id).status == "planned"
        assert models.AuditEvent.select().where(models.AuditEvent.entity == "attendance").count() == 7


async def test_a_refused_mark_is_put_back_with_the_reason(sqlite_url):
    w = build(trainees=2)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    today = days[2].day  # the fourth day has not happened yet
    app = Desk(w.instructor, AttendanceScreen(w.cohort_id, today=today))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right", "right", "right", "1")
        await settle(pilot)
        assert "has not happened yet" in text(app, "#status")
        first = app.screen.grid.rows[0].enrolment_id
        assert cell(app, first, f"s{days[3].id}") == "·"
    with database.connection_context():
        assert models.Attendance.select().count() == 0


async def test_the_late_joiners_percentage(sqlite_url):
    w = build(trainees=2)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    with database.connection_context():
        models.Enrolment.update(enrolled_on=days[5].day).where(models.Enrolment.id == w.enrolments[1]).execute()
    for s in days[:9]:
        attendance.mark_column(w.instructor, s.id, "present")
    app = Desk(w.instructor, AttendanceScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        late = w.enrolments[1]
        assert cell(app, late, f"s{days[0].id}") == " "  # before they joined: not a cell to mark
        assert cell(app, late, "pct") == "100%"
        keys = [r.enrolment_id for r in app.screen.grid.rows]
        # Last day: the late joiner is absent -> 4 of 5 sessions since joining.
        await pilot.press(*["right"] * 9, *(["down"] * keys.index(late)), "2")
        await settle(pilot)
        assert cell(app, late, "pct") == "80%"
        other = keys[1 - keys.index(late)]
        assert cell(app, other, "pct") == "90%"  # nothing marked yet on the last day for the other


async def test_scores_a_refused_one_and_a_resit(sqlite_url):
    w = build(trainees=2)
    app = Desk(w.instructor, ResultsScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.screen.grid.rows[0].enrolment_id
        wpn = w.assessments["WPN"]
        await pilot.press("1", "5")  # typing on the cell opens the score line
        assert await verdict(pilot) == "pass ✓"
        await pilot.press("backspace", "backspace", "9")
        assert (await verdict(pilot)).startswith("fail ✗")
        await pilot.press("enter")
        await settle(pilot)
        assert cell(app, first, f"a{wpn}") == "9 "
        assert "Saved result: 9 (fail), attempt 1" in text(app, "#status")
        # Out of range and non-numeric are refused inline; nothing is saved.
        await pilot.press("up", "2", "5")
        assert await verdict(pilot) == "25 is above the maximum 20"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.editing is not None  # still open, nothing sent
        await pilot.press(*["backspace"] * 2, "a", "b", "c")
        assert await verdict(pilot) == "'abc' is not a number"
        await pilot.press("enter", "escape")
        await settle(pilot)
        # The re-sit: 14 replaces 9 as the counted score; the 9 stays in the history.
        await pilot.press("1", "4", "enter")
        await settle(pilot)
        assert cell(app, first, f"a{wpn}") == "14↻"
        assert "Saved re-sit: 14 (pass), attempt 2" in text(app, "#status")
        await pilot.press("up", "h")
        await settle(pilot)
        history = text(app, "#status")
        assert "attempt 1: 9 (fail) entered by instructor" in history and "attempt 2: 14 (pass)" in history
        assert cell(app, first, "outcome").startswith("fail: no sessions held")
    with database.connection_context():
        R = models.Result
        rows = list(R.select(R.attempt, R.score, R.entered_by).where(R.enrolment == first).order_by(R.attempt).tuples())
        assert rows == [(1, 9.0, w.instructor_id), (2, 14.0, w.instructor_id)]


def _run(w, *, absent_days: int = 0):
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    for s in days:
        attendance.mark_column(w.instructor, s.id, "present")
    for s in days[:absent_days]:
        attendance.mark(w.instructor, s.id, w.enrolments[2], "absent")
    for i, e in enumerate(w.enrolments):
        results.enter_score(w.instructor, e, w.assessments["WPN"], "8" if i == 1 else "15")
        results.enter_score(w.instructor, e, w.assessments["LAW"], "30")


async def test_graduate_with_mixed_outcomes_and_issue(sqlite_url):
    w = build(trainees=3)
    _run(w, absent_days=4)
    app = Desk(w.admin, GraduationScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "3 waiting: 1 pass, 2 fail" in text(app, "#title")
        why = {o.enrolment_id: o for o in app.screen.preview.outcomes}
        assert cell(app, w.enrolments[1], "why") == "WPN: 8/20 below pass mark 12"
        assert cell(app, w.enrolments[2], "why") == "attendance 60% below 80%"
        assert cell(app, w.enrolments[0], "outcome") == "passes" and why[w.enrolments[0]].passed
        await pilot.press("g")
        await pilot.pause()
        assert "Graduate 1 and fail 2" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(pilot)
        status = text(app, "#status")
        assert "Graduated 1, failed 2." in status and "Certificates issued: 1 (IQTC-" in status
        assert cell(app, w.enrolments[1], "outcome") == "failed"
    with database.connection_context():
        E = models.Enrolment
        assert dict(E.select(E.id, E.status).tuples()) == {
            w.enrolments[0]: "graduated",
            w.enrolments[1]: "failed",
            w.enrolments[2]: "failed",
        }
        assert [c.enrolment_id for c in models.Certificate.select()] == [w.enrolments[0]]
        assert models.Cohort.get_by_id(w.cohort_id).status == "completed"


async def test_an_instructor_cannot_confirm(sqlite_url):
    w = build(trainees=1)
    app = Desk(w.instructor, GraduationScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.check_action("confirm", ()) is False  # hidden from the footer
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GraduationScreen)  # no confirmation was even asked
    with database.connection_context():
        assert models.Enrolment.get_by_id(w.enrolments[0]).status == "enrolled"


async def test_the_vetting_gate_refuses_with_its_reason(sqlite_url):
    w = build(trainees=3, coalition=True)
    with database.connection_context():
        for t in w.trainees[:2]:  # the third has no vetting record at all
            models.VettingRecord.create(
                trainee=t,
                kind="individual",
                case_ref=f"INV-{t}",
                result="approved",
                decision_date=w.start - datetime.timedelta(days=20),
                funder="INL",
            )
    _run(w)
    app = Desk(w.admin, GraduationScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "y")
        await settle(pilot)
        status = text(app, "#status")
        assert "Certificates issued: 1" in status  # trainee 1 failed WPN; trainee 0 vetted and passed
        assert "Refused:" in status and "vetting: no vetting record" in status
        assert "(Rebwar Ahmad Kawa)" in status  # the Latin name beside the Arabic one
    with database.connection_context():
        assert models.Certificate.select().count() == 1


async def test_the_qualification_gate_refuses_with_its_reason(sqlite_url):
    w = build(trainees=1, qualified=False)
    _run(w)
    app = Desk(w.admin, GraduationScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "y")
        await settle(pilot)
        assert "No certificates issued: qualification: instructor Instructor holds no qualification for BPC" in text(
            app, "#status"
        )
        # Once the qualification is recorded, i issues the certificate.
        with database.connection_context():
            models.InstructorQualification.create(user=w.instructor_id, course=w.course_id, valid_from=D(2024, 1, 1))
        await pilot.press("i", "y")
        await settle(pilot)
        assert "Certificates issued: 1" in text(app, "#status")
    with database.connection_context():
        assert models.Enrolment.get_by_id(w.enrolments[0]).status == "graduated"
        assert models.Certificate.select().count() == 1


async def test_certificates_revoke_recertify_export(sqlite_url, tmp_path):
    from trainer.certification import certificates

    w = build(trainees=2)
    with database.connection_context():
        models.Enrolment.update(status="graduated").execute()
    issued = certificates.issue_for_cohort(w.admin, w.cohort_id).issued
    soon = datetime.date.today() + datetime.timedelta(days=20)
    with database.connection_context():  # the first expires in 20 days: inside the window
        models.Certificate.update(expires_on=soon).where(models.Certificate.id == issued[0].id).execute()
    app = Desk(w.admin, CertificatesScreen(export_dir=tmp_path / "out"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#certificates", DataTable)
        assert table.row_count == 2
        await pilot.press("3")  # expiring within 30 days
        await settle(pilot)
        assert table.row_count == 1 and app.screen.shown[0].number == issued[0].number
        await pilot.press("n", "y")  # recertify
        await settle(pilot)
        assert "New certificate" in text(app, "#status")
        await pilot.press("escape")  # back to all
        await settle(pilot)
        assert table.row_count == 3
        # Revoke the other holder's certificate, giving a reason.
        target = next(i for i, c in enumerate(app.screen.shown) if c.number == issued[1].number)
        table.move_cursor(row=target)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # an empty reason is refused in the dialog
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReasonDialog"
        await pilot.press(*"forged identity papers", "enter")
        await settle(pilot)
        assert "revoked: forged identity papers" in text(app, "#status")
        # Export the renewed certificate's PDF.
        renewed = next(i for i, c in enumerate(app.screen.shown) if c.status == "valid")
        table.move_cursor(row=renewed)
        await pilot.press("f6")
        await settle(pilot)
        assert "Wrote" in text(app, "#status")
    with database.connection_context():
        C = models.Certificate
        statuses = {c.number: (c.status, c.revoked_reason) for c in C.select()}
        assert statuses[issued[0].number][0] == "superseded"
        assert statuses[issued[1].number] == ("revoked", "forged identity papers")
        new = C.get(C.superseded_by.is_null() & (C.status == "valid"))
        assert new.expires_on > soon
    assert (tmp_path / "out" / f"{new.number}.pdf").read_bytes().startswith(b"%PDF")


def burst(app, *keys: str) -> None:
    """Keys arriving together, as a fast typist's do from the terminal (Pilot.press waits between)."""
    from textual import events

    for k in keys:
        app.post_message(events.Key(k, k if len(k) == 1 else None))


async def test_a_fast_typists_burst_lands_in_order(sqlite_url):
    w = build(trainees=5)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    app = Desk(w.instructor, ResultsScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        order = [r.enrolment_id for r in app.screen.grid.rows]
        burst(
            app,
            "down",
            "down",
            "down",
            "1",
            "2",
            "0",
            "enter",
            "backspace",
            "backspace",
            "backspace",
            "7",
            "enter",
            "4",
            "enter",
            "up",
            "up",
            "9",
            "enter",
        )
        await settle(pilot)
        app.push_screen(AttendanceScreen(w.cohort_id))
        await settle(pilot)
        burst(app, "1", "2", "up", "3", "right", "4", "down", "down", "1")
        await settle(pilot)
    with database.connection_context():
        R, A = models.Result, models.Attendance
        scores = dict(R.select(R.enrolment, R.score).tuples())
        marks = {(s, e): m for s, e, m in A.select(A.session, A.enrolment, A.mark).tuples()}
    assert scores == {order[3]: 7, order[4]: 4, order[2]: 9}  # 120 refused, then in typing order
    first, second = days[0].id, days[1].id
    # 1 (present) on row 0 (moves down), 2 (absent) on row 1, up, 3 (late) overwrites row 1,
    # right to day 2, 4 (excused) on row 2, down down (the second stops at the last row), 1 on row 4.
    assert marks == {
        (first, order[0]): "present",
        (first, order[1]): "late",
        (second, order[2]): "excused",
        (second, order[4]): "present",
    }


async def test_a_mark_changed_under_the_instructor_is_shown(sqlite_url):
    """Another instructor marks the cell after this grid was read: saving over it says so."""
    w = build(trainees=2)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    app = Desk(w.instructor, AttendanceScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.screen.grid.rows[0].enrolment_id
        attendance.mark(w.admin, days[0].id, first, "e")  # elsewhere, after the grid was read
        await pilot.press("2")
        await settle(pilot)
        assert "replacing excused: someone else had marked this cell" in text(app, "#status")
        await pilot.press("up", "1")  # this screen's own change is no surprise
        await settle(pilot)
        assert text(app, "#status") == "Saved."
    with database.connection_context():
        row = models.Attendance.get((models.Attendance.session == days[0].id) & (models.Attendance.enrolment == first))
        assert row.mark == "present" and row.version == 3


async def test_attendance_letters_leave_area_keys_alone_and_shift_fills_the_day(sqlite_url):
    """a and e are the Admin and Certificates keys everywhere: the grid does not take them as marks.
    Shift and the letter the grid shows fills the day; the key bar names both kinds of key."""
    from screens.widgets.chrome import KeyBar

    w = build(trainees=3)
    days = sessions.generate_sessions(w.admin, w.cohort_id)
    app = Desk(w.instructor, AttendanceScreen(w.cohort_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "e", "p", "l")
        await settle(pilot)
        with database.connection_context():
            assert models.Attendance.select().count() == 0
        shown = {key: what for _, key, what, _ in app.screen.query_one(KeyBar).shown()}
        assert shown["1"] == "Present" and shown["4"] == "Excused" and shown["⇧P A L E"] == "Whole day"
        await pilot.press("4", "A")  # first trainee excused, then everyone else absent that day
        await settle(pilot)
        assert "2 trainees marked" in text(app, "#status")
    with database.connection_context():
        A = models.Attendance
        marks = sorted(A.select(A.mark).where(A.session == days[0].id).tuples())
    assert marks == [("absent",), ("absent",), ("excused",)]
