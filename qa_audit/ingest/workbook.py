"""Excel exports (.xlsx, .xlsm): one row per turn, the columns of a CSV export.

A call-centre system's daily export is often a workbook, and saving every night's file as
CSV by hand is a step a QA lead forgets. The first sheet whose header row (found as in a
CSV file: `table.find_header`) names the CSV columns (a transcript id, an agent id, a role
and a text; see `fields.CSV_COLUMNS`) is read as a CSV file is (`table.TableRows`); an
error names the row as Excel numbers it.

Cells become the text a CSV export of the sheet would hold: whole numbers without ".0"
(an id typed as a number), a date-time cell in ISO form (the call's start), a time cell
as hh:mm:ss (a turn's time of day, read by `turn_times`). A formula gives the value
Excel last computed, as the sheet shows it. Read-only openpyxl gives None for the cells
a merge covers, as a CSV export leaves them blank: a row without an id then continues
the call above it (`TableRows`), which is what merging a call's id cells means.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from qa_audit.ingest import fields as f
from qa_audit.ingest.table import TableRows, find_header
from qa_audit.model import IngestError, Transcript


def _text(value: object) -> str:
    """A cell as the text a CSV export of the sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "milliseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds():g}"
    return str(value)


def read_xlsx(path: Path, source: str) -> Iterator[Transcript | IngestError]:
    """Read an Excel export; see the module docstring."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        yield IngestError(source, None, f"not a readable Excel workbook ({exc or type(exc).__name__}): save it "
                                        "again as .xlsx without a password, or export the sheet as CSV")
        return
    try:
        yield from _read_book(book, source)
    finally:
        book.close()


def _read_book(book: Workbook, source: str) -> Iterator[Transcript | IngestError]:
    """The transcripts of the first sheet with the transcript columns in its header row."""
    first_header: list[str] | None = None
    for sheet in book.worksheets:
        rows = ((number, [_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1))
        near_top, columns = find_header(rows)
        if columns is not None:
            yield from _read_sheet(rows, near_top[-1][1], columns, source)
            return
        first_header = first_header or next((cells for _, cells in near_top), None)
    seen = f"; the first sheet's header reads {', '.join(c for c in first_header if c)}" if first_header else ""
    yield IngestError(source, None, "no sheet has a header row with the transcript columns "
                                    f"({f.expected_columns(f.EXPECTED)}){seen}")


def _read_sheet(
    rows: Iterator[tuple[int, list[str]]], header: list[str], columns: dict[str, int], source: str
) -> Iterator[Transcript | IngestError]:
    """The transcripts of the rows under a sheet's header, as a CSV's are read."""
    table = TableRows(header, columns)
    for number, cells in rows:
        reason = table.add(number, cells)
        if reason is not None:
            yield IngestError(source, number, reason)
    if not table.groups:
        yield IngestError(source, None, "no rows after the header")
    yield from table.transcripts(source)
