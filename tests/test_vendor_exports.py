"""Exports as chat and call platforms write them: their column and role names, HTML in
messages, messages dated one by one, newest first, pictures without words."""

from __future__ import annotations

import json
from pathlib import Path

from qa_audit.ingest import read_file, read_inputs
from qa_audit.mask import mask_text
from qa_audit.model import IngestError, Transcript

GREETING = "您好，很高兴为您服务，请问有什么可以帮您？"


def read_one(path: Path, content: str) -> Transcript:
    path.write_text(content, encoding="utf-8")
    (item,) = read_file(path)
    assert isinstance(item, Transcript), item
    return item


def test_a_chat_platforms_columns_roles_and_channel_names(tmp_path: Path) -> None:
    chat = read_one(tmp_path / "七鱼导出.csv", (
        "会话编号,客服账号,客服昵称,技能组,渠道,发送方,消息内容,发送时间\n"
        f"S88,kf_0012,小美,售后组,在线咨询,客服,{GREETING},2026-11-21 20:15:02\n"
        "S88,kf_0012,小美,售后组,在线咨询,访客,我买的鞋子开胶了,2026-11-21 20:15:40\n"
        "S88,kf_0012,小美,售后组,在线咨询,客服,亲，麻烦发一下订单号,2026-11-21 20:16:05\n"
    ))
    assert (chat.id, chat.agent_id, chat.agent_name, chat.team, chat.channel) == (
        "S88", "kf_0012", "小美", "售后组", "chat")
    assert [t.speaker for t in chat.turns] == ["agent", "customer", "agent"]
    # Each message is dated, the chat is not: the first message says when it began.
    assert chat.started_at == "2026-11-21T20:15:02"
    assert not chat.timed  # send times only: the talk share counts characters


def test_html_in_chat_messages_is_read_as_shown_and_a_number_in_it_is_masked(tmp_path: Path) -> None:
    record = {"id": "M1", "agent_id": "A1024", "channel": "在线", "turns": [
        {"role": "客服", "content": f"{GREETING}<br>请提供手机号&nbsp;方便查询"},
        {"role": "买家", "content": "138&nbsp;1234&nbsp;5678<img src=\"https://img.example.com/a.png\">"},
        {"role": "买家", "content": None},
    ]}
    chat = read_one(tmp_path / "chat.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    assert [t.text for t in chat.turns] == [
        f"{GREETING}\n请提供手机号\u00a0方便查询", "138\u00a01234\u00a05678[图片]", ""]
    assert mask_text(chat.turns[1].text) == "138\u00a0****\u00a05678[图片]"


def test_an_export_listed_newest_first_is_read_in_the_order_it_was_said(tmp_path: Path) -> None:
    call = read_one(tmp_path / "calls.csv", (
        "会话ID,坐席工号,通话开始时间,角色,内容,开始时间,结束时间\n"
        "R1,A1024,2026-11-21 09:15:02,坐席,好的，已经帮您重置，感谢您的来电，再见,30,34\n"
        "R1,A1024,2026-11-21 09:15:02,客户,好的,10.2,10.8\n"
        f"R1,A1024,2026-11-21 09:15:02,坐席,{GREETING},0,3.2\n"
    ))
    assert [(t.index, t.speaker, t.start) for t in call.turns] == [(0, "agent", 0.0), (1, "customer", 10.2),
                                                                    (2, "agent", 30.0)]
    assert call.turns[0].text == GREETING


def test_subtitle_and_web_page_exports_are_reported_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "call.srt").write_text("1\n00:00:01,000 --> 00:00:04,000\n坐席：您好\n", encoding="utf-8")
    (tmp_path / "chat.html").write_text("<html><body>客服：您好</body></html>", encoding="utf-8")
    reasons = {Path(i.path).name: i.reason for i in read_inputs([tmp_path]) if isinstance(i, IngestError)}
    assert reasons == {
        "call.srt": "subtitle files are not read: export the transcript as .txt, one turn per line with a speaker "
                    "(坐席: / 客户:), or as CSV",
        "chat.html": "web pages are not read: export the chat as CSV or JSON, or save it as .txt with a speaker per "
                     "line",
    }


def test_an_api_response_wrapping_conversations_with_their_fields_nested(tmp_path: Path) -> None:
    response = {"code": 0, "msg": "success", "data": {"total": 2, "list": [
        {"session": {"session_id": "S1", "staff_id": "kf_0012", "channel": "在线咨询"},
         "messages": [{"sender": "客服", "content": GREETING, "create_time": 1795194902000},
                      {"sender": "访客", "content": "我买的鞋子开胶了", "create_time": 1795194940000}]},
        {"session": {"session_id": "S2", "staff_id": "kf_0031"},
         "messages": [{"sender": "客服", "content": GREETING}]},
    ]}}
    path = tmp_path / "api.json"
    path.write_text(json.dumps(response, ensure_ascii=False, indent=2), encoding="utf-8")
    first, second = read_file(path)
    assert isinstance(first, Transcript) and isinstance(second, Transcript)
    assert (first.id, first.agent_id, first.channel) == ("S1", "kf_0012", "chat")
    assert first.started_at == "2026-11-21T01:15:02"  # the first message, on Beijing time
    assert [t.speaker for t in first.turns] == ["agent", "customer"]
    assert (second.id, second.agent_id) == ("S2", "kf_0031")


