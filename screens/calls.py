"""Calling services from screens without blocking the UI thread.

`ServiceCalls.call(token, fn, *args)` runs `fn` in a thread worker (a newer
call with the same token supersedes an older one: the older result is dropped;
the worker is not cancelled, since cancelling cannot stop a thread and only makes
waiting for it raise) and posts a `Done` message back to the screen; the screen's `@on(Done)`
handler (`on_calls_done`) dispatches to `done_<token>(result)` or, for a
refusal the user can read (TrainerError), `failed_<token>(error)`, which by
default shows the message. Workers never touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.message import Message
from textual.worker import Worker

from trainer.accounts.access import Actor
from trainer.errors import TrainerError

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
            except TrainerError as exc:
                self.post_message(Done(token, serial, error=exc))
            else:
                self.post_message(Done(token, serial, result=result))

        return self.run_worker(job, thread=True, group=f"call-{token}", name=token)

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
