"""The Excel workbooks: structure, highlighting, formula safety, file names, links, atomicity."""

from __future__ import annotations

import re
import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.writer.excel import ExcelWriter

from qa_audit.records import Row
from qa_audit.report.source import MemorySource
from qa_audit.report.standard import standard_of
from qa_audit.report.xlsx import atomic as atomic_module
from qa_audit.report.xlsx import book as book_module
from qa_audit.report.xlsx import style, write_workbooks
from qa_audit.report.xlsx.book import Book
from qa_audit.report.xlsx.cells import MAX_CHARS, Marked, highlighted, looks_like_formula
from qa_audit.report.xlsx.files import Names, safe_stem
from qa_audit.report.xlsx.layout import Table, column
from qa_audit.rules.pack import load_pack

TABOO = "我不是说过了吗,这是规定,没办法。"
TABOO_SPANS = [[1, 7], [8, 16]]  # 不是说过了吗 / 这是规定,没办法
INJECTIONS = [
    '=HYPERLINK("http://evil.example/x","点此领取补偿")',
    "+86 138****5678 是我的电话",
    "@SUM(A1) 您看一下",
    "-1+1 这个价格不对",
    "\t=1+2 前面有制表符",
    " =cmd|' /C calc'!A0 前面有空格",
    "#N/A",
]
WINDOWS_ILLEGAL = set('<>:"/\\|?*[]')


def call_row(tid: str, agent: tuple[str, str, str], *, score: float, started: str, share: float | None = 0.28,
             findings: list[Row] | None = None, channel: str = "call") -> Row:  # fmt: skip
    """A call row consistent with its finding rows, as records.call_row would make it."""
    agent_id, name, team = agent
    findings = findings or []
    return {
        "transcript_id": tid,
        "agent_id": agent_id,
        "agent_name": name,
        "team": team,
        "channel": channel,
        "started_at": started,
        "duration": 245.0,
        "turns": 14,
        "agent_talk_share": share,
        "talk_basis": "time" if channel == "call" else "chars",
        "score": score,
        "passed": score >= 80,
        "red_line": any(f["red_line"] for f in findings),
        "violations": dict(Counter(f["check"] for f in findings)),
        "rules": dict(Counter(f["rule_id"] for f in findings)),
        "findings": len(findings),
        "source": f"batch.jsonl:{tid[-2:]}",
        "content_hash": "0" * 16,
    }


def finding_row(tid: str, agent: tuple[str, str, str], *, rule: str, check: str, text: str = "",
                spans: list[list[int]] | None = None, turn: int | None = 3, severity: str = "major",
                message: str | None = None, red_line: bool = False, deduction: float = 10.0,
                evidence: str = "坐席使用了服务禁语") -> Row:  # fmt: skip
    agent_id, name, team = agent
    spans = spans or []
    return {
        "transcript_id": tid,
        "agent_id": agent_id,
        "agent_name": name,
        "team": team,
        "channel": "call",
        "started_at": "2026-11-20T10:00:00+08:00",
        "rule_id": rule,
        "check": check,
        "severity": severity,
        "message": message or f"服务禁语：{'、'.join(text[s:e] for s, e in spans)}",
        "turn": turn,
        "speaker": "agent" if turn is not None else None,
        "time": 63.4 if turn is not None else None,
        "text": text,
        "spans": spans,
        "matched": [text[s:e] for s, e in spans],
        "evidence": evidence,
        "deduction": deduction,
        "red_line": red_line,
    }


WANG = ("A1024", "王小明", "售后一组")
LI = ("A2048", "李丽", "售后一组")
ZHANG = ("B/7:3", "张*三?", "售前组")


