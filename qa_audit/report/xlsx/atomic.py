"""Saving a workbook so that its final name only ever holds a complete file.

A supervisor who opens yesterday's report while tonight's run crashes must see
yesterday's file, not half of tonight's. The project's `atomic_path` gives a temporary
file beside the target and renames it into place only on success (removing it on
failure); `save` adds the flush to disk before that rename, so a power cut right after it
cannot leave an empty file under the final name either.

A write-only workbook also streams each sheet into a temporary file of its own while it
is being filled; `discarding` removes those when the workbook is abandoned by an error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from qa_audit.report.atomic import atomic_path
from qa_audit.report.xlsx.book import Book


def save(wb: Book, path: Path) -> Path:
    """Write `wb` to `path` atomically; on error the old `path` (if any) is untouched."""
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        wb.write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    return path


@contextlib.contextmanager
def discarding(wb: Book) -> Iterator[Book]:
    """Yield `wb`; if the block fails, close its sheet streams and delete their files.

    Otherwise every failed workbook would leave one temporary file per sheet until the
    process exits, and its half-written streams would raise again when collected.
    """
    try:
        yield wb
    except BaseException:
        for ws in wb.worksheets:
            with contextlib.suppress(Exception):
                ws.close()  # ends the sheet's XML stream while its file is still open
            writer = getattr(ws, "_writer", None)  # openpyxl keeps the stream's file here
            if writer is not None:
                with contextlib.suppress(OSError, ValueError):
                    writer.cleanup()
        wb.discard()
        raise
