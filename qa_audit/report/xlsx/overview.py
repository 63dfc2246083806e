"""`overview.xlsx`: the whole centre on one workbook, for the supervisor's first look.

概览 holds the headline numbers, the agents who need attention by name (a red line, an
average below the pass mark), and one row per team with a chart of the checks; 坐席排名
ranks every agent by average score, marks the same agents, and links to their own
workbook; 红线问题 lists every red-line finding (the calls to act on before anything
else); 高频规则 the rules hit most; 输入错误 the inputs the run had to skip, so nobody
mistakes a missing file for a clean day.
A report rebuilt for a period is not told what was skipped: it says so and where to look
(each night's overview and audit.log), never "none".

The workbook is opened before the agents' workbooks are written and saved after them:
the red-line rows are streamed in as each agent's findings go past, never collected.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl.chart import Reference
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.labels import SEVERITY_NAMES, label
from qa_audit.records import Row
from qa_audit.report.xlsx import atomic, cells, style
from qa_audit.report.xlsx.book import Book
from qa_audit.report.xlsx.charts import rate_chart
from qa_audit.report.xlsx.layout import Grid, Table, column
from qa_audit.report.xlsx.stats import Agent, RuleTally, Settings, Tally, Totals, top_rules

SUMMARY, RANKING, RED_LINES, RULES, ERRORS = "概览", "坐席排名", "红线问题", "高频规则", "输入错误"
CHART_TEAMS = 6
"""More teams than this make a bar chart unreadable; the chart then shows the centre only."""
CHART_ROWS = 18
ATTENTION = "需关注"
LISTED = 15
"""Agents needing attention listed by name on 概览; the rest are marked in 坐席排名. The
page is printed on one sheet: a longer list would shrink everything on it."""
ALL = "全体"
NOT_LISTED = "未列出"
WHERE_SKIPPED = f"见每晚审核输出目录中的 overview.xlsx（「{ERRORS}」）和 audit.log"
"""Where a rebuilt report sends its reader for the skipped inputs it does not know."""


class Overview:
    """The overview workbook while the agents' workbooks are being written."""

    def __init__(self, totals: Totals, settings: Settings, errors: Iterable[Row] | None) -> None:
        """`errors` are the run's skipped inputs, or None when the source does not know them."""
        self.settings = settings
        self.wb = Book()
        # Building the sheets reads the skipped inputs from the source, which can fail
        # before the caller's own `discarding` block holds this workbook.
        with atomic.discarding(self.wb):
            summary = self.wb.create_sheet(SUMMARY)
            ranking = self.wb.create_sheet(RANKING)
            red_lines = self.wb.create_sheet(RED_LINES)
            self.rules = self.wb.create_sheet(RULES)
            skipped = _errors_sheet(self.wb.create_sheet(ERRORS), errors, settings)
            _summary_sheet(summary, totals, settings, skipped)
            _ranking_sheet(ranking, totals, settings)
            red_columns = [
                column("工号", style.TEXT, *(style.display_width(a) for a in totals.agents)),
                column("姓名", style.TEXT, *(style.display_width(a.name) for a in totals.agents.values())),
                column("团队", style.TEXT, *(style.display_width(t) for t in totals.teams)),
                column("通话编号", style.TEXT, *(a.id_width for a in totals.agents.values())),
                column(cells.STARTED, style.DATETIMES, 16),
                column("规则编号", style.TEXT, totals.rule_width),
                column("问题说明", style.WRAP, 22),
                column("原话（问题词标红）", style.WRAP, 36),
                column("判定依据", style.WRAP, 28),
            ]
            style.setup_print(red_lines, title=RED_LINES, left="质检总览", right=settings.period, title_rows="1:1")
            self.red_lines = Table(red_lines, red_columns, freeze="C2")

    def add_red_line(self, agent: Agent, row: Row) -> None:
        """One red-line finding, appended as each agent's workbook is done."""
        self.red_lines.append(
            [
                agent.agent_id,
                agent.name,
                agent.team,
                str(row["transcript_id"]),
                cells.started(row.get("started_at")),
                str(row["rule_id"]),
                row.get("message"),
                cells.highlighted(str(row.get("text") or ""), row.get("spans") or []),
                row.get("evidence"),
            ]
        )

    def save(self, rules: dict[str, RuleTally], path: Path) -> Path:
        """Finish the streamed sheets, add the centre's rule ranking, write atomically."""
        self.red_lines.finish()
        if not self.red_lines.rows:
            self.red_lines.note("本周期没有红线问题。")
        _rules_sheet(self.rules, rules, self.settings)
        return atomic.save(self.wb, path)


