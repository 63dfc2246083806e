"""What a supervisor reads in the workbooks to decide whom to coach, on what.

Each test reads the cells as a supervisor sees them (openpyxl, values and formats) on
rows with real Chinese: the same columns every night, 辅导重点, who needs attention on
the overview, and one consistent way of speaking about talk share.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from qa_audit.records import Row
from qa_audit.report.source import MemorySource
from qa_audit.report.xlsx import write_workbooks
from qa_audit.rules.pack import RulePack, load_pack
from tests.test_xlsx import LI, WANG, agent_book, call_row, data_rows, finding_row, header

PACK_CHECKS = ["开场问候", "自报工号", "结束语", "服务禁语", "三不知", "等待礼仪", "说听比"]
"""The default pack's checks, as a supervisor reads them, in the order a call unfolds."""


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack()


def night(calls: list[tuple[str, tuple[str, str, str], float, list[Row]]]) -> MemorySource:
    """A night's rows from (call id, agent, score, findings) tuples, all on 2026-11-20."""
    call_rows = [call_row(tid, agent, score=score, started="2026-11-20T10:00:00+08:00", findings=fs)
                 for tid, agent, score, fs in calls]  # fmt: skip
    return MemorySource(call_rows, [f for *_, fs in calls for f in fs])


def hold(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="HLD001", check="hold", text="我帮您查一下。", spans=[[0, 6]],
                       severity="minor", message="查询/等待前未请客户稍等：我帮您查一下", deduction=5.0)  # fmt: skip


def taboo(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="PRO001", check="prohibited", text="你急什么，等着。", spans=[[1, 4]],
                       message="服务禁语（不耐烦）：急什么", deduction=15.0)  # fmt: skip


def check_columns(head: list[str], suffix: str = "违规率") -> list[str]:
    return [h.removesuffix(suffix) for h in head if h.endswith(suffix)]


# --- 3. the same columns every night -----------------------------------------------------


def test_every_check_of_the_pack_has_its_column_every_night_also_at_zero(tmp_path: Path, pack: RulePack) -> None:
    """A quiet night (one unannounced lookup) and a night with a taboo have the same columns,
    in the same places: 服务禁语 at 0.0% is shown, not left out."""
    quiet = write_workbooks(night([("T1", WANG, 95.0, [hold("T1", WANG)]), ("T2", LI, 100.0, [])]),
                            tmp_path / "quiet", pack=pack)  # fmt: skip
    busy = write_workbooks(night([("T3", WANG, 85.0, [taboo("T3", WANG)]), ("T4", LI, 95.0, [hold("T4", LI)])]),
                           tmp_path / "busy", pack=pack)  # fmt: skip

    for paths in (quiet, busy):
        overview = load_workbook(paths[-1])
        assert check_columns(header(overview["坐席排名"])) == PACK_CHECKS
        team_head = next(row for row in overview["概览"].iter_rows(values_only=True) if row[0] == "团队")
        assert [h for h in team_head if h in PACK_CHECKS] == PACK_CHECKS
        book = load_workbook(agent_book(paths, "A1024"))
        assert header(book["通话"])[-len(PACK_CHECKS):] == PACK_CHECKS
        listed = [row[0] for row in book["概览"].iter_rows(values_only=True) if row[0] in PACK_CHECKS]
        assert listed == PACK_CHECKS
    for a, b in zip(quiet, busy, strict=True):
        for sheet in ("坐席排名",) if a.name == "overview.xlsx" else ("通话",):
            assert header(load_workbook(a)[sheet]) == header(load_workbook(b)[sheet])

    ranking = load_workbook(quiet[-1])["坐席排名"]
    head = header(ranking)
    wang = next(r for r in data_rows(ranking) if r[1] == "A1024")
    assert wang[head.index("服务禁语违规率")] == 0 and wang[head.index("等待礼仪违规率")] == 1


def test_a_check_in_the_rows_but_not_in_the_pack_keeps_its_column(tmp_path: Path, pack: RulePack) -> None:
    """Calls audited with a site pack and rebuilt with the default one: what was found still shows."""
    found = finding_row("T1", WANG, rule="VER001", check="verification", turn=0, severity="minor",
                        message="未核实客户身份", deduction=5.0)  # fmt: skip
    paths = write_workbooks(night([("T1", WANG, 95.0, [found])]), tmp_path, pack=pack)
    assert check_columns(header(load_workbook(paths[-1])["坐席排名"])) == [*PACK_CHECKS, "verification"]
