"""The 趋势 sheet: one row per day with the day's figures and the team's score, two line charts,
and only for agents whose calls fall on several days; from memory and from a database period."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import LineChart

from qa_audit.records import Row
from qa_audit.report.source import MemorySource
from qa_audit.report.xlsx import write_workbooks
from qa_audit.store import Store
from tests.test_store import RULES, audit
from tests.test_xlsx import LI, WANG, agent_book, call_row, data_rows, finding_row, header

DAY1, DAY2, DAY3 = "2026-11-19", "2026-11-20", "2026-11-21"


def trend_rows() -> tuple[list[Row], list[Row]]:
    """王小明 on three days (and once undated), 李丽 of the same team on the first day only."""
    calls: list[Row] = []
    findings: list[Row] = []

    def add(tid: str, agent: tuple[str, str, str], day: str | None, score: float, share: float | None,
            *checks: tuple[str, bool]) -> None:  # fmt: skip
        fs = [finding_row(tid, agent, rule=f"R{i}", check=c, red_line=red) for i, (c, red) in enumerate(checks)]
        call = call_row(tid, agent, score=score, started=f"{day}T10:{len(calls):02d}:00+08:00", share=share,
                        findings=fs)  # fmt: skip
        if day is None:
            call["started_at"] = None
        calls.append(call)
        findings.extend(fs)

    add("T01", WANG, DAY1, 90.0, 0.25, ("greeting", False))
    add("T02", WANG, DAY1, 0.0, 0.45, ("prohibited", True), ("prohibited", False))
    add("T03", WANG, DAY2, 85.0, 0.30, ("prohibited", False))
    add("T04", WANG, DAY3, 100.0, 0.20)
    add("T05", WANG, DAY3, 95.0, None, ("non_answer", False))
    add("T06", WANG, None, 10.0, 0.90, ("greeting", False))  # no date: not on any day's row
    add("T11", LI, DAY1, 70.0, 0.35, ("non_answer", False))
    add("T12", LI, DAY1, 80.0, 0.30)
    return calls, findings


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_workbooks(MemorySource(*trend_rows()), tmp_path_factory.mktemp("trend"))


def by_header(ws) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [dict(zip(header(ws), row, strict=True)) for row in data_rows(ws)]


def test_an_agent_over_three_days_gets_a_trend_sheet_with_a_row_per_day(books: list[Path]) -> None:
    wb = load_workbook(agent_book(books, "A1024"))
    assert wb.sheetnames == ["概览", "趋势", "通话", "问题明细"]
    ws = wb["趋势"]
    assert header(ws) == ["日期", "通话数", "平均得分", "团队平均分", "合格率", "红线通话", "平均说话占比",
                          "开场问候违规率", "服务禁语违规率", "三不知违规率"]  # fmt: skip
    rows = by_header(ws)
    assert [r["日期"] for r in rows] == [datetime(2026, 11, 19), datetime(2026, 11, 20), datetime(2026, 11, 21)]
    assert [r["通话数"] for r in rows] == [2, 1, 2]
    first = rows[0]
    assert first["平均得分"] == pytest.approx((90 + 0) / 2)
    assert first["团队平均分"] == pytest.approx((90 + 0 + 70 + 80) / 4)
    assert first["合格率"] == pytest.approx(1 / 2)
    assert first["红线通话"] == 1
    assert first["平均说话占比"] == pytest.approx((0.25 + 0.45) / 2)
    assert first["开场问候违规率"] == pytest.approx(1 / 2)
    assert first["服务禁语违规率"] == pytest.approx(1 / 2)  # two findings, one call
    assert first["三不知违规率"] == 0
    last = rows[2]
    assert last["平均得分"] == pytest.approx(97.5) and last["团队平均分"] == pytest.approx(97.5)
    assert last["平均说话占比"] == pytest.approx(0.20)  # the chat without a share is left out
    assert last["三不知违规率"] == pytest.approx(1 / 2) and last["红线通话"] == 0


def test_trend_sheet_formats_and_charts(books: list[Path]) -> None:
    ws = load_workbook(agent_book(books, "A1024"))["趋势"]
    assert ws.freeze_panes == "B2"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight == 1 and not ws.print_title_rows  # three days: one printed page
    assert ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].number_format == "0.0" and ws["E2"].number_format == "0.0%" and ws["H2"].number_format == "0.0%"
    assert ws["A1"].font.b and ws["A1"].font.name == "Microsoft YaHei"
    assert ws.column_dimensions["A"].width >= 12
    charts = ws._charts
    assert len(charts) == 2 and all(isinstance(c, LineChart) for c in charts)
    assert [s.tx.v for s in charts[0].series] == ["本人", "团队"]
    assert [s.tx.v for s in charts[1].series] == ["开场问候", "服务禁语", "三不知"]
    assert all(s.smooth is False for c in charts for s in c.series)
    assert charts[0].anchor._from.row >= 4  # below the three day rows, not over them
    assert charts[1].anchor._from.row >= charts[0].anchor.to.row


def test_trend_check_columns_are_coloured_against_the_team_not_from_zero(books: list[Path]) -> None:
    """Like the overview: a day stands out when the agent did worse than the team on that
    check, each check on its own scale starting at the team's rate over the same days."""
    ws = load_workbook(agent_book(books, "A1024"))["趋势"]
    scales = [(str(cf.sqref), rule.colorScale) for cf in ws.conditional_formatting for rule in cf.rules
              if rule.colorScale is not None]  # fmt: skip
    assert scales, "some check was worse than the team on some day"
    for sqref, scale in scales:
        first, last = sqref.split(":")
        assert first.rstrip("0123456789") == last.rstrip("0123456789"), "one scale per check column"
        start, end = scale.cfvo
        assert (start.type, end.type) == ("num", "num") and float(start.val) > 0