def build_rows() -> tuple[list[Row], list[Row]]:
    """Three agents in two teams, with taboo words, injection attempts and masked numbers."""
    calls: list[Row] = []
    findings: list[Row] = []

    def add(tid: str, agent: tuple[str, str, str], score: float, started: str, fs: list[Row], **kw: object) -> None:
        findings.extend(fs)
        calls.append(call_row(tid, agent, score=score, started=started, findings=fs, **kw))  # type: ignore[arg-type]

    add("T0001", WANG, 0.0, "2026-11-19T09:15:02+08:00", [
        finding_row("T0001", WANG, rule="PRO003", check="prohibited", text=TABOO, spans=TABOO_SPANS,
                    severity="critical", red_line=True, deduction=100.0),
        finding_row("T0001", WANG, rule="NAN001", check="non_answer", text="这个我也不清楚,您问别人吧。",
                    spans=[[5, 8], [9, 13]], turn=7, message="三不知答复：不清楚、您问别人吧"),
    ])  # fmt: skip
    add("T0002", WANG, 85.0, "2026-11-20T14:02:11+08:00", [
        finding_row("T0002", WANG, rule="GRT001", check="greeting", turn=None, severity="minor",
                    message="开场白不完整，缺少：请问有什么可以帮您", evidence="第一句坐席话术未包含服务用语"),
        finding_row("T0002", WANG, rule="ID001", check="verification", text="喂,说吧。", turn=0,
                    severity="info", message="开场未自报工号或姓名", deduction=0.0),
    ])  # fmt: skip
    add("T0003", WANG, 96.0, "2026-11-21T16:40:00+08:00", [], share=None, channel="chat")
    injected = [
        finding_row("T0004", LI, rule="PRO001", check="prohibited", text=text + " 急什么",
                    spans=[[len(text) + 1, len(text) + 4]], turn=2 + i)
        for i, text in enumerate(INJECTIONS)
    ]  # fmt: skip
    add("T0004", LI, 62.0, "2026-11-20T11:00:00+08:00", injected, share=0.47)
    add("T0005", LI, 100.0, "2026-11-21T08:30:00+08:00", [])
    add("=T6", ZHANG, 90.0, "2026-11-20T10:00:00+08:00", [
        finding_row("=T6", ZHANG, rule="HLD001", check="hold", text="我帮您查一下,电话是138****5678对吧?",
                    spans=[[0, 6]], turn=1, severity="minor", message="查询/等待前未请客户稍等：我帮您查一下",
                    evidence="客户号码 138****5678 已脱敏"),
    ])  # fmt: skip
    return calls, findings


ERRORS = [{"path": "in/2026-11-20.jsonl", "line": 17, "reason": "JSON 解析失败：缺少右括号"}]


@pytest.fixture(scope="module")
def rows() -> tuple[list[Row], list[Row]]:
    return build_rows()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, rows: tuple[list[Row], list[Row]]) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("books")
    calls, findings = rows
    return out, write_workbooks(MemorySource(calls, findings, ERRORS), out)


def agent_book(paths: list[Path], agent_id_prefix: str) -> Path:
    return next(p for p in paths if p.name.startswith(agent_id_prefix))


def header(ws) -> list[str]:  # type: ignore[no-untyped-def]
    """The header row as read aloud: narrow columns break their header over two lines."""
    return [c.value.replace("\n", "") for c in next(ws.iter_rows(min_row=1, max_row=1))]


def data_rows(ws) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


def find_label(ws, label: str):  # type: ignore[no-untyped-def]
    """The cell right of the first cell in column A holding `label`."""
    for row in ws.iter_rows():
        if row[0].value == label:
            return row[1]
    raise AssertionError(f"{label} not on {ws.title}")


# --- the workbooks and their sheets -------------------------------------------------


