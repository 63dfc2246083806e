"""Worker processes for the batch: how many, and a pool that fails loudly.

Both the audit and the workbook writer fan out to processes. A pool built here:
- forks where the platform can, so workers inherit the compiled rule pack and the loaded
  segmenter dictionary instead of rebuilding them (the initializer's arguments are not
  pickled under fork);
- raises `BrokenProcessPool` when a worker dies (the kernel's OOM killer, a kill -9),
  where a `multiprocessing.Pool` would wait forever for its results while the run holds
  the history database's writer lock and every later night fails with "database in use";
- cancels work not yet started when the block is left by an error;
- starts whole: a SIGTERM or Ctrl-C that arrives while the workers are forked waits until
  the thread that ends them runs (see `qa_audit.stopping`);
- ends its workers when the run itself is killed: orphaned, they would wait forever on a
  queue their live siblings keep open, holding memory and (forked) every file the run had
  open.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from qa_audit.stopping import deferred

__all__ = ["BrokenProcessPool", "cores", "process_pool"]


def cores() -> int:
    """The cores this process may run on: a container's CPU set, not the whole host's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@contextmanager
def process_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> Iterator[ProcessPoolExecutor]:
    """`workers` processes, each set up once by `initializer(*initargs)`."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    interrupt = signal.getsignal(signal.SIGINT)
    pool = None
    try:
        with deferred():
            pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker,
                initargs=(os.getpid(), interrupt, initializer, initargs),
            )
            # The first task starts the workers and the thread that feeds and ends them; a
            # stop must not fall between the two.
            pool.submit(os.getpid)
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_PARENT_POLL = 0.5
"""Seconds between a worker's checks that the run that started it is still alive."""


def _start_worker(parent: int, interrupt: Any, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    # A forked worker inherits the handlers of the moment it was forked: the pool's start,
    # which holds SIGTERM and SIGINT (qa_audit.stopping). A worker told to stop just stops,
    # and the run sees it gone; Ctrl-C reaches it as it reaches the run.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if interrupt is not None:
        signal.signal(signal.SIGINT, interrupt)
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-run", daemon=True).start()
    initializer(*initargs)


def _exit_with(parent: int) -> None:
    """End this worker once its run is gone (a kill -9 or the OOM killer took it): the
    kernel then gives the worker another parent."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)
