"""Sheet scaffolding: streamed tables with a fixed header, and small composed sheets.

Write-only sheets are written top to bottom and column widths and frozen panes go out
before the first row, so a streamed table's widths must be decided from what is known
beforehand (headers, the widest id seen in the first pass, fixed formats). Small sheets
(summaries, rankings of a few teams) are composed in memory first and sized to their
content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.report.xlsx import cells, style

Item = tuple[cells.Value, str]
"""A value and the named style of its cell."""

_SPANNING = {style.TITLE, style.SUBTITLE, style.SECTION, style.NOTE}
"""Styles of free-standing lines that run across empty neighbours: they size no column."""
_WRAPPING = {style.WRAP}


@dataclass(frozen=True)
class Column:
    """One column of a streamed table."""

    header: str
    style: str
    width: float


def column(header: str, style_name: str, *content_widths: float, wrap_at: float | None = None) -> Column:
    """A column as wide as its header (with filter button) or its widest expected content."""
    width = max([style.header_width(header), *(w + 2 for w in content_widths)])
    return Column(header, style_name, min(width, wrap_at) if wrap_at else width)


def start_table(ws: WriteOnlyWorksheet, columns: list[Column], *, freeze: str = "B2") -> None:
    """Widths, frozen header (and first column) and the header row; data rows follow."""
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = freeze
    ws.append([cells.text(ws, col.header, style.HEADER) for col in columns])


def finish_table(ws: WriteOnlyWorksheet, columns: list[Column], rows: int) -> str:
    """Autofilter over the header and `rows` data rows; returns the data range (for rules)."""
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{rows + 1}"
    return f"A2:{last}{max(rows, 1) + 1}"


def _shown_width(value: cells.Value, style_name: str) -> int:
    """About how many columns a value takes once formatted."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, float) and style_name in (style.PERCENTS, style.DELTAS):
        return 7
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

    def widths(self, *, wrap_at: float = 40.0, minimum: float = 8.0) -> list[float]:
        """Per column: the widest cell + padding; wrapping text columns stop at `wrap_at`."""
        widths: list[float] = []
        for row in self.rows:
            for i, item in enumerate(row):
                if item is None or item[1] in _SPANNING:
                    continue
                if i >= len(widths):
                    widths.extend([minimum] * (i + 1 - len(widths)))
                wanted = _shown_width(*item) + (2.5 if item[1] != style.HEADER else 5)
                if item[1] in _WRAPPING:
                    wanted = min(wanted, wrap_at)
                widths[i] = max(widths[i], min(wanted, 60.0))
        return widths

    def write(self, **width_kw: float) -> None:
        """Set the widths, then stream every row into the sheet."""
        for i, width in enumerate(self.widths(**width_kw), 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        for row in self.rows:
            self.ws.append([None if item is None else cells.cell(self.ws, *item) for item in row])