def test_one_workbook_per_agent_plus_overview(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    assert [p.name for p in paths[:2]] == ["A1024_王小明.xlsx", "A2048_李丽.xlsx"]
    assert paths[-1] == out / "overview.xlsx"
    assert len(paths) == 4
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_file_names_are_excel_safe(written: tuple[Path, list[Path]]) -> None:
    _, paths = written
    for path in paths:
        assert not WINDOWS_ILLEGAL & set(path.name), path.name
        assert path.suffix == ".xlsx"
    assert agent_book(paths, "B_7_3").name == "B_7_3_张_三.xlsx"


@pytest.mark.parametrize(
    ("raw", "stem"),
    [("A1024_王小明", "A1024_王小明"), ("CON", "_CON"), ("a b\tc", "a_b_c"), ("..", "_"), ("x#1%", "x_1")],
)
def test_safe_stem(raw: str, stem: str) -> None:
    assert safe_stem(raw) == stem


def test_an_agent_name_of_a_shifted_csv_column_still_gets_its_workbook(tmp_path: Path) -> None:
    """200 CJK characters are 600 bytes: more than a file name may hold on Linux (255)."""
    agent = ("A7", "名" * 200, "售后一组")
    rows = [call_row("N0001", agent, score=90.0, started="2026-11-20T10:00:00+08:00", findings=[])]
    paths = write_workbooks(MemorySource(rows, [], []), tmp_path)
    assert [p.name for p in paths][-1] == "overview.xlsx"
    book = agent_book(paths, "A7_")
    assert len(book.name.encode("utf-8")) <= 200 and book.name.startswith("A7_名名名")
    assert load_workbook(book)["通话"]["A2"].value == "N0001"


def test_colliding_names_stay_distinct() -> None:
    names = Names()
    taken = [names.take("A/1", "王"), names.take("A:1", "王"), names.take("a_1", "王"), names.take("overview", "")]
    assert len({t.casefold() for t in taken}) == 4
    assert "overview.xlsx" not in taken


def test_agent_sheets_and_headers(written: tuple[Path, list[Path]]) -> None:
    wb = load_workbook(agent_book(written[1], "A1024"))
    assert wb.sheetnames == ["概览", "趋势", "通话", "问题明细"]  # calls on three days
    assert all(len(name) <= 31 for name in wb.sheetnames)
    checks = ["开场问候", "服务禁语", "三不知", "等待礼仪", "verification"]
    assert header(wb["通话"]) == [
        "通话编号", "开始时间（北京时间）", "渠道", "时长", "得分", "是否合格", "红线", "坐席说话占比", "占比口径",
        "问题数", *checks,
    ]  # fmt: skip
    assert header(wb["问题明细"]) == [
        "通话编号", "轮次", "时间", "说话人", "原话（问题词标红）", "规则编号", "检查项", "问题说明",
        "严重程度", "扣分", "红线", "判定依据",
    ]  # fmt: skip


def test_row_counts_match_the_rows(written: tuple[Path, list[Path]], rows: tuple[list[Row], list[Row]]) -> None:
    calls, findings = rows
    for agent_id, prefix in (("A1024", "A1024"), ("A2048", "A2048"), ("B/7:3", "B_7_3")):
        wb = load_workbook(agent_book(written[1], prefix))
        n_calls = sum(c["agent_id"] == agent_id for c in calls)
        n_findings = sum(f["agent_id"] == agent_id for f in findings)
        assert n_findings > 0
        assert wb["通话"].max_row == 1 + n_calls == 1 + len(data_rows(wb["通话"]))
        assert wb["问题明细"].max_row == 1 + n_findings == 1 + len(data_rows(wb["问题明细"]))


def test_calls_sheet_values_and_formats(written: tuple[Path, list[Path]]) -> None:
    ws = load_workbook(agent_book(written[1], "A1024"))["通话"]
    first = {h: c for h, c in zip(header(ws), next(ws.iter_rows(min_row=2, max_row=2)), strict=True)}
    assert first["通话编号"].value == "T0001"
    assert first["开始时间（北京时间）"].value == datetime(2026, 11, 19, 9, 15, 2)  # written at +08:00
    assert first["开始时间（北京时间）"].number_format == "yyyy-mm-dd hh:mm"
    assert first["渠道"].value == "电话"
    assert first["得分"].number_format == "0.0"
    assert first["是否合格"].value == "否"
    assert first["红线"].value == "是"
    assert first["坐席说话占比"].number_format == "0.0%"
    assert first["服务禁语"].value == 1 and first["三不知"].value == 1 and first["开场问候"].value == 0
    assert first["时长"].number_format == "[mm]:ss"
    chat = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "T0003")
    assert chat[2] == "在线" and chat[7] is None


def test_findings_sheet_values(written: tuple[Path, list[Path]]) -> None:
    ws = load_workbook(agent_book(written[1], "A1024"))["问题明细"]
    by_rule = {r[5]: r for r in data_rows(ws)}
    assert by_rule["PRO003"][1] == 4  # turn 3, counted from 1 for a reader; a number, so it sorts 7 before 11
    assert by_rule["PRO003"][3] == "坐席"
    assert by_rule["PRO003"][6] == "服务禁语"
    assert by_rule["PRO003"][8] == "致命" and by_rule["PRO003"][10] == "是"
    assert by_rule["GRT001"][1] == "整通" and by_rule["GRT001"][4] is None
    assert by_rule["ID001"][6] == "verification"  # a pack's own check keeps its name
    assert ws["C2"].number_format == "[mm]:ss"
    assert ws["C2"].value.total_seconds() == 63  # 63.4 s: whole seconds, as `qa-audit check` shows [01:03]


