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
from qa_audit.report.standard import Standard, standard_of
from qa_audit.report.xlsx import style, write_workbooks
from qa_audit.rules.pack import RulePack, load_pack
from tests.test_rule_packs import pack_errors
from tests.test_xlsx import LI, WANG, agent_book, call_row, data_rows, finding_row, header

PACK_CHECKS = ["开场问候", "自报工号", "结束语", "服务禁语", "三不知", "等待礼仪", "说话占比超标"]
"""The default pack's checks, as a supervisor reads them, in the order a call unfolds."""


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_pack()


def site_standard(folder: Path, files: dict[str, str]) -> Standard:
    """The standard of the default pack with a site pack of `files` (file name -> YAML) on top."""
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return standard_of(load_pack([folder]))


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
                            tmp_path / "quiet", standard=standard_of(pack))  # fmt: skip
    busy = write_workbooks(night([("T3", WANG, 85.0, [taboo("T3", WANG)]), ("T4", LI, 95.0, [hold("T4", LI)])]),
                           tmp_path / "busy", standard=standard_of(pack))  # fmt: skip

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
    paths = write_workbooks(night([("T1", WANG, 95.0, [found])]), tmp_path, standard=standard_of(pack))
    assert check_columns(header(load_workbook(paths[-1])["坐席排名"])) == [*PACK_CHECKS, "verification"]


# --- 12. talk share: one name, the target and the limit told apart ----------------------


def talk(tid: str, agent: tuple[str, str, str], share: float) -> Row:
    return finding_row(tid, agent, rule="TLK001", check="talk_ratio", turn=None, severity="minor",
                       message=f"坐席说话占比 {share:.0%}，超过 40%（说听比 7:3）", deduction=5.0,
                       evidence=f"坐席说话占比 {share:.1%}（按时长），超过上限 40%")  # fmt: skip


def talk_night() -> MemorySource:
    """王小明 talks 35% in one call (over the 30% target, within the 40% limit) and 49% in
    another (flagged); 李丽 of the same team 20%."""
    said = [("T1", WANG, 0.35, []), ("T2", WANG, 0.49, [talk("T2", WANG, 0.49)]), ("T3", LI, 0.20, [])]
    calls = [call_row(tid, agent, score=100.0 - 5 * len(fs), started=f"2026-11-2{i}T10:00:00+08:00", share=share,
                      findings=fs) for i, (tid, agent, share, fs) in enumerate(said)]  # fmt: skip
    return MemorySource(calls, [f for *_, fs in said for f in fs])


