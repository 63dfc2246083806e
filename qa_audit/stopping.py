"""How a run stops on SIGTERM: as an exception in the main thread, except while a step
that must not be cut in half is under way.

A scheduler's time limit or a service stop sends SIGTERM. `on_sigterm` turns it into
`Terminated`, which unwinds the run like Ctrl-C: every `finally` runs, the history
database marks the run "interrupted" and releases its writer lock. An exception raised
at an arbitrary point, though, can land inside library code that is not written for it.
Starting a worker pool is such a step: cut after the workers are forked but before the
thread that feeds and ends them is running, the pool can neither be shut down (its
thread "cannot be joined before it is started") nor be left behind (the interpreter's
exit waits for the orphaned workers forever). `deferred()` holds a stop until such a
step is complete, then stops as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(BaseException):
    """SIGTERM arrived: like Ctrl-C, not an error, so it passes every `except Exception`
    and the history database closes as for any stop (the run marked "interrupted",
    committed work kept, the writer lock released)."""


_depth = 0
"""How many `deferred()` blocks the main thread is in."""

_pending = False
"""A SIGTERM arrived inside a `deferred()` block and is still to be acted on."""


def on_sigterm(signum: int, frame: object) -> None:
    """The SIGTERM handler of a run (Python runs it in the main thread)."""
    global _pending
    if _depth:
        _pending = True
        return
    raise Terminated


@contextmanager
def deferred() -> Iterator[None]:
    """Hold a SIGTERM that arrives in this block until the block has ended, then raise
    `Terminated`. Without `on_sigterm` installed, this changes nothing."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _pending:
            _pending = False
            raise Terminated