def test_a_long_utterance_shows_its_red_words_in_excerpts(tmp_path: Path) -> None:
    """A merged speech-recognition turn is taller than Excel's tallest row: the cell keeps
    the stretches around the offending words, so they are never out of sight."""
    text = ("您好，关于您说的这个退款问题，" * 40 + "我不是说过了吗，" + "流程就是这样走的，" * 20
            + "不归我管。" + "其他的情况，" * 40)
    first, second = text.index("我不是说过了吗"), text.index("不归我管")
    finding = finding_row("L0001", WANG, rule="PRO001", check="prohibited", text=text,
                          spans=[[first, first + 7], [second, second + 4]], turn=5)  # fmt: skip
    paths = write_workbooks(MemorySource([call_row("L0001", WANG, score=70.0, started="2026-11-20T10:00:00+08:00",
                                                   findings=[finding])], [finding], []), tmp_path)  # fmt: skip
    shown = data_rows(load_workbook(agent_book(paths, "A1024"), rich_text=True)["问题明细"])[0][4]
    assert isinstance(shown, CellRichText)
    assert str(shown).startswith("…") and str(shown).endswith("…") and len(str(shown)) < 400
    marked = [block.text for block in shown if isinstance(block, TextBlock) and block.font.b]
    assert marked == ["我不是说过了吗", "不归我管"]


def test_a_finding_that_cost_less_than_its_weight_says_the_rules_cap_was_reached(tmp_path: Path) -> None:
    """PRO001 takes 15 a hit and at most 30 a call: the third taboo of one call costs 0."""
    text = "急什么？"
    fs = [finding_row("K0001", WANG, rule="PRO001", check="prohibited", text=text, spans=[[0, 3]], turn=t,
                      deduction=d) for t, d in ((1, 15.0), (3, 15.0), (5, 0.0))]  # fmt: skip
    calls = [call_row("K0001", WANG, score=70.0, started="2026-11-20T10:00:00+08:00", findings=fs)]
    paths = write_workbooks(MemorySource(calls, fs, []), tmp_path, standard=standard_of(load_pack()))
    evidence = [r[11] for r in data_rows(load_workbook(agent_book(paths, "A1024"))["问题明细"])]
    assert evidence == ["坐席使用了服务禁语", "坐席使用了服务禁语",
                        "坐席使用了服务禁语（本规则每通最多扣 30 分，已扣满，此条不再扣分）"]


def test_offending_words_are_red_bold_runs(written: tuple[Path, list[Path]]) -> None:
    for path in written[1][:-1]:
        ws = load_workbook(path, rich_text=True)["问题明细"]
        for row in ws.iter_rows(min_row=2):
            cell = row[4]
            if not isinstance(cell.value, CellRichText):
                continue
            text = str(cell.value)
            red = [b.text for b in cell.value if isinstance(b, TextBlock) and b.font.color is not None
                   and b.font.color.rgb == "FFFF0000"]  # fmt: skip
            assert all(b.font.b for b in cell.value if isinstance(b, TextBlock) and b.text in red)
            if text == TABOO:
                assert red == ["不是说过了吗", "这是规定,没办法"]
            else:
                assert red and all(w in text for w in red)
    ws = load_workbook(agent_book(written[1], "A1024"), rich_text=True)["问题明细"]
    assert any(str(r[4].value) == TABOO and isinstance(r[4].value, CellRichText) for r in ws.iter_rows(min_row=2))


def test_highlighted_merges_and_clips_spans() -> None:
    rich = highlighted("你急什么急什么", [[1, 4], [3, 7], [9, 12]])
    assert isinstance(rich, Marked)
    assert list(rich.runs()) == [("你", False), ("急什么急什么", True)]
    assert highlighted("没有标记", []) == "没有标记"


