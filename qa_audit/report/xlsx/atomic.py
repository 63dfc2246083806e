"""Saving a workbook so that its final name only ever holds a complete file.

A supervisor who opens yesterday's report while tonight's run crashes must see
yesterday's file, not half of tonight's: the workbook is written to a temporary file in
the same folder (same file system, so the rename is atomic), flushed to disk, and only
then renamed over the final name. On any failure the temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook


def save(wb: Workbook, path: Path) -> Path:
    """Write `wb` to `path` atomically; on error the old `path` (if any) is untouched."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            wb.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
