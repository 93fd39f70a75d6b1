"""Calling services from screens without blocking the UI thread.

`ServiceCalls.call(token, fn, *args)` runs `fn` in a thread worker (a newer
call with the same token supersedes an older one: the older result is dropped;
the worker is not cancelled, since cancelling cannot stop a thread and only makes
waiting for it raise) and posts a `Done` message back to the screen; the screen's `@on(Done)`
handler (`on_calls_done`) dispatches to `done_<token>(result)` or, for a
refusal the user can read (TrainerError), `failed_<token>(error)`, which by
default shows the message. Any other exception (a locked or restarted
database) arrives the same way, as a one-line retryable TrainerError
(trainer.errors.readable): the screen and its unsaved input stay. Workers
never touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import TYPE_CHECKING, Any, cast

from textual.message import Message
from textual.worker import Worker

from trainer.accounts.access import Actor
from trainer.errors import TrainerError, readable

if TYPE_CHECKING:
    from textual import getters
    from textual.dom import DOMNode

    from screens.app import TrainerApp

    _Node = DOMNode  # what the mixin is mixed into (a Screen, a Widget or the App)
else:
    _Node = object


class Done(Message, namespace="calls", bubble=False):
    """A service call finished: `result`, or the refusal in `error`."""

    def __init__(self, token: str, serial: int, result: Any = None, error: TrainerError | None = None) -> None:
        super().__init__()
        self.token = token
        self.serial = serial
        self.result = result
        self.error = error


# Threads for calls started before a screen is mounted (ServiceCalls.call_early): a Textual worker
# begins only when the event loop next gets to it, after the screen's widgets are mounted.
_EARLY = ThreadPoolExecutor(max_workers=2, thread_name_prefix="early-call")


class ServiceCalls(_Node):
    """Mixin for a Screen (or Widget) that calls services."""

    if TYPE_CHECKING:
        app = getters.app(TrainerApp)  # what Textual itself declares, with our App's type

    _call_serials: dict[str, int]

    def call(self, token: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Worker:
        serials = self.__dict__.setdefault("_call_serials", {})
        serial = serials.get(token, 0) + 1
        serials[token] = serial

        def job() -> None:
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001  a dropped database must not close the app
                self.post_message(Done(token, serial, error=readable(exc)))
            else:
                self.post_message(Done(token, serial, result=result))

        return self.run_worker(job, thread=True, group=f"call-{token}", name=token)

    def call_early(self, token: str, fn: Callable[..., Any], *args: Any) -> None:
        """Start `fn` in a thread now, from compose: its result can then be there for the screen's
        first paint. `take_early(token)` (from on_mount or later) hands it to `done_<token>` at once
        when it is ready, else through a worker as `call` does (docs/speed.md)."""
        self.__dict__.setdefault("_early", {})[token] = _EARLY.submit(fn, *args)

    def take_early(self, token: str, wait: float = 0.0) -> None:
        """`wait`: seconds to wait for a result not yet there. The thread waiting holds no lock,
        so the call runs at full speed meanwhile; left running, it competes with the screen's
        mounting and painting for the interpreter and took several times its own CPU time."""
        future: Future[Any] | None = self.__dict__.get("_early", {}).pop(token, None)
        if future is None or self.__dict__.get("_call_serials", {}).get(token):
            return  # taken already, never started, or superseded by a call with the same token
        if wait and not future.done():
            wait_futures([future], timeout=wait)
        if future.done() and future.exception() is None:
            handler = getattr(self, f"done_{token}", None)
            if handler is not None:
                handler(future.result())
        else:  # still running (or failed): its result or refusal arrives as a Done message
            self.call(token, future.result)

    def on_calls_done(self, message: Done) -> None:
        message.stop()
        if self.__dict__.get("_call_serials", {}).get(message.token) != message.serial:
            return  # superseded by a newer call with the same token
        if message.error is not None:
            handler = getattr(self, f"failed_{message.token}", None)
            if handler is not None:
                handler(message.error)
            else:
                self.app.notify(str(message.error), severity="error", timeout=8)
            return
        handler = getattr(self, f"done_{message.token}", None)
        if handler is not None:
            handler(message.result)

    @property
    def actor(self) -> Actor:
        # Typed as signed in: screens that call services with an actor open after sign-in.
        return cast(Actor, self.app.actor)
