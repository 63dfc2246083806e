"""The reports folder: the marker that names it one, and the report files it holds.

A QA lead runs the nightly job with the same `--out` every night. Every report file is
replaced in place, but an agent who had calls last night and none tonight would keep
last night's workbook beside tonight's, and a supervisor would take it for tonight's.
So the marker (`ingest.REPORTS_MARKER`, which also keeps the folder from being read as
input) records the report files each run wrote, and the next run removes those it did
not write again: the folder holds one report, all of the same run.

Only names the marker records are removed, and only as plain files in the folder: a
user's own files there, `audit.log` (appended to on purpose) and subfolders are never
touched. A marker written before files were recorded (its explanation line only) records
none, so nothing is removed until a run has recorded its own.

The marker stays a note for a person who finds the hidden file:

    qa-audit writes its reports here and never reads this folder as input.
    The report files of the last run into this folder (the next run removes those it does not write again):
    - calls.jsonl
    - A1024_王小明.xlsx
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from qa_audit.ingest import REPORTS_MARKER
from qa_audit.report.atomic import atomic_path

EXPLANATION = "qa-audit writes its reports here and never reads this folder as input."
_LISTED = ("The report files of the last run into this folder "
           "(the next run removes those it does not write again):")
_ITEM = "- "
"""A recorded name is a line of its own after this prefix; the explanation lines never
start with it. Report file names never start or end with a space (`xlsx.files`), so the
rest of the line is the name exactly."""

Note = tuple[int, str]
"""A logging level and a sentence: what tidying the folder did or could not do."""


def prepare(out_dir: Path) -> None:
    """Create the reports folder and mark it as one before the run reads any input, so
    no run reads it as input, this one included (a night's folder of reports kept inside
    the inbox). An existing marker is kept: it records the previous run's files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if not (out_dir / REPORTS_MARKER).exists():
        _write_marker(out_dir, [])


def finish(out_dir: Path, written: Iterable[Path]) -> list[Note]:
    """Record the report files this run wrote into `out_dir`, and remove the files the
    previous run recorded that this run did not write again; return what was done.

    Call it only once every report of the run was written: a run that stops before
    leaves the previous run's files and record as they were. A name differing from
    tonight's only in case is tonight's file when the file system says they are one
    (Windows, a share, macOS), else a stale file of its own (`_rewritten`).

    The previous files are recorded again, with tonight's, before any is removed, so a
    run stopped while removing leaves none unrecorded; when the marker cannot be written,
    nothing is removed. A file that cannot be removed stays recorded, so the next run tries
    again. Nothing here fails the run: its reports are written, and a folder that cannot
    be tidied costs a note in the log.
    """
    names = list(dict.fromkeys(path.name for path in written))
    kept = {name.casefold(): name for name in names}
    notes: list[Note] = []
    stale = [name for name in _recorded(out_dir, notes) if not _rewritten(out_dir, name, kept.get(name.casefold()))]
    if not _record(out_dir, names + stale, notes) or not stale:
        return notes
    removed, left = [], []
    for name in stale:
        try:
            (out_dir / name).unlink()  # never a folder: unlink refuses one
            removed.append(name)
        except FileNotFoundError:
            notes.append((logging.INFO, f"{name}, a report file of the previous run, was already gone"))
        except OSError as exc:
            left.append(name)
            notes.append((logging.WARNING, f"could not remove {name}, a report file of the previous run that this "
                                           f"run did not write ({exc}); the next run tries again"))
    if removed:
        files = "file" if len(removed) == 1 else "files"
        notes.append((logging.INFO, f"removed {len(removed)} report {files} of the previous run that this run "
                                    f"did not write: {', '.join(removed)}"))
    _record(out_dir, names + left, notes)
    return notes


def _rewritten(out_dir: Path, name: str, twin: str | None) -> bool:
    """Whether recorded `name` is a file this run wrote again: the same name, or one that
    differs only in case and is the same file (a case-blind file system). On a case-
    sensitive one, last night's A1_王.xlsx beside tonight's a1_王.xlsx is stale."""
    if twin is None:
        return False
    if twin == name:
        return True
    try:
        return os.path.samefile(out_dir / name, out_dir / twin)
    except OSError:
        return False


def _recorded(out_dir: Path, notes: list[Note]) -> list[str]:
    """The file names the marker records: plain names in the folder only, whatever a hand
    edit put there, so nothing outside it (`../x`) nor the marker itself is ever removed."""
    try:
        lines = (out_dir / REPORTS_MARKER).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        notes.append((logging.WARNING, f"could not read the report files of the previous run from {REPORTS_MARKER} "
                                       f"({exc}); none are removed"))
        return []
    names = (line[len(_ITEM):] for line in lines if line.startswith(_ITEM))
    return [name for name in dict.fromkeys(names) if _plain(name)]


def _plain(name: str) -> bool:
    """A file directly in the folder, and not the marker: never a path leading elsewhere."""
    return name not in ("", ".", "..", REPORTS_MARKER) and "\0" not in name and os.path.basename(name) == name


def _record(out_dir: Path, names: list[str], notes: list[Note]) -> bool:
    """Write the marker recording `names`; False (and a note) when it cannot be written."""
    try:
        _write_marker(out_dir, names)
    except OSError as exc:
        notes.append((logging.WARNING, f"could not record this run's report files in {REPORTS_MARKER} ({exc})"))
        return False
    return True


def _write_marker(out_dir: Path, names: list[str]) -> None:
    """Replace the marker atomically: a run stopped while writing it leaves the old one."""
    lines = [EXPLANATION, *([_LISTED, *(_ITEM + name for name in names)] if names else [])]
    with atomic_path(out_dir / REPORTS_MARKER) as tmp:
        tmp.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