def _summary_sheet(ws: WriteOnlyWorksheet, totals: Totals, settings: Settings, skipped: int | None) -> None:
    """Headline figures for the centre, one row per team (check rates as a heat map), a chart."""
    style.setup_print(ws, title="质检总览", left="质检总览", right=settings.period, one_page=True)
    all_ = totals.overall
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = style.NAVY
    g = Grid(ws)
    g.add(("质检总览", style.TITLE))
    g.add(
        (f"统计周期 {settings.period}　·　合格线 {settings.pass_mark:g} 分　·　"
         f"{settings.talk_standard()}", style.SUBTITLE)
    )  # fmt: skip
    g.blank()

    def kv(name: str, value: cells.Plain, value_style: str, note: str = "") -> int:
        return g.add((name, style.LABEL), (value, value_style), (note, style.NOTE) if note else None)

    red_agents = sum(1 for a in totals.agents.values() if a.tally.red_line)
    attention = totals.needing_attention(settings.pass_mark)
    kv("坐席数", len(totals.agents), style.KEY_NUMBER, f"分属 {len(totals.teams)} 个团队")
    kv("质检通话", all_.calls, style.KEY_NUMBER, f"不合格 {all_.calls - all_.passed} 通")
    kv("平均得分", all_.avg_score, style.KEY_SCORE, f"合格线 {settings.pass_mark:g} 分")
    kv("合格率", all_.pass_rate, style.KEY_PERCENT)
    red_row = kv("红线通话", all_.red_line, style.KEY_NUMBER, f"涉及 {red_agents} 名坐席，明细见「{RED_LINES}」")
    kv("平均说话占比", all_.avg_talk, style.KEY_PERCENT, settings.talk_note(all_))
    kv("问题总数", all_.findings, style.KEY_NUMBER)
    if skipped is None:
        kv("跳过的输入", NOT_LISTED, style.KEY_TEXT, f"重建的周期报告不含跳过的输入，{WHERE_SKIPPED}")
    else:
        kv("跳过的输入", skipped, style.KEY_NUMBER, f"明细见「{ERRORS}」" if skipped else "无")
    attention_row = kv(
        f"{ATTENTION}坐席",
        len(attention),
        style.KEY_NUMBER,
        f"有红线通话或平均得分低于合格线 {settings.pass_mark:g} 分"
        + ("，名单见下" if attention else "：无"),
    )
    ws.conditional_formatting.add(f"B{red_row}", style.red_line(f"B{red_row}>0"))
    ws.conditional_formatting.add(f"B{attention_row}", style.bad(f"B{attention_row}>0"))
    g.blank()
    if attention:
        _attention_list(g, attention, settings)
        g.blank()

    g.add(("各团队情况（检查项为违规率：有该项问题的通话占比；高于全体的标红，越高越红）", style.SECTION))
    headers = ["团队", "坐席数", "质检通话", "平均得分", "合格率", "红线通话", "平均说话占比"]
    first_check = len(headers) + 1
    head = g.add(*((h, style.HEADER) for h in [*headers, *(settings.standard.label(c) for c in totals.checks)]))

    def team_row(name: str, agents: int, t: Tally, name_style: str) -> int:
        return g.add(
            (name, name_style),
            (agents, style.NUMBER),
            (t.calls, style.NUMBER),
            (t.avg_score, style.SCORES),
            (t.pass_rate, style.PERCENTS),
            (t.red_line, style.NUMBER),
            (t.avg_talk, style.PERCENTS),
            *((t.rate(c), style.PERCENTS) for c in totals.checks),
        )

    team_rows = [team_row(name, totals.team_sizes[name], t, style.TEXT) for name, t in totals.teams.items()]
    all_row = team_row(ALL, len(totals.agents), all_, style.LABEL)
    ws.conditional_formatting.add(f"D{head + 1}:D{all_row}", style.below_pass_mark(f"D{head + 1}", settings.pass_mark))
    if totals.checks and all_.calls:  # no calls, no rates: nothing to colour or chart
        style.colour_checks(ws, totals.checks, first_check, (head + 1, all_row), all_, totals.teams.values())
        g.blank()
        top = g.next_row
        by_team = len(team_rows) <= CHART_TEAMS
        charted = list(zip(totals.teams, team_rows, strict=True)) if by_team else [(ALL, all_row)]
        last_check = first_check + len(totals.checks) - 1
        rate_chart(
            ws,
            title="各检查项违规率（按团队）" if by_team else "各检查项违规率（全体）",
            categories=Reference(ws, min_col=first_check, max_col=last_check, min_row=head),
            series=[(name, Reference(ws, min_col=first_check, max_col=last_check, min_row=r)) for name, r in charted],
            top_left=(1, top),
            bottom_right=(last_check + 1, top + CHART_ROWS),
            highest=max(
                (t.rate(c) or 0.0) for t in (totals.teams.values() if by_team else [all_]) for c in totals.checks
            ),
            labelled=1 if len(charted) == 1 else 0,
        )
        g.blank(CHART_ROWS)
    g.write()


