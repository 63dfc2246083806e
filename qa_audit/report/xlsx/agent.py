"""One agent's workbook: 概览 (how they did, against their team), 趋势, 通话, 问题明细.

The supervisor coaching this agent reads 概览 first: the headline numbers, 辅导重点 (the
checks that cost this agent the most, a red line first), the per-check rates against the
team, and the rules behind most findings with the words actually used. 趋势 (only when
the calls fall on several days) shows the same figures day by day. 通话 and 问题明细 are
the evidence, one row per call and per finding, with the offending words in red inside
each utterance.

The two long sheets are streamed from the source; 概览 and 趋势 are written last because
their rule list and daily sums are counted while the findings and calls stream past.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from openpyxl.chart import Reference
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.labels import (
    BASIS_NAMES,
    CHANNEL_NAMES,
    NO,
    SEVERITY_NAMES,
    SPEAKER_NAMES,
    WHOLE_CALL,
    YES,
    label,
)
from qa_audit.records import Row
from qa_audit.report.source import ReportSource
from qa_audit.report.xlsx import atomic, cells, style
from qa_audit.report.xlsx.book import Book
from qa_audit.report.xlsx.charts import rate_chart
from qa_audit.report.xlsx.layout import Grid, Table, column
from qa_audit.report.xlsx.stats import Agent, RuleTally, Settings, Tally, Totals, tally_days, tally_rules, top_rules
from qa_audit.report.xlsx.trend import TREND, title_rows, trend_sheet

SUMMARY, CALLS, FINDINGS = "概览", "通话", "问题明细"
TOP_RULES = 10
FOCUS = 3
"""辅导重点 names at most this many checks: a coaching talk covers two or three things."""
FOCUS_ORDER = "辅导重点的顺序：有红线的最先，其余按平均每通扣分从多到少（扣分兼顾严重程度和发生次数）"
CHART_ROWS = 16
TALK_SHARE = "坐席说话\n占比"
"""The header of a call's talk share on the 通话 sheet."""

def write_agent(
    source: ReportSource, agent: Agent, totals: Totals, settings: Settings, path: Path
) -> tuple[dict[str, RuleTally], list[Row]]:
    """Write `agent`'s workbook to `path`; returns the agent's findings counted per rule
    and its red-line findings, which the overview lists."""
    rules: dict[str, RuleTally] = {}
    days: dict[date, Tally] = {}
    with atomic.discarding(Book()) as wb:
        summary = wb.create_sheet(SUMMARY)
        trend = wb.create_sheet(TREND) if agent.several_days else None
        calls = wb.create_sheet(CALLS)
        findings = wb.create_sheet(FINDINGS)
        _calls_sheet(calls, tally_days(source.calls(agent.agent_id), days, settings.standard), agent, totals, settings)
        found = tally_rules(source.findings(agent.agent_id), rules)
        red_lines = _findings_sheet(findings, found, agent, totals, settings)
        _summary_sheet(summary, agent, totals, settings, rules)
        if trend is not None:
            _print_header(trend, agent, settings, "每日趋势", title_rows(len(days)))
            trend_sheet(trend, days, totals.team_days[agent.team], totals.checks, settings)
        atomic.save(wb, path)
    return rules, red_lines


def _print_header(ws: WriteOnlyWorksheet, agent: Agent, settings: Settings, title: str, rows: str | None) -> None:
    """Agent, team and period on every printed page: loose sheets of paper get mixed up."""
    style.setup_print(
        ws,
        title=title,
        left=f"{agent.display} · {agent.team}",
        right=settings.period,
        title_rows=rows,
        one_page=rows is None,
    )