def test_an_agent_on_one_day_has_no_trend_sheet(books: list[Path]) -> None:
    assert load_workbook(agent_book(books, "A2048")).sheetnames == ["概览", "通话", "问题明细"]


def test_trend_over_a_database_period_covers_only_that_period(tmp_path: Path) -> None:
    db = tmp_path / "qa.db"
    stamps = {
        "T1": ("A1024", "2024-05-01T09:00:00+08:00"),
        "T2": ("A1024", "2024-05-02T09:00:00+08:00"),
        "T3": ("A1024", "2024-05-03T09:00:00+08:00"),
        "T4": ("A1024", "2024-05-03T15:00:00+08:00"),
        "T5": ("A1024", "2024-05-04T09:00:00+08:00"),
        "T6": ("A2048", "2024-05-03T11:00:00+08:00"),
        "T7": ("A2048", "2024-05-04T11:00:00+08:00"),
    }
    with Store.open(db) as store:
        run = store.begin_run({}, RULES)
        for tid, (agent_id, started) in stamps.items():
            store.save(run, *audit(tid, agent_id, started), RULES)
        store.finish_run(run, {"audited": len(stamps), "skipped_unchanged": 0, "errors": 0})
    with Store.open(db, readonly=True) as store:
        books = write_workbooks(store.period_source(date(2024, 5, 2), date(2024, 5, 3)), tmp_path / "out")
    wb = load_workbook(agent_book(books, "A1024"))
    rows = by_header(wb["趋势"])
    assert [(r["日期"], r["通话数"]) for r in rows] == [(datetime(2024, 5, 2), 1), (datetime(2024, 5, 3), 2)]
    assert all(r["平均得分"] == pytest.approx(65.0) and r["合格率"] == 0 and r["红线通话"] == r["通话数"] for r in rows)
    assert "趋势" not in load_workbook(agent_book(books, "A2048")).sheetnames  # 05-04 is outside the period
