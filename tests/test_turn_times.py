"""Turn times as call platforms and ASR tools write them: moments (date-times, Unix
timestamps, times of day) become seconds from the call's start, in every input format."""

from __future__ import annotations

import json
from pathlib import Path

from qa_audit.ingest import read_file
from qa_audit.model import IngestError, Transcript

GREETING = "您好，工号1024，很高兴为您服务，请问有什么可以帮您？"
QUESTION = "我的快递三天没动了，能帮我看看吗？"
ANSWER = "请稍等，我帮您查一下。已经在派送了，感谢您的来电，再见。"


def read_one(folder: Path, name: str, content: str) -> Transcript:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    (item,) = read_file(path)
    assert isinstance(item, Transcript), item
    return item


def times(transcript: Transcript) -> list[tuple[float | None, float | None]]:
    return [(t.start, t.end) for t in transcript.turns]


def call(started_at: str | None, *turns: tuple[str, str, object, object]) -> str:
    record: dict[str, object] = {"id": "T1", "agent_id": "A1024", "turns": [
        {"speaker": speaker, "text": text, "start": start, "end": end} for speaker, text, start, end in turns]}
    if started_at:
        record["started_at"] = started_at
    return json.dumps(record, ensure_ascii=False) + "\n"


def test_date_times_count_from_the_calls_start(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "calls.jsonl", call(
        "2026-11-29 09:14:50",
        ("agent", GREETING, "2026-11-29 09:15:00", "2026-11-29 09:15:04"),
        ("customer", QUESTION, "2026-11-29 09:15:05.5", "2026-11-29 09:15:15"),
        ("agent", ANSWER, "2026-11-29 09:15:16", "2026-11-29 09:15:18"),
    ))
    assert transcript.timed
    assert times(transcript) == [(10.0, 14.0), (15.5, 25.0), (26.0, 28.0)]


def test_date_times_in_another_zone_and_no_call_start_count_from_the_first_turn(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "calls.jsonl", call(
        None,
        ("agent", GREETING, "2026-11-29T01:15:00Z", "2026-11-29T01:15:04Z"),
        ("customer", QUESTION, "2026-11-29T09:15:05+08:00", "2026-11-29T09:15:15+08:00"),
    ))
    assert times(transcript) == [(0.0, 4.0), (5.0, 15.0)]


def test_unix_milliseconds_are_moments(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "calls.jsonl", call(
        "2026-11-21T09:15:02+08:00",
        ("agent", GREETING, 1795194902000, 1795194906500),
        ("customer", QUESTION, 1795194907000, 1795194915000),
    ))
    assert times(transcript) == [(0.0, 4.5), (5.0, 13.0)]


def test_times_of_day_across_midnight_in_a_csv(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "export.csv", (
        "通话ID,坐席工号,角色,内容,开始时间,结束时间\n"
        f"T1,A1024,坐席,{GREETING},23:59:50,23:59:58\n"
        f"T1,A1024,客户,{QUESTION},23:59:59,00:00:09\n"
        f"T1,A1024,坐席,{ANSWER},00:00:10,00:00:20\n"
    ))
    assert times(transcript) == [(0.0, 8.0), (9.0, 19.0), (20.0, 30.0)]


def test_offsets_an_hour_into_a_long_call_stay_offsets(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "calls.jsonl", call(
        "2026-11-29T09:15:00",
        ("agent", GREETING, "00:00", "00:04"),
        ("customer", QUESTION, "1:10:00", "1:10:04"),
    ))
    assert times(transcript) == [(0.0, 4.0), (4200.0, 4204.0)]


def test_moments_mixed_with_offsets_are_that_calls_error_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    mixed = call(None, ("agent", GREETING, "2026-11-29 09:15:00", "2026-11-29 09:15:04"),
                 ("customer", QUESTION, 5.0, 9.0))
    path.write_text(mixed + call(None, ("agent", GREETING, 0.0, 4.0)).replace('"T1"', '"T2"'), encoding="utf-8")
    error, transcript = read_file(path)
    assert isinstance(error, IngestError) and (error.line, error.reason) == (
        1, "T1: turn 1: start 5.0 is counted from the call's start, but other turn times of this conversation "
           "are dates and times")
    assert isinstance(transcript, Transcript) and transcript.id == "T2"


def test_text_with_bare_times_of_day_before_the_speakers(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "A1024_20261129_0001.txt", (
        "开始时间: 2026-11-29 09:15:00\n\n"
        f"09:15:02 坐席：{GREETING}\n"
        f"09:15:06 客户：{QUESTION}\n"
        "10:30 到家以后再打给你们\n"
        f"09:15:30 坐席：{ANSWER}\n"
        "09:15:40\n"
    ))
    assert [t.speaker for t in transcript.turns] == ["agent", "customer", "agent"]
    assert transcript.turns[1].text == f"{QUESTION}\n10:30 到家以后再打给你们"  # a time inside a message stays text
    assert times(transcript) == [(2.0, 6.0), (6.0, 30.0), (30.0, 40.0)]


def test_text_with_bracketed_date_times(tmp_path: Path) -> None:
    transcript = read_one(tmp_path, "A1024_20261129_0002.txt", (
        f"[2026-11-29 23:59:58] 客户(来电)：{QUESTION}\n"
        f"[2026-11-30 00:00:03] 坐席：{ANSWER}\n"
        "[2026-11-30 00:00:09] 通话结束\n"
    ))
    assert [t.speaker for t in transcript.turns] == ["customer", "agent"]
    assert times(transcript) == [(0.0, 5.0), (5.0, 11.0)]