def test_one_row_per_call_with_the_dialogue_in_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "chats.csv"
    path.write_text(
        "会话ID,坐席工号,渠道,通话开始时间,对话内容\n"
        f'P1,A1024,在线,2026-11-21 09:15:00,"坐席：{GREETING}\n客户：我的快递三天没动了\n'
        '坐席：请稍等，我帮您查一下。"\n'
        'P2,A2048,电话,2026-11-21 10:00:00,"[00:00] 坐席：您好\n[00:03] 客户：在吗\n[00:05]"\n'
        "P3,A2048,电话,2026-11-21 10:05:00,您好，请问有什么可以帮您？\n",
        encoding="utf-8",
    )
    chat, call, error = read_file(path)
    assert isinstance(chat, Transcript) and isinstance(call, Transcript)
    assert [(t.speaker, t.text) for t in chat.turns] == [
        ("agent", GREETING), ("customer", "我的快递三天没动了"), ("agent", "请稍等，我帮您查一下。")]
    assert (chat.channel, chat.line) == ("chat", 2)
    assert [(t.start, t.end) for t in call.turns] == [(0.0, 3.0), (3.0, 5.0)]
    assert error == IngestError(str(path), 8, "P3: the table has no role column (角色 / 说话人 / speaker), and this "
                                              "text is not a dialogue with a speaker on each line (坐席：… / 客户：…)")


def test_a_customer_quoting_a_notice_in_a_text_transcript_stays_the_customer(tmp_path: Path) -> None:
    call = read_one(tmp_path / "A1024_20261121_0031.txt", (
        "客户：我上周买的耳机坏了，之前问过一次，记录如下\n售后：已登记，三天内回复\n结果到现在都没人联系我。\n"
        "坐席：非常抱歉，我马上帮您催办。\n"))
    assert [t.speaker for t in call.turns] == ["customer", "agent"]
    assert call.turns[0].text.endswith("售后：已登记，三天内回复\n结果到现在都没人联系我。")


def test_messages_listed_newest_first_keep_their_order_within_a_second(tmp_path: Path) -> None:
    chat = read_one(tmp_path / "chat.csv", (
        "会话ID,客服账号,发送方,消息内容,发送时间,结束时间\n"
        "N1,kf_01,客服,不客气，祝您生活愉快,2026-11-21 09:16:00,2026-11-21 09:16:02\n"
        "N1,kf_01,访客,好的谢谢,2026-11-21 09:15:30,2026-11-21 09:15:31\n"
        "N1,kf_01,客服,已为您登记退货,2026-11-21 09:15:10,2026-11-21 09:15:12\n"
        "N1,kf_01,客服,请稍等，我帮您查一下,2026-11-21 09:15:10,2026-11-21 09:15:10\n"
        f"N1,kf_01,访客,我要退货,2026-11-21 09:15:05,2026-11-21 09:15:06\n"
        f"N1,kf_01,客服,{GREETING},2026-11-21 09:15:00,2026-11-21 09:15:03\n"
    ))
    assert [t.text for t in chat.turns] == [GREETING, "我要退货", "请稍等，我帮您查一下", "已为您登记退货", "好的谢谢",
                                            "不客气，祝您生活愉快"]


def test_a_call_per_row_takes_its_start_from_the_rows_start_column(tmp_path: Path) -> None:
    call = read_one(tmp_path / "calls.csv", (
        "会话ID,客服工号,开始时间,对话内容\n"
        f'C1,A1024,2026-11-21 09:15:02,"坐席：{GREETING}\n客户：我要退货"\n'))
    assert call.started_at == "2026-11-21T09:15:02"


def test_text_with_angle_brackets_that_is_not_html_stays_as_written(tmp_path: Path) -> None:
    record = {"id": "H1", "agent_id": "A1024", "turns": [
        {"speaker": "客户", "content": "A套餐 < B套餐，B > C 哪个划算？我想要<A 款>"},
        {"speaker": "客服", "content": "A&B公司的<b>会员</b>价格<100元"}]}
    chat = read_one(tmp_path / "chat.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    assert [t.text for t in chat.turns] == ["A套餐 < B套餐，B > C 哪个划算？我想要<A 款>", "A&B公司的会员价格<100元"]


def test_a_number_split_by_zero_width_or_figure_spaces_is_masked() -> None:
    assert mask_text("138\u200b1234\u200b5678") == "138\u200b****\u200b5678"
    assert mask_text("手机138\u20071234\u20075678") == "手机138\u2007****\u20075678"


def test_an_api_response_wrapping_one_conversation(tmp_path: Path) -> None:
    response = {"code": 0, "data": {"id": "S1", "agent_id": "kf01", "info": {"id": "V123", "agent": "Mozilla/5.0"},
                                    "messages": [{"sender": "客服", "content": GREETING}]}}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(response, ensure_ascii=False), encoding="utf-8")
    (chat,) = read_file(path)
    assert isinstance(chat, Transcript) and (chat.id, chat.agent_id) == ("S1", "kf01")


def test_a_stray_quote_in_a_dialogue_cell_skips_that_call_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text('会话ID,坐席工号,对话内容\nC1,A1024,"坐席：您好\n客户：我要买12"寸的\n坐席：好的，已下单\n客户：谢谢"\n'
                    f'C2,A1024,"坐席：{GREETING}\n客户：再见"\n', encoding="utf-8")
    error, call = read_file(path)
    assert error == IngestError(str(path), 2, 'C1: a double quote (") inside its dialogue ended the cell early, and '
                                              'the rest of it is on line 4 on; the call is skipped: export with quotes '
                                              'doubled ("")')
    assert isinstance(call, Transcript) and call.id == "C2"
