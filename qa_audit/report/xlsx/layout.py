"""Sheet scaffolding: streamed tables with a fixed header, and small composed sheets.

Write-only sheets are written top to bottom, and column widths and frozen panes go out
before the first row, so a streamed table's widths are decided from what is known
beforehand (headers, the widest id seen in the first pass, fixed formats). Small sheets
(summaries, the rule ranking) are composed in memory first and sized to their content.

Rows holding wrapped text get an explicit height: LibreOffice does not grow rows to fit
wrapped text when it opens a file (Excel does only sometimes), and a cut-off utterance is
exactly the evidence the supervisor needed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime

from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.report.xlsx import cells, style
from qa_audit.report.xlsx.book import Book

Item = tuple[cells.Plain, str]
"""A value and the named style of its cell."""

_SPANNING = {style.TITLE, style.SUBTITLE, style.SECTION, style.NOTE}
"""Styles of free-standing lines that run across empty neighbours: they size no column."""
_TEXT_STYLES = {style.TEXT, style.WRAP, style.CENTER}
LINE_WIDE = 1.85
"""Width units of one CJK glyph at 10.5 pt, the unit being a digit of the same font (the
workbook default): about 1.75 in Excel and 1.6 in LibreOffice. Rounded up, so a row is
sooner a little too tall than cutting off its last line."""
LINE_HEIGHT = 15.5
"""Points per line of 10.5 pt CJK text, the font's own line gap included."""
MAX_HEIGHT = 409.5
"""Excel's tallest row, in points: a taller one makes it repair the file."""


def _lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide."""
    return _short_lines(text, width) if len(text) <= _CACHED_CHARS else _count_lines(text, width)


_CACHED_CHARS = 200
"""Texts up to this long have their line counts cached: a findings sheet repeats its rule
messages and much of its evidence row after row. Long utterances are unique and would
only fill the cache."""


def _count_lines(text: str, width: float) -> int:
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(style.display_width(part, LINE_WIDE) / usable)) for part in text.split("\n"))


_short_lines = functools.lru_cache(maxsize=4096)(_count_lines)


def _height(wrapped: list[tuple[cells.Value, float]]) -> float | None:
    """The row height that shows every wrapped value in full; None when one line is enough."""
    lines = max((_lines(str(v), w) for v, w in wrapped if v is not None), default=1)
    return min(lines * LINE_HEIGHT + 4, MAX_HEIGHT) if lines > 1 else None


def _append(ws: WriteOnlyWorksheet, row: int, values: list[Cell | None], height: float | None) -> None:
    """Append one row with its height; the height record is dropped once the row is out.

    A write-only sheet reads a row's height as the row is written, so keeping the record
    afterwards would only grow memory with the row count.
    """
    if height is not None:
        ws.row_dimensions[row].height = height
    ws.append(values)
    ws.row_dimensions.pop(row, None)


@dataclass(frozen=True)
class Column:
    """One column of a streamed table."""

    header: str
    style: str
    width: float


def column(header: str, style_name: str, *content_widths: float) -> Column:
    """A column as wide as its header (with filter button) or its widest expected content."""
    return Column(header, style_name, max([style.header_width(header), *(w + 2 for w in content_widths)]))


class Table:
    """A streamed table: header row frozen and repeated when printed, autofilter, heights.

    The header goes through openpyxl; the data rows, which can be tens of thousands, are
    serialized directly (`sheetxml`) and spliced in after it when the workbook is saved.
    """

    def __init__(self, ws: WriteOnlyWorksheet, columns: list[Column], *, freeze: str = "B2") -> None:
        """Set widths and frozen panes (they precede the rows in the file), write the header."""
        self.ws, self.columns, self.rows = ws, columns, 0
        for i, col in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = freeze
        lines = max(col.header.count("\n") + 1 for col in columns)
        header = [cells.text(ws, col.header, style.HEADER) for col in columns]
        _append(ws, 1, header, lines * LINE_HEIGHT + 4 if lines > 1 else None)
        self.book: Book = ws.parent
        self.writer = self.book.rows(ws, [col.style for col in columns])
        self.text_columns = [col.style in _TEXT_STYLES for col in columns]
        self.wrap_widths = [(i, col.width) for i, col in enumerate(columns) if col.style == style.WRAP]

    def append(self, values: list[cells.Value]) -> None:
        """One data row, each value in its column's style; numbers in text columns as text."""
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        values = [
            str(v) if text and isinstance(v, (int, float)) else v
            for v, text in zip(values, self.text_columns, strict=True)
        ]
        self.rows += 1
        height = _height([(values[i], width) for i, width in self.wrap_widths])
        for ref, target in self.writer.write(self.rows + 1, values, height):
            self.book.link(self.ws, ref, target)

    def letter(self, header: str) -> str:
        """The column letter of the column headed `header`: conditional formats name their
        columns by letter, and the columns move with the checks a report shows."""
        return get_column_letter(next(i for i, col in enumerate(self.columns, 1) if col.header == header))

    def finish(self) -> tuple[str, int]:
        """Autofilter over header and data; returns the data range and its last row.

        Both cover at least one row even for an empty table: a conditional format needs a
        non-empty range.
        """
        last_col = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last_col}{self.rows + 1}"
        last_row = max(self.rows, 1) + 1
        return f"A2:{last_col}{last_row}", last_row

    def note(self, text: str) -> None:
        """A line under the header saying why the table is empty (no data row, no filter)."""
        self.ws.append([cells.text(self.ws, text, style.NOTE)])


def _shown_width(value: cells.Plain, style_name: str) -> float:
    """About how many columns a value takes once formatted."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, float) and style_name in (style.PERCENTS, style.KEY_PERCENT):
        return 7
    if isinstance(value, float) and style_name == style.DELTAS:
        return 13  # "+12.3 个百分点"
    if isinstance(value, (int, float)):
        return len(f"{value:.1f}")
    return max(style.display_width(line) for line in str(value).split("\n"))


class Grid:
    """A small sheet composed in memory, then streamed, with columns sized to the content."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.rows: list[list[Item | None]] = []

    @property
    def next_row(self) -> int:
        """The sheet row number the next `add` will fill."""
        return len(self.rows) + 1

    def add(self, *items: Item | None) -> int:
        """Append a row (None leaves a cell empty); returns its row number."""
        self.rows.append(list(items))
        return len(self.rows)

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.rows.append([])

    def widths(self, *, wrap_at: float = 42.0, minimum: float = 8.0) -> list[float]:
        """Per column: the widest cell + padding; wrapping text columns stop at `wrap_at`."""
        widths: list[float] = []
        for row in self.rows:
            for i, item in enumerate(row):
                if item is None or item[1] in _SPANNING:
                    continue
                if i >= len(widths):
                    widths.extend([minimum] * (i + 1 - len(widths)))
                if item[1] == style.WRAP:
                    wanted = min(_shown_width(*item) + 2.5, wrap_at)
                else:
                    wanted = _shown_width(*item) + (2.5 if item[1] != style.HEADER else 4)
                widths[i] = max(widths[i], wanted)
        return widths

    def write(self) -> None:
        """Set the widths, then stream every row into the sheet."""
        widths = self.widths()
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        for n, row in enumerate(self.rows, 1):
            wrapped = [(item[0], widths[i]) for i, item in enumerate(row) if item and item[1] == style.WRAP]
            values = [None if item is None else cells.cell(self.ws, *item) for item in row]
            _append(self.ws, n, values, _height(wrapped))
