"""The writer lock: an OS file lock (flock) on a sidecar `<database>.lock` file.

Why a file lock and not SQLite's own locking: SQLite locks one transaction at a time, but
a qa-audit run must be the only writer for its whole duration (its `is_current` answers
and buffered writes assume nobody else changes the history underneath). Holding a write
transaction for hours would also stall checkpoints and make the WAL grow without bound,
and a lock *row* would outlive a killed process and need stale-lock heuristics. The
kernel drops an flock when its process dies, even on SIGKILL, so a crashed run never
blocks the next one. Readers (report rebuilds) do not take it; WAL lets them read while
the run writes.

flock locks belong to an open file description, so two `Store`s in one process also
exclude each other, and a forked child would hold the lock as long as the parent: child
processes close it as they start, so a worker outliving a killed run never keeps the
next night out. The lock file holds the owner's pid, for the error message only; it
is never deleted, because deleting a lock file races with a process that just opened it.
Like SQLite's WAL mode, this needs a local file system (not NFS/SMB).
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from qa_audit.store.errors import StoreBusy

_POLL = 0.05  # seconds between attempts: flock has no timeout of its own

_HELD: set[int] = set()
"""Descriptors of the locks this process holds, closed in every child it forks."""


def _close_in_child() -> None:
    for fd in _HELD:
        os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class WriterLock:
    """An exclusive, process-lifetime lock on one database file."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, database: Path, timeout: float) -> WriterLock:
        """Take the lock, waiting up to `timeout` seconds, else raise StoreBusy naming the owner."""
        path = database.with_name(database.name + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    owner = _read_pid(fd)
                    os.close(fd)
                    raise StoreBusy(
                        f"database {database} is in use by another qa-audit run "
                        f"(pid {owner or 'unknown'}); gave up after waiting {timeout:g}s"
                    ) from None
                time.sleep(min(_POLL, remaining))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD.add(fd)
        return cls(fd, path)

    def release(self) -> None:
        """Drop the lock; closing the descriptor releases the flock. Safe to call twice."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # while still held, so no waiter reads a stale pid
            _HELD.discard(self._fd)
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> str:
    """The pid the current owner wrote, or '' when it has not written it yet."""
    return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
