"""The floor for app start: a bare Textual app, one Static showing argv[1], run as a script by the
same interpreter the `trainer` script uses (tests/bench/startup.py starts both the same way)."""

import sys

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static(sys.argv[1])


if __name__ == "__main__":
    Bare().run()
