"""`python -m tests.bench.instructor_grids`: the instructor's grids on a 60 × 20 cohort, SQLite.

Targets (issue 4): saving one grid cell end to end under 20 ms; drawing a
60-trainee × 20-session grid under 100 ms. Measured on a fresh SQLite file:
- the service call a key makes (attendance.mark, results.enter_score: validation,
  frozen rule, audit event, own connection and transaction), median and p95;
- the whole round trip in the TUI: key pressed -> saved by the worker -> cell and
  percentage redrawn (headless Pilot);
- the grid: fetching it (one service call) and drawing it (filling the DataTable
  and the first paint), and opening the screen from push to a drawn grid.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import os
import statistics
import tempfile
import time
from pathlib import Path

TRAINEES, SESSIONS = 60, 20


def stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return f"median {statistics.median(ordered) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms   (n={len(ordered)})"


def build(folder: Path):
    os.environ.setdefault("XDG_CONFIG_HOME", str(folder / "config"))
    os.environ.setdefault("TRAINER_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
    from trainer.setup import connect

    connect(f"sqlite:///{folder / 'bench.db'}")
    from db import models
    from db.connection import database
    from tests.instructor_fixtures import build as build_world
    from trainer.training import sessions

    start = datetime.date(2025, 1, 5)  # a Sunday; 20 working days = four weeks
    world = build_world(trainees=TRAINEES, start=start, end=start + datetime.timedelta(days=25))
    days = sessions.generate_sessions(world.admin, world.cohort_id)
    assert len(days) == SESSIONS, len(days)
    with database.connection_context():
        assert models.Enrolment.select().count() == TRAINEES
    return world, days


def service_figures(world, days) -> None:
    from trainer.training import attendance, results

    cells = [(s.id, e) for s in days[:10] for e in world.enrolments][:150]
    samples = []
    for n, (sid, eid) in enumerate(cells):
        t = time.perf_counter()
        attendance.mark(world.instructor, sid, eid, "pale"[n % 4])
        samples.append(time.perf_counter() - t)
    print(f"attendance.mark (one key, service)        {stats(samples[5:])}")
    samples = []
    for n, eid in enumerate(world.enrolments):
        t = time.perf_counter()
        results.enter_score(world.instructor, eid, world.assessments["WPN"], str(5 + n % 15))
        samples.append(time.perf_counter() - t)
    print(f"results.enter_score (one score, service)  {stats(samples[5:])}")
    t = time.perf_counter()
    grid = attendance.grid(world.instructor, world.cohort_id)
    print(f"attendance.grid fetch 60 x 20             {(time.perf_counter() - t) * 1000:6.2f} ms")
    assert len(grid.rows) == TRAINEES and len(grid.sessions) == SESSIONS


async def tui_figures(world, days) -> None:
    from screens.attendance import AttendanceScreen
    from screens.widgets.grid import Grid
    from tests.tui.test_instructor import Desk
    from trainer.training import attendance

    first = AttendanceScreen(world.cohort_id)
    app = Desk(world.instructor, first)
    async with app.run_test(size=(160, 70)) as pilot:
        while first.grid is None:
            await asyncio.sleep(0.0005)
        opens = []
        for _ in range(5):  # push a new screen: worker fetch, message, fill, first paint
            screen = AttendanceScreen(world.cohort_id)
            t = time.perf_counter()
            await app.push_screen(screen)
            while screen.grid is None:
                await asyncio.sleep(0.0005)
            screen._refresh_layout(app.size)
            screen._compositor.render_full_update()
            opens.append(time.perf_counter() - t)
            await pilot.pause()
            if len(app.screen_stack) > 2:
                app.pop_screen()
                await pilot.pause()
        screen = app.screen
        print(f"open the screen: push -> grid drawn       {stats(opens[1:])}")
        grid = attendance.grid(world.instructor, world.cohort_id)
        fills, draws = [], []
        for _ in range(15):
            t = time.perf_counter()
            screen.show_grid(grid)  # replace the grid's data
            fills.append(time.perf_counter() - t)
            screen._refresh_layout(app.size)  # arrange, then render every visible line to segments
            screen._compositor.render_full_update()
            draws.append(time.perf_counter() - t)
            await pilot.pause()
        shown = "".join(seg.text for line in screen._compositor.render_strips() for seg in line)
        assert grid.rows[0].latin_name[:10] in shown and grid.rows[20].latin_name[:10] in shown
        print(f"fill the 60 x 20 grid                     {stats(fills[2:])}")
        print(f"draw the 60 x 20 grid (fill + paint)      {stats(draws[2:])}")
        table = screen.query_one(Grid)
        table.move_to(0, 2 + 12)  # an unmarked day
        started: dict = {}
        original = screen.action_mark

        def timed_mark(mark: str) -> None:  # the key's action: the round trip starts here
            key = table.cell_key()
            started[(int(key[1][1:]), int(key[0]))] = time.perf_counter()
            original(mark)

        screen.action_mark = timed_mark
        finished: dict = {}
        show = screen._show

        def timed_show(session_id, enrolment_id, mark, *, pending=False):  # redrawn from the saved mark
            show(session_id, enrolment_id, mark, pending=pending)
            if not pending:
                finished.setdefault((session_id, enrolment_id), time.perf_counter())

        screen._show = timed_show
        rounds = []
        for n in range(40):
            row_key, column_key = table.cell_key()
            key = (int(column_key[1:]), int(row_key))
            await pilot.press("pale"[n % 4])
            while screen.marks.get(key) is None:  # until the worker's Saved message is handled
                await asyncio.sleep(0.0005)
            rounds.append(finished[key] - started[key])
        print(f"key -> saved -> cell redrawn (TUI)        {stats(rounds[3:])}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world, days = build(Path(tmp))
        service_figures(world, days)
        asyncio.run(tui_figures(world, days))
        print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
