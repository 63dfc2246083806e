"""Excel exports (.xlsx, .xlsm): a row per turn (or per call), the columns of a CSV export.

A call-centre system's daily export is often a workbook, and saving every night's file as
CSV by hand is a step a QA lead forgets. Every sheet whose header row (found as in a
CSV file: `table.find_header`) names the CSV columns (a transcript id, an agent id and a
text, with or without a role; see `fields.CSV_COLUMNS`) is read as a CSV file is
(`table.TableRows`):
exports split the night by channel over sheets (电话, 在线) with one header. Other sheets
(notes, a roster) are ignored; a workbook with no such sheet is an error. A sheet with a
header and no rows (no chats tonight) is no error while another sheet has rows. An error
names the row as Excel numbers it, and in a workbook of several sheets the sheet too.

Cells become the text a CSV export of the sheet would hold: whole numbers without ".0"
(an id typed as a number), a date-time cell in ISO form (the call's start), a time cell
as hh:mm:ss (a turn's time of day, read by `turn_times`). A formula gives the value
Excel last computed, as the sheet shows it. Read-only openpyxl gives None for the cells
a merge covers, as a CSV export leaves them blank: a row without an id then continues
the call above it (`TableRows`), which is what merging a call's id cells means.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from qa_audit.ingest import fields as f
from qa_audit.ingest.table import TableRows, find_header
from qa_audit.model import IngestError, Transcript

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


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
    # Imported here: openpyxl takes 0.13 s to import, which every `check` of a JSON file
    # and every worker would pay for nothing.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError) as exc:
        yield IngestError(source, None, f"not a readable Excel workbook ({exc or type(exc).__name__}): save it "
                                        "again as .xlsx without a password, or export the sheet as CSV")
        return
    try:
        yield from _read_book(book, source)
    except (ParseError, zipfile.BadZipFile, zlib.error, KeyError, EOFError) as exc:
        # Read-only openpyxl parses a sheet while its rows are read: a damaged one fails here.
        yield IngestError(source, None, f"damaged Excel workbook ({exc or type(exc).__name__}): save it again "
                                        "as .xlsx or export it as CSV (the calls of sheets before the damage are read)")
    finally:
        book.close()


def _read_book(book: Workbook, source: str) -> Iterator[Transcript | IngestError]:
    """The transcripts of every sheet with the transcript columns in its header row."""
    several = len(book.worksheets) > 1
    first_header: list[str] | None = None
    filed: list[bool] = []  # for each sheet read: whether it had a row of a call
    for sheet in book.worksheets:
        sheet.reset_dimensions()  # an exporter's wrong <dimension> would cut the rows short
        rows = ((number, [_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1))
        near_top, columns = find_header(rows)
        if columns is None:
            first_header = first_header or next((cells for _, cells in near_top), None)
            continue
        table = TableRows(near_top[-1][1], columns)
        for item in _read_sheet(rows, table, source):
            yield _on_sheet(item, sheet.title if several else None)
        filed.append(bool(table.groups))
    if not filed:
        seen = f"; the first sheet starts with {', '.join(c for c in first_header if c)}" if first_header else ""
        yield IngestError(source, None, "no sheet has a header row with the transcript columns "
                                        f"({f.expected_columns(['id', 'agent_id', 'text'])}){seen}")
    elif not any(filed):
        yield IngestError(source, None, "no rows after the header")


def _read_sheet(
    rows: Iterator[tuple[int, list[str]]], table: TableRows, source: str
) -> Iterator[Transcript | IngestError]:
    """The transcripts of the rows under a sheet's header, as a CSV's are read."""
    for number, cells in rows:
        reason = table.add(number, cells)
        if reason is not None:
            yield IngestError(source, number, reason)
    yield from table.transcripts(source)


def _on_sheet(item: Transcript | IngestError, sheet: str | None) -> Transcript | IngestError:
    """`item`, an error naming its sheet when there is one to name: in a workbook of
    several sheets, row 12 alone could be on any of them."""
    if sheet is None or isinstance(item, Transcript):
        return item
    return replace(item, reason=f"sheet {sheet!r}: {item.reason}")
