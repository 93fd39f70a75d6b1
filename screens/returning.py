"""Areas that read again when the user comes back to them.

An area's screen lives on between visits (one per mode), so without this it
shows what it read the first time: a cohort posted to a station from Cohorts
left Stations and the dashboard saying the station was not ready until F5.
Coming back from one of the area's own dialogs does not count: the dialog's
result reloads what it changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


class ReloadOnReturn:
    """Mixed into an area's Screen: calls `returned()` when it is shown again after another area was."""

    if TYPE_CHECKING:  # what the Screen it is mixed into provides
        app: Any

    _away = False

    def on_screen_suspend(self) -> None:
        # After a mode switch the app's stack is the other area's; after a dialog it is still ours.
        self._away = not any(screen is self for screen in self.app.screen_stack)

    def on_screen_resume(self) -> None:
        if self._away:
            self._away = False
            self.returned()

    def returned(self) -> None:
        raise NotImplementedError
