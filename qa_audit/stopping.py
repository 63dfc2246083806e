"""How a run stops on SIGTERM or Ctrl-C: as an exception in the main thread, except while a
step that must not be cut in half is under way.

A scheduler's time limit or a service stop sends SIGTERM. `on_sigterm` turns it into
`Terminated`, which unwinds the run like Ctrl-C's KeyboardInterrupt: every `finally` runs,
the history database marks the run "interrupted" and releases its writer lock. An
exception raised at an arbitrary point, though, can land inside library code that is not
written for it. Starting a worker pool is such a step: cut after the workers are forked
but before the thread that feeds and ends them is running, the pool can neither be shut
down (its thread "cannot be joined before it is started") nor be left behind (the
interpreter's exit waits for the orphaned workers forever). `deferred()` holds both
signals until such a step is complete, then lets them act as they would have.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

HELD = (signal.SIGTERM, signal.SIGINT)
"""The signals that stop a run, and that `deferred()` holds."""


class Terminated(BaseException):
    """SIGTERM arrived: like Ctrl-C, not an error, so it passes every `except Exception`
    and the history database closes as for any stop (the run marked "interrupted",
    committed work kept, the writer lock released)."""


def on_sigterm(signum: int, frame: object) -> None:
    """The SIGTERM handler of a run (Python runs it in the main thread)."""
    raise Terminated


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT that arrive in this block until it has ended, then hand each
    to the handler it would have met (`on_sigterm` raises `Terminated`, Ctrl-C raises
    KeyboardInterrupt, a default action ends the process).

    Only the main thread can set handlers; elsewhere, and for a signal whose handler was not
    set from Python, the block holds nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []

    def hold(signum: int, frame: object) -> None:
        arrived.append(signum)

    previous = {signum: signal.signal(signum, hold) for signum in HELD if signal.getsignal(signum) is not None}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(arrived):
            _deliver(signum, previous[signum])


def _deliver(signum: int, handler: Callable[[int, Any], Any] | int | None) -> None:
    """Act on a held signal as its handler would have."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)
