"""Plain-text shapes once read silently wrong: speakers the tool does not know, and a file
of several conversations.

Merged, an unknown speaker's words were scored as the agent's; a file of several
conversations was scored as one, against the first agent. Each is now read as written or
reported, and a bad conversation never costs the good ones beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_audit.cli import main
from qa_audit.model import IngestError, Transcript
from tests.test_ingest import bad, good, read, write

WHAT_TO_DO = ("a line without a known speaker would continue the turn above it; label the speakers 坐席/客服/客户/用户 "
        "or a known alias (A/C, agent/customer)")

DIARIZED = """A: 您好，工号1024，请问有什么可以帮您？
B: 我的宽带断了
A: 我帮您查一下，请稍等
B: 好的
A: 已经重置了，感谢您的来电，再见
"""

TWO_CALLS = """通话ID: MC3
坐席工号: A1024

坐席: 您好，工号1024，请问有什么可以帮您？
客户: 查话费
坐席: 已发短信，感谢您的来电，再见

通话ID: MC4
坐席工号: A1031

坐席: 你说吧
客户: 宽带断了
坐席: 等着吧
"""


def turns(item: Transcript | IngestError) -> list[tuple[str, str]]:
    assert isinstance(item, Transcript), item
    return [(t.speaker, t.text) for t in item.turns]


# --- speakers the tool does not know ----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (DIARIZED, (2, f"unknown speaker 'B' opens 2 lines: {WHAT_TO_DO}")),
        ("系统：您的来电已转接人工客服\n说话人1：您好，请问有什么可以帮您？\n说话人2：我想改一下套餐\n"
         "说话人1：好的，我帮您办理\n说话人2：谢谢\n", (2, f"unknown speaker '说话人1' opens 2 lines: {WHAT_TO_DO}")),
        ("坐席：您好，在线客服很高兴为您服务\n来宾：我买的鞋子想退货\n客服小美：好的，请提供订单号\n"
         "来宾：订单号是2211\n来宾：还在吗？\n", (2, f"unknown speaker '来宾' opens 3 lines: {WHAT_TO_DO}")),
    ],
    ids=["A-B", "numbered", "names"],
)
def test_an_unknown_speaker_on_several_lines_is_reported_not_merged_into_the_turn_above(
        tmp_path: Path, content: str, error: tuple[int, str]) -> None:
    assert read(write(tmp_path, "A1024_20261121_ab.txt", content)) == [
        IngestError(str(tmp_path / "A1024_20261121_ab.txt"), *error)]


def test_check_reports_the_diarized_file_instead_of_scoring_one_agent_turn(tmp_path: Path) -> None:
    path = write(tmp_path, "A1024_20261121_ab.txt", DIARIZED)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: unknown speaker 'B' opens 2 lines" in result.output
    assert "坐席说话占比" not in result.output


def test_a_message_line_opening_with_a_word_and_a_colon_continues_the_turn(tmp_path: Path) -> None:
    content = ("客服：您的订单已经安排了，\n注意：明天发货，请保持电话畅通\n用户：好的，师傅几点到？\n"
               "客服：上门安排如下\n10:30 到达小区\n10:45 开始安装\n说明书在这里\nhttps://example.com/manual\n"
               "安装视频在这里\nhttps://example.com/video\n用户：收到，谢谢\n")
    (transcript,) = read(write(tmp_path, "A3007_20261121_0001.txt", content))
    assert turns(transcript) == [
        ("agent", "您的订单已经安排了，\n注意：明天发货，请保持电话畅通"),
        ("customer", "好的，师傅几点到？"),
        ("agent", "上门安排如下\n10:30 到达小区\n10:45 开始安装\n说明书在这里\nhttps://example.com/manual\n"
                  "安装视频在这里\nhttps://example.com/video"),
        ("customer", "收到，谢谢"),
    ]


def test_an_unknown_speaker_on_the_first_line_only_is_the_error_it_always_was(tmp_path: Path) -> None:
    content = "B: 我的宽带断了\nA: 您好，我帮您查一下，请稍等\nA: 已经重置了，感谢您的来电，再见\n"
    assert bad(read(write(tmp_path, "A1024_20261121_b.txt", content))) == [(1, "unknown speaker 'B'")]


# --- several conversations in one file --------------------------------------------------


def test_each_conversation_of_a_file_is_read_with_its_own_header(tmp_path: Path) -> None:
    path = write(tmp_path, "calls.txt", TWO_CALLS)
    first, second = read(path)
    assert isinstance(first, Transcript) and isinstance(second, Transcript)
    assert [(t.id, t.agent_id, t.source, t.line) for t in (first, second)] == [
        ("MC3", "A1024", str(path), 1), ("MC4", "A1031", str(path), 8)]
    assert turns(first) == [("agent", "您好，工号1024，请问有什么可以帮您？"), ("customer", "查话费"),
                            ("agent", "已发短信，感谢您的来电，再见")]
    assert turns(second) == [("agent", "你说吧"), ("customer", "宽带断了"), ("agent", "等着吧")]


def test_check_scores_each_conversation_against_its_own_agent(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(write(tmp_path, "calls.txt", TWO_CALLS))])
    assert result.exit_code == 1, result.output  # 等着吧 is a finding
    headings = [line for line in result.output.splitlines() if line.startswith("通话 ")]
    assert headings == ["通话 MC3 · 坐席 A1024  · call", "通话 MC4 · 坐席 A1031  · call"]
    assert "通话ID" not in result.output


def test_a_bad_conversation_is_reported_at_its_line_and_the_others_are_still_read(tmp_path: Path) -> None:
    content = TWO_CALLS.replace("坐席: 你说吧\n", "[00:00] 坐席: 你说吧\n[00:03] 主持人: 大家好\n") + (
        "\n通话ID: MC5\n坐席工号: A1024\n渠道: 传真\n\n坐席: 您好\n客户: 你好\n"
        "\n通话ID: MC6\n\n坐席: 您好，请问有什么可以帮您？\n客户: 我想开发票\n"
        "\n通话ID: MC7\n坐席工号: A2015\n\n通话ID: MC8\n坐席工号: A2015\n\n"
        "坐席: 您好，请问有什么可以帮您？\n客户: 我想开发票\n坐席: 好的，已经开好了，再见\n")
    items = read(write(tmp_path, "calls.txt", content))
    assert [(t.id, t.agent_id, t.line) for t in good(items)] == [("MC3", "A1024", 1), ("MC8", "A2015", 31)]
    assert bad(items) == [
        (12, "unknown speaker '主持人'"),
        (16, "MC5: unknown channel '传真' (expected call/电话 or chat/在线)"),
        (23, "MC6: record has no agent_id (add a header line '坐席工号: A1024' or name the file like "
             "A1024_20261121_0001.txt)"),
        (28, "MC7: record has no turns"),
    ]


def test_a_separator_and_an_id_below_other_header_lines_still_open_the_next_conversation(tmp_path: Path) -> None:
    content = """坐席工号: A1024