def _calls_sheet(ws: WriteOnlyWorksheet, rows: Iterable[Row], agent: Agent, totals: Totals, settings: Settings) -> None:
    """One row per call in time order, failed calls in red.

    A column per check holds that call's findings of it, so a supervisor can filter the
    calls to play back: 服务禁语 not "-", say. It is blank where the check does not look
    at the call's channel (a site's chat-only rule on a phone call). The talk share is amber only on the calls
    the talk-share rule flagged (over its limit), not on every call above the target:
    amber then means the same as the finding it stands for.
    """
    _print_header(ws, agent, settings, "通话明细", "1:1")
    checks = totals.checks
    columns = [
        column("通话编号", style.TEXT, agent.id_width),
        column(cells.STARTED, style.DATETIMES, 16),
        column("渠道", style.CENTER, 4),
        column("时长", style.CLOCKS, 6),
        column("得分", style.SCORES, 5),
        column("是否\n合格", style.CENTER, 2),
        column("红线", style.CENTER, 2),
        column(TALK_SHARE, style.PERCENTS, 6),
        column("占比\n口径", style.CENTER, 6),
        column("问题数", style.COUNTS, 3),
        *(column(settings.standard.label(c), style.COUNTS, 3) for c in checks),
    ]
    table = Table(ws, columns)
    standard = settings.standard
    for row in rows:
        violations = row.get("violations") or {}
        passed = row.get("passed")
        values: list[cells.Value] = [
            str(row["transcript_id"]),
            cells.started(row.get("started_at")),
            label(CHANNEL_NAMES, row.get("channel")),
            cells.clock(row.get("duration")),
            row.get("score"),
            None if passed is None else (YES if passed else NO),
            YES if row.get("red_line") else None,
            row.get("agent_talk_share"),
            label(BASIS_NAMES, row.get("talk_basis")),
            row.get("findings"),
            *(violations.get(c, 0) if standard.applies(c, row.get("channel")) else None for c in checks),
        ]
        table.append(values)
    data, last_row = table.finish()
    ws.conditional_formatting.add(f"G2:G{last_row}", style.red_line('$G2="是"'))
    ws.conditional_formatting.add(data, style.bad('$F2="否"'))
    talk_check = settings.standard.talk_check
    if talk_check in checks:
        flagged, share = table.letter(settings.standard.label(talk_check)), table.letter(TALK_SHARE)
        ws.conditional_formatting.add(f"{share}2:{share}{last_row}", style.warn(f"${flagged}2>0"))


def _findings_sheet(
    ws: WriteOnlyWorksheet,
    rows: Iterable[Row],
    agent: Agent,
    totals: Totals,
    settings: Settings,
) -> list[Row]:
    """One row per finding with the utterance, its offending words in red, and why it counts.

    Turns are numbered from 1 as a person counts them; a finding about the whole call
    (no greeting, too much talking) says 整通 instead. Returns the red-line findings, for
    the overview (one agent's are few).
    """
    _print_header(ws, agent, settings, "问题明细", "1:1")
    columns = [
        column("通话编号", style.TEXT, agent.id_width),
        column("轮次", style.COUNTS, 2),
        column("时间", style.CLOCKS, 5),
        column("说话人", style.CENTER, 4),
        column("原话（问题词标红）", style.WRAP, 36),
        column("规则编号", style.TEXT, totals.rule_width),
        column("检查项", style.CENTER, *(style.display_width(settings.standard.label(c)) for c in totals.checks)),
        column("问题说明", style.WRAP, 22),
        column("严重\n程度", style.CENTER, 4),
        column("扣分", style.SCORES, 4),
        column("红线", style.CENTER, 2),
        column("判定依据", style.WRAP, 28),
    ]
    table = Table(ws, columns)
    red_lines: list[Row] = []
    for row in rows:
        turn = row.get("turn")
        values: list[cells.Value] = [
            str(row["transcript_id"]),
            WHOLE_CALL if turn is None else int(turn) + 1,
            cells.clock(row.get("time")),
            label(SPEAKER_NAMES, row.get("speaker")),
            cells.highlighted(str(row.get("text") or ""), row.get("spans") or []),
            str(row["rule_id"]),
            settings.standard.label(str(row.get("check") or "")),
            row.get("message"),
            label(SEVERITY_NAMES, row.get("severity")),
            row.get("deduction"),
            YES if row.get("red_line") else None,
            f"{row.get('evidence') or ''}{settings.deduction_note(str(row['rule_id']), row.get('deduction'))}",
        ]
        table.append(values)
        if row.get("red_line"):
            red_lines.append(row)
    data, last_row = table.finish()
    ws.conditional_formatting.add(data, style.bad('$K2="是"'))
    ws.conditional_formatting.add(f"I2:I{last_row}", style.red_line('$I2="致命"'))
    return red_lines


