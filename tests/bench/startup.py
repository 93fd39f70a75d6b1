"""App start to first screen drawn: the real `trainer` process in a pseudo-terminal.

pty.fork gives the app a controlling terminal of 120×40 (TERM=xterm-256color, size set with
TIOCSWINSZ in the child before exec). The clock runs from just before the fork until the
terminal has received the first screen's text (escape sequences stripped), and, when the app
wraps frames in synchronized-output marks, that frame's closing mark. Then the process group is
killed; its peak RSS comes from wait4.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

from tests.bench.context import Context
from tests.bench.data import trainer_command
from tests.bench.measure import Row, Stats, Target

AREA = "startup"
OP = "app start to first screen (pty)"
TARGETS = (Target("median", 0.400),)
SIZE = (40, 120)  # rows, columns
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=$!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)")
FRAME_START, FRAME_END = b"\x1b[?2026h", b"\x1b[?2026l"


def first_screen_markers() -> tuple[str, ...]:
    """Text that only the first usable screen shows once drawn: the login screen on a database
    with users (the first-run screen on one without)."""
    return ("Sign in", "Welcome: this database has no users yet")


def launch(url: str, markers: tuple[str, ...], *, timeout: float = 30.0) -> tuple[float, float, float]:
    """One start: seconds to the first screen, the app's peak RSS (MB), and the CPU seconds
    (user + system) it had used when it was killed, just after that screen."""
    cmd = trainer_command() + ["--db", url]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TEXTUAL")}
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
    markers = first_screen_markers()
    runs = ctx.runs(9, 3)
    launch(ctx.url, markers)  # warm-up: byte-compiled files and the OS file cache
    times, peaks, cpu = [], [], []
    for _ in range(runs):
        seconds, peak, used = launch(ctx.url, markers)
        times.append(seconds)
        peaks.append(peak)
        cpu.append(used)
    return [
        Row(
            AREA,
            OP,
            Stats(tuple(times)),
            max(peaks),
            TARGETS,
            memory_method="app peak RSS",
            note=f"`trainer --db URL` in a 120x40 pseudo-terminal; first screen recognised by "
            f"{' / '.join(markers)!r}; CPU used by then (user+system): median "
            f"{Stats(tuple(cpu)).median * 1000:.0f} ms (less sensitive to a busy machine than wall "
            "time); memory is the app process's peak RSS",
        )
    ]
