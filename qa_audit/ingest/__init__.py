"""Reading transcripts from files and folders: JSON Lines, JSON, CSV, Excel and plain text.

The rest of the pipeline sees one stream of `Transcript`s and `IngestError`s. A bad file
or record never stops a batch: it becomes an IngestError (path, line, reason) and
reading goes on with the next record or file, so one corrupt export cannot cost a night's
audit, and nothing bad is skipped silently either.

    read_inputs(paths)  files and folders, folders walked recursively in sorted order
    read_file(path)     one file, its format chosen by suffix (and content, see jsonl)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from qa_audit.ingest.jsonl import read_json, read_jsonl
from qa_audit.ingest.plaintext import read_text
from qa_audit.ingest.table import read_csv
from qa_audit.ingest.workbook import read_xlsx
from qa_audit.model import IngestError, Transcript

__all__ = ["REPORTS_MARKER", "SUPPORTED_SUFFIXES", "folder_files", "read_file", "read_inputs"]

_READERS: dict[str, Callable[[Path, str], Iterator[Transcript | IngestError]]] = {
    ".csv": read_csv,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".tsv": read_csv,  # the CSV reader takes tabs as the delimiter when the header has them
    ".txt": read_text,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
}

SUPPORTED_SUFFIXES = frozenset(_READERS)
REPORTS_MARKER = ".qa-audit-reports"
"""The file `audit` and `report` leave in every folder they write reports to. A folder
holding it is never read as input: a night's reports kept inside the inbox would be read
back the next night (calls.jsonl and findings.jsonl are .jsonl files, every line a bad
record, and every workbook an export that is not read). It also records the report
files of the folder's last run (`report.folder`); only its presence matters here."""
"""File suffixes read (compared in lower case)."""

_NOT_READ: dict[str, str] = {
    **dict.fromkeys((".xls", ".et", ".ods"),
                    "this workbook format is not read: save it as .xlsx, or export the sheet as CSV "
                    "(另存为 CSV UTF-8)"),
    **dict.fromkeys((".docx", ".doc", ".wps"),
                    "Word documents are not read: save the transcript as plain text (.txt, UTF-8)"),
    **dict.fromkeys((".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar"),
                    "compressed files are not read: unpack it into the input folder"),
    **dict.fromkeys((".srt", ".vtt"),
                    "subtitle files are not read: export the transcript as .txt, one turn per line with a speaker "
                    "(坐席: / 客户:), or as CSV"),
    **dict.fromkeys((".html", ".htm", ".mht", ".mhtml"),
                    "web pages are not read: export the chat as CSV or JSON, or save it as .txt with a speaker per "
                    "line"),
}
"""Suffixes of files that are likely a night's export in a form this tool does not read,
with what to do about it. In a folder they are reported as skipped inputs, so an export
that arrives as a workbook or an archive never drops out of the night unnoticed; any other
file in a folder (README.md, logs, images, recordings) is ignored without a word."""


def read_file(path: str | Path) -> Iterator[Transcript | IngestError]:
    """The transcripts in one file, and an IngestError for each bad record or the bad file.

    `Transcript.source` is the path as given; a file that cannot be opened, or fails while
    being read, ends with an IngestError instead of an exception.
    """
    source = str(path)
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        kind = repr(path.suffix) if path.suffix else "(no suffix)"
        reason = _NOT_READ.get(path.suffix.lower(), f"unsupported file type {kind} (supported: {supported})")
        yield IngestError(source, None, reason)
        return
    try:
        yield from reader(path, source)
    except OSError as exc:
        yield IngestError(source, None, f"cannot read file: {exc.strerror or exc}")


def _first_visit(folder: str, visited: set[str]) -> bool:
    """True the first time a folder is reached. Symlinked folders are followed, so a link
    back to a parent (a loop) or a second way to a folder already read is not walked
    again: its files are read once, under the first path, and nothing is lost."""
    real = os.path.realpath(folder)
    if real in visited:
        return False
    visited.add(real)
    return True


def _folder_entries(folder: str) -> list[str | IngestError]:
    """`folder_files`, plus an IngestError for each folder that cannot be listed and each file
    of a kind in `_NOT_READ`, in path order.

    Without `onerror`, os.walk skips an unreadable folder silently, and every transcript
    in it would drop out of the audit unreported. Hidden files and folders are ignored, as
    are Office's lock files (~$calls.xlsx, there while someone has the workbook open).
    """
    found: list[tuple[tuple[str, ...], str | IngestError]] = []
    visited = {os.path.realpath(folder)}

    def unreadable(exc: OSError) -> None:
        where = str(exc.filename) if exc.filename is not None else folder
        error = IngestError(where, None, f"cannot read folder: {exc.strerror or exc}")
        found.append((Path(where).relative_to(folder).parts, error))

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=True):
        dirs[:] = [
            d for d in sorted(dirs)
            if not d.startswith(".") and not _is_reports(os.path.join(root, d))
            and _first_visit(os.path.join(root, d), visited)
        ]
        for name in files:
            suffix = Path(name).suffix.lower()
            if name.startswith((".", "~$")) or (suffix not in SUPPORTED_SUFFIXES and suffix not in _NOT_READ):
                continue
            full = Path(root) / name
            entry = str(full) if suffix in SUPPORTED_SUFFIXES else IngestError(str(full), None, _NOT_READ[suffix])
            found.append((full.relative_to(folder).parts, entry))
    return [entry for _, entry in sorted(found, key=lambda pair: pair[0])]


def folder_files(folder: str | Path) -> list[str]:
    """Supported, non-hidden files under `folder`, sorted by path, symlinked folders followed
    once each; never inside a folder of reports (`REPORTS_MARKER`).

    The one definition of what a folder contributes: the reader and the progress line's
    byte count both list files here, so they agree on which files a run covers. Folders
    that cannot be read are left out here; `read_inputs` reports them.
    """
    return [entry for entry in _folder_entries(str(folder)) if isinstance(entry, str)]


def _is_reports(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, REPORTS_MARKER))


def read_inputs(paths: Iterable[str | Path]) -> Iterator[Transcript | IngestError]:
    """Everything in `paths` (files and folders), in a deterministic order, streamed.

    Paths are read in the order given; a folder's files in sorted path order, recursively,
    symlinked folders included (`_first_visit`). In a folder, a subfolder that cannot be
    read and a file of a kind that is not read but likely an export (`_NOT_READ`: a
    workbook, an archive) are IngestErrors in their place in that order; hidden files and
    folders and other suffixes are skipped silently (a folder holds other things too). A
    file named explicitly is always read, and an unsupported one is an error. A file
    reached twice (named twice, or inside two named folders) is read once, and an
    unreadable folder reached twice is reported once.

    A folder holding `REPORTS_MARKER` is never entered: this run's --out folder (marked
    before anything is read) and every earlier run's.
    """
    done: set[str] = set()

    def once(entry: str | IngestError) -> Iterator[Transcript | IngestError]:
        path = entry.path if isinstance(entry, IngestError) else entry
        real = os.path.realpath(path)
        if real in done:
            return
        done.add(real)
        if isinstance(entry, IngestError):
            yield entry
        else:
            yield from read_file(entry)

    for given in paths:
        name = str(given)
        if os.path.isdir(name) and _is_reports(name):
            yield IngestError(name, None, "a folder of qa-audit reports, never read as input")
        elif os.path.isdir(name):
            for entry in _folder_entries(name):
                yield from once(entry)
        elif os.path.exists(name):
            yield from once(name)
        else:
            yield IngestError(name, None, "no such file or directory")
