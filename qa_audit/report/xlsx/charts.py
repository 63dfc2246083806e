"""The workbooks' charts: violation rates per check as bars, figures per day as lines.

Rates rather than counts: an agent's 12 calls and a team's 600 can only be compared as
shares of calls. Every chart reads a table already on the sheet, so the numbers a
supervisor sees in the chart and in the cells are the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import cycle

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.label import DataLabelList
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.report.xlsx.style import xml_safe

SERIES_COLORS = ("2F5597", "A5A5A5", "ED7D31", "70AD47", "FFC000", "5B9BD5", "7030A0")
"""Blue for the agent (or first team), grey for the comparison, then Office's palette."""
LINE_WIDTH = 22225
"""1.75 pt in EMU: the default hairline is hard to follow across a printed page."""

Chart = BarChart | LineChart


def percent_ceiling(highest: float) -> float:
    """The next 10% above `highest` (at most 100%): where an automatic scale would run to 120%."""
    return min(1.0, (math.floor(highest * 10 + 1e-9) + 1) / 10)


def rate_chart(
    ws: WriteOnlyWorksheet,
    *,
    title: str,
    categories: Reference,
    series: list[tuple[str, Reference]],
    top_left: tuple[int, int],
    bottom_right: tuple[int, int],
    highest: float,
    labelled: int,
) -> None:
    """A clustered column chart of percentages, one bar group per category cell.

    `highest` is the largest rate charted: the axis stops at `percent_ceiling` of it.
    The first `labelled` series print their values on the bars; labels of neighbouring
    bars collide, so the comparison series go without (their numbers are in the table).
    Series are (legend name, rate cells) pairs: the legend names are given as text, so
    the rate cells need not sit beside a title cell.
    """
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    _fill(chart, title, categories, series, "0%", (0.0, percent_ceiling(highest)))
    for i, (s, color) in enumerate(zip(chart.series, cycle(SERIES_COLORS))):
        s.graphicalProperties.solidFill = color
        s.graphicalProperties.line.solidFill = color
        if i < labelled:
            s.dLbls = _value_labels()
    _place(ws, chart, top_left, bottom_right)


def line_chart(
    ws: WriteOnlyWorksheet,
    *,
    title: str,
    categories: Reference,
    series: list[tuple[str, Reference]],
    top_left: tuple[int, int],
    bottom_right: tuple[int, int],
    number_format: str,
    scale: tuple[float, float],
    labelled: int,
    category_format: str,
    colors: Sequence[str] = SERIES_COLORS,
) -> None:
    """Straight lines with a marker on each category (day), on a fixed `scale` (low, high).

    Lines are drawn unsmoothed: a smoothed curve between two days invents values for a
    time no call was made. The first `labelled` series print their values above the
    markers. An empty cell leaves a gap in its line rather than a drop to zero.
    `category_format` shortens the axis labels ("mm-dd"): a month of full dates does
    not fit under a chart without being turned on end.
    """
    chart = LineChart()
    _fill(chart, title, categories, series, number_format, scale)
    chart.x_axis.number_format = category_format
    for i, (s, color) in enumerate(zip(chart.series, cycle(colors))):
        s.smooth = False
        s.graphicalProperties.line.solidFill = color
        s.graphicalProperties.line.width = LINE_WIDTH
        s.marker.symbol = "circle"
        s.marker.size = 6
        s.marker.graphicalProperties.solidFill = color
        s.marker.graphicalProperties.line.solidFill = color
        if i < labelled:
            s.dLbls = _value_labels(position="t")
    _place(ws, chart, top_left, bottom_right)


def _fill(
    chart: Chart,
    title: str,
    categories: Reference,
    series: list[tuple[str, Reference]],
    number_format: str,
    scale: tuple[float, float],
) -> None:
    """Title, series, categories, and a value axis with gridlines over `scale`."""
    chart.title = xml_safe(title)
    chart.style = 10
    for name, values in series:
        chart.series.append(Series(values, title=xml_safe(name)))
    chart.set_categories(categories)
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = ChartLines()
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = scale
    # openpyxl 3.1 marks both axes deleted by default; Excel then draws neither.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"


def _value_labels(position: str | None = None) -> DataLabelList:
    """Values only. Every flag spelled out: LibreOffice otherwise also prints series and category names."""
    return DataLabelList(
        dLblPos=position, showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )


def _place(ws: WriteOnlyWorksheet, chart: Chart, top_left: tuple[int, int], bottom_right: tuple[int, int]) -> None:
    """Anchor the chart to two cells (column, row) rather than give it a size.

    CJK fonts make rows taller than the default, and a fixed-size chart would then spill
    over whatever lies below it.
    """
    (col0, row0), (col1, row1) = top_left, bottom_right
    chart.anchor = TwoCellAnchor(
        _from=AnchorMarker(col=col0 - 1, row=row0 - 1), to=AnchorMarker(col=col1 - 1, row=row1 - 1)
    )
    ws.add_chart(chart)
