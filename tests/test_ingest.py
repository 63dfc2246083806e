"""Reading transcripts: every format, encoding and alias, and every way an input can be bad.

Fixtures are written into tmp_path by each test, so a test shows the exact bytes it reads.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from qa_audit.ingest import REPORTS_MARKER, SUPPORTED_SUFFIXES, fields, folder_files, jsonl, read_file, read_inputs
from qa_audit.model import IngestError, Transcript

SAMPLES = Path(__file__).resolve().parent.parent / "sample_transcripts"

GREETING = "您好，很高兴为您服务，请问有什么可以帮您？"
QUESTION = "我家宽带从昨天晚上开始就断了，光猫红灯一直闪。"


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def record(tid: str, agent_id: str | None = "A1024", **extra: object) -> dict[str, object]:
    """A valid record in the README's JSON format, changed by `extra`."""
    rec: dict[str, object] = {
        "id": tid, "channel": "call", "agent_id": agent_id, "agent_name": "王小明", "team": "售后一组",
        "started_at": "2026-11-21T09:15:02+08:00",
        "turns": [{"speaker": "agent", "text": GREETING, "start": 0.0, "end": 4.1},
                  {"speaker": "customer", "text": QUESTION, "start": 4.5, "end": 9.0}],
    }
    if agent_id is None:
        del rec["agent_id"]
    rec.update(extra)
    return rec


def lines(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def read(path: Path) -> list[Transcript | IngestError]:
    return list(read_file(path))


def good(items: list[Transcript | IngestError]) -> list[Transcript]:
    return [i for i in items if isinstance(i, Transcript)]


def bad(items: list[Transcript | IngestError]) -> list[tuple[int | None, str]]:
    return [(i.line, i.reason) for i in items if isinstance(i, IngestError)]


# --- JSON Lines -------------------------------------------------------------------------


def test_jsonl_reference_format(tmp_path: Path) -> None:
    path = write(tmp_path, "day.jsonl", lines(record("T0001"), record("T0002", agent_id="A2015")))
    first, second = read(path)
    assert isinstance(first, Transcript) and isinstance(second, Transcript)
    assert (first.id, first.agent_id, first.agent_name, first.team, first.channel) == (
        "T0001", "A1024", "王小明", "售后一组", "call")
    assert first.started_at == "2026-11-21T09:15:02+08:00"
    assert [(t.index, t.speaker, t.text, t.start, t.end) for t in first.turns] == [
        (0, "agent", GREETING, 0.0, 4.1), (1, "customer", QUESTION, 4.5, 9.0)]
    assert first.timed
    assert (first.source, first.line, second.line) == (str(path), 1, 2)


def test_jsonl_export_aliases(tmp_path: Path) -> None:
    vendor = {
        "call_id": "V-77", "工号": "A1031", "坐席姓名": "李婷", "班组": "售后一组", "channel": "电话",
        "start_time": "2026/11/20 9:05",
        "utterances": [
            {"role": "系统", "content": "通话开始录音"},
            {"role": "客服", "content": GREETING, "begin": "00:00", "end": "00:04.5"},
            {"role": "用户", "utterance": QUESTION, "start": "0:01:05", "end": 70},
            {"role": "A", "content": "好的，我帮您查询一下，请稍等。", "begin": "01:11", "end": "01:15"},
            {"role": "C", "content": "好。", "begin": "01:16", "end": "01:17"},
        ],
    }
    chat = {"session_id": 42, "agent": "吴昊", "agent_id": 1024, "channel": "微信", "Agent Name": "吴昊",
            "group": "在线客服组",
            "turns": [{"speaker": "坐席", "text": GREETING}, {"speaker": "客戶", "text": "在嗎？"}]}
    vendor_call, wechat = good(read(write(tmp_path, "vendor.jsonl", lines(vendor, chat))))
    assert (vendor_call.id, vendor_call.agent_id, vendor_call.agent_name, vendor_call.team) == (
        "V-77", "A1031", "李婷", "售后一组")
    assert (vendor_call.channel, vendor_call.started_at) == ("call", "2026-11-20T09:05:00")
    assert [t.speaker for t in vendor_call.turns] == ["system", "agent", "customer", "agent", "customer"]
    assert [(t.start, t.end) for t in vendor_call.turns[1:]] == [(0.0, 4.5), (65.0, 70.0), (71.0, 75.0), (76.0, 77.0)]
    assert vendor_call.timed  # the untimed system message does not make the call untimed
    # `agent_id` outranks `agent` (here the agent's name) wherever it stands in the record
    assert (wechat.id, wechat.agent_id, wechat.channel, wechat.agent_name, wechat.team) == (
        "42", "1024", "chat", "吴昊", "在线客服组")
    assert [t.speaker for t in wechat.turns] == ["agent", "customer"]


@pytest.mark.parametrize(("written", "channel"), [
    ("呼入", "call"), ("呼出", "call"), ("外呼", "call"), ("来电", "call"), ("去电", "call"), ("语音", "call"),
    ("在线", "chat"), ("微信", "chat"), ("网聊", "chat"), ("文字", "chat"), ("IM", "chat"), ("webchat", "chat"),
    ("线上", "chat"), ("線上", "chat"),
    ("Web Chat", "chat"), ("來電", "call")])
def test_channel_names_of_real_exports(tmp_path: Path, written: str, channel: str) -> None:
    (transcript,) = read(write(tmp_path, "day.jsonl", lines(record("T1", channel=written))))
    assert isinstance(transcript, Transcript) and transcript.channel == channel


@pytest.mark.parametrize("word", ["users", "staffs", "clients", "agents"])
def test_an_english_plural_is_no_numbered_speaker(tmp_path: Path, word: str) -> None:
    """坐席A is an agent; 'users' is not 'user' number s, and is reported as unknown."""
    item = record("P1", turns=[{"speaker": "agent", "text": GREETING}, {"speaker": word, "text": QUESTION}])
    [(_, reason)] = bad(read(write(tmp_path, "plural.jsonl", lines(item))))
    assert "unknown speaker" in reason and word in reason


@pytest.mark.parametrize("written", [1795194902, "1795194902", 1795194902000, "1795194902000"])
def test_a_unix_timestamp_start_in_seconds_or_milliseconds_is_a_date_and_time(tmp_path: Path, written: object) -> None:
    """Call platforms export 1795194902 or 1795194902000: 01:15:02 on 2026-11-21 in Beijing."""
    (transcript,) = read(write(tmp_path, "epoch.jsonl", lines(record("E1", started_at=written))))
    assert isinstance(transcript, Transcript) and transcript.started_at == "2026-11-20T17:15:02Z"


def test_a_chinese_written_date_and_time_is_read(tmp_path: Path) -> None:
    (transcript,) = read(write(tmp_path, "cn.jsonl", lines(record("C1", started_at="2026年11月21日 09:15:02"))))
    assert isinstance(transcript, Transcript) and transcript.started_at == "2026-11-21T09:15:02"


def test_bot_and_ivr_turns_are_system_turns_and_numbered_speakers_their_role(tmp_path: Path) -> None:
    ivr_call = record("T1", turns=[
        {"speaker": "IVR", "text": "您好，欢迎致电，查询话费请按1，人工服务请按0。"},
        {"speaker": "语音导航", "text": "正在为您转接人工客服。"},
        {"speaker": "坐席A", "text": GREETING}, {"speaker": "客户B", "text": QUESTION}])
    bot_chat = record("T2", channel="在线", turns=[
        {"speaker": "智能客服", "text": "您好，我是智能助手小美，请描述您的问题。"},
        {"speaker": "用户1", "text": "转人工"}, {"speaker": "机器人", "text": "正在为您转接人工客服，请稍候。"},
        {"speaker": "客服1", "text": GREETING}, {"speaker": "用户1", "text": QUESTION},
        {"speaker": "系统消息", "text": "会话已结束"}])
    numbered = record("T3", turns=[{"speaker": "Agent 2", "text": GREETING}, {"speaker": "customer_1", "text": "喂？"}])
    items = read(write(tmp_path, "day.jsonl", lines(ivr_call, bot_chat, numbered)))
    assert [(t.id, [x.speaker for x in t.turns]) for t in good(items)] == [
        ("T1", ["system", "system", "agent", "customer"]),
        ("T2", ["system", "customer", "system", "agent", "customer", "system"]),
        ("T3", ["agent", "customer"])]


def test_two_numbered_agents_in_one_conversation_are_not_guessed_to_be_one(tmp_path: Path) -> None:
    transfer = record("T1", turns=[{"speaker": "坐席1", "text": GREETING}, {"speaker": "客户", "text": QUESTION},
                                   {"speaker": "坐席2", "text": "您好，我是宽带部门的，您的光猫需要重启。"}])
    mixed = record("T2", turns=[{"speaker": "坐席", "text": GREETING}, {"speaker": "坐席A", "text": "请稍等。"}])
    plain = record("T3", turns=[{"speaker": "坐席", "text": GREETING}, {"speaker": "客服", "text": "请稍等。"}])
    items = read(write(tmp_path, "day.jsonl", lines(transfer, mixed, plain)))
    assert [t.id for t in good(items)] == ["T3"]
    assert bad(items) == [
        (1, "T1: more than one agent (坐席1、坐席2): numbered or noted speakers are read only when a conversation has "
            "one agent label"),
        (2, "T2: more than one agent (坐席、坐席A): numbered or noted speakers are read only when a conversation has "
            "one agent label")]


def test_speakers_with_a_note_in_brackets_are_their_role_when_each_role_has_one_label(tmp_path: Path) -> None:
    noted = record("T1", turns=[{"speaker": "客户(来电)", "text": "喂，你好"},
                                {"speaker": "坐席（工号1024）", "text": GREETING},
                                {"speaker": "系统(自动播报)", "text": "本次通话可能被录音"},
                                {"speaker": "客户(来电)", "text": QUESTION}])
    transfer = record("T2", turns=[{"speaker": "坐席(王小明)", "text": GREETING}, {"speaker": "客户", "text": QUESTION},
                                   {"speaker": "坐席(李娜)", "text": "您好，我是宽带部门的，您的光猫需要重启。"}])
    items = read(write(tmp_path, "day.jsonl", lines(noted, transfer)))
    assert [(t.id, [x.speaker for x in t.turns]) for t in good(items)] == [
        ("T1", ["customer", "agent", "system", "customer"])]
    assert bad(items) == [
        (2, "T2: more than one agent (坐席(李娜)、坐席(王小明)): numbered or noted speakers are read only when a "
            "conversation has one agent label")]


def test_text_with_numbered_speakers_and_a_bot(tmp_path: Path) -> None:
    content = f"机器人：您好，请问您要办理什么业务？\n客户B：转人工\n坐席A：{GREETING}\n客户B：{QUESTION}\n"
    (transcript,) = read(write(tmp_path, "A1024_20261121_0007.txt", content))
    assert isinstance(transcript, Transcript)
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("system", "您好，请问您要办理什么业务？"), ("customer", "转人工"), ("agent", GREETING), ("customer", QUESTION)]


