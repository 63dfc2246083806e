"""Atomic output: write to a temporary file beside the target, then rename into place.

A supervisor opening a report must never find a half-written file; a crash leaves the
previous version (or nothing) at the final name. The temporary file is removed when the
write fails; a process killed outright leaves a hidden `.NAME.*.tmp` beside the target,
never a file under the final name.

`mkstemp` creates its file readable by its owner only, and a rename keeps that mode; the
final file gets the mode any file the user creates would get (umask applied), so a
supervisor reading the reports from another account or a share can open them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def _umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