def _focus(agent: Agent, totals: Totals, rules: dict[str, RuleTally]) -> list[tuple[str, str]]:
    """What costs this agent the most, at most `FOCUS` checks, each with why in words.

    A check with a red line comes first: one such call is a failed call whatever else
    happened. The others are ranked by the points their findings took off this agent's
    scores per call, which weighs severity (a 严重 taboo takes 15, a missing staff number
    1) and frequency (a close missed in 20 of 25 calls costs more than one lookup
    without 请稍等) together. The team's rate beside the agent's says whether it is this
    agent's problem or the whole team's; it does not decide the order, because a problem
    everyone shares still costs this agent its points.
    """
    tally, team = agent.tally, totals.teams[agent.team]
    points: Counter[str] = Counter()
    red_lines: Counter[str] = Counter()
    for rule in rules.values():
        points[rule.check] += rule.points
        red_lines[rule.check] += rule.red_lines
    order = {check: i for i, check in enumerate(totals.checks)}
    ranked = sorted(
        points, key=lambda c: (-red_lines[c], -points[c], -tally.check_calls[c], order.get(c, len(order)), c)
    )
    focus: list[tuple[str, str]] = []
    for check in ranked[:FOCUS]:
        hit, rate, theirs = tally.check_calls[check], tally.rate(check) or 0.0, team.rate(check) or 0.0
        if red_lines[check]:
            why = f"红线 {red_lines[check]} 次，一票否决"
        elif points[check] / tally.calls >= 0.05:
            why = f"平均每通扣 {points[check] / tally.calls:.1f} 分"
        elif points[check]:
            why = "平均每通扣不到 0.1 分"  # never "扣 0.0 分" for points that were taken
        else:
            why = "不扣分"
        focus.append((check, f"{why}；{tally.calls} 通中 {hit} 通（{rate:.1%}），团队 {theirs:.1%}"))
    return focus