def test_jsonl_bad_records_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    content = lines(
        record("T1"),
        '{"id": "T2", "agent_id": "A1024", "turns": [{"speaker": "agent", "text": "您好',
        record("T3", agent_id=None),
        record("T4", agent_id=""),
        record("T5", turns="坐席: 您好"),
        record("T6", turns=[]),
        record("T7", turns=[{"speaker": "agent", "text": "您好"}, {"text": "在吗"}]),
        record("T8", turns=[{"speaker": "主持人", "text": "大家好"}]),
        record("T9", turns=[{"speaker": "agent", "text": "您好", "start": "刚才", "end": 3}]),
        record("T10", turns=[{"speaker": "agent", "text": ["您好"]}]),
        record("T11", turns=[{"speaker": "agent"}]),
        record("T12", turns=["坐席: 您好"]),
        record("T13", channel="传真"),
        record("T14", started_at="昨天下午"),
        record("T15", turns=[{"speaker": "agent", "text": "您好", "start": 9, "end": 3}]),
        {"agent_id": "A1024", "turns": []},
        ["T16"],
        "",
        record("T17"),
    )
    items = read(write(tmp_path, "night.jsonl", content))
    assert [t.id for t in good(items)] == ["T1", "T17"]
    assert good(items)[1].line == 19
    assert bad(items) == [
        (2, "invalid JSON: Unterminated string starting at (column 74)"),
        (3, "T3: record has no agent_id"),
        (4, "T4: record has no agent_id"),
        (5, "T5: turns is not a list"),
        (6, "T6: record has no turns"),
        (7, "T7: turn 1 has no speaker"),
        (8, "T8: turn 0: unknown speaker '主持人'"),
        (9, "T9: turn 0: start '刚才' is not a time (seconds, mm:ss or a date and time)"),
        (10, "T10: turn 0: text is not a string"),
        (11, "T11: turn 0 has no text"),
        (12, "T12: turn 0 is not an object"),
        (13, "T13: unknown channel '传真' (expected call/电话 or chat/在线)"),
        (14, "T14: started_at '昨天下午' is not a date and time (e.g. 2026-11-21T09:15:02+08:00)"),
        (15, "T15: turn 0: end 3 is before start 9"),
        (16, "record has no id (expected one of: id, transcript_id, call_id, session_id, conversation_id, "
             "会话ID, 通话ID, 会话编号, 通话编号)"),
        (17, "record is not a JSON object but list"),
    ]
    assert all(isinstance(i, Transcript) or i.path == str(tmp_path / "night.jsonl") for i in items)


def test_times_on_some_turns_only_make_the_transcript_untimed(tmp_path: Path) -> None:
    turns = [{"speaker": "agent", "text": GREETING, "start": 0, "end": 4},
             {"speaker": "customer", "text": QUESTION, "start": 5},
             {"speaker": "agent", "text": "好的。"}]
    (transcript,) = read(write(tmp_path, "partial.jsonl", lines(record("T1", turns=turns))))
    assert isinstance(transcript, Transcript)
    assert not transcript.timed
    assert all(t.start is None and t.end is None for t in transcript.turns)


def test_numbers_as_text_are_kept_as_text(tmp_path: Path) -> None:
    turns = [{"speaker": "agent", "text": GREETING}, {"speaker": "customer", "text": 13922075816}]
    (transcript,) = read(write(tmp_path, "n.jsonl", lines(record("T1", turns=turns))))
    assert isinstance(transcript, Transcript)
    assert transcript.turns[1].text == "13922075816"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_jsonl_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "enc.jsonl", lines(record("T1"), record("T2")), encoding)
    transcripts = good(read(path))
    assert [t.id for t in transcripts] == ["T1", "T2"]
    assert transcripts[0].turns[0].text == GREETING
    assert transcripts[0].agent_name == "王小明"


def test_jsonl_gbk_after_an_ascii_head_is_still_detected(tmp_path: Path) -> None:
    """The head decides nothing when it is all ASCII; the first Chinese line does."""
    ascii_only = record("T0", agent_name="Wang", team="Team 1",
                        turns=[{"speaker": "agent", "text": "Hello, how can I help?"}])
    content = lines(*([ascii_only] * 1500), record("T1"))
    assert len(content.split("\n", 1)[0]) * 1500 > 64 * 1024
    transcripts = good(read(write(tmp_path, "late.jsonl", content, "gbk")))
    assert transcripts[-1].turns[0].text == GREETING


