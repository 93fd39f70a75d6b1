"""Instant saving from a grid: every keystroke's write, in order, off the UI thread.

A grid cell is saved the moment it is typed. Writes go into a queue that one
thread worker drains in order (two quick keys on one cell must land in the
order typed, which separate workers would not guarantee, and an exclusive
worker per key would cancel the earlier save). Each finished write posts a
message back to the screen; the worker never touches a widget.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message

from trainer.errors import TrainerError


class Saved(Message, namespace="saving", bubble=False):
    """One queued write finished: `result`, or the refusal in `error`; `tag` says which write."""

    def __init__(self, tag: Any, result: Any = None, error: TrainerError | None = None) -> None:
        super().__init__()
        self.tag = tag
        self.result = result
        self.error = error


if TYPE_CHECKING:
    from textual.dom import DOMNode as _Node
else:
    _Node = object


class SaveQueue(_Node):
    """Mixin for a Screen: `self.enqueue(tag, fn, *args)` saves in order, posting `Saved`."""

    def enqueue(self, tag: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        state = self.__dict__.setdefault("_save_state", {"queue": deque(), "lock": threading.Lock(), "draining": False})
        with state["lock"]:
            state["queue"].append((tag, fn, args, kwargs))
            if state["draining"]:
                return
            state["draining"] = True
        self.run_worker(
            self._drain,
            thread=True,
            exclusive=True,
            group="grid-save",
            name="grid-save",
        )

    def _drain(self) -> None:
        state = self.__dict__["_save_state"]
        while True:
            with state["lock"]:
                if not state["queue"]:
                    state["draining"] = False
                    return
                tag, fn, args, kwargs = state["queue"].popleft()
            try:
                message = Saved(tag, result=fn(*args, **kwargs))
            except TrainerError as exc:
                message = Saved(tag, error=exc)
            except Exception as exc:  # keep draining: one broken write must not strand the rest
                message = Saved(tag, error=TrainerError(f"not saved: {exc}"))
            with state["lock"]:
                # Done before the last result is posted, so that its handler sees `saving` false.
                last = not state["queue"]
                if last:
                    state["draining"] = False
            self.post_message(message)
            if last:
                return

    @property
    def saving(self) -> bool:
        state = self.__dict__.get("_save_state")
        return bool(state and (state["draining"] or state["queue"]))