def _attention_list(g: Grid, agents: list[Agent], settings: Settings) -> None:
    """The agents needing attention by name, worst first, in the columns of the team table
    below (平均得分, 合格率, 红线通话 line up), at most `LISTED` of them."""
    g.add((f"{ATTENTION}的坐席（红线最先，再按平均得分从低到高）", style.SECTION))
    g.add(*((h, style.HEADER) for h in ("工号", "姓名", "团队", "平均得分", "合格率", "红线通话", "原因")))
    first = g.next_row
    for agent in agents[:LISTED]:
        t = agent.tally
        g.add(
            (agent.agent_id, style.TEXT),
            (agent.name, style.TEXT),
            (agent.team, style.TEXT),
            (t.avg_score, style.SCORES),
            (t.pass_rate, style.PERCENTS),
            (t.red_line, style.NUMBER),
            (agent.attention(settings.pass_mark), style.TEXT),
        )
    last = g.next_row - 1
    g.ws.conditional_formatting.add(f"D{first}:D{last}", style.below_pass_mark(f"D{first}", settings.pass_mark))
    g.ws.conditional_formatting.add(f"F{first}:F{last}", style.red_line(f"F{first}>0"))
    if len(agents) > LISTED:
        g.add((f"另有 {len(agents) - LISTED} 名，见「{RANKING}」的「{ATTENTION}」列（可筛选）", style.NOTE))