# A Taipei chat and a Hong Kong call, as their exports would write them.
TW_TURNS = [("坐席", "您好，很高興為您服務，請問有什麼可以幫您？"),
            ("客戶", "我上個月的帳單好像多扣了一百五十元，可以幫我查一下嗎？"),
            ("坐席", "好的，我幫您查詢一下，請稍等。"),
            ("坐席", "感謝您的耐心等候，這筆是國際漫遊的費用，已經幫您申請退款了。")]
HK_TURNS = [("坐席", "你好，請問有咩可以幫到你？"), ("客戶", "我部電話收唔到訊號，已經兩日喇。"),
            ("坐席", "明白，我幫你睇下個網絡狀況先，唔該等等。")]


def _traditional(tid: str, turns: list[tuple[str, str]]) -> dict[str, object]:
    return {"id": tid, "agent_id": "A3007", "agent_name": "黃美玲", "team": "在線客服組", "channel": "在線客服",
            "turns": [{"speaker": who, "text": text} for who, text in turns]}


@pytest.mark.parametrize("encoding", ["big5", "cp950", "big5hkscs", "gbk", "gb18030"])
@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".txt"])
def test_traditional_chinese_in_big5_or_gbk_is_read_as_written(tmp_path: Path, encoding: str, suffix: str) -> None:
    if suffix == ".jsonl":
        content = lines(_traditional("TW-1", TW_TURNS))
    elif suffix == ".json":
        content = json.dumps(_traditional("TW-1", TW_TURNS), ensure_ascii=False, indent=2)
    elif suffix == ".csv":
        content = "會話ID,坐席工號,坐席姓名,角色,內容\n" + "".join(f"TW-1,A3007,黃美玲,{w},{t}\n" for w, t in TW_TURNS)
    else:
        content = "通話ID: TW-1\n坐席工號: A3007\n坐席姓名: 黃美玲\n\n" + "".join(f"{w}：{t}\n" for w, t in TW_TURNS)
    (transcript,) = read(write(tmp_path, "tw" + suffix, content, encoding))
    assert isinstance(transcript, Transcript)
    assert (transcript.id, transcript.agent_id, transcript.agent_name) == ("TW-1", "A3007", "黃美玲")
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("agent" if w == "坐席" else "customer", t) for w, t in TW_TURNS]


def test_big5_with_hong_kong_characters_and_english_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "hk.jsonl", lines(_traditional("HK-1", HK_TURNS), _traditional("TW-2", TW_TURNS)),
                 "big5hkscs")
    hk, tw = read(path)
    assert isinstance(hk, Transcript) and isinstance(tw, Transcript)
    assert [t.text for t in hk.turns] == [t for _, t in HK_TURNS]
    assert tw.channel == "chat" and tw.agent_name == "黃美玲"


def test_simplified_gbk_is_never_taken_for_big5(tmp_path: Path) -> None:
    """Simplified text that happens to be valid Big5 bytes still reads as GBK (a short turn)."""
    text = "好的"
    assert text.encode("gbk").decode("big5hkscs") != text  # valid Big5 too, as nonsense
    content = lines(record("T1", turns=[{"speaker": "agent", "text": text}, {"speaker": "customer", "text": "嗯"}]))
    (transcript,) = read(write(tmp_path, "short.jsonl", content, "gbk"))
    assert isinstance(transcript, Transcript) and transcript.turns[0].text == "好的"


def test_jsonl_line_that_does_not_decode_is_that_records_error(tmp_path: Path) -> None:
    gbk_line = b'{"id": "T2", "text": "\xd6\xd0\xce\xc4"}\n'
    content = lines(record("T1")).encode() + gbk_line + lines(record("T3")).encode()
    items = read(write(tmp_path, "mixed.jsonl", content))
    assert [t.id for t in good(items)] == ["T1", "T3"]
    assert bad(items) == [(2, "not valid UTF-8 text (byte 23 of the line)")]


def test_jsonl_five_megabyte_lines(tmp_path: Path) -> None:
    long_text = "客户说了很久。" * 250_000
    turns = [{"speaker": "agent", "text": GREETING}, {"speaker": "customer", "text": long_text}]
    content = lines(record("T1", turns=turns), "x" * 5_000_000, record("T3"))
    items = read(write(tmp_path, "long.jsonl", content))
    assert [t.id for t in good(items)] == ["T1", "T3"]
    assert good(items)[0].turns[1].text == long_text
    assert bad(items) == [(2, "invalid JSON: Expecting value (column 1)")]


def test_jsonl_overlong_line_is_skipped_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 4096)
    content = lines(record("T1"), record("T2", turns=[{"speaker": "agent", "text": "长" * 5000}]), record("T3"))
    items = read(write(tmp_path, "huge.jsonl", content))
    assert [t.id for t in good(items)] == ["T1", "T3"]
    assert bad(items) == [(2, "line longer than 4,096 bytes; skipped")]


def test_json_holding_one_pretty_printed_document_in_a_jsonl_file(tmp_path: Path) -> None:
    path = write(tmp_path, "pretty.jsonl", json.dumps([record("T1"), record("T2")], ensure_ascii=False, indent=2))
    assert [(t.id, t.line) for t in good(read(path))] == [("T1", 2), ("T2", 24)]


# --- JSON -------------------------------------------------------------------------------


def test_json_single_object_and_list(tmp_path: Path) -> None:
    (single,) = read(write(tmp_path, "one.json", json.dumps(record("T1"), ensure_ascii=False, indent=2)))
    assert isinstance(single, Transcript) and single.line is None
    listed = read(write(tmp_path, "list.json", json.dumps([record("T2"), record("T3")], ensure_ascii=False, indent=1)))
    assert [(t.id, t.line) for t in good(listed)] == [("T2", 2), ("T3", 24)]


def test_json_list_with_a_bad_element_and_a_truncated_end(tmp_path: Path) -> None:
    body = json.dumps([record("T1"), record("T2", agent_id=None), record("T3")], ensure_ascii=False, indent=1)
    items = read(write(tmp_path, "cut.json", body[: body.index('"T3"') + 20]))
    assert [t.id for t in good(items)] == ["T1"]
    assert bad(items) == [(24, "T2: record has no agent_id"),
                          (47, "invalid JSON: Unterminated string starting at (column 14); the rest of the file "
                               "from line 45 is not read (no complete transcript follows)")]


def _pretty_list(*tids: str) -> str:
    return json.dumps([record(tid) for tid in tids], ensure_ascii=False, indent=2)


def test_json_list_with_a_syntax_error_skips_only_up_to_the_next_transcript(tmp_path: Path) -> None:
    body = _pretty_list("L-0", "L-1", "L-2", "L-3", "L-4").replace('"id": "L-1",', '"id": "L-1"', 1)
    items = read(write(tmp_path, "chats.json", body))
    assert [(t.id, t.line) for t in good(items)] == [("L-0", 2), ("L-2", 46), ("L-3", 68), ("L-4", 90)]
    assert [x.text for x in good(items)[1].turns] == [GREETING, QUESTION]
    assert bad(items) == [(26, "invalid JSON: Expecting ',' delimiter (column 5); "
                               "skipped from line 24 up to the next transcript, on line 46")]


def test_json_list_whose_turns_carry_the_agent_id_resumes_at_the_next_transcript(tmp_path: Path) -> None:
    """A turn with an agent_id is no transcript: resuming there would end the list early."""
    records = [record(tid) for tid in ("T1", "T2", "T3")]
    for r in records:
        r["turns"] = [{**turn, "agent_id": "A1024"} for turn in r["turns"]]  # type: ignore[union-attr]
    body = json.dumps(records, ensure_ascii=False, indent=2).replace('"id": "T1",', '"id": "T1"', 1)
    items = read(write(tmp_path, "agents.json", body))
    assert [t.id for t in good(items)] == ["T2", "T3"]
    assert len(bad(items)) == 1 and "up to the next transcript" in bad(items)[0][1]


