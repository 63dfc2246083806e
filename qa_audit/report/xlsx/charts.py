"""The bar chart of violation rates per check, for an agent or for the teams.

Rates rather than counts: an agent's 12 calls and a team's 600 can only be compared as
shares of calls. The chart reads the rate table already on the sheet, so the numbers a
supervisor sees in the chart and in the cells are the same numbers.
"""

from __future__ import annotations

import math
from itertools import cycle

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.label import DataLabelList
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SERIES_COLORS = ("2F5597", "A5A5A5", "ED7D31", "70AD47", "FFC000", "5B9BD5", "7030A0")
"""Blue for the agent (or first team), grey for the comparison, then Office's palette."""


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

    `highest` is the largest rate charted: the axis stops at the next 10% above it (at
    most 100%), where a reader's automatic scale would run to a meaningless 120%.
    The first `labelled` series print their values on the bars; labels of neighbouring
    bars collide, so the comparison series go without (their numbers are in the table).
    Series are (legend name, rate cells) pairs: the legend names are given as text, so
    the rate cells need not sit beside a title cell.

    The chart is anchored to two cells rather than given a size: CJK fonts make rows
    taller than the default, and a fixed-size chart would then spill over the table below.
    """
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.style = 10
    for name, values in series:
        chart.series.append(Series(values, title=name))
    chart.set_categories(categories)
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = ChartLines()
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = min(1.0, (math.floor(highest * 10 + 1e-9) + 1) / 10)
    # openpyxl 3.1 marks both axes deleted by default; Excel then draws neither.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    for i, (s, color) in enumerate(zip(chart.series, cycle(SERIES_COLORS))):
        s.graphicalProperties.solidFill = color
        s.graphicalProperties.line.solidFill = color
        if i < labelled:
            # Every flag spelled out: LibreOffice otherwise also prints series and category names.
            s.dLbls = DataLabelList(
                showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
            )
    (col0, row0), (col1, row1) = top_left, bottom_right
    chart.anchor = TwoCellAnchor(
        _from=AnchorMarker(col=col0 - 1, row=row0 - 1), to=AnchorMarker(col=col1 - 1, row=row1 - 1)
    )
    ws.add_chart(chart)