def _ranking_sheet(ws: WriteOnlyWorksheet, totals: Totals, settings: Settings) -> None:
    """Every agent, best average score first, each row linking to the agent's workbook
    (left empty for an agent whose workbook this report did not write: no dead links).

    A ranking reads best first, so the agents to act on are marked rather than moved:
    需关注, beside the name, says why (a red line, an average below the pass mark), in
    red, and filters to them in one click; 概览 lists them by name, worst first.
    """
    style.setup_print(ws, title="坐席排名（按平均得分）", left="质检总览", right=settings.period, title_rows="1:1")
    agents = totals.ranking()
    checks = totals.checks
    reasons = {a.agent_id: a.attention(settings.pass_mark) for a in agents}
    columns = [
        column("排名", style.NUMBER, 4),
        column("工号", style.TEXT, *(style.display_width(a.agent_id) for a in agents)),
        column("姓名", style.TEXT, *(style.display_width(a.name) for a in agents)),
        column("团队", style.TEXT, *(style.display_width(a.team) for a in agents)),
        column(ATTENTION, style.TEXT, *(style.display_width(r) for r in reasons.values())),
        column("团队内\n排名", style.CENTER, 7),
        column("质检\n通话", style.NUMBER, 4),
        column("平均\n得分", style.SCORES, 5),
        column("合格率", style.PERCENTS, 6),
        column("红线\n通话", style.NUMBER, 3),
        column("平均说话\n占比", style.PERCENTS, 6),
        column("问题数", style.NUMBER, 5),
        *(column(f"{settings.standard.label(c)}\n违规率", style.PERCENTS, 6) for c in checks),
        column("个人报告", style.LINK, *(min(style.display_width(a.file_name), 40) for a in agents)),
    ]
    table = Table(ws, columns, freeze="D2")
    for agent in agents:
        t = agent.tally
        table.append(
            [
                agent.rank,
                agent.agent_id,
                agent.name,
                agent.team,
                reasons[agent.agent_id] or None,
                f"{agent.team_rank} / {totals.team_sizes[agent.team]}",
                t.calls,
                t.avg_score,
                t.pass_rate,
                t.red_line,
                t.avg_talk,
                t.findings,
                *(t.rate(c) for c in checks),
                cells.Link(agent.file_name, agent.file_name) if agent.file_name else None,
            ]
        )
    _, last = table.finish()
    marked, score, red = table.letter(ATTENTION), table.letter("平均\n得分"), table.letter("红线\n通话")
    ws.conditional_formatting.add(f"{marked}2:{marked}{last}", style.bad(f"LEN(${marked}2)>0"))
    ws.conditional_formatting.add(f"{score}2:{score}{last}", style.below_pass_mark(f"${score}2", settings.pass_mark))
    ws.conditional_formatting.add(f"{red}2:{red}{last}", style.red_line(f"${red}2>0"))
    style.colour_checks(ws, checks, len(columns) - len(checks), (2, last), totals.overall, [a.tally for a in agents])


def _rules_sheet(ws: WriteOnlyWorksheet, rules: dict[str, RuleTally], settings: Settings) -> None:
    """The rules hit most across all agents, with the words behind them."""
    style.setup_print(ws, title=RULES, left="质检总览", right=settings.period, title_rows="1:1")
    ws.freeze_panes = "C2"
    g = Grid(ws)
    g.add(
        *(
            (h, style.HEADER)
            for h in ("排名", "规则编号", "检查项", "严重程度", "问题说明", "次数", "涉及通话", "涉及坐席", "常见用语")
        )
    )
    ranked = top_rules(rules)
    for i, rule in enumerate(ranked, 1):
        g.add(
            (i, style.NUMBER),
            (rule.rule_id, style.TEXT),
            (settings.standard.label(rule.check), style.TEXT),
            (label(SEVERITY_NAMES, rule.severity), style.CENTER),
            (rule.message, style.WRAP),
            (rule.findings, style.NUMBER),
            (rule.calls, style.NUMBER),
            (rule.agents, style.NUMBER),
            (rule.top_words(5), style.WRAP),
        )
    if not ranked:
        g.add(("本周期没有任何规则命中。", style.NOTE))
    g.write()
    ws.auto_filter.ref = f"A1:I{len(ranked) + 1}"


def _errors_sheet(ws: WriteOnlyWorksheet, errors: Iterable[Row] | None, settings: Settings) -> int | None:
    """Skipped inputs, streamed; returns how many, or None when not known. Says so when
    there were none, and says where to look when the report was not told."""
    style.setup_print(ws, title=ERRORS, left="质检总览", right=settings.period, title_rows="1:1")
    columns = [column("文件", style.WRAP, 48), column("行号", style.NUMBER, 6), column("原因", style.WRAP, 60)]
    table = Table(ws, columns, freeze="A2")
    if errors is None:
        table.finish()
        table.note(f"本报告由 qa-audit report 从历史数据库重建，不列出跳过的输入（不表示没有跳过）。"
                   f"跳过的文件和记录{WHERE_SKIPPED}。")
        return None
    for row in errors:
        table.append([row.get("path"), row.get("line"), row.get("reason")])
    table.finish()
    if not table.rows:
        table.note("本次运行没有跳过任何输入。")
    return table.rows