def test_json_list_missing_a_comma_between_transcripts_loses_none(tmp_path: Path) -> None:
    body = _pretty_list("L-0", "L-1", "L-2").replace("},\n  {", "}\n  {", 1)
    items = read(write(tmp_path, "chats.json", body))
    assert [t.id for t in good(items)] == ["L-0", "L-1", "L-2"]
    assert bad(items) == [(24, "invalid JSON: expected ',' or ']' after a list element; "
                               "reading goes on with the next transcript, on line 24")]


def test_json_list_on_one_line_skips_two_broken_transcripts_at_once(tmp_path: Path) -> None:
    body = json.dumps([record("M-0"), record("M-1"), record("M-2")], ensure_ascii=False)
    body = body.replace('"end": 9.0}', '"end": 9.0.1}', 2)
    items = read(write(tmp_path, "minified.json", body))
    assert [t.id for t in good(items)] == ["M-2"]
    assert bad(items) == [(1, "invalid JSON: Expecting ',' delimiter (column 310); "
                              "skipped from line 1 up to the next transcript, on line 1")]


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    items = read(write(tmp_path, "export.json", lines(record("T1"), "{oops", record("T3"))))
    assert [(t.id, t.line) for t in good(items)] == [("T1", 1), ("T3", 3)]
    assert bad(items) == [(2, "invalid JSON: Expecting property name enclosed in double quotes (column 2)")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[]", [(None, "empty list: no transcripts")]),
        ("[" * 100_000, [(1, "invalid JSON: nested too deeply; the rest of the file from line 1 is not read "
                             "(no complete transcript follows)")]),
        ('"just a string"', [(None, "record is not a JSON object but str")]),
        ('{"id": "T1"} trailing', [(1, "invalid JSON: extra data after the document")]),
        ("[1, 2] [3]", [(1, "record is not a JSON object but int"), (1, "record is not a JSON object but int"),
                        (1, "invalid JSON: extra data after the list")]),
    ],
)
def test_json_odd_documents(tmp_path: Path, content: str, expected: list[tuple[int | None, str]]) -> None:
    assert bad(read(write(tmp_path, "odd.json", content))) == expected


# --- CSV --------------------------------------------------------------------------------

CSV_ZH = (
    "会话ID,坐席工号,坐席姓名,班组,渠道,角色,内容,开始时间,结束时间\r\n"
    "T0002,A1024,王小明,售后一组,电话,坐席,您好，请问有什么可以帮您？,0.0,3.2\r\n"
    "T0003,A2015,张伟,客服二组,在线,客服,您好，很高兴为您服务。,,\r\n"
    "T0002,A1024,王小明,售后一组,电话,客户,\"我想查一下话费，\r\n上个月多扣了三十块。\",3.6,9.1\r\n"
    "T0003,A2015,张伟,客服二组,在线,用户,我的快递到哪了？,,\r\n"
    "T0002,A1024,王小明,售后一组,电话,坐席,我帮您查询一下，请稍等。,9.5,12\r\n"
)


def test_csv_of_nothing_but_a_byte_order_mark_is_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty_sheet.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    assert bad(read(path)) == [(None, "empty file")]


