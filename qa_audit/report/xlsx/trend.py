"""An agent's 趋势 sheet: the figures of 概览 day by day, with line charts.

A period's averages hide a bad Monday and a slow slide alike; coaching needs to know
whether the agent is getting better since the last talk. One row per day the agent took
calls (days off are left out rather than shown as zeros), the team's average score beside
the agent's, then a chart of the scores and one of the check rates.

Only per-day sums are held: the agent's are counted while the 通话 sheet streams past
(`stats.tally_days`), the team's in the first pass over all calls (`Totals.team_days`).
"""

from __future__ import annotations

import math
from datetime import date

from openpyxl.chart import Reference
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.report.xlsx import style
from qa_audit.report.xlsx.charts import SERIES_COLORS, line_chart, percent_ceiling
from qa_audit.report.xlsx.layout import Table, column
from qa_audit.report.xlsx.stats import Settings, Tally

TREND = "趋势"
FIRST_CHECK = 8
"""Column of the first check's rate: after 日期, 通话数, the two scores, 合格率, 红线, 说话占比."""
CHART_ROWS = 16
ONE_PAGE_DAYS = 31
"""Up to a month, the table and both charts print on one sheet of paper (see `title_rows`)."""
MIN_CHART_COLUMNS = 10
LABELLED_DAYS = 14
"""Up to two weeks the score line carries its values; beyond, the labels run into each other."""
DAY_LABEL = "mm-dd"
"""The year is in the period on every printed page; under a chart, month and day are enough."""
CHECK_COLORS = tuple(c for c in SERIES_COLORS if c != "A5A5A5")
"""Grey means "the comparison" in the other charts; no check's line should look like that."""


def title_rows(days: int) -> str | None:
    """The rows to repeat on every printed page, or None to print the sheet on one page.

    Excel ignores manual page breaks on a sheet scaled to fit, so a chart that falls on
    a page boundary is printed cut in two, the table's header row repeated over its
    second half. Up to `ONE_PAGE_DAYS` the whole sheet is scaled onto one page instead;
    a longer table runs on over pages like the other tables, its header on each.
    """
    return None if days <= ONE_PAGE_DAYS else "1:1"


def trend_sheet(
    ws: WriteOnlyWorksheet,
    days: dict[date, Tally],
    team_days: dict[date, Tally],
    checks: list[str],
    settings: Settings,
) -> None:
    """Write the day table and its two charts; `ws` has its print setup already."""
    columns = [
        column("日期", style.DATES, 10),
        column("通话数", style.NUMBER, 4),
        column("平均\n得分", style.SCORES, 5),
        column("团队\n平均分", style.SCORES, 5),
        column("合格率", style.PERCENTS, 6),
        column("红线\n通话", style.NUMBER, 3),
        column("平均说话\n占比", style.PERCENTS, 6),
        *(column(f"{settings.standard.label(c)}\n违规率", style.PERCENTS, 6) for c in checks),
    ]
    table = Table(ws, columns)
    for day in sorted(days):
        # A day the first pass did not see: a run committed between the two reads.
        mine, team = days[day], team_days.get(day, Tally())
        table.append(
            [
                day,
                mine.calls,
                mine.avg_score,
                team.avg_score,
                mine.pass_rate,
                mine.red_line,
                mine.avg_talk,
                *(mine.rate(c) for c in checks),
            ]
        )
    _, last = table.finish()
    _highlight(ws, last, settings)
    # Against the team over the same days: the days that stand out are the agent's worse
    # days, not a check the whole team fails every day.
    team = Tally()
    for day in days:
        team.merge(team_days.get(day, Tally()))
    style.colour_checks(ws, checks, FIRST_CHECK, (2, last), team, days.values())

    right = max(len(columns), MIN_CHART_COLUMNS) + 1
    top = last + 2
    scores = [t.avg_score for t in (*days.values(), *team_days.values()) if t.avg_score is not None]
    line_chart(
        ws,
        title="每日平均得分：本人 vs 团队",
        categories=_cells(ws, 1, last),
        series=[("本人", _cells(ws, 3, last)), ("团队", _cells(ws, 4, last))],
        top_left=(1, top),
        bottom_right=(right, top + CHART_ROWS),
        number_format="0",
        scale=(_score_floor(min([*scores, settings.pass_mark])), 100.0),
        labelled=1 if len(days) <= LABELLED_DAYS else 0,
        category_format=DAY_LABEL,
    )
    if checks:
        top += CHART_ROWS + 1
        line_chart(
            ws,
            title="每日各检查项违规率",
            categories=_cells(ws, 1, last),
            series=[(settings.standard.label(c), _cells(ws, FIRST_CHECK + i, last)) for i, c in enumerate(checks)],
            top_left=(1, top),
            bottom_right=(right, top + CHART_ROWS),
            number_format="0%",
            scale=(0.0, percent_ceiling(max((t.rate(c) or 0.0) for t in days.values() for c in checks))),
            labelled=0,
            category_format=DAY_LABEL,
            colors=CHECK_COLORS,
        )


def _cells(ws: WriteOnlyWorksheet, col: int, last: int) -> Reference:
    """One column of the day rows."""
    return Reference(ws, min_col=col, min_row=2, max_row=last)


def _score_floor(lowest: float) -> float:
    """The score axis starts 10 below the lowest ten at or under `lowest`, at 0 at the least.

    Daily averages usually sit between 80 and 100; an axis from 0 would flatten every
    movement into one line at the top. The pass mark is always included in `lowest`.
    """
    return max(0.0, math.floor(lowest / 10) * 10 - 10)


def _highlight(ws: WriteOnlyWorksheet, last: int, settings: Settings) -> None:
    """The same colours as the other sheets: a failing score, a red-line day.

    A day's average talk share is not coloured: the talk-share rule flags calls, not
    averages, and its check's rate column shows how many it flagged.
    """
    ws.conditional_formatting.add(f"C2:C{last}", style.below_pass_mark("$C2", settings.pass_mark))
    ws.conditional_formatting.add(f"F2:F{last}", style.red_line("$F2>0"))