def test_summary_sheet(written: tuple[Path, list[Path]]) -> None:
    wb = load_workbook(agent_book(written[1], "A1024"))
    ws = wb["概览"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("2026-11-19 至 2026-11-21" in t for t in texts)  # period derived from the calls
    assert find_label(ws, "坐席").value == "王小明（A1024）"
    assert find_label(ws, "团队").value == "售后一组"
    assert find_label(ws, "质检通话").value == 3
    assert find_label(ws, "平均得分").value == pytest.approx((0 + 85 + 96) / 3)
    assert find_label(ws, "平均得分").number_format == "0.0"
    assert find_label(ws, "合格率").value == pytest.approx(2 / 3)
    assert find_label(ws, "合格率").number_format == "0.0%"
    assert find_label(ws, "红线通话").value == 1
    assert find_label(ws, "平均说话占比").value == pytest.approx(0.28)
    assert "目标 30%" in ws.cell(find_label(ws, "平均说话占比").row, 3).value
    assert find_label(ws, "团队排名").value == "第 2 名 / 共 2 人"  # 60.3 vs 李丽's 81.0
    rates = {row[0].value: (row[2].value, row[3].value) for row in ws.iter_rows() if row[0].value == "服务禁语"}
    assert rates["服务禁语"] == (pytest.approx(1 / 3), pytest.approx(2 / 5))
    rules = [row[0].value for row in ws.iter_rows() if isinstance(row[0].value, str) and row[0].value.isalnum()]
    assert {"PRO003", "NAN001", "GRT001", "ID001"} <= set(rules)
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert [s.tx.v for s in chart.series] == ["本人", "团队"]


def test_overview(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    wb = load_workbook(paths[-1])
    assert wb.sheetnames == ["概览", "坐席排名", "红线问题", "高频规则", "输入错误"]
    ranking = wb["坐席排名"]
    ranked = data_rows(ranking)
    assert [r[1] for r in ranked] == ["B/7:3", "A2048", "A1024"]  # 90.0, 81.0, 60.3
    assert [r[0] for r in ranked] == [1, 2, 3]
    head = header(ranking)
    assert "服务禁语违规率" in head and head[-1] == "个人报告"
    links = [row[-1].hyperlink for row in ranking.iter_rows(min_row=2)]
    assert len(links) == 3
    for link, row in zip(links, ranked, strict=True):
        assert link is not None and not link.target.startswith(("/", "file:"))
        assert (out / unquote(link.target)).is_file()
        assert row[-1] == link.target
    assert len(wb["概览"]._charts) == 1
    red = data_rows(wb["红线问题"])
    assert [(r[0], r[3], r[5]) for r in red] == [("A1024", "T0001", "PRO003")]
    assert header(wb["红线问题"])[4] == "开始时间（北京时间）" and red[0][4] == datetime(2026, 11, 20, 10, 0)
    rules = data_rows(wb["高频规则"])
    assert rules[0][1] == "PRO001" and rules[0][5] == len(INJECTIONS) and rules[0][8] == f"急什么×{len(INJECTIONS)}"
    assert {r[1] for r in rules} == {"PRO001", "PRO003", "NAN001", "GRT001", "ID001", "HLD001"}
    errors = wb["输入错误"]
    assert header(errors) == ["文件", "行号", "原因"]
    assert data_rows(errors) == [("in/2026-11-20.jsonl", 17, "JSON 解析失败：缺少右括号")]


def test_rules_are_described_without_a_word_cut_in_half_nor_the_words_said_right(tmp_path: Path) -> None:
    """The 高频规则 line of a rule is what its findings' messages share, cut at punctuation;
    a greeting's missing elements, not the 您好 that was said, are its common words."""
    said = [("三不知答复：不清楚", ["不清楚"]), ("三不知答复：不归我管", ["不归我管"]),
            ("坐席说话占比 49%，超过上限 40%（说听比 7:3）", []), ("坐席说话占比 52%，超过上限 40%（说听比 7:3）", []),
            ("开场白不完整，缺少：服务用语", []), ("开场白不完整，缺少：服务用语", []),
            ("开场白不完整，缺少：问候语、服务用语", [])]  # fmt: skip
    rules = ["NAN001", "NAN001", "TLK001", "TLK001", "GRT001", "GRT001", "GRT001"]
    findings = [
        {**finding_row(f"T{i}", WANG, rule=rule, check=rule[:3], turn=0), "message": message, "matched": words}
        for i, (rule, (message, words)) in enumerate(zip(rules, said, strict=True))
    ]
    calls = [call_row(f"T{i}", WANG, score=80.0, started="2026-11-20T10:00:00+08:00", findings=[f])
             for i, f in enumerate(findings)]  # fmt: skip
    paths = write_workbooks(MemorySource(calls, findings, []), tmp_path)
    described = {r[1]: (r[4], r[8]) for r in data_rows(load_workbook(paths[-1])["高频规则"])}
    assert described["NAN001"] == ("三不知答复：…", "不清楚、不归我管")
    assert described["TLK001"] == ("坐席说话占比 …，超过上限 40%（说听比 7:3）", None)
    assert described["GRT001"] == ("开场白不完整，缺少：…", "服务用语×2、问候语、服务用语")


def sheets(path: Path) -> dict[str, list[tuple]]:
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in load_workbook(path).worksheets}


@pytest.mark.parametrize("workers", [1, 2])
def test_only_some_agents_books_are_written_each_as_in_the_report_of_everyone(
    tmp_path: Path, written: tuple[Path, list[Path]], rows: tuple[list[Row], list[Row]], workers: int
) -> None:
    source = MemorySource(*rows, ERRORS)
    paths = write_workbooks(source, tmp_path, only={"A2048", "B/7:3"}, workers=workers, reopen=lambda: source)
    full = {p.name: p for p in written[1]}
    assert [p.name for p in paths] == ["A2048_李丽.xlsx", "B_7_3_张_三.xlsx", "overview.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)

    li = load_workbook(paths[0])["概览"]
    assert find_label(li, "团队排名").value == "第 1 名 / 共 2 人"  # 王小明 is in the team, unwritten
    assert li.cell(find_label(li, "团队排名").row, 3).value == "按平均得分；全体第 2 名 / 共 3 人"
    for path in paths[:2]:
        assert sheets(path) == sheets(full[path.name]), path.name

    # The overview still covers 王小明: his red line and his rules, but no link to a book not written.
    overview, everyone = sheets(paths[-1]), sheets(full["overview.xlsx"])
    assert [(r[0], r[3], r[5]) for r in overview["红线问题"][1:]] == [("A1024", "T0001", "PRO003")]
    assert overview["高频规则"] == everyone["高频规则"]
    assert [(r[1], r[-1]) for r in overview["坐席排名"][1:]] == [
        ("B/7:3", "B_7_3_张_三.xlsx"), ("A2048", "A2048_李丽.xlsx"), ("A1024", None)]
    assert [r[:-1] for r in overview["坐席排名"]] == [r[:-1] for r in everyone["坐席排名"]]
    del overview["坐席排名"], everyone["坐席排名"]
    assert overview == everyone


def test_errors_sheet_says_when_empty(tmp_path: Path, rows: tuple[list[Row], list[Row]]) -> None:
    paths = write_workbooks(MemorySource(*rows), tmp_path, period="第 47 周")
    wb = load_workbook(paths[-1])
    assert "输入错误" in wb.sheetnames
    assert "没有" in wb["输入错误"]["A2"].value
    assert any("第 47 周" in (c.value or "") for c in wb["概览"]["A"] if isinstance(c.value, str))


def test_empty_source_writes_an_overview(tmp_path: Path) -> None:
    paths = write_workbooks(MemorySource([], []), tmp_path)
    assert paths == [tmp_path / "overview.xlsx"]
    wb = load_workbook(paths[0])
    assert data_rows(wb["坐席排名"]) == []


# --- presentation -------------------------------------------------------------------


def test_print_setup_frozen_headers_filters_fonts(written: tuple[Path, list[Path]]) -> None:
    for path in written[1]:
        wb = load_workbook(path)
        for ws in wb:
            assert ws.page_setup.orientation == "landscape", ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert ws.page_setup.fitToWidth == 1
            assert ws["A1"].font.name == "Microsoft YaHei"
    agent = load_workbook(agent_book(written[1], "A1024"))
    for name in ("通话", "问题明细"):
        ws = agent[name]
        assert ws.freeze_panes == "B2"
        assert ws.print_title_rows == "$1:$1"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws["A1"].font.b
    wide = [ws.column_dimensions[c].width for c in "EHL" for ws in [agent["问题明细"]]]
    assert all(w >= 20 for w in wide)
    assert agent["问题明细"]["E2"].alignment.wrap_text and agent["问题明细"]["L2"].alignment.wrap_text
    assert agent["问题明细"].column_dimensions["A"].width >= len("通话编号") * 2


def test_conditional_formats_mark_failures_and_red_lines(written: tuple[Path, list[Path]]) -> None:
    ws = load_workbook(agent_book(written[1], "A1024"))["通话"]
    formulas = [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula]
    assert '$F2="否"' in formulas and '$G2="是"' in formulas


# --- safety ---------------------------------------------------------------------------


def test_no_cell_is_a_formula(written: tuple[Path, list[Path]]) -> None:
    for path in written[1]:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()
        for ws in load_workbook(path):
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)


def test_injection_texts_are_kept_verbatim_as_strings(written: tuple[Path, list[Path]]) -> None:
    ws = load_workbook(agent_book(written[1], "A2048"))["问题明细"]
    cells = [row[4] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [text + " 急什么" for text in INJECTIONS]
    for c in cells:
        assert c.data_type == "s"
        assert c.quotePrefix == looks_like_formula(c.value)
    assert sum(c.quotePrefix for c in cells) == 6  # all but "#N/A", which is text, not an error
    calls = load_workbook(agent_book(written[1], "B_7_3"))["通话"]
    assert calls["A2"].value == "=T6" and calls["A2"].data_type == "s" and calls["A2"].quotePrefix


def test_masked_numbers_stay_masked(written: tuple[Path, list[Path]]) -> None:
    ws = load_workbook(agent_book(written[1], "B_7_3"))["问题明细"]
    assert "138****5678" in ws["E2"].value and "138****5678" in ws["L2"].value


@pytest.mark.parametrize(
    ("text", "risky"),
    [("=1", True), ("+86", True), ("-x", True), ("@a", True), (" \t=1", True), ("\n+1", True), ("＝1", True),
     ("您好", False), ("1+1", False), ("a=b", False), ("", False)],
)  # fmt: skip
def test_looks_like_formula(text: str, risky: bool) -> None:
    assert looks_like_formula(text) is risky


def test_control_characters_do_not_break_the_file(tmp_path: Path) -> None:
    text = "您好\x07请讲\x00急什么"
    fs = [finding_row("T1", WANG, rule="PRO001", check="prohibited", text=text, spans=[[6, 9]])]
    paths = write_workbooks(MemorySource([call_row("T1", WANG, score=90, started="2026-11-20T10:00:00", findings=fs)],
                                         fs), tmp_path)  # fmt: skip
    ws = load_workbook(paths[0], rich_text=True)["问题明细"]
    value = ws["E2"].value
    assert str(value) == "您好\ufffd请讲\ufffd急什么"
    assert [b.text for b in value if isinstance(b, TextBlock) and b.font.b] == ["急什么"]


# --- atomic writes ----------------------------------------------------------------------


class FailingSource(MemorySource):
    """A source whose findings stream breaks after a few rows, as a dropped database would."""

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        for i, row in enumerate(super().findings(agent_id)):
            if i == 1:
                raise OSError("database connection lost")
            yield row


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def test_crash_mid_write_leaves_no_file(
    tmp_path: Path, rows: tuple[list[Row], list[Row]], monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = tmp_path / "streams"  # where openpyxl streams write-only sheets while they fill
    streams.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(streams))
    out = tmp_path / "out"
    with pytest.raises(OSError, match="connection lost"):
        write_workbooks(FailingSource(*rows), out)
    assert not (out / "A1024_王小明.xlsx").exists()
    assert not (out / "overview.xlsx").exists()
    assert no_temp_files(out)
    assert list(streams.iterdir()) == []


def test_crash_mid_write_keeps_the_old_file(tmp_path: Path, rows: tuple[list[Row], list[Row]]) -> None:
    write_workbooks(MemorySource(*rows), tmp_path)
    target = tmp_path / "A1024_王小明.xlsx"
    before = target.read_bytes()
    with pytest.raises(OSError):
        write_workbooks(FailingSource(*rows), tmp_path)
    assert target.read_bytes() == before
    assert load_workbook(target).sheetnames == ["概览", "趋势", "通话", "问题明细"]
    assert no_temp_files(tmp_path)


def test_failing_save_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def broken_save(self: ExcelWriter) -> None:
        self._archive.writestr("docProps/app.xml", "<Properties")  # half a package
        raise RuntimeError("disk full")

    monkeypatch.setattr(ExcelWriter, "write_data", broken_save)
    with pytest.raises(RuntimeError, match="disk full"):
        atomic_module.save(Book(), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_failing_to_add_the_rows_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The streamed rows are added to openpyxl's package last; failing there is no different."""
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    wb = Book()
    table = Table(wb.create_sheet("问题明细"), [column("原话", style.WRAP, 20)])
    table.append(["您好，请问有什么可以帮您？"])

    def broken_copy(spool: object, sheet: object) -> None:
        sheet.write(b"<row r=")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(book_module, "_copy", broken_copy)
    with pytest.raises(OSError, match="disk full"):
        atomic_module.save(wb, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_numeric_ids_are_written_as_text(tmp_path: Path) -> None:
    call = call_row("T1", ("1024", "", "一组"), score=70, started="bad date")
    call["transcript_id"] = 20261120001
    paths = write_workbooks(MemorySource([call], []), tmp_path, period="本周")
    assert paths[0].name == "1024.xlsx"
    ws = load_workbook(paths[0])["通话"]
    assert ws["A2"].value == "20261120001" and ws["A2"].data_type == "s"
    assert ws["B2"].value == "bad date"
    assert re.fullmatch(r"坐席质检报告 · 1024", load_workbook(paths[0])["概览"]["A1"].value)


def test_characters_xml_cannot_carry_do_not_make_a_workbook_unwritable(tmp_path: Path) -> None:
    agent = ("A3001", "黄\uffff美玲", "在线\x01一组")
    text = "急什么\uffff，等着。"
    finding = finding_row("T9", agent, rule="PRO001", check="prohibited", text=text, spans=[[0, 3]],
                          message="服务禁语（不耐烦）：急什么\ufffe")
    call = call_row("T9", agent, score=85.0, started="2026-11-21T09:00:00+08:00", findings=[finding])
    paths = write_workbooks(MemorySource([call], [finding]), tmp_path)
    sheet = load_workbook(paths[0])["问题明细"]
    said = [str(c) for row in sheet.iter_rows(min_row=2, values_only=True) for c in row if c and "急什么" in str(c)]
    assert "急什么\ufffd，等着。" in said  # one for one, so the red span still covers 急什么


def test_no_workbook_stays_in_memory_after_it_is_written(tmp_path: Path, rows: tuple[list[Row], list[Row]]) -> None:
    """Memory must stay flat for thousands of agents: every written workbook is released."""
    import gc

    from openpyxl import Workbook

    write_workbooks(MemorySource(*rows), tmp_path)
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, Workbook)] == []


def _width_by_character(text: str, wide: float) -> float:
    return sum(
        0 if unicodedata.combining(ch) else wide if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text
    )


@pytest.mark.parametrize(
    "text",
    [
        "您好，请问有什么可以帮您？",
        "订单号 A1024-2026，“加急”……",
        "請稍等，我幫您查詢一下。",
        "Café ångström",  # Latin letters outside ASCII: narrow
        "が　ぱ",  # kana with a combining voicing mark
        "📞 打电话",  # outside the Basic Multilingual Plane
        "",
    ],
)
def test_display_width_counts_wide_and_narrow_characters(text: str) -> None:
    """Column widths and wrapped-row heights depend on it; the shortcut must agree with the definition."""
    for wide in (2.0, 1.85):
        assert style.display_width(text, wide) == pytest.approx(_width_by_character(text, wide))


def test_display_width_shortcut_covers_only_wide_characters() -> None:
    every = "".join(chr(cp) for cp in range(0x80, 0x10000) if not 0xD800 <= cp <= 0xDFFF)
    common = "".join(ch for ch in every if not style._COMMON.search(ch))
    assert len(common) > 25000  # CJK ideographs, kana, full-width forms
    assert style.display_width(common) == _width_by_character(common, 2.0)


def test_failing_to_read_the_skipped_inputs_leaves_no_stream_files(
    tmp_path: Path, rows: tuple[list[Row], list[Row]], monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = tmp_path / "streams"
    streams.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(streams))

    class ErrorsFail(MemorySource):
        def errors(self) -> Iterator[Row]:
            yield {"path": "inbox/坏文件.jsonl", "line": 1, "reason": "invalid JSON"}
            raise OSError("database gone")

    with pytest.raises(OSError, match="database gone"):
        write_workbooks(ErrorsFail(*rows), tmp_path / "out")
    assert list(streams.iterdir()) == []


def one_table_book(folder: Path, values: list[object]) -> Workbook:
    """`values` written as the one data row of a two-column table, read back with openpyxl."""
    wb = Book()
    table = Table(wb.create_sheet("问题明细"), [column("原话", style.WRAP, 20), column("标红", style.WRAP, 20)])
    table.append(values)  # type: ignore[arg-type]
    table.finish()
    target = folder / "book.xlsx"
    atomic_module.save(wb, target)
    return load_workbook(target, rich_text=True)


def test_carriage_returns_survive_in_plain_and_marked_text(tmp_path: Path) -> None:
    said = "您好\r\n请讲"
    ws = one_table_book(tmp_path, [said, highlighted(said, [[0, 3]])])["问题明细"]
    assert ws["A2"].value == said
    assert str(ws["B2"].value) == said


def test_text_is_cut_where_excel_counts_its_limit_and_rows_stay_within_excel_height(tmp_path: Path) -> None:
    """Excel counts UTF-16 units (an emoji is two) and refuses rows over 409.5 pt."""
    long_text = "😀" * 20000  # 40,000 units
    ws = one_table_book(tmp_path, [long_text, "很长的一句话" * 3000])["问题明细"]
    kept = ws["A2"].value
    assert kept == "😀" * (MAX_CHARS // 2)  # not cut inside an emoji
    assert len(kept.encode("utf-16-le")) // 2 <= MAX_CHARS
    assert ws.row_dimensions[2].height == 409.5


def test_a_sheet_past_the_zip_size_limit_is_still_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sheets over 2 GiB need ZIP64 entries; the limit is lowered here to stand in for it."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 50_000)
    wb = Book()
    table = Table(wb.create_sheet("问题明细"), [column("原话", style.WRAP, 20)])
    for _ in range(300):
        table.append(["这个我也不清楚，您问别人吧。" * 20])
    table.finish()
    atomic_module.save(wb, tmp_path / "big.xlsx")
    assert load_workbook(tmp_path / "big.xlsx")["问题明细"].max_row == 301