def test_csv_chinese_headers_utf8_bom_rows_grouped_by_id(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", CSV_ZH, "utf-8-sig")
    call, chat = read(path)
    assert isinstance(call, Transcript) and isinstance(chat, Transcript)
    assert (call.id, call.agent_id, call.agent_name, call.team, call.channel, call.line) == (
        "T0002", "A1024", "王小明", "售后一组", "call", 2)
    assert [(t.speaker, t.text, t.start, t.end) for t in call.turns] == [
        ("agent", "您好，请问有什么可以帮您？", 0.0, 3.2),
        ("customer", "我想查一下话费，\r\n上个月多扣了三十块。", 3.6, 9.1),
        ("agent", "我帮您查询一下，请稍等。", 9.5, 12.0),
    ]
    assert (chat.id, chat.channel, chat.line, chat.timed) == ("T0003", "chat", 3, False)
    assert [t.speaker for t in chat.turns] == ["agent", "customer"]


def test_csv_english_headers_gbk(tmp_path: Path) -> None:
    content = (
        "Transcript ID,Agent ID,Agent Name,Team,Channel,Started At,Speaker,Text,Start,End\n"
        "T9,A3008,吴昊,在线客服组,chat,2026-11-21 10:00:00,agent,您好，请问有什么可以帮您？,00:00,00:05\n"
        "T9,A3008,吴昊,在线客服组,chat,2026-11-21 10:00:00,customer,我想改一下收货地址。,00:06,00:10\n"
    )
    (transcript,) = read(write(tmp_path, "english.csv", content, "gbk"))
    assert isinstance(transcript, Transcript)
    assert (transcript.id, transcript.agent_name, transcript.channel, transcript.started_at) == (
        "T9", "吴昊", "chat", "2026-11-21T10:00:00")
    assert [(t.text, t.start, t.end) for t in transcript.turns] == [
        ("您好，请问有什么可以帮您？", 0.0, 5.0), ("我想改一下收货地址。", 6.0, 10.0)]


def test_csv_bad_rows_and_transcripts_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    content = (
        "通话ID,工号,说话人,文本\n"
        ",A1,客户,这一行没有会话ID\n"
        "T1,A1,坐席,您好，请问有什么可以帮您？\n"
        "T2,A2,坐席,您好\n"
        "T2,A2,主持人,大家好\n"
        "T3,A3,坐席,您好\n"
        "T3,A4,客户,工号变了\n"
        "T4,,坐席,没有工号\n"
        "T5,A5,,没有角色\n"
        "T1,A1,客户,我找你们好几次了。\n"
    )
    items = read(write(tmp_path, "bad.csv", content))
    assert [(t.id, [x.text for x in t.turns]) for t in good(items)] == [
        ("T1", ["您好，请问有什么可以帮您？", "我找你们好几次了。"])]
    assert bad(items) == [
        (2, "row has no transcript id"),
        (4, "T2: turn 1 (line 5): unknown speaker '主持人'"),
        (6, "T3: rows disagree on agent_id: 'A3' (line 6) and 'A4' (line 7)"),
        (8, "T4: record has no agent_id"),
        (9, "T5: turn 0 (line 9) has no speaker"),
    ]


def test_csv_without_required_columns(tmp_path: Path) -> None:
    items = read(write(tmp_path, "wrong.csv", "编号,姓名,内容\n1,王小明,您好\n"))
    assert bad(items) == [(1, "CSV header lacks required columns (id: id / transcript_id / call_id / session_id / "
                              "conversation_id / 会话ID / 通话ID / 会话编号 / 通话编号; agent_id: agent_id / agent / "
                              "staff_id / agent_no / 坐席工号 / 工号 / 坐席ID / 客服工号 / 客服账号 / 坐席账号 / "
                              "客服ID / 员工工号)")]


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_with_a_title_above_the_header_in_gbk(tmp_path: Path, delimiter: str) -> None:
    content = "\n".join(delimiter.join(row) for row in [
        ["华信通信 客服质检导出 2026-11-21"], ["导出时间：2026-11-22 02:00", "", "", ""], ["", "", "", ""],
        ["会话ID", "坐席工号", "角色", "内容"],
        ["T1", "A1024", "坐席", "您好，请问有什么可以帮您？"], ["T1", "A1024", "客户", "我的宽带断了。"],
    ]) + "\n"
    (call,) = read(write(tmp_path, "night.csv", content, "gbk"))
    assert isinstance(call, Transcript)
    assert (call.id, call.line) == ("T1", 5)
    assert [t.text for t in call.turns] == ["您好，请问有什么可以帮您？", "我的宽带断了。"]


def test_csv_whose_header_lacks_a_column_below_a_title_is_reported_at_the_header(tmp_path: Path) -> None:
    content = "华信通信 客服质检导出 2026-11-21\n会话ID,角色,内容\nT1,坐席,您好\n"
    assert bad(read(write(tmp_path, "night.csv", content))) == [
        (2, f"CSV header lacks required columns ({fields.expected_columns(['agent_id'])})")]


def test_csv_without_a_role_column_whose_text_is_no_dialogue_says_both(tmp_path: Path) -> None:
    content = "会话ID,坐席工号,内容\nT1,A1024,您好，请问有什么可以帮您？\n"
    assert bad(read(write(tmp_path, "night.csv", content))) == [
        (2, "T1: the table has no role column (角色 / 说话人 / speaker), and this text is not a dialogue with a "
            "speaker on each line (坐席：… / 客户：…)")]


def test_csv_header_is_looked_for_in_the_first_twenty_rows_only(tmp_path: Path) -> None:
    notes = "".join(f"说明第{n}条：本表由系统自动导出\n" for n in range(1, 21))
    items = read(write(tmp_path, "night.csv", notes + "会话ID,坐席工号,角色,内容\nT1,A1024,坐席,您好\n"))
    assert [(line, reason.startswith("CSV header lacks required columns")) for line, reason in bad(items)] == [
        (1, True)]


def test_csv_tab_separated_and_a_field_too_large(tmp_path: Path) -> None:
    huge = "长" * 200_000
    content = (f"id\tagent_id\tspeaker\ttext\nT1\tA1\tagent\t您好\nT2\tA1\tagent\t\"{huge}\"\n"
               "\t\tcustomer\t好的\nT3\tA1\tagent\t您好\n")
    items = read(write(tmp_path, "tabs.csv", content))
    assert [(t.id, len(t.turns)) for t in good(items)] == [("T1", 1), ("T3", 1)]
    assert bad(items) == [(3, "bad CSV row: field larger than field limit (131072)"),
                          (4, "row has no transcript id")]  # T2's row was lost: no call to continue


def test_csv_rows_without_an_id_continue_the_call_above_as_merged_cells_mean(tmp_path: Path) -> None:
    content = (
        "会话ID,坐席工号,渠道,通话开始时间,角色,内容\n"
        "G4,A1,在线,2026-11-21 09:00:00,客服,您好，请问有什么可以帮您？\n"
        ",,,,客户,我要退货\n"
        ",,,,客服,好的，感谢咨询，再见\n"
        ",,,,,\n"
        ",,,,客户,还在吗？\n"
        "G5,A2,电话,2026-11-21 09:05:00,坐席,您好，工号1024为您服务。\n"
        ",A2,,,客户,我的快递三天了还没到。\n"
        ",,,2026-11-21 09:05:00,,\n"
    )
    items = read(write(tmp_path, "merged.csv", content))
    assert [(t.id, t.agent_id, t.channel, [(x.speaker, x.text) for x in t.turns]) for t in good(items)] == [
        ("G4", "A1", "chat", [("agent", "您好，请问有什么可以帮您？"), ("customer", "我要退货"),
                              ("agent", "好的，感谢咨询，再见")]),
        ("G5", "A2", "call", [("agent", "您好，工号1024为您服务。"), ("customer", "我的快递三天了还没到。")]),
    ]
    assert bad(items) == [(6, "row has no transcript id")]  # after a blank row: which call it is is unknown


def test_csv_concatenated_exports_repeat_the_header_and_end_with_a_summary_row(tmp_path: Path) -> None:
    content = (
        "会话ID,坐席工号,角色,内容\n"
        "T1,A1,坐席,您好，请问有什么可以帮您？\n"
        "T1,A1,客户,我想查一下话费。\n"
        "小计,1,,\n"
        "会话Id,坐席工号 ,角色,内容,\n"
        ",,客户,这一行在表头下面，没有会话ID\n"
        "T2,A2,客服,您好，很高兴为您服务。\n"
        "T2,A2,用户,我的快递到哪了？\n"
        "合計,2,,\n"
        "Total,2,,\n"
        "合计,,客户,共 2 通\n"
    )
    items = read(write(tmp_path, "concatenated.csv", content))
    assert [(t.id, len(t.turns)) for t in good(items)] == [("T1", 2), ("T2", 2)]
    # A row right under a header continues no call; a row with a role and a text is never dropped unread.
    assert bad(items) == [(6, "row has no transcript id"), (11, "合计: record has no agent_id")]


def test_csv_ids_kept_as_text_by_excel_are_unwrapped_and_ids_it_shortened_are_errors(tmp_path: Path) -> None:
    content = (
        "会话ID,坐席工号,角色,内容\n"
        '="0012",="1024",坐席,您好，工号1024为您服务。\n'
        '"=""0012""",1024,客户,我想把套餐改成每月59元的。\n'
        "2.02611E+19,A2048,坐席,您好，请问有什么可以帮您？\n"
        "2.02611E+19,A3001,坐席,您好，很高兴为您服务。\n"
        ",,客户,我要投诉。\n"
        "T9,1024,坐席,感谢您的来电，再见。\n"
    )
    items = read(write(tmp_path, "excel.csv", content))
    assert [(t.id, t.agent_id, len(t.turns)) for t in good(items)] == [("0012", "1024", 2), ("T9", "1024", 1)]
    shortened = ("2.02611E+19: transcript id shortened by Excel (scientific notation: its last digits are lost, and "
                 "calls that differ only there would be merged); format the id column as text (设置单元格格式 → 文本) "
                 "before exporting")
    assert bad(items) == [(4, shortened), (5, shortened), (6, shortened)]


def test_csv_unbalanced_quote_in_a_row_without_an_id_skips_the_call_it_continues(tmp_path: Path) -> None:
    content = ("会话ID,坐席工号,角色,内容\n"
               "Q-0,A1024,坐席,您好，请问有什么可以帮您？\n"
               ',,客户,"我想查一下这个月的话费。\n'
               ",,坐席,好的，请稍等。\n"
               "Q-1,A1024,坐席,您好，请问有什么可以帮您？\n"
               ",,客户,我要办停机保号。\n")
    items = read(write(tmp_path, "night.csv", content))
    assert [(t.id, len(t.turns)) for t in good(items)] == [("Q-1", 2)]
    assert bad(items) == [(3, "Q-0: unbalanced quote: a quoted cell opened on this line runs on to the end of the "
                              "file, over lines that read as rows of their own; the transcript is skipped, and "
                              "reading resumes at line 5")]


def _calls(*ids: str, broken: str | None = None) -> str:
    """Rows of three-turn calls; the agent's first cell of `broken` opens a quote it never closes."""
    rows = ["会话ID,坐席工号,角色,内容\n"]
    for tid in ids:
        opening = '"您好，请问有什么可以帮您？' if tid == broken else "您好，请问有什么可以帮您？"
        rows += [f"{tid},A1024,坐席,{opening}\n", f"{tid},A1024,客户,我想查一下这个月的话费。\n",
                 f"{tid},A1024,坐席,感谢您的来电，再见。\n"]
    return "".join(rows)


def test_csv_unbalanced_quote_skips_its_call_and_the_rows_it_swallowed_are_still_read(tmp_path: Path) -> None:
    items = read(write(tmp_path, "night.csv", _calls("Q-0", "Q-1", "Q-2", "Q-3", broken="Q-1")))
    assert [(t.id, [x.text for x in t.turns]) for t in good(items)] == [
        (tid, ["您好，请问有什么可以帮您？", "我想查一下这个月的话费。", "感谢您的来电，再见。"])
        for tid in ("Q-0", "Q-2", "Q-3")]
    assert bad(items) == [(5, "Q-1: unbalanced quote: a quoted cell opened on this line runs on to the end of the "
                              "file, over lines that read as rows of their own; the transcript is skipped, and "
                              "reading resumes at line 6")]


def test_csv_unbalanced_quote_closed_by_a_later_stray_quote(tmp_path: Path) -> None:
    content = _calls("Q-0", "Q-1", "Q-2", broken="Q-0").replace(
        "Q-2,A1024,客户,我想查一下这个月的话费。", 'Q-2,A1024,客户,"我想查一下这个月的话费。"不对，是上个月')
    items = read(write(tmp_path, "night.csv", content))
    assert [t.id for t in good(items)] == ["Q-1", "Q-2"]
    assert [x.text for x in good(items)[1].turns][1] == "我想查一下这个月的话费。不对，是上个月"
    assert bad(items) == [(2, "Q-0: unbalanced quote: a quoted cell opened on this line runs on to line 9, over "
                              "lines that read as rows of their own; the transcript is skipped, and reading "
                              "resumes at line 3")]


def test_csv_unbalanced_quote_in_the_last_row_is_never_closed(tmp_path: Path) -> None:
    content = _calls("Q-0", "Q-1") + 'Q-1,A1024,客户,"好的，\n谢谢你\n'
    items = read(write(tmp_path, "night.csv", content))
    assert [t.id for t in good(items)] == ["Q-0"]
    assert bad(items) == [(8, "Q-1: unbalanced quote: a quoted cell opened on this line is never closed (it runs "
                              "to the end of the file, line 9); the transcript is skipped")]


def test_csv_unbalanced_quote_past_the_field_limit_in_a_large_export(tmp_path: Path) -> None:
    ids = [f"Q-{n:04d}" for n in range(2000)]
    items = read(write(tmp_path, "night.csv", _calls(*ids, broken="Q-0007")))
    assert [t.id for t in good(items)] == [tid for tid in ids if tid != "Q-0007"]
    assert [line for line, _ in bad(items)] == [23]
    assert bad(items)[0][1].startswith("Q-0007: unbalanced quote: a quoted cell opened on this line runs on to line ")


def test_csv_quoted_cells_over_several_lines_are_kept_whole(tmp_path: Path) -> None:
    content = ('会话ID,坐席工号,角色,内容\n'
               'W-1,A3007,客户,"订单号：20261121，\n收货人：张三,客户,北京\n地址写错了"\n'
               'W-1,A3007,坐席,"好的，\n我帮您改一下，请稍等。"\n')
    (chat,) = read(write(tmp_path, "chat.csv", content))
    assert isinstance(chat, Transcript)
    assert [t.text for t in chat.turns] == ["订单号：20261121，\n收货人：张三,客户,北京\n地址写错了",
                                            "好的，\n我帮您改一下，请稍等。"]


def test_csv_header_only(tmp_path: Path) -> None:
    items = read(write(tmp_path, "header.csv", "会话ID,坐席工号,角色,内容\n"))
    assert bad(items) == [(None, "no rows after the header")]


# --- plain text -------------------------------------------------------------------------

TXT_HEADER = """通话ID: T0003
坐席工号: A1024
坐席姓名: 王小明
班组: 售后一组
渠道: 电话
开始时间: 2026-11-21 09:15:02

[00:00] 坐席: 您好，请问有什么可以帮您？
[00:04] 客户：我的快递显示签收了，
但是我没收到。
[00:15] 坐席: 我帮您查询一下，请稍等。
[01:02] 通话结束
"""


def test_text_with_header_block_and_timestamps(tmp_path: Path) -> None:
    (transcript,) = read(write(tmp_path, "call.txt", TXT_HEADER))
    assert isinstance(transcript, Transcript)
    assert (transcript.id, transcript.agent_id, transcript.agent_name, transcript.team) == (
        "T0003", "A1024", "王小明", "售后一组")
    assert (transcript.channel, transcript.started_at, transcript.line) == ("call", "2026-11-21T09:15:02", None)
    assert [(t.speaker, t.text, t.start, t.end) for t in transcript.turns] == [
        ("agent", "您好，请问有什么可以帮您？", 0.0, 4.0),
        ("customer", "我的快递显示签收了，\n但是我没收到。", 4.0, 15.0),
        ("agent", "我帮您查询一下，请稍等。", 15.0, 62.0),
    ]


def test_text_without_closing_timestamp_is_untimed(tmp_path: Path) -> None:
    (transcript,) = read(write(tmp_path, "open.txt", TXT_HEADER.replace("[01:02] 通话结束\n", "")))
    assert isinstance(transcript, Transcript)
    assert not transcript.timed and transcript.turns[2].text == "我帮您查询一下，请稍等。"


def test_text_file_name_gives_ids_and_date(tmp_path: Path) -> None:
    content = "[0:00:00] 客服: 您好，请问有什么可以帮您？\n[0:00:03] 用户: 在吗\n[0:00:05]\n"
    (transcript,) = read(write(tmp_path, "A1024_20261121_0001.txt", content))
    assert isinstance(transcript, Transcript)
    assert (transcript.id, transcript.agent_id, transcript.started_at) == ("A1024_20261121_0001", "A1024", "2026-11-21")
    assert [(t.start, t.end) for t in transcript.turns] == [(0.0, 3.0), (3.0, 5.0)]


def test_text_english_header_separator_and_traditional_roles(tmp_path: Path) -> None:
    content = ("id: W7\nagent_id: A3007\nchannel: chat\nstarted_at: 2026-11-21T20:16:33+08:00\n---\n"
               "客服: 您好，請問有什麼可以幫您？\n客戶: 我想問積分。\n系統: 客戶已離開\n")
    (transcript,) = read(write(tmp_path, "W7.txt", content))
    assert isinstance(transcript, Transcript)
    assert (transcript.id, transcript.agent_id, transcript.channel) == ("W7", "A3007", "chat")
    assert [t.speaker for t in transcript.turns] == ["agent", "customer", "system"]


def test_text_gbk(tmp_path: Path) -> None:
    (transcript,) = read(write(tmp_path, "gbk.txt", TXT_HEADER, "gbk"))
    assert isinstance(transcript, Transcript)
    assert transcript.turns[1].text == "我的快递显示签收了，\n但是我没收到。"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("recording.txt", "坐席: 您好\n客户: 你好\n",
         (None, "recording: record has no agent_id (add a header line '坐席工号: A1024' or name the file like "
                "A1024_20261121_0001.txt)")),
        ("A1_20261121_1.txt", "[00:00] 坐席: 您好\n[00:03] 主持人: 大家好\n[00:09]\n", (2, "unknown speaker '主持人'")),
        ("A1_20261121_2.txt", "这是一份通话记录\n坐席: 您好\n", (1, "text before the first turn has no speaker prefix "
                                                            "(坐席: / 客户: …)")),
        ("A1_20261121_3.txt", "[00:10] 坐席: 您好\n[00:03] 客户: 你好\n[00:20]\n",
         (2, "timestamp is earlier than the one on line 1")),
        ("A1_20261121_4.txt", "[00:00] 坐席: 您好\n[00:05]\n客户: 你好\n",
         (2, "a timestamp without a speaker may only end the conversation")),
        ("A1_20261121_5.txt", "通话ID: X\n坐席工号: A1\n\n", (None, "X: record has no turns")),
        ("A1_20261121_6.txt", "通话ID: X\n这不是一个字段\n\n坐席: 您好\n",
         (2, "header line is not 'name: value' (end the header with a blank line)")),
    ],
)
def test_text_errors(tmp_path: Path, name: str, content: str, error: tuple[int | None, str]) -> None:
    assert bad(read(write(tmp_path, name, content))) == [error]


