"""CSV transcripts: one row per turn, Chinese or English headers.

CSV is what a call-centre system's daily export or an Excel sheet gives: one row per
utterance, with the transcript's id, agent and channel repeated on every row. Rows are
grouped by transcript id, whether a transcript's rows are consecutive or not:
transcripts come out in the order their first row appears, turns in file order. One
file's rows are held in memory for that (a day's export), never more than one file.

Each transcript points at the line of its first row; an error in one of its turns names
that turn's own line too. The delimiter is a comma, or a tab when the header has tabs
and no commas (tab-separated text saved as .csv).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from qa_audit.ingest import fields as f
from qa_audit.ingest.build import RawTurn, build_transcript
from qa_audit.ingest.encoding import NotText, decode_whole
from qa_audit.model import IngestError, Transcript

_META = ("agent_id", "agent_name", "team", "channel", "started_at")


def _transcript(
    tid: str, rows: list[tuple[int, list[str]]], columns: dict[str, int], source: str
) -> Transcript | IngestError:
    """The transcript from its rows; rows disagreeing on its agent, team, channel or start are an error."""
    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    first_line = rows[0][0]
    meta: dict[str, object] = {"id": tid}
    found_at: dict[str, int] = {}
    for name in _META:
        for line, row in rows:
            value = cell(row, name)
            if not value:
                continue
            if name not in meta:
                meta[name], found_at[name] = value, line
            elif meta[name] != value:
                return IngestError(source, first_line, f"{tid}: rows disagree on {name}: "
                                   f"{meta[name]!r} (line {found_at[name]}) and {value!r} (line {line})")
    turns = [
        RawTurn(cell(row, "speaker"), row[columns["text"]] if columns["text"] < len(row) else "",
                cell(row, "start"), cell(row, "end"), line)
        for line, row in rows
    ]
    try:
        return build_transcript(meta, turns, source=source, line=first_line)
    except f.RecordError as exc:
        return IngestError(source, first_line, str(exc))


def read_csv(path: Path, source: str) -> Iterator[Transcript | IngestError]:
    """Read a CSV export; see the module docstring."""
    try:
        text = decode_whole(path.read_bytes())
    except NotText as exc:
        yield IngestError(source, exc.line, exc.reason)
        return
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    previous_end = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield IngestError(source, reader.line_num, f"bad CSV row: {exc}")
            previous_end = reader.line_num
            continue
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header, columns = row, f.columns(row, f.CSV_COLUMNS)
            missing = [name for name in f.EXPECTED if name not in columns]
            if missing:
                expected = "; ".join(f"{name}: " + " / ".join(f.EXPECTED[name]) for name in missing)
                yield IngestError(source, line, f"CSV header lacks required columns ({expected})")
                return
            continue
        tid = row[columns["id"]].strip() if columns["id"] < len(row) else ""
        if not tid:
            yield IngestError(source, line, "row has no transcript id")
            continue
        groups.setdefault(tid, []).append((line, row))
    if header is None:
        yield IngestError(source, None, "empty file")
    elif not groups:
        yield IngestError(source, None, "no rows after the header")
    for tid, rows in groups.items():
        yield _transcript(tid, rows, columns, source)
