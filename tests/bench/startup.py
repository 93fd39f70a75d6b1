"""App start to first screen drawn: the real `trainer` process in a pseudo-terminal, beside the
floor: a bare Textual app (one Static, tests/bench/bare_app.py) started the same way.

pty.fork gives the app a controlling terminal of 120×40 (TERM=xterm-256color, size set with
TIOCSWINSZ in the child before exec). The clock runs from just before the fork until the
terminal has received the first screen's text (escape sequences stripped), and, when the app
wraps frames in synchronized-output marks, that frame's closing mark. Then the process group is
killed; its peak RSS comes from wait4. The two are started in turn, so that other work on the
machine weighs on both alike; the app's target is 400 ms or 1.2 times the floor's median,
whichever is higher (Python and Textual's own start are not the app's to cut).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from tests.bench.context import Context
from tests.bench.data import trainer_command
from tests.bench.measure import Row, Stats, Target

AREA = "startup"
OP = "app start to first screen (pty)"
FLOOR_OP = "bare Textual app start to first screen (pty): the floor"
TARGET_S, FLOOR_FACTOR = 0.400, 1.2
BARE_APP, BARE_MARKER = Path(__file__).with_name("bare_app.py"), "Bare Textual app"
SIZE = (40, 120)  # rows, columns
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=$!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)")
FRAME_START, FRAME_END = b"\x1b[?2026h", b"\x1b[?2026l"


def first_screen_markers() -> tuple[str, ...]:
    """Text that only the first usable screen shows once drawn: the login screen on a database
    with users (the first-run screen on one without)."""
    return ("Sign in", "Welcome: this database has no users yet")


def launch(cmd: list[str], markers: tuple[str, ...], *, timeout: float = 30.0) -> tuple[float, float, float]:
    """One start: seconds to the first screen, the app's peak RSS (MB), and the CPU seconds
    (user + system) it had used when it was killed, just after that screen."""
    # Without PYTHONDONTWRITEBYTECODE (set in some shells and CI images): the warm-up start writes
    # the byte-compiled files an installed app has, else every start compiles the app's modules.
    dropped = ("COLUMNS", "LINES", "TEXTUAL", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["TERM"] = "xterm-256color"
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size its terminal, then become the app
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
            os.execve(cmd[0], cmd, env)
        finally:
            os._exit(127)
    buf = bytearray()
    seen_at = None
    outcome = "timeout"
    try:
        deadline = start + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.perf_counter()))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:  # EIO: the app exited
                outcome = "exited"
                break
            if not chunk:
                outcome = "exited"
                break
            buf += chunk
            if seen_at is None:
                text = ESCAPES.sub("", bytes(buf).decode("utf-8", "replace"))
                if not any(m in text for m in markers):
                    continue
                seen_at = len(buf)
            # Drawn once no synchronized-output frame is left open (the marker's frame is closed).
            if buf.rfind(FRAME_END) >= buf.rfind(FRAME_START):
                outcome = "drawn"
                break
        elapsed = time.perf_counter() - start
    finally:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    if outcome != "drawn":
        tail = ESCAPES.sub("", bytes(buf[-400:]).decode("utf-8", "replace")).strip()
        raise RuntimeError(f"first screen not seen ({outcome}, markers {markers}): {tail[-160:]!r}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(ctx: Context) -> list[Row]:
    app = (trainer_command() + ["--db", ctx.url], first_screen_markers())
    bare = ([sys.executable, str(BARE_APP), BARE_MARKER], (BARE_MARKER,))
    runs = ctx.runs(9, 3)
    for cmd, markers in (app, bare):
        launch(cmd, markers)  # warm-up: byte-compiled files and the OS file cache
    got: dict[str, tuple[list, list, list]] = {"app": ([], [], []), "bare": ([], [], [])}
    for _ in range(runs):
        for name, (cmd, markers) in (("app", app), ("bare", bare)):
            for into, value in zip(got[name], launch(cmd, markers)):
                into.append(value)
    (times, peaks, cpu), (floor_times, floor_peaks, floor_cpu) = got["app"], got["bare"]
    floor = Stats(tuple(floor_times))
    limit = max(TARGET_S, FLOOR_FACTOR * floor.median)
    return [
        Row(
            AREA,
            FLOOR_OP,
            floor,
            max(floor_peaks),
            memory_method="app peak RSS",
            note=f"{BARE_APP.name}: one Static, the same interpreter in the same 120x40 pseudo-terminal; "
            f"CPU used by then: median {Stats(tuple(floor_cpu)).median * 1000:.0f} ms",
        ),
        Row(
            AREA,
            OP,
            Stats(tuple(times)),
            max(peaks),
            (Target("median", limit),),
            memory_method="app peak RSS",
            extra={"target_from_floor": True},  # measured beside the app: no load slack on top
            note=f"`trainer --db URL` in a 120x40 pseudo-terminal (its database is opened once this "
            f"screen is drawn, docs/speed.md); first screen recognised by "
            f"{' / '.join(app[1])!r}; target {TARGET_S * 1000:.0f} ms or {FLOOR_FACTOR:g} x the floor's "
            f"median, whichever is higher; CPU used by then (user+system): median "
            f"{Stats(tuple(cpu)).median * 1000:.0f} ms (less sensitive to a busy machine than wall "
            "time); memory is the app process's peak RSS",
        ),
    ]