def test_text_unknown_prefix_after_the_first_turn_continues_it(tmp_path: Path) -> None:
    (transcript,) = read(write(tmp_path, "A1_20261121_7.txt", "坐席: 您的套餐如下\n月租: 59元\n客户: 好的\n"))
    assert isinstance(transcript, Transcript)
    assert [t.text for t in transcript.turns] == ["您的套餐如下\n月租: 59元", "好的"]


# --- any format: bad files --------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".txt"])
def test_empty_and_binary_files(tmp_path: Path, suffix: str) -> None:
    assert bad(read(write(tmp_path, "empty" + suffix, b""))) == [(None, "empty file")]
    assert bad(read(write(tmp_path, "blank" + suffix, b"\n  \r\n\n"))) == [(None, "empty file")]
    junk = random.Random(7).randbytes(4000)
    assert bad(read(write(tmp_path, "junk" + suffix, junk))) == [
        (None, "not a text file: contains NUL bytes (binary data or UTF-16)")]
    controls = bytes(range(1, 8)) * 100
    assert bad(read(write(tmp_path, "controls" + suffix, controls))) == [(None, "not a text file: binary data")]
    utf16 = "坐席: 您好\n".encode("utf-16")
    assert bad(read(write(tmp_path, "utf16" + suffix, utf16))) == [
        (None, "UTF-16 text is not supported: save the file as UTF-8")]


