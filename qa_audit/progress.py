"""A progress line on a terminal: files done, calls per second, ETA.

The ETA is measured in bytes of input files, which are known before the run starts
(transcript counts are not, since inputs are streamed). Silent when stderr is not a
terminal (cron, CI, pipes) or with --quiet.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from qa_audit.ingest import folder_files


def _input_files(paths: Sequence[Path]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in paths:
        files = [str(path)] if path.is_file() else folder_files(path) if path.is_dir() else []
        for file in files:
            with suppress(OSError):  # gone, or a dangling link: the reader reports it
                sizes[file] = os.stat(file).st_size
    return sizes


class Progress:
    """Tracks files reached and calls audited; draws one refreshed line on stderr."""

    def __init__(self, inputs: Sequence[Path], *, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._sizes = _input_files(inputs) if self.enabled else {}
        self._total = sum(self._sizes.values()) or 1
        self._done_files: set[str] = set()
        self._current: str | None = None
        self._calls = 0
        self._start = time.monotonic()
        self._last_draw = 0.0

    def reached(self, source: str) -> None:
        """The reader has moved on to `source`: the previous file is done."""
        if not self.enabled or source == self._current:
            return
        if self._current is not None:
            self._done_files.add(self._current)
        self._current = source

    def calls(self, count: int) -> None:
        self._calls += count
        if self.enabled and time.monotonic() - self._last_draw > 0.2:
            self._draw()

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        elapsed = max(self._last_draw - self._start, 1e-6)
        # Only input files count: a folder or path the reader reported as an error is not one.
        files = [f for f in self._done_files if f in self._sizes]
        done = sum(self._sizes[f] for f in files)
        fraction = min(done / self._total, 1.0)
        eta = "--:--" if fraction <= 0 else _clock(elapsed / fraction - elapsed)
        line = (f"\r已读文件 {len(files)}/{len(self._sizes)} · 已质检 {self._calls} 通 · "
                f"{self._calls / elapsed:.0f} 通/秒 · 剩余约 {eta}")
        sys.stderr.write(line)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            if self._current is not None:
                self._done_files.add(self._current)
            self._draw()
            sys.stderr.write("\n")


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"
