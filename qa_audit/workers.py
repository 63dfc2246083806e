"""Worker processes for the batch: how many, and a pool that fails loudly.

Both the audit and the workbook writer fan out to processes. A pool built here:
- forks where the platform can, so workers inherit the compiled rule pack and the loaded
  segmenter dictionary instead of rebuilding them (the initializer's arguments are not
  pickled under fork);
- raises `BrokenProcessPool` when a worker dies (the kernel's OOM killer, a kill -9),
  where a `multiprocessing.Pool` would wait forever for its results while the run holds
  the history database's writer lock and every later night fails with "database in use";
- cancels work not yet started when the block is left by an error.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

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
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
