"""The demo load's cohorts, enrolments and what follows from them: results, certificates,
vetting, sessions and attendance.
"""

from __future__ import annotations

import random
from array import array
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from trainer.certification.numbers import CODE_ALPHABET, format_number
from trainer.demo import catalogue
from trainer.demo.plan import TODAY
from trainer.demo.shared import CHUNK, REC, STAMP, TABLES, USER_CENTRE
from trainer.demo.state import LoaderState, Row


class RecordRows(LoaderState):
    """Part of the demo loader (trainer.demo.build._Loader): its state lives on the loader."""

    def write_cohorts(self) -> None:
        instructor, home = self.user_id["instructor"], self.centre_id[USER_CENTRE]
        rows: list[Row] = []
        teach: list[Row] = []
        for c in self.cohorts:
            centre = self.centre_id[c.centre]
            created = f"{min(c.start - timedelta(days=60), TODAY).isoformat()} 08:00:00"
            rules = c.course.rules if c.status in ("running", "completed") else ""  # frozen at the start
            rows.append(
                (
                    c.id,
                    self.uid(),
                    1,
                    created,
                    created,
                    c.code,
                    c.course.id,
                    centre,
                    c.start.isoformat(),
                    c.end.isoformat(),
                    c.capacity,
                    c.funder,
                    c.funder != "GoI",
                    c.status,
                    rules,
                )
            )
            # the instructor teaches at their centre, and every cohort still to graduate (so that the
            # app's certificate gate finds a qualified instructor for it)
            if c.status in ("running", "planned") or (
                centre == home and c.status == "completed" and c.start.year >= 2022
            ):
                c.taught = True
                teach.append((len(teach) + 1, c.id, instructor))
        self.insert(
            "cohort",
            REC
            + (
                "code",
                "course_id",
                "centre_id",
                "start_date",
                "end_date",
                "capacity",
                "funder",
                "coalition_funded",
                "status",
                "rules",
            ),
            rows,
        )
        self.insert("cohort_instructor", ("id", "cohort_id", "user_id"), teach)

    def write_enrolments(self, rng: random.Random) -> None:
        n, total, today = self.n_trainees, len(self.seats), TODAY.toordinal()
        rnd, uid, reasons = rng.random, self.uid, catalogue.WITHDRAWAL_REASONS
        E: list[Row] = []
        R: list[Row] = []
        C: list[Row] = []
        V: list[Row] = []
        eid = rid = cert = vid = pos = 0
        self.last_vet = last_vet = array("i", bytes(4 * (n + 1)))
        last_cert: dict[int, tuple[int, int]] = {}
        codes: set[str] = set()
        self.supersede, self.running = [], []

        def flush() -> None:
            self.insert(
                "vetting_record",
                REC + ("trainee_id", "unit_id", "kind", "case_ref", "result", "decision_date", "funder", "note"),
                V,
            )
            self.insert(
                "enrolment",
                REC
                + (
                    "cohort_id",
                    "trainee_id",
                    "status",
                    "enrolled_on",
                    "waitlist_position",
                    "withdrawal_reason",
                    "outcome_reason",
                    "decided_at",
                ),
                E,
            )
            self.insert(
                "result", REC + ("enrolment_id", "assessment_id", "attempt", "score", "entered_by_id", "entered_at"), R
            )
            self.insert(
                "certificate",
                REC
                + (
                    "number",
                    "verification_code",
                    "enrolment_id",
                    "trainee_id",
                    "course_id",
                    "issued_on",
                    "expires_on",
                    "status",
                    "revoked_reason",
                    "superseded_by_id",
                    "issued_by_id",
                ),
                C,
            )
            for rows in (V, E, R, C):
                rows.clear()
            self.progress("enrolments", pos, total)

        for c in self.cohorts:
            if not c.size:
                continue
            course, assessments = c.course, c.course.assessments
            s, e, end_s = c.start.toordinal(), c.end.toordinal(), c.end.isoformat()
            by = self.user_id["instructor"] if c.taught else None
            on_days = [date.fromordinal(min(s - k, today)).isoformat() for k in range(5, 40, 3)]
            resit = date.fromordinal(min(e + 7, today - 1)).isoformat()  # never after TODAY
            done, at1, at2 = (f"{end_s} 15:00:00", f"{resit} 17:00:00"), f"{end_s} 14:00:00", f"{resit} 16:00:00"
            grants, funded, months = course.spec.grants, c.funder != "GoI", course.spec.months
            expires = c.end + relativedelta(months=months) if months else None
            expires_s = expires.isoformat() if expires else None
            cert_status = "expired" if expires and expires < TODAY else "valid"
            enrolled, wait = [], 0
            for ch in c.codes:
                t = self.seats[pos]
                pos += 1
                eid += 1
                on = rng.choice(on_days)
                wpos, reason, outcome, decided = None, "", "", None
                if ch in "GgFf":
                    status = "graduated" if ch in "Gg" else "failed"
                    decided = done[ch in "gf"]
                    fail = -1 if ch == "G" else rng.randrange(len(assessments))
                    for i, (aid, code, mx, pm) in enumerate(assessments):
                        if i == fail or (ch in "Ff" and rnd() < 0.3):
                            score = round(mx * 0.2 + (pm - 0.5 - mx * 0.2) * rnd(), 1)
                        else:
                            score = round(pm + (mx - pm) * rnd(), 1)
                        rid += 1
                        R.append((rid, uid(), 1, at1, at1, eid, aid, 1, score, by, at1))
                        if i == fail and ch in "gf":  # the re-sit: passed (graduated) or failed again
                            score = round(pm + (mx - pm) * rnd(), 1) if ch == "g" else round(pm * rnd() * 0.9, 1)
                            rid += 1
                            R.append((rid, uid(), 1, at2, at2, eid, aid, 2, score, by, at2))
                        if i == fail and ch in "Ff":  # in trainer.training.rules' words
                            outcome = f"{code}: {score:g}/{mx:g} below pass mark {pm:g}"
                elif ch == "W":
                    status, reason = "withdrawn", rng.choice(reasons)
                    decided = f"{date.fromordinal(rng.randint(s, max(s, min(e, today - 1)))).isoformat()} 10:00:00"
                elif ch == "E":
                    status = "enrolled"
                    enrolled.append(eid)
                else:
                    wait += 1
                    status, wpos = "waitlisted", wait
                E.append(
                    (
                        eid,
                        uid(),
                        1,
                        on + " 09:00:00",
                        decided or on + " 09:00:00",
                        c.id,
                        t,
                        status,
                        on,
                        wpos,
                        reason,
                        outcome,
                        decided,
                    )
                )
                if funded and (not last_vet[t] or s - last_vet[t] > 330):
                    # Leahy: an approved individual decision before the start (validity 12 months)
                    d = min(s - rng.randint(15, 120), today - rng.randint(1, 20))
                    ds = date.fromordinal(d).isoformat()
                    vid += 1
                    V.append(
                        (
                            vid,
                            uid(),
                            1,
                            ds + " 12:00:00",
                            ds + " 12:00:00",
                            t,
                            None,
                            "individual",
                            f"INV-{ds[:4]}-{vid:07d}",
                            "approved",
                            ds,
                            c.funder,
                            "",
                        )
                    )
                    last_vet[t] = d
                if grants and ch in "Gg":
                    cert += 1
                    code = ""
                    while not code or code in codes:
                        x = rng.getrandbits(50)
                        code = "".join(CODE_ALPHABET[(x >> (5 * i)) & 31] for i in range(10))
                    codes.add(code)
                    key, status, superseded_by = t * 32 + course.idx, cert_status, None
                    prev = last_cert.get(key)
                    if prev is None or e > prev[1]:
                        if prev:
                            self.supersede.append((cert, prev[0]))  # recertified: the older one is superseded
                        last_cert[key] = (cert, e)
                    elif e < prev[1]:
                        status, superseded_by = "superseded", prev[0]
                    C.append(
                        (
                            cert,
                            uid(),
                            1,
                            at1,
                            at1,
                            format_number(cert),
                            code,
                            eid,
                            t,
                            course.id,
                            end_s,
                            expires_s,
                            status,
                            "",
                            superseded_by,
                            by,
                        )
                    )
            if enrolled and c.status == "running":
                self.running.append((c, enrolled))
            if len(R) >= CHUNK or len(E) >= CHUNK:
                flush()
            elif pos // 5000 != (pos - c.size) // 5000:
                self.progress("enrolments", pos, total)
        flush()
        self.n_certificates, self.n_vetting = cert, vid

    def finish(self, rng: random.Random) -> None:
        q = self.dialect.param
        self.progress("finishing", 0, 1)
        if self.supersede:
            self.cur.executemany(
                f"UPDATE certificate SET status = 'superseded', superseded_by_id = {q} WHERE id = {q}", self.supersede
            )
        row = self.db.execute_sql(
            f"SELECT id FROM certificate WHERE status = 'valid' AND id >= {q} ORDER BY id LIMIT 1",
            (self.n_certificates // 3,),
        ).fetchone()
        if row:
            self.db.execute_sql(
                f"UPDATE certificate SET status = 'revoked', revoked_reason = {q} WHERE id = {q}",
                ("issued in error: an assessment result was entered for the wrong trainee", row[0]),
            )
        # unit vettings, and persons never in a coalition-funded cohort: pending, denied, suspended
        vetting: list[Row] = []
        vid = self.n_vetting
        units = [u for f in ("police", "border") for p in ("IQ-NI", "IQ-AN", "IQ-SD") for u in self.units_at[(f, p)]]
        for i, unit in enumerate(units):
            d = date(2018 + i % 7, 1 + i % 12, 10 + i).isoformat()
            result = "suspended" if i == len(units) - 1 else "approved"
            vid += 1
            vetting.append(
                (
                    vid,
                    self.uid(),
                    1,
                    STAMP,
                    STAMP,
                    None,
                    unit,
                    "unit",
                    f"INV-U-{d[:4]}-{vid:07d}",
                    result,
                    d,
                    "CTEF",
                    "unit vetting" if result == "approved" else "credible information received; unit under review",
                )
            )
        wanted, picked = max(60, self.n_trainees // 200), set[int]()
        while len(picked) < wanted:
            t = rng.randint(1, self.n_trainees)
            if self.last_vet[t] or t in picked:
                continue
            picked.add(t)
            result = rng.choices(("pending", "denied", "suspended"), (6, 3, 1))[0]
            decided = (
                None if result == "pending" else date.fromordinal(TODAY.toordinal() - rng.randint(30, 2000)).isoformat()
            )
            vid += 1
            vetting.append(
                (
                    vid,
                    self.uid(),
                    1,
                    STAMP,
                    STAMP,
                    t,
                    None,
                    "individual",
                    f"INV-{vid:07d}",
                    result,
                    decided,
                    "CTEF",
                    "" if result == "pending" else "decision received from the embassy",
                )
            )
        self.insert(
            "vetting_record",
            REC + ("trainee_id", "unit_id", "kind", "case_ref", "result", "decision_date", "funder", "note"),
            vetting,
        )
        self.sessions()
        self.dialect.reset_sequences(TABLES)  # rows went in with explicit ids
        self.progress("finishing", 1, 1)

    def sessions(self) -> None:
        """Sessions (Sunday to Thursday, not on holidays) of the running cohorts, attendance for those
        already held; the holiday calendar too unless the site has entered one."""
        rng = random.Random(f"{self.seed}:attendance")
        holidays = {date.fromisoformat(d) for (d,) in self.db.execute_sql("SELECT day FROM holiday").fetchall()}
        if not holidays:
            self.insert(
                "holiday",
                REC + ("day", "name_en", "name_ar"),
                [(i, self.uid(), 1, STAMP, STAMP) + h for i, h in enumerate(catalogue.HOLIDAYS, 1)],
            )
            holidays = {date.fromisoformat(h[0]) for h in catalogue.HOLIDAYS}
        sessions: list[Row] = []
        marks: list[Row] = []
        for c, enrolled in self.running:
            by = self.user_id["instructor"] if c.taught else None
            day, k = c.start, 0
            while day <= c.end:
                if day.weekday() not in (4, 5) and day not in holidays:
                    k += 1
                    sid = len(sessions) + 1
                    held = day < TODAY
                    sessions.append(
                        (
                            sid,
                            self.uid(),
                            1,
                            STAMP,
                            STAMP,
                            c.id,
                            day.isoformat(),
                            "held" if held else "planned",
                            f"{c.course.spec.title_en}, day {k}",
                        )
                    )
                    for eid in enrolled if held else ():
                        mark = rng.choices(("present", "late", "absent", "excused"), (90, 4, 4, 2))[0]
                        marks.append((len(marks) + 1, self.uid(), 1, STAMP, STAMP, sid, eid, mark, by))
                day += timedelta(days=1)
        self.insert("session", REC + ("cohort_id", "day", "status", "topic"), sessions)
        self.insert("attendance", REC + ("session_id", "enrolment_id", "mark", "entered_by_id"), marks)