@pytest.mark.parametrize("suffix", [".json", ".csv", ".txt"])
def test_neither_utf8_nor_gb18030(tmp_path: Path, suffix: str) -> None:
    content = "坐席: 您好\n".encode() + b"\x80\xff\x80 broken\n"
    assert bad(read(write(tmp_path, "latin" + suffix, content))) == [(2, "not UTF-8 or GB18030 text")]


def test_jsonl_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    content = b'{"id": "\x80\xff\x80"}\n' * 3
    assert bad(read(write(tmp_path, "latin.jsonl", content))) == [(None, "not UTF-8 or GB18030 text")]


# --- characters no report can hold -----------------------------------------------------


def test_lone_surrogates_and_xml_illegal_characters_become_u_fffd_in_place(tmp_path: Path) -> None:
    broken = record("T0002", agent_name="王\uffff明", team="售后\x01一组", turns=[
        {"speaker": "agent", "text": "您好PLACE，很高兴为您服务\ufffe。", "start": 0.0, "end": 4.1},
        {"speaker": "customer", "text": "我家宽带\x0b断了。", "start": 4.5, "end": 9.0}])
    line = json.dumps(broken, ensure_ascii=False).replace("PLACE", "\\ud800")
    assert "\\ud800" in line and "\uffff" in line  # the escape as exported, U+FFFF as raw UTF-8
    path = write(tmp_path, "day.jsonl", lines(record("T0001"), line, record("T0003")))
    items = read(path)
    assert bad(items) == []
    first, second, third = good(items)
    assert (second.agent_name, second.team) == ("王\ufffd明", "售后\ufffd一组")
    assert [t.text for t in second.turns] == ["您好\ufffd，很高兴为您服务\ufffd。", "我家宽带\ufffd断了。"]
    assert second.timed and second.content_hash()
    assert [(t.id, t.agent_name, t.team, [u.text for u in t.turns]) for t in (first, third)] == [
        (tid, "王小明", "售后一组", [GREETING, QUESTION]) for tid in ("T0001", "T0003")]


def test_csv_and_text_cells_with_control_characters_are_replaced_too(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "day.csv", "会话ID,坐席工号,坐席姓名,角色,内容\n"
                                          "T1,A1024,王\x1f小明,坐席,您好\x07，请问有什么可以帮您？\n")
    txt_path = write(tmp_path, "A1024_20261121_0001.txt", "坐席: 您好\x1b，请问有什么可以帮您？\n客户: 你好\n")
    [from_csv] = good(read(csv_path))
    [from_text] = good(read(txt_path))
    assert (from_csv.agent_name, from_csv.turns[0].text) == ("王\ufffd小明", "您好\ufffd，请问有什么可以帮您？")
    assert from_text.turns[0].text == "您好\ufffd，请问有什么可以帮您？"


# --- files and folders ------------------------------------------------------------------


def test_read_inputs_walks_folders_in_sorted_order_and_skips_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root, "b.jsonl", lines(record("B1"), record("B2")))
    write(root, "a/A1_20261121_z.txt", "坐席: 您好，请问有什么可以帮您？\n客户: 你好\n")
    write(root, "a/y.csv", "id,agent_id,speaker,text\nY1,A1,agent,您好\n")
    write(root, "c/d/e.NDJSON", lines(record("E1")))
    write(root, "a.json", json.dumps(record("J1"), ensure_ascii=False))
    write(root, ".hidden.jsonl", lines(record("H1")))
    write(root, ".git/objects.jsonl", lines(record("H2")))
    write(root, "notes.md", "# notes")
    write(root, "c/recording.mp3", b"ID3")
    write(root, "~$report.xlsx", b"lock")
    items = list(read_inputs([root]))
    assert [(i.id, i.source) for i in items if isinstance(i, Transcript)] == [
        ("A1_20261121_z", str(root / "a" / "A1_20261121_z.txt")),
        ("Y1", str(root / "a" / "y.csv")),
        ("J1", str(root / "a.json")),
        ("B1", str(root / "b.jsonl")),
        ("B2", str(root / "b.jsonl")),
        ("E1", str(root / "c" / "d" / "e.NDJSON")),
    ]
    assert not [i for i in items if isinstance(i, IngestError)]


def test_an_earlier_nights_reports_inside_the_inbox_are_never_read_back(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "2026-11-21.jsonl", lines(record("T1")))
    last_night = inbox / "reports-2026-11-20"
    write(last_night, "calls.jsonl", lines({"transcript_id": "T0", "agent_id": "A1", "score": 90}))
    (last_night / "A1024_王小明.xlsx").write_bytes(b"PK")
    (last_night / REPORTS_MARKER).write_text("", encoding="utf-8")
    items = list(read_inputs([inbox]))
    assert [t.id for t in good(items)] == ["T1"] and bad(items) == []
    assert bad(list(read_inputs([last_night]))) == [(None, "a folder of qa-audit reports, never read as input")]


def test_read_inputs_never_enters_the_runs_own_out_folder(tmp_path: Path) -> None:
    write(tmp_path, "in/day.jsonl", lines(record("T1")))
    write(tmp_path, "in/reports/calls.jsonl", '{"transcript_id": "T1", "agent_id": "A1024", "score": 94}\n')
    write(tmp_path, "in/reports/findings.jsonl", '{"transcript_id": "T1", "rule_id": "CLS001"}\n')
    write(tmp_path, "in/archive/old.jsonl", lines(record("T0")))
    write(tmp_path, f"in/reports/{REPORTS_MARKER}", "")  # as `audit --out in/reports` marks it first
    items = list(read_inputs([tmp_path / "in"]))
    assert [(i.id, i.source) for i in items if isinstance(i, Transcript)] == [
        ("T0", str(tmp_path / "in" / "archive" / "old.jsonl")), ("T1", str(tmp_path / "in" / "day.jsonl"))]
    assert bad(items) == []
    assert folder_files(tmp_path / "in") == [
        str(tmp_path / "in" / "archive" / "old.jsonl"), str(tmp_path / "in" / "day.jsonl")]