通话ID: MC3
开始时间: 2026-11-21 09:15:02

坐席: 您好，工号1024，请问有什么可以帮您？
客户: 帮我查一下上个月的工单
坐席: 工单的信息如下
班组: 售后一组
坐席工号: A1031
坐席: 感谢您的来电，再见
====

坐席工号: A1031
通话ID: MC4
开始时间: 2026-11-21 09:40:11
坐席: 您好，工号1031，请问有什么可以帮您？
客户: 宽带断了
"""
    first, second = read(write(tmp_path, "calls.txt", content))
    assert isinstance(first, Transcript) and isinstance(second, Transcript)
    assert [(t.id, t.agent_id, t.started_at, t.line) for t in (first, second)] == [
        ("MC3", "A1024", "2026-11-21T09:15:02", 1), ("MC4", "A1031", "2026-11-21T09:40:11", 13)]
    # Header lines without an id, inside a message, are the message's text.
    assert turns(first)[2] == ("agent", "工单的信息如下\n班组: 售后一组\n坐席工号: A1031")
    assert turns(second) == [("agent", "您好，工号1031，请问有什么可以帮您？"), ("customer", "宽带断了")]


def test_the_file_names_agent_and_date_serve_every_conversation_but_its_id_only_a_file_of_one(
        tmp_path: Path) -> None:
    content = ("坐席: 您好，请问有什么可以帮您？\n客户: 查话费\n"
               "\n通话ID: D2\n\n坐席: 您好，请问有什么可以帮您？\n客户: 我想停机保号\n"
               "\n通话ID: D3\n坐席工号: A1031\n开始时间: 2026-11-21 14:02:00\n\n坐席: 您好\n客户: 改套餐\n")
    items = read(write(tmp_path, "A1024_20261121_day.txt", content))
    assert [(t.id, t.agent_id, t.started_at, t.line) for t in good(items)] == [
        ("D2", "A1024", "2026-11-21", 4), ("D3", "A1031", "2026-11-21T14:02:00", 9)]
    assert bad(items) == [(1, "conversation has no id: in a file of several conversations, each needs its own "
                              "header line '通话ID: …' (the file name is the id only of a file holding one)")]


def test_a_message_line_that_is_only_a_time_stays_text_in_a_bracket_timed_file(tmp_path: Path) -> None:
    middle = ("[00:01] 客户: 你们今天几点关门？\n[00:05] 坐席: 我们营业到\n21:00\n您可以过来。\n"
              "[00:12] 客户: 好的\n[00:15]\n")
    last = "[00:01] 客户: 你们今天几点关门？\n[00:04] 坐席: 您好，我们今天营业到\n21:00\n"
    (timed,) = read(write(tmp_path, "A1024_20261121_0001.txt", middle))
    (untimed,) = read(write(tmp_path, "A1024_20261121_0002.txt", last))
    assert isinstance(timed, Transcript) and isinstance(untimed, Transcript)
    assert timed.turns[1].text == "我们营业到\n21:00\n您可以过来。"
    assert [(t.start, t.end) for t in timed.turns] == [(1.0, 5.0), (5.0, 12.0), (12.0, 15.0)]
    assert untimed.turns[1].text == "您好，我们今天营业到\n21:00" and not untimed.timed


def test_numbered_english_roles_and_a_windows_path_in_a_message(tmp_path: Path) -> None:
    content = ("Agent 2: 您好，请问有什么可以帮您？\nCustomer 1: 我的报表打不开，路径是\nC:\\Users\\王\\报表.xlsx\n"
               "Agent 2: 好的，我帮您看一下。\n")
    (transcript,) = read(write(tmp_path, "A1024_20261121_0009.txt", content))
    assert isinstance(transcript, Transcript)
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("agent", "您好，请问有什么可以帮您？"), ("customer", "我的报表打不开，路径是\nC:\\Users\\王\\报表.xlsx"),
        ("agent", "好的，我帮您看一下。")]


def test_a_list_in_a_message_and_an_id_a_customer_gives_stay_message_text(tmp_path: Path) -> None:
    orders = "客户：这两个订单都没发货\n订单号：202611210001\n订单号：202611210002\n坐席：好的，我帮您查一下。\n"
    account = ("坐席：您好，请问您的账号是多少？\n客户：账号信息如下\nID：88321907\n昵称：小王\n"
               "坐席：好的，我帮您查一下。\n")
    assert turns(read(write(tmp_path, "A1024_20261121_0006.txt", orders))[0]) == [
        ("customer", "这两个订单都没发货\n订单号：202611210001\n订单号：202611210002"),
        ("agent", "好的，我帮您查一下。")]
    (call,) = read(write(tmp_path, "A1024_20261121_0004.txt", account))
    assert turns(call)[1] == ("customer", "账号信息如下\nID：88321907\n昵称：小王")


def test_a_header_above_several_conversations_is_shared_by_them(tmp_path: Path) -> None:
    content = ("坐席工号: A1024\n坐席姓名: 王小明\n\n通话ID: T1\n\n坐席: 您好，请问有什么可以帮您？\n客户: 查话费\n"
               "\n通话ID: T2\n坐席姓名: 李娜\n\n坐席: 您好\n客户: 宽带断了\n")
    items = read(write(tmp_path, "day.txt", content))
    assert [(t.id, t.agent_id, t.agent_name) for t in good(items)] == [
        ("T1", "A1024", "王小明"), ("T2", "A1024", "李娜")]
    assert bad(items) == []
