"""Checkboxes that read without colour."""

from __future__ import annotations

from tests.tui.conftest import SIZE, new_app, settle


async def test_an_unticked_box_is_empty_not_an_x(tui_url):
    """Off and on differ in the drawing itself, not only in colour."""
    from screens.login import FirstRunScreen
    from screens.widgets.forms import Tick

    app = new_app(tui_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        box = app.screen.query_one("#demo", Tick)
        assert not box.value and box._button.plain == "▐ ▌"
        box.value = True
        assert box._button.plain == "▐X▌"
