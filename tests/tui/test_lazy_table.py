"""The lazy list by itself: pages fetched in workers only when shown, bounded cache, cursor keys."""

from __future__ import annotations

import threading

from textual.app import App, ComposeResult

from screens.widgets.lazy_table import KEEP_PAGES, PAGE, Column, LazyTable

TOTAL = 5_000


class ListApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[tuple[int, int]] = []
        self.threads: set[str] = set()
        self.highlighted: list[int] = []
        self.hints: list = []

    def fetch(self, query, offset: int, limit: int, hint: dict | None = None) -> list[dict]:
        self.threads.add(threading.current_thread().name)
        self.fetched.append((offset, limit))
        self.hints.append(hint)
        return [{"n": i, "name": f"row {i}"} for i in range(offset, min(TOTAL, offset + limit))]

    def compose(self) -> ComposeResult:
        yield LazyTable(
            [Column("N", 6, lambda r: str(r["n"])), Column("Name", 0, lambda r: r["name"])], self.fetch, id="list"
        )

    def on_mount(self) -> None:
        self.query_one(LazyTable).reset("all", TOTAL, self.fetch(None, 0, PAGE))
        self.fetched.clear()
        self.threads.clear()
        self.query_one(LazyTable).focus()

    def on_lazy_table_highlighted(self, message: LazyTable.Highlighted) -> None:
        if message.row is not None:
            self.highlighted.append(message.row["n"])


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_only_visible_pages_are_fetched_and_in_a_worker():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LazyTable)
        await settle(pilot)
        assert app.fetched == []  # the first page came with reset()
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == TOTAL - 1 and table.row(TOTAL - 1)["n"] == TOTAL - 1
        assert app.fetched == [(4900, PAGE)]  # only the page now on screen
        assert app.threads and threading.main_thread().name not in app.threads
        assert app.highlighted[-1] == TOTAL - 1
        await pilot.press("home", "down", "down")
        await settle(pilot)
        assert table.current["n"] == 2
        app.hints.clear()
        for _ in range(60):  # ~1,100 rows of page-downs: pages come and go
            await pilot.press("pagedown")
        await settle(pilot)
        assert table.row(table.cursor_row) is not None
        assert len(table._pages) <= KEEP_PAGES
        # Scrolling down continues from the last row of the page above (keyset paging).
        assert app.hints and all(h and h["after"]["n"] % PAGE == PAGE - 1 for h in app.hints)


async def test_reset_starts_a_new_result_and_ignores_stale_pages():
    app = ListApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LazyTable)
        table.reset("fewer", 3, [{"n": 0, "name": "a"}, {"n": 1, "name": "b"}, {"n": 2, "name": "c"}])
        table.post_message(LazyTable.PageLoaded(0, 0, [{"n": 99, "name": "stale"}]))  # an old generation
        await settle(pilot)
        assert table.total == 3 and table.row(0)["name"] == "a"
        await pilot.press("end", "down")
        assert table.cursor_row == 2
        table.set_rows([])
        await settle(pilot)
        assert table.current is None and table.total == 0