def amber(ws, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The formulas of the conditional formats that colour `column` (a letter) amber."""
    return [f for cf in ws.conditional_formatting for rule in cf.rules for f in (rule.formula or ())
            if any(r.min_col <= ord(column) - 64 <= r.max_col for r in cf.sqref.ranges)
            and rule.dxf is not None and rule.dxf.fill is not None
            and rule.dxf.fill.bgColor.rgb.endswith(style.WARN_FILL)]  # fmt: skip


def test_only_the_calls_the_talk_rule_flags_are_amber(tmp_path: Path, pack: RulePack) -> None:
    paths = write_workbooks(talk_night(), tmp_path, standard=standard_of(pack))
    calls = load_workbook(agent_book(paths, "A1024"))["通话"]
    head = header(calls)
    flagged = chr(65 + head.index("说话占比超标"))
    assert head[7] == "坐席说话占比"
    assert amber(calls, "H") == [f"${flagged}2>0"]  # amber where the call has a 说话占比 finding
    shares = {row[0]: (row[7], row[head.index("说话占比超标")]) for row in data_rows(calls)}
    assert shares == {"T1": (0.35, 0), "T2": (0.49, 1)}  # 35% is over the target, not flagged: not amber

    # Averages are not what the rule flags: no amber on them.
    ranking = load_workbook(paths[-1])["坐席排名"]
    assert amber(ranking, chr(65 + header(ranking).index("平均说话占比"))) == []
    trend = load_workbook(agent_book(paths, "A1024"))["趋势"]
    assert header(trend)[6] == "平均说话占比" and amber(trend, "G") == []


def test_talk_share_has_one_name_and_the_target_and_limit_are_told_apart(tmp_path: Path, pack: RulePack) -> None:
    paths = write_workbooks(talk_night(), tmp_path, standard=standard_of(pack))
    book = load_workbook(agent_book(paths, "A1024"))
    summary = book["概览"]
    assert summary["A2"].value.endswith("说话占比目标 30%，单通超过 40% 记为问题")
    note = next(row[2] for row in summary.iter_rows(values_only=True) if row[0] == "平均说话占比")
    assert note == "目标 30%，高出目标 12.0 个百分点；1 通超过 40%，记为问题"
    overview = load_workbook(paths[-1])["概览"]
    assert overview["A2"].value.endswith("说话占比目标 30%，单通超过 40% 记为问题")
    centre = next(row[2] for row in overview.iter_rows(values_only=True) if row[0] == "平均说话占比")
    assert centre == "目标 30%，高出目标 4.7 个百分点；1 通超过 40%，记为问题"

    # 说听比 is left only inside the rule's own message, quoted from the finding.
    for path in paths:
        for ws in load_workbook(path):
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and "说听比" in value:
                        assert value.startswith("坐席说话占比 "), (path.name, ws.title, value)


def test_differences_of_rates_are_in_percentage_points(tmp_path: Path, pack: RulePack) -> None:
    paths = write_workbooks(talk_night(), tmp_path, standard=standard_of(pack))
    summary = load_workbook(agent_book(paths, "A1024"))["概览"]
    head = next(row for row in summary.iter_rows() if row[0].value == "检查项")
    assert head[4].value == "本人比团队"
    row = next(row for row in summary.iter_rows() if row[0].value == "说话占比超标")
    mine, team, gap = row[2].value, row[3].value, row[4]
    assert (mine, team) == (pytest.approx(1 / 2), pytest.approx(1 / 3))
    assert gap.value == pytest.approx(100 / 6)  # shown "+16.7 个百分点", not "+16.7%"
    assert gap.number_format == '+0.0" 个百分点";-0.0" 个百分点";"持平"'
    same = next(row for row in summary.iter_rows() if row[0].value == "服务禁语")
    assert same[4].value == 0  # shown 持平


def test_a_channels_own_talk_limit_is_named(tmp_path: Path) -> None:
    standard = site_standard(tmp_path / "site", {"TLK001.yaml": "id: TLK001\nper_channel: {chat: 0.45}\n"})
    paths = write_workbooks(talk_night(), tmp_path / "out", standard=standard)
    assert load_workbook(paths[-1])["概览"]["A2"].value.endswith("说话占比目标 30%，单通超过 40%（在线 45%） 记为问题")


def test_a_sites_own_talk_target_and_limit_are_what_the_workbooks_measure_against(tmp_path: Path) -> None:
    standard = site_standard(tmp_path / "site", {"TLK001.yaml": "id: TLK001\nmax: 0.50\ntarget: 0.40\n"})
    paths = write_workbooks(talk_night(), tmp_path / "out", standard=standard)
    assert load_workbook(paths[-1])["概览"]["A2"].value.endswith("说话占比目标 40%，单通超过 50% 记为问题")
    summary = load_workbook(agent_book(paths, "A1024"))["概览"]
    note = next(row[2].value for row in summary.iter_rows() if row[0].value == "平均说话占比")
    assert note.startswith("目标 40%，")


def test_a_talk_target_above_the_limit_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "TLK001.yaml").write_text("id: TLK001\nmax: 0.40\ntarget: 0.45\n", encoding="utf-8")
    assert pack_errors(tmp_path) == [
        f"{tmp_path / 'TLK001.yaml'}:2: 'target' must not be above a limit (max): a call is flagged above it"]
    (tmp_path / "TLK001.yaml").write_text("id: TLK001\nper_channel: {call: 0.25}\n", encoding="utf-8")
    # the default target, 30%, is above the site's limit for calls
    assert pack_errors(tmp_path) == [
        f"{tmp_path / 'TLK001.yaml'}:2: 'target' must not be above a limit (call): a call is flagged above it"]


# --- 4. 辅导重点: what costs this agent the most -----------------------------------------


def closing(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="CLS001", check="closing", turn=None, severity="minor",
                       message="未使用礼貌结束语", deduction=5.0, evidence="最后两句坐席话术均无结束语")  # fmt: skip


def staff_number(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="GRT002", check="identification", turn=None, severity="info",
                       message="开场未自报工号或姓名", deduction=1.0,
                       evidence="第一句坐席话术未包含工号或姓名")  # fmt: skip


def profanity(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="PRO005", check="prohibited", text="你他妈的听不懂吗？", spans=[[1, 4]],
                       severity="critical", message="服务禁语（辱骂）：他妈的", red_line=True,
                       deduction=100.0)  # fmt: skip


def focus(path: Path) -> list[tuple[str, str]]:
    """The 辅导重点 rows of an agent's 概览: (check, why) from the label down to the next label."""
    rows = list(load_workbook(path)["概览"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "辅导重点")
    shown = [(rows[start][1], rows[start][2])]
    for row in rows[start + 1:]:
        if row[0] or row[2] is None:
            break
        shown.append((row[1], row[2]))
    return shown


def season(wang: dict[int, list], li_closing: int, calls: int = 25) -> MemorySource:
    """`calls` calls each for 王小明 (findings by call number from `wang`) and 李丽 (a close
    missed in the first `li_closing`); scores as the findings deduct, 0 for a red line."""
    rows = []
    for i in range(calls):
        tid = f"W{i:02d}"
        fs = [make(tid, WANG) for make in wang.get(i, [])]
        rows.append((tid, WANG, 0.0 if any(f["red_line"] for f in fs) else 100 - sum(f["deduction"] for f in fs), fs))
        tid = f"L{i:02d}"
        fs = [closing(tid, LI)] if i < li_closing else []
        rows.append((tid, LI, 100 - 5.0 * len(fs), fs))
    return night(rows)


def test_focus_names_what_costs_the_agent_most_not_where_he_is_above_the_team(tmp_path: Path) -> None:
    """FINDINGS §4: the close missed in 20 of 25 calls (team 84%) comes first, not the one
    lookup without 请稍等 that happens to be above the team's rate."""
    wang = {i: [closing] for i in range(20)}
    wang[3] = [closing, hold]
    wang[21] = [staff_number]
    paths = write_workbooks(season(wang, li_closing=22), tmp_path)
    assert focus(agent_book(paths, "A1024")) == [
        ("结束语", "平均每通扣 4.0 分；25 通中 20 通（80.0%），团队 84.0%"),
        ("等待礼仪", "平均每通扣 0.2 分；25 通中 1 通（4.0%），团队 2.0%"),
        ("自报工号", "平均每通扣不到 0.1 分；25 通中 1 通（4.0%），团队 2.0%"),
    ]
    summary = load_workbook(agent_book(paths, "A1024"))["概览"]
    texts = [v for row in summary.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "辅导重点的顺序：有红线的最先，其余按平均每通扣分从多到少（扣分兼顾严重程度和发生次数）" in texts


def test_a_serious_taboo_outweighs_a_frequent_light_miss(tmp_path: Path) -> None:
    """Two 严重 taboos (−15 each) cost more than three missed staff numbers (−1 each) and a
    greeting: the taboo is named first, though the team's taboo rate is the same."""
    wang = {0: [taboo], 1: [taboo], 2: [staff_number], 3: [staff_number], 4: [staff_number]}
    paths = write_workbooks(season(wang, li_closing=0, calls=10), tmp_path)
    assert [check for check, _ in focus(agent_book(paths, "A1024"))] == ["服务禁语", "自报工号"]


def test_a_red_line_always_comes_first(tmp_path: Path) -> None:
    """The close is missed in every call (5 points a call); one call swore at the customer
    (100 points, 4 a call): the red line still leads."""
    wang = {i: [closing] for i in range(25)}
    wang[7] = [closing, profanity]
    paths = write_workbooks(season(wang, li_closing=0), tmp_path)
    assert focus(agent_book(paths, "A1024")) == [
        ("服务禁语", "红线 1 次，一票否决；25 通中 1 通（4.0%），团队 2.0%"),
        ("结束语", "平均每通扣 5.0 分；25 通中 25 通（100.0%），团队 50.0%"),
    ]


def test_no_findings_no_focus(tmp_path: Path) -> None:
    paths = write_workbooks(season({}, li_closing=3, calls=5), tmp_path)
    assert focus(agent_book(paths, "A1024")) == [("本周期未发现问题", "所有检查项都没有问题记录")]


# --- 3c. ties are the scores as shown ---------------------------------------------------


def test_agents_shown_with_the_same_score_share_the_rank(tmp_path: Path) -> None:
    """88.24, 88.2 and 88.15 are all shown 88.2 (88.25 is shown 88.3, as Excel rounds):
    ranks 1, 2, 2, 2, not 1, 2, 3, 4 (FINDINGS §3)."""
    agents = [("A1", "赵一", "一组"), ("A2", "钱二", "一组"), ("A3", "孙三", "一组"), ("A4", "李四", "一组")]
    scores = {"A1": [88.24, 88.24], "A2": [88.2, 88.2], "A3": [90.0, 86.3], "A4": [88.25, 88.25]}
    calls = [(f"{a[0]}-{i}", a, score, []) for a in agents for i, score in enumerate(scores[a[0]])]
    paths = write_workbooks(night(calls), tmp_path)
    ranking = load_workbook(paths[-1])["坐席排名"]
    head = header(ranking)
    assert ranking.cell(2, head.index("平均得分") + 1).number_format == "0.0"
    shown = [(row[0], row[1], row[head.index("平均得分")]) for row in data_rows(ranking)]
    assert shown == [(1, "A4", 88.25), (2, "A1", 88.24), (2, "A2", 88.2), (2, "A3", pytest.approx(88.15))]
    book = load_workbook(agent_book(paths, "A2"))["概览"]
    assert next(row[1] for row in book.iter_rows(values_only=True) if row[0] == "团队排名") == "第 2 名 / 共 4 人"


# --- 3a. the colours point at agents worse than the centre ------------------------------


def non_answer(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="NAN001", check="non_answer", text="这个我也不清楚。", spans=[[4, 7]],
                       message="三不知答复：不清楚", deduction=10.0)  # fmt: skip


def greeting(tid: str, agent: tuple[str, str, str]) -> Row:
    return finding_row(tid, agent, rule="GRT001", check="greeting", turn=None, severity="minor",
                       message="开场白不完整，缺少：服务用语", deduction=5.0)  # fmt: skip


def redness(ws, column: int, row: int) -> float | None:  # type: ignore[no-untyped-def]
    """How red a cell's colour scale paints it: 0 white .. 1 the scale's red; None without a scale.

    Reads the scale as Excel applies it: below its start the start colour, above its end
    the end colour, linear between.
    """
    value = ws.cell(row, column).value
    for cf in ws.conditional_formatting:
        if not any(r.min_col <= column <= r.max_col and r.min_row <= row <= r.max_row for r in cf.sqref.ranges):
            continue
        for rule in cf.rules:
            if rule.colorScale is None:
                continue
            start, end = rule.colorScale.cfvo
            assert rule.colorScale.color[0].rgb.endswith("FFFFFF") and rule.colorScale.color[1].rgb.endswith("F8696B")
            covered = [ws.cell(r, c).value for rng in cf.sqref.ranges
                       for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)]
            low = float(start.val) if start.type == "num" else min(v for v in covered if v is not None)
            high = float(end.val) if end.type == "num" else max(v for v in covered if v is not None)
            return min(1.0, max(0.0, (value - low) / (high - low)))
    return None


def test_each_check_column_is_red_only_where_an_agent_is_worse_than_the_centre(
    tmp_path: Path, pack: RulePack
) -> None:
    """FINDINGS §3: everyone misses the greeting (96-100%); one agent's 三不知 is 16%. The
    三不知 is the reddest cell; a 96% greeting below the centre's 98% is white."""
    agents = [(f"A10{i}", name, "售后一组") for i, name in enumerate(["赵一", "钱二", "孙三", "李四"])]
    misses = {"A100": 25, "A101": 24, "A102": 25, "A103": 24}
    unanswered = {"A100": 4, "A101": 1, "A102": 0, "A103": 0}
    calls = []
    for agent in agents:
        for i in range(25):
            tid = f"{agent[0]}-{i:02d}"
            fs = [greeting(tid, agent)] if i < misses[agent[0]] else []
            fs += [non_answer(tid, agent)] if i < unanswered[agent[0]] else []
            calls.append((tid, agent, 100.0 - sum(f["deduction"] for f in fs), fs))
    paths = write_workbooks(night(calls), tmp_path, standard=standard_of(pack))

    ranking = load_workbook(paths[-1])["坐席排名"]
    head = header(ranking)
    rows = {ranking.cell(r, 2).value: r for r in range(2, ranking.max_row + 1)}
    col = {name: head.index(f"{name}违规率") + 1 for name in ("开场问候", "三不知", "服务禁语")}
    assert ranking.cell(rows["A100"], col["三不知"]).value == pytest.approx(0.16)
    assert redness(ranking, col["三不知"], rows["A100"]) == 1.0  # 16% against a centre of 5%: the reddest
    assert redness(ranking, col["三不知"], rows["A101"]) == 0.0  # 4%: better than the centre
    assert redness(ranking, col["开场问候"], rows["A101"]) == 0.0  # 96% of a 98% centre: white, not solid red
    assert redness(ranking, col["开场问候"], rows["A100"]) == pytest.approx(0.2)  # 100%: 2 points worse, pale
    assert redness(ranking, col["服务禁语"], rows["A100"]) is None  # nobody worse than the centre: no colour

    summary = load_workbook(paths[-1])["概览"]
    team = next(r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value == "售后一组")
    first_check = next(c for c in range(1, 30) if summary.cell(team - 1, c).value == "开场问候")
    assert redness(summary, first_check, team) is None  # one team is the centre: nothing is worse


# --- 3b. who needs attention, by name --------------------------------------------------


def attention_list(path: Path) -> list[tuple]:
    """The rows of 概览's list of agents needing attention, under its header row."""
    rows = list(load_workbook(path)["概览"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[:2] == ("工号", "姓名")) + 1
    end = next(i for i in range(start, len(rows)) if not rows[i][1])
    return [row[:7] for row in rows[start:end]]


def test_agents_needing_attention_are_marked_in_the_ranking_and_named_on_the_front_sheet(tmp_path: Path) -> None:
    """孙三 swore at a customer once but averages 93.3 (ranked 2nd); 李四 averages 70: both
    are marked with the reason, and listed by name on 概览, the red line first."""
    agents = {a[0]: a for a in [("A1", "赵一", "售后一组"), ("A2", "钱二", "售后一组"),
                                ("A3", "孙三", "售后二组"), ("A4", "李四", "售后二组")]}  # fmt: skip
    calls = [(f"{a}-{i}", agents[a], score, []) for a, scores in
             [("A1", [95, 95, 95]), ("A2", [85, 85, 85]), ("A4", [70, 65, 75])] for i, score in enumerate(scores)]
    calls += [("A3-0", agents["A3"], 0.0, [profanity("A3-0", agents["A3"])])]
    calls += [(f"A3-{i}", agents["A3"], 100.0, []) for i in range(1, 15)]
    paths = write_workbooks(night(calls), tmp_path)

    ranking = load_workbook(paths[-1])["坐席排名"]
    head = header(ranking)
    assert head[:5] == ["排名", "工号", "姓名", "团队", "需关注"]
    marked = [(row[1], row[2], row[4]) for row in data_rows(ranking)]
    assert marked == [("A1", "赵一", None), ("A3", "孙三", "红线 1 通"), ("A2", "钱二", None),
                      ("A4", "李四", "平均分低于合格线")]  # fmt: skip
    assert [f for cf in ranking.conditional_formatting if str(cf.sqref).startswith("E2:")
            for rule in cf.rules for f in rule.formula] == ["LEN($E2)>0"]  # red where a reason is given  # fmt: skip

    summary = load_workbook(paths[-1])["概览"]
    count = next(row for row in summary.iter_rows(values_only=True) if row[0] == "需关注坐席")
    assert count[1:3] == (2, "有红线通话或平均得分低于合格线 80 分，名单见下")
    listed = attention_list(paths[-1])
    assert [(r[0], r[1], r[2], r[5], r[6]) for r in listed] == [
        ("A3", "孙三", "售后二组", 1, "红线 1 通"), ("A4", "李四", "售后二组", 0, "平均分低于合格线")]
    assert listed[1][3] == pytest.approx(70.0)


def test_an_average_shown_as_the_pass_mark_is_not_below_it(tmp_path: Path) -> None:
    """79.96 shows as 80.0: marking it 平均分低于合格线 next to a cell reading 80.0 would
    contradict what the supervisor sees."""
    agent = ("A5", "周五", "售后一组")
    calls = [(f"A5-{i}", agent, score, []) for i, score in enumerate([79.92, 80.0])]
    paths = write_workbooks(night(calls), tmp_path)
    [row] = data_rows(load_workbook(paths[-1])["坐席排名"])
    assert row[4] is None


def test_a_long_list_of_agents_needing_attention_points_to_the_ranking(tmp_path: Path) -> None:
    agents = [(f"B{i:02d}", f"坐席{i:02d}", "热线一组") for i in range(18)]
    calls = [(f"{a[0]}-1", a, 60.0 + i, []) for i, a in enumerate(agents)]
    paths = write_workbooks(night(calls), tmp_path)
    listed = attention_list(paths[-1])
    assert [r[0] for r in listed] == [f"B{i:02d}" for i in range(15)]  # the lowest scores first
    texts = [v for row in load_workbook(paths[-1])["概览"].iter_rows(values_only=True) for v in row if v]
    assert "另有 3 名，见「坐席排名」的「需关注」列（可筛选）" in texts


def test_nobody_needing_attention_is_said_plainly(tmp_path: Path) -> None:
    paths = write_workbooks(night([("T1", WANG, 95.0, []), ("T2", LI, 88.0, [])]), tmp_path)
    summary = load_workbook(paths[-1])["概览"]
    count = next(row for row in summary.iter_rows(values_only=True) if row[0] == "需关注坐席")
    assert count[1:3] == (0, "有红线通话或平均得分低于合格线 80 分：无")
    assert data_rows(load_workbook(paths[-1])["坐席排名"])[0][4] is None


def test_a_check_a_site_limits_to_chat_is_rated_on_chats_only(tmp_path: Path) -> None:
    """结束语 is checked on chats only at this site: an agent who only took calls is not
    shown a clean 0% for it, and the team's rate is that of its chats (1 of 1, not 1 of 3)."""
    standard = site_standard(tmp_path / "site", {"CLS001.yaml": "id: CLS001\nchannels: [chat]\n"})
    no_close = finding_row("T3", LI, rule="CLS001", check="closing", text="好的。", spans=[],
                           severity="minor", message="未使用礼貌结束语", deduction=5.0)  # fmt: skip
    rows = [call_row("T1", WANG, score=100.0, started="2026-11-20T10:00:00+08:00"),
            call_row("T2", WANG, score=100.0, started="2026-11-20T11:00:00+08:00"),
            call_row("T3", LI, score=95.0, started="2026-11-20T12:00:00+08:00", channel="chat", findings=[no_close])]
    paths = write_workbooks(MemorySource(rows, [no_close]), tmp_path / "out", standard=standard)

    ranking = load_workbook(paths[-1])["坐席排名"]
    head = header(ranking)
    rates = {r[1]: r[head.index("结束语违规率")] for r in data_rows(ranking)}
    assert rates == {"A1024": None, "A2048": 1}
    team = next(row for row in load_workbook(paths[-1])["概览"].iter_rows(values_only=True) if row[0] == "售后一组")
    team_head = next(row for row in load_workbook(paths[-1])["概览"].iter_rows(values_only=True) if row[0] == "团队")
    assert team[team_head.index("结束语")] == 1
    calls = load_workbook(agent_book(paths, "A1024"))["通话"]
    column = header(calls).index("结束语")
    assert [row[column] for row in data_rows(calls)] == [None, None]  # blank: not looked at, not a clean 0
    assert [row[header(calls).index("服务禁语")] for row in data_rows(calls)] == [0, 0]


WELCOME_RULE = """\
id: WEL001
kind: required
check: welcome
message: 开场未说“欢迎致电华信银行”
rationale: 华信银行服务规范：开场须报行名。
severity: minor
weight: 3
position: first
elements:
  - name: 行名
    phrases: [欢迎致电华信银行]
examples:
  fail: [您好，请问有什么可以帮您？]
  pass: [您好，欢迎致电华信银行，请问有什么可以帮您？]
"""


def test_a_check_a_site_adds_is_shown_under_the_name_its_pack_gives_it(tmp_path: Path) -> None:
    standard = site_standard(tmp_path / "site",
                             {"WEL001.yaml": WELCOME_RULE, "pack.yaml": "checks:\n  welcome: 欢迎语\n"})
    missed = finding_row("T1", WANG, rule="WEL001", check="welcome", turn=0, severity="minor",
                         message="开场未说“欢迎致电华信银行”", deduction=3.0)  # fmt: skip
    paths = write_workbooks(night([("T1", WANG, 97.0, [missed])]), tmp_path / "out", standard=standard)
    book = load_workbook(agent_book(paths, "A1024"))
    assert header(book["通话"])[-1] == "欢迎语"  # not "welcome"
    assert [row[header(book["问题明细"]).index("检查项")] for row in data_rows(book["问题明细"])] == ["欢迎语"]
    assert "欢迎语违规率" in header(load_workbook(paths[-1])["坐席排名"])


def test_a_name_for_a_check_no_rule_reports_under_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text("checks:\n  greating: 开场问候语\n", encoding="utf-8")
    assert pack_errors(tmp_path) == [
        f"{tmp_path / 'pack.yaml'}:2: checks: no rule reports under 'greating'; did you mean greeting?"]


def test_a_rate_stays_a_share_when_a_check_is_limited_after_its_calls_were_audited(tmp_path: Path) -> None:
    """`report --rules site` over history audited before the site limited 结束语 to chat:
    the phone calls' old 结束语 findings are not counted against its one chat."""
    standard = site_standard(tmp_path / "site", {"CLS001.yaml": "id: CLS001\nchannels: [chat]\n"})
    old = [finding_row(f"T{n}", WANG, rule="CLS001", check="closing", text="好的。", severity="minor",
                       message="未使用礼貌结束语", deduction=5.0) for n in (1, 2, 3)]  # fmt: skip
    rows = [call_row(f"T{n}", WANG, score=95.0, started="2026-11-20T10:00:00+08:00", findings=[old[n - 1]])
            for n in (1, 2, 3)]
    rows.append(call_row("T4", WANG, score=100.0, started="2026-11-20T11:00:00+08:00", channel="chat"))
    paths = write_workbooks(MemorySource(rows, old), tmp_path / "out", standard=standard)
    ranking = load_workbook(paths[-1])["坐席排名"]
    (wang,) = data_rows(ranking)
    assert wang[header(ranking).index("结束语违规率")] == 0  # 0 of 1 chat, not 3 of 1
