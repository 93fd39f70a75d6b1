"""A new area screen is styled once, as its widgets mount, not four times before its first paint.

Textual restyles a whole screen (every widget and its component classes) whenever its classes
change and whenever it is resumed. Opening an area for the first time did both: the first Resize
added the breakpoint class (-wide or -narrow, screens.app.TrainerApp.HORIZONTAL_BREAKPOINTS), and
`switch_mode` posts two ScreenResume events for a new mode, each asking for a restyle. On the
stations screen these three restyles were about a third of the CPU from the area key to the first
rows drawn (docs/speed.md). The widgets were styled from the current stylesheet a moment before,
so they change nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.screen import Screen


def preset_breakpoints(screen: Screen, width: int, height: int) -> None:
    """Give a screen not yet mounted the breakpoint classes its first Resize would add (with a
    restyle of the whole screen): that Resize then finds them there and changes nothing."""
    app = screen.app
    across, down = screen.HORIZONTAL_BREAKPOINTS, screen.VERTICAL_BREAKPOINTS
    for dimension, breakpoints in (
        (width, across if across is not None else app.HORIZONTAL_BREAKPOINTS),
        (height, down if down is not None else app.VERTICAL_BREAKPOINTS),
    ):
        for at, name in sorted(breakpoints or [], reverse=True):  # as Screen._get_breakpoint_classes
            if dimension >= at:
                screen.update_classes({name: True}, update=False)
                break


class StyledOnce:
    """Mixed into an area's Screen (before Screen in its bases): the ScreenResume events before it
    is first suspended (those of its own opening) do not restyle it; later ones (back from another
    area or a dialog, maybe after a theme change) do, as Textual's do.

    A mixin, not a Screen subclass (the key-map test takes every Screen subclass for a screen the
    user sees). Its handlers carry Textual's private names so that they cannot clash with an
    area's own on_screen_resume: Textual calls the handler of each class along the MRO, this
    one before Screen's, which reads `refresh_styles`."""

    _suspended_once = False

    def _on_screen_suspend(self) -> None:
        self._suspended_once = True

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._suspended_once:
            event.refresh_styles = False