def _summary_sheet(
    ws: WriteOnlyWorksheet, agent: Agent, totals: Totals, settings: Settings, rules: dict[str, RuleTally]
) -> None:
    """The coaching page: headline figures, per-check rates against the team with a chart, top rules."""
    tally, team = agent.tally, totals.teams[agent.team]
    _print_header(ws, agent, settings, "坐席质检报告", None)
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = style.NAVY
    g = Grid(ws)
    g.add((f"坐席质检报告 · {agent.display}", style.TITLE))
    g.add(
        (f"统计周期 {settings.period}　·　合格线 {settings.pass_mark:g} 分　·　"
         f"{settings.talk_standard()}", style.SUBTITLE)
    )  # fmt: skip
    g.blank()

    def kv(name: str, value: cells.Plain, value_style: str, note: str | None = None) -> int:
        return g.add((name, style.LABEL), (value, value_style), (note, style.NOTE) if note else None)

    kv("坐席", agent.display, style.KEY_TEXT)
    kv("团队", agent.team, style.KEY_TEXT, f"共 {totals.team_sizes[agent.team]} 名坐席")
    failed = tally.calls - tally.passed
    kv("质检通话", tally.calls, style.KEY_NUMBER, f"不合格 {failed} 通" if failed else "全部合格")
    team_avg = f"团队平均 {team.avg_score:.1f}" if team.avg_score is not None else "团队无得分"
    score_row = kv("平均得分", tally.avg_score, style.KEY_SCORE, f"合格线 {settings.pass_mark:g} 分；{team_avg}")
    kv("合格率", tally.pass_rate, style.KEY_PERCENT, f"团队 {team.pass_rate:.1%}" if team.pass_rate is not None else "")
    red_row = kv("红线通话", tally.red_line, style.KEY_NUMBER, f"团队共 {team.red_line} 通")
    kv("平均说话占比", tally.avg_talk, style.KEY_PERCENT, settings.talk_note(tally))
    kv(
        "团队排名",
        f"第 {agent.team_rank} 名 / 共 {totals.team_sizes[agent.team]} 人",
        style.KEY_TEXT,
        f"按平均得分；全体第 {agent.rank} 名 / 共 {len(totals.agents)} 人",
    )
    kv("问题总数", tally.findings, style.KEY_NUMBER)
    focus = _focus(agent, totals, rules)
    if focus:
        for i, (check, why) in enumerate(focus):
            kv("辅导重点" if i == 0 else "", settings.standard.label(check), style.KEY_TEXT, why)
        g.add(None, (FOCUS_ORDER, style.NOTE))
    else:
        kv("辅导重点", "本周期未发现问题", style.KEY_TEXT, "所有检查项都没有问题记录")
    ws.conditional_formatting.add(f"B{score_row}", style.below_pass_mark(f"B{score_row}", settings.pass_mark))
    ws.conditional_formatting.add(f"B{red_row}", style.red_line(f"B{red_row}>0"))
    g.blank()

    g.add(("各检查项违规率（有问题的通话占比）：本人 vs 团队", style.SECTION))
    if totals.checks:
        headers = ("检查项", "违规通话", "本人违规率", "团队违规率", "本人比团队")
        head = g.add(*((h, style.HEADER) for h in headers))
        for check in totals.checks:
            mine, theirs = tally.rate(check), team.rate(check)
            g.add(
                (settings.standard.label(check), style.TEXT),
                (tally.check_calls[check], style.NUMBER),
                (mine, style.PERCENTS),
                (theirs, style.PERCENTS),
                (None if mine is None or theirs is None else (mine - theirs) * 100, style.DELTAS),
            )
        first, last = head + 1, head + len(totals.checks)
        gaps = f"E{first}:E{last}"
        ws.conditional_formatting.add(gaps, style.bad(f"E{first}>=0.05"))  # shown as +0.1 or more
        ws.conditional_formatting.add(gaps, style.good(f"E{first}<=-0.05"))
        g.blank()
        top = g.next_row
        rate_chart(
            ws,
            title="各检查项违规率：本人 vs 团队",
            categories=Reference(ws, min_col=1, min_row=first, max_row=last),
            series=[
                ("本人", Reference(ws, min_col=3, min_row=first, max_row=last)),
                ("团队", Reference(ws, min_col=4, min_row=first, max_row=last)),
            ],
            top_left=(1, top),
            bottom_right=(6, top + CHART_ROWS),
            highest=max((r or 0.0) for c in totals.checks for r in (tally.rate(c), team.rate(c))),
            labelled=1,
        )
        g.blank(CHART_ROWS + 1)
    else:
        g.add(("本周期所有检查项均未发现问题。", style.NOTE))
    g.blank()

    g.add((f"高频问题（按规则，前 {TOP_RULES} 条）", style.SECTION))
    ranked = top_rules(rules, TOP_RULES)
    if ranked:
        g.add(*((h, style.HEADER) for h in ("规则编号", "检查项", "次数", "严重程度", "问题说明", "常见用语")))
        for rule in ranked:
            g.add(
                (rule.rule_id, style.TEXT),
                (settings.standard.label(rule.check), style.TEXT),
                (rule.findings, style.NUMBER),
                (label(SEVERITY_NAMES, rule.severity), style.CENTER),
                (rule.message, style.WRAP),
                (rule.top_words(), style.WRAP),
            )
    else:
        g.add(("本周期没有问题记录。", style.NOTE))
    g.write()
