"""The trainees screen on the whole registry, driven by Textual's Pilot (run_test, 120×40).

A paint is the moment the screen hands a rendered update to the driver (App._display, wrapped
here): widgets' lines are rendered by then; headless mode only skips turning them into escape
sequences. Each figure runs from just before the key is pressed to the first paint that shows
what the key asked for:
- first paint: `t` (from the instructor's start area) until the list shows its first rows;
  a fresh app per run;
- search keystroke: one character typed into the search box until the list shows the results
  for the text typed so far;
- scroll key: process CPU time (every thread: the UI, the page fetch, the detail pane's
  worker) from the key until the last paint it caused, the app idle again;
- memory: peak RSS growth from just before the screen opens until the end of browsing (first
  paint, searches, end, home and a run of page-downs through the registry).
Baseline: Textual's DataTable filled with add_rows with 10,000 rows of the same registry (a
worker fetches them, as a naive screen would), first paint measured the same way.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable

from tests.bench.context import Context, bind, missing
from tests.bench.data import PASSWORD
from tests.bench.measure import PeakMemory, Row, Stats, Target, not_measured

AREA = "tui"
SIZE = (120, 40)
FIRST_PAINT = "trainees screen first paint"
KEYSTROKE = "search keystroke to results drawn"
SCROLL_DOWN = "scroll key down: CPU"
SCROLL_PAGE = "scroll key page down: CPU"
BROWSE = "memory added browsing the registry"
TARGETS = {
    FIRST_PAINT: (Target("median", 0.100),),
    KEYSTROKE: (Target("p95", 0.050),),
    SCROLL_DOWN: (Target("p95", 0.016),),
    SCROLL_PAGE: (Target("p95", 0.016),),
    BROWSE: (Target("memory", 60),),
}
BASELINE_ROWS = 10_000
TIMEOUT = 60.0


def measure(ctx: Context) -> list[Row]:
    why = missing(
        "screens.app:make_app",
        "screens.trainees:TraineesScreen",
        "screens.widgets.lazy_table:LazyTable",
        "screens.login:LoginScreen",
    )
    if why:
        return [not_measured(AREA, op, why, TARGETS[op]) for op in TARGETS]
    bind(ctx.url)
    from tests.bench.search import queries

    typed = queries(ctx.runs(6, 2), seed=31)[0]
    return asyncio.run(_measure(ctx, typed))


class Paints:
    """Wraps App._display: resolves waiters on the first paint where their condition holds and
    keeps the (wall, cpu) clock of every paint."""

    def __init__(self, app) -> None:
        self.waiters: list[tuple[Callable[[], bool], asyncio.Future]] = []
        self.last: tuple[float, float] = (0.0, 0.0)
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            self.last = (time.perf_counter(), time.process_time())
            for waiter in list(self.waiters):
                condition, future = waiter
                if not future.done() and condition():
                    future.set_result(self.last)
                    self.waiters.remove(waiter)

        app._display = display

    def expect(self, condition: Callable[[], bool]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters.append((condition, future))
        return future


async def _until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await asyncio.sleep(0.005)


async def _idle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()


def _table(app):
    from screens.trainees import TraineesScreen
    from screens.widgets.lazy_table import LazyTable

    screen = app.screen
    return screen.query_one(LazyTable) if isinstance(screen, TraineesScreen) else None


def _rows_shown(app) -> bool:
    t = _table(app)
    return t is not None and t.total > 0 and t.row(int(t.scroll_offset.y)) is not None


async def _signed_in(app, pilot) -> None:
    """Past the login screen as the instructor (who starts in another area), as typing would."""
    from screens.login import LoginScreen
    from trainer.accounts import users

    await _until(lambda: isinstance(app.screen, LoginScreen))
    actor = await asyncio.to_thread(users.authenticate, "instructor", PASSWORD, session="tui")
    app.signed_in(actor)
    await _until(lambda: app.actor is not None and len(app.screen_stack) == 1 and app.current_mode != "_default")
    await _idle(app, pilot)


async def _press(
    pilot, paints: Paints, key: str, condition: Callable[[], bool], *, direct: bool = True
) -> tuple[float, float, float]:
    """Press a key; (wall seconds to the first paint meeting condition, its cpu clock, cpu at press).

    direct (the default): hand the key to the driver as a terminal would and wait only for the
    paint, so that none of Pilot's own waiting (it visits every widget) runs inside a measurement."""
    from textual import events

    future = paints.expect(condition)
    cpu0, start = time.process_time(), time.perf_counter()
    if direct:
        key_event = events.Key(key, {"space": " "}.get(key, key if len(key) == 1 else None))
        key_event.set_sender(pilot.app)
        pilot.app._driver.send_message(key_event)
    else:
        await pilot.press(key)
    wall, cpu = await asyncio.wait_for(future, TIMEOUT)
    return wall - start, cpu, cpu0