def test_read_inputs_explicit_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "day.jsonl", lines(record("T1")))
    write(tmp_path, "notes.md", "# notes")
    write(tmp_path, ".hidden.jsonl", lines(record("H1")))
    items = list(read_inputs(["day.jsonl", Path("notes.md"), "missing.jsonl", ".", "./day.jsonl",
                              ".hidden.jsonl"]))
    assert [(i.id, i.source) for i in items if isinstance(i, Transcript)] == [
        ("T1", "day.jsonl"), ("H1", ".hidden.jsonl")]
    assert [str(i) for i in items if isinstance(i, IngestError)] == [
        "notes.md: unsupported file type '.md' (supported: .csv, .json, .jsonl, .ndjson, .tsv, .txt, .xlsm, .xlsx)",
        "missing.jsonl: no such file or directory",
    ]


def test_exports_in_a_form_that_is_not_read_are_reported_other_files_ignored(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root, "calls_20261121.xls", b"\xd0\xcf\x11\xe0")
    write(root, "chats.jsonl.gz", b"\x1f\x8b\x08")
    write(root, "old/2026-11.zip", b"PK\x03\x04")
    write(root, "质检说明.docx", b"PK\x03\x04")
    write(root, "night.tsv", "会话ID\t坐席工号\t角色\t内容\nT7\tA1024\t坐席\t您好，请问有什么可以帮您？\n")
    for ignored in ("README.md", "audit.log", "wave.png", "T7.wav", "~$calls_20261121.xlsx", ".~lock.x.xlsx#"):
        write(root, ignored, b"x")
    items = list(read_inputs([root]))
    assert [(t.id, t.turns[0].text) for t in good(items)] == [("T7", "您好，请问有什么可以帮您？")]
    assert [(Path(i.path).relative_to(root).as_posix(), i.reason) for i in items if isinstance(i, IngestError)] == [
        ("calls_20261121.xls", "this workbook format is not read: save it as .xlsx, or export the sheet as CSV "
                               "(另存为 CSV UTF-8)"),
        ("chats.jsonl.gz", "compressed files are not read: unpack it into the input folder"),
        ("old/2026-11.zip", "compressed files are not read: unpack it into the input folder"),
        ("质检说明.docx", "Word documents are not read: save the transcript as plain text (.txt, UTF-8)"),
    ]
    assert read(root / "calls_20261121.xls") == [IngestError(
        str(root / "calls_20261121.xls"), None,
        "this workbook format is not read: save it as .xlsx, or export the sheet as CSV (另存为 CSV UTF-8)")]


def test_symlinked_folders_are_followed_once_and_a_loop_ends(tmp_path: Path) -> None:
    write(tmp_path, "exports/txt/A1024_20261121_0001.txt", "坐席: 您好，请问有什么可以帮您？\n客户: 我想改套餐。\n")
    write(tmp_path, "inbox/day.jsonl", lines(record("T1")))
    (tmp_path / "inbox" / "txt_link").symlink_to(tmp_path / "exports" / "txt", target_is_directory=True)
    (tmp_path / "inbox" / "txt_link_again").symlink_to(tmp_path / "exports" / "txt", target_is_directory=True)
    (tmp_path / "exports" / "txt" / "loop").symlink_to(tmp_path / "inbox", target_is_directory=True)
    (tmp_path / "inbox" / "dangling.jsonl").symlink_to(tmp_path / "gone.jsonl")
    items = list(read_inputs([tmp_path / "inbox"]))
    assert [(i.id, Path(i.source).relative_to(tmp_path).as_posix()) for i in good(items)] == [
        ("T1", "inbox/day.jsonl"), ("A1024_20261121_0001", "inbox/txt_link/A1024_20261121_0001.txt")]
    assert [str(i) for i in items if isinstance(i, IngestError)] == [
        f"{tmp_path / 'inbox' / 'dangling.jsonl'}: cannot read file: No such file or directory"]
    assert folder_files(tmp_path / "inbox") == [str(tmp_path / "inbox" / p) for p in (
        "dangling.jsonl", "day.jsonl", "txt_link/A1024_20261121_0001.txt")]


def test_read_inputs_is_lazy(tmp_path: Path) -> None:
    """A batch starts auditing before the last file is read: the first item arrives first."""
    write(tmp_path, "a.jsonl", lines(record("T1")))
    write(tmp_path, "b.jsonl", lines(record("T2")))
    stream = read_inputs([tmp_path])
    first = next(stream)
    os.remove(tmp_path / "b.jsonl")
    assert isinstance(first, Transcript) and first.id == "T1"
    assert [str(i) for i in stream] == [f"{tmp_path / 'b.jsonl'}: cannot read file: No such file or directory"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_an_unreadable_folder_is_reported_in_its_place_and_the_rest_is_read(tmp_path: Path) -> None:
    write(tmp_path, "a.jsonl", lines(record("T1")))
    write(tmp_path, "b/day.jsonl", lines(record("T2")))
    write(tmp_path, "c.jsonl", lines(record("T3")))
    locked = tmp_path / "b"
    locked.chmod(0)
    try:
        items = list(read_inputs([tmp_path]))
        listed = folder_files(tmp_path)
    finally:
        locked.chmod(0o755)
    assert [i.id if isinstance(i, Transcript) else (i.path, i.line, i.reason) for i in items] == [
        "T1", (str(locked), None, "cannot read folder: Permission denied"), "T3"]
    assert listed == [str(tmp_path / "a.jsonl"), str(tmp_path / "c.jsonl")]


def test_supported_suffixes() -> None:
    assert {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".xlsx", ".xlsm"} == SUPPORTED_SUFFIXES


# --- the shipped samples ----------------------------------------------------------------


def test_sample_transcripts_read_as_documented() -> None:
    items = list(read_inputs([SAMPLES]))
    transcripts = [i for i in items if isinstance(i, Transcript)]
    assert len(transcripts) == 44
    assert len({t.id for t in transcripts}) == 44
    assert len({t.agent_id for t in transcripts}) == 7
    assert {t.team for t in transcripts if t.team} == {"售后一组", "客服二组", "在线客服组"}
    assert {(t.started_at or "")[:10] for t in transcripts} == {"2026-11-19", "2026-11-20", "2026-11-21"}
    assert {t.channel for t in transcripts} == {"call", "chat"}
    assert any(t.timed for t in transcripts) and any(not t.timed for t in transcripts)
    broken = SAMPLES / "broken"
    assert [(i.path, i.line, i.reason) for i in items if isinstance(i, IngestError)] == [
        (str(broken / "2026-11-21_night_batch.jsonl"), 2, "invalid JSON: Unterminated string starting at (column 281)"),
        (str(broken / "2026-11-21_night_batch.jsonl"), 4, "B1121-04: record has no agent_id"),
        (str(broken / "recording_0412.txt"), None, "recording_0412: record has no agent_id (add a header line "
                                                   "'坐席工号: A1024' or name the file like A1024_20261121_0001.txt)"),
    ]


def test_the_readmes_csv_example_gives_the_calls_start_and_names_every_column_that_can(tmp_path: Path) -> None:
    """The README's CSV section names the columns that date a call (F2): a CSV laid out like
    its example must be dated, and every accepted name must be in it."""
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**CSV**"):readme.index("**Plain text**")]
    example = section.split("```csv\n", 1)[1].split("```", 1)[0]
    (call,) = read(write(tmp_path, "example.csv", example))
    assert isinstance(call, Transcript)
    assert (call.id, call.started_at, [t.start for t in call.turns]) == ("T0002", "2026-11-21T09:15:02", [0.0, 3.6])
    starts = [alias for alias, (name, _) in fields.CSV_COLUMNS.items() if name == "started_at"]
    assert starts == [fields.key(name) for name in ("started_at", "通话开始时间", "会话开始时间")]
    assert all(name in section for name in ("`started_at`", "通话开始时间", "会话开始时间"))
    assert "never in a report rebuilt for a period" in section and "`prune` never deletes it" in section