async def _measure(ctx: Context, typed: list[str]) -> list[Row]:
    from screens.app import make_app

    first, memory_mb, method = [], None, ""
    keystrokes, down, page = [], {}, {}
    baseline, naive_mb = [], None
    runs = ctx.runs(5, 1)
    for run in range(runs):
        app = make_app(ctx.url, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            paints = Paints(app)
            await _signed_in(app, pilot)
            with PeakMemory() as mem:
                wall, _, _ = await _press(pilot, paints, "t", functools.partial(_rows_shown, app))
                first.append(wall)
                await _idle(app, pilot)
                if run == 0:
                    keystrokes = await _type(app, pilot, paints, typed)
                    down = await _scroll(app, pilot, paints, "down", ctx.runs(60, 8))
                    page = await _scroll(app, pilot, paints, "pagedown", ctx.runs(60, 8))
                    await _browse(app, pilot, paints, ctx.runs(300, 15))
            if run == 0:
                memory_mb, method = mem.mb, mem.method
            if run < ctx.runs(3, 1):
                with PeakMemory() as naive:
                    baseline.append(await _datatable(app, pilot, paints))
                naive_mb = naive.mb if run == 0 else naive_mb
    total = _table_total(ctx)
    return [
        Row(
            AREA,
            FIRST_PAINT,
            Stats(tuple(first)),
            None,
            TARGETS[FIRST_PAINT],
            "DataTable 10k",
            Stats(tuple(baseline)),
            note=f"Pilot, 120x40; {total:,} trainees; key t from the instructor's start area to the first rows "
            f"drawn, a fresh app per run; baseline: a screen whose worker fetches {BASELINE_ROWS:,} rows "
            f"for DataTable.add_rows, which added {naive_mb:.0f} MB",
        ),
        Row(
            AREA,
            KEYSTROKE,
            Stats(tuple(keystrokes)),
            None,
            TARGETS[KEYSTROKE],
            note=f"{len(keystrokes)} keystrokes typing {', '.join(repr(q) for q in typed)}",
        ),
        Row(AREA, SCROLL_DOWN, Stats(tuple(down["cpu"])), None, TARGETS[SCROLL_DOWN], note=_scroll_note(down)),
        Row(AREA, SCROLL_PAGE, Stats(tuple(page["cpu"])), None, TARGETS[SCROLL_PAGE], note=_scroll_note(page)),
        Row(
            AREA,
            BROWSE,
            None,
            memory_mb,
            TARGETS[BROWSE],
            memory_method=method,
            note="peak RSS growth of the app process over the first run: screen opened, searches typed, "
            "end, home, page-downs",
        ),
    ]


def _table_total(ctx: Context) -> int:
    from db import models
    from db.connection import database

    with database.connection_context():
        return models.Trainee.select().count()


async def _type(app, pilot, paints: Paints, texts: list[str]) -> list[float]:
    """Type each text a character at a time into the search box; the box is emptied between texts."""
    from screens.widgets.forms import Field

    samples = []
    for text in texts:
        await pilot.press("slash")
        field = app.screen.query_one("#search", Field)
        for i, ch in enumerate(text):
            want = text[: i + 1]
            wall, _, _ = await _press(pilot, paints, "space" if ch == " " else ch, functools.partial(_shows, app, want))
            samples.append(wall)
        future = paints.expect(lambda: _shows(app, ""))
        field.value = ""
        await asyncio.wait_for(future, TIMEOUT)
        await pilot.press("escape")  # back to the list, where "/" opens the search box again
        await _idle(app, pilot)
    return samples


def _shows(app, text: str) -> bool:
    t = _table(app)
    if t is None or t.query is None or getattr(t.query, "text", None) != text:
        return False
    return t.total == 0 or t.row(int(t.scroll_offset.y)) is not None


async def _scroll(app, pilot, paints: Paints, key: str, presses: int) -> dict[str, list[float]]:
    """Per press: CPU to the last paint the key caused ("cpu"), CPU and wall time to the paint
    showing the moved cursor ("cpu_drawn", "wall")."""
    t = _table(app)
    t.focus()
    await _idle(app, pilot)
    out: dict[str, list[float]] = {"cpu": [], "cpu_drawn": [], "wall": []}
    for _ in range(presses):
        step = 1 if key == "down" else max(1, t.size.height - 1)
        want = min(t.total - 1, t.cursor_row + step)
        wall, cpu_drawn, cpu0 = await _press(
            pilot, paints, key, lambda want=want: t.cursor_row == want and t.row(want) is not None
        )
        await _idle(app, pilot)
        out["wall"].append(wall)
        out["cpu_drawn"].append(cpu_drawn - cpu0)
        out["cpu"].append(paints.last[1] - cpu0)
    return out


def _scroll_note(s: dict[str, list[float]]) -> str:
    med = {k: Stats(tuple(v)).median * 1000 for k, v in s.items()}
    return (
        f"CPU of every thread from the key to the last paint it caused (the detail pane's load and "
        f"redraw included); to the moved cursor drawn: CPU median {med['cpu_drawn']:.1f} ms, wall "
        f"median {med['wall']:.1f} ms"
    )


async def _browse(app, pilot, paints: Paints, pages: int) -> None:
    t = _table(app)
    await _press(pilot, paints, "end", lambda: t.cursor_row == t.total - 1 and t.row(t.total - 1) is not None)
    await _press(pilot, paints, "home", lambda: t.cursor_row == 0 and t.row(0) is not None)
    for _ in range(pages):
        want = min(t.total - 1, t.cursor_row + max(1, t.size.height - 1))
        await _press(pilot, paints, "pagedown", lambda want=want: t.cursor_row == want and t.row(want) is not None)
    await _idle(app, pilot)


async def _datatable(app, pilot, paints: Paints) -> float:
    """Push the naive screen and time it to its first paint with all rows added."""
    screen = _naive_screen(app.actor)
    future = paints.expect(lambda: app.screen is screen and screen.loaded)
    start = time.perf_counter()
    app.push_screen(screen)
    wall, _ = await asyncio.wait_for(future, TIMEOUT)
    await _idle(app, pilot)
    app.pop_screen()
    await _idle(app, pilot)
    return wall - start


def _naive_screen(actor):
    from textual import work
    from textual.message import Message
    from textual.screen import Screen
    from textual.widgets import DataTable

    from trainer.registry import trainees

    class Rows(Message):
        def __init__(self, rows) -> None:
            super().__init__()
            self.rows = rows

    class DataTableScreen(Screen):
        loaded = False

        def compose(self):
            yield DataTable(id="naive")

        def on_mount(self) -> None:
            self.query_one(DataTable).add_columns("Name", "Latin", "Born", "National ID", "Force", "Prov.", "Status")
            self.load()

        @work(thread=True)
        def load(self) -> None:
            self.post_message(Rows(trainees.page(actor, None, 0, BASELINE_ROWS)))

        def on_rows(self, message: Rows) -> None:
            self.query_one(DataTable).add_rows(
                (
                    t.full_name,
                    t.latin_name,
                    t.date_of_birth.isoformat(),
                    t.national_id,
                    t.force,
                    t.province[3:],
                    t.status,
                )
                for t in message.rows
            )
            self.loaded = True

    return DataTableScreen()
