"""Plain-text transcripts (.txt): one turn per line, one conversation per file or several.

What a supervisor pastes from a chat window or an ASR tool prints:

    通话ID: T0003
    坐席工号: A1024
    坐席姓名: 王小明
    班组: 售后一组
    渠道: 电话
    开始时间: 2026-11-21 09:15:02

    [00:00] 坐席: 您好，请问有什么可以帮您？
    [00:04] 客户: 我的快递显示签收了，
    但是我没收到。
    [00:31]

- Header block (optional): `name: value` lines at the top of a conversation (blank and
  `---` lines before it are skipped), ended by a blank line or a `---` line; names as in
  JSON (通话ID/会话ID/id, 坐席工号/工号/agent_id, 坐席姓名, 班组/team, 渠道/channel,
  开始时间/started_at). Unknown names are ignored.
- Several conversations: after a conversation's header block, a run of header lines that
  gives a transcript id (通话ID/会话ID/id…, optionally after a `---`/`===` line) starts
  the next conversation with its own header. Exports and pastes of a day's calls come
  this way, and read as one they would all be scored against the first agent. Another
  header line (工号: 1024 in a message) is message text. Each conversation is read on its
  own: an error in one is that conversation's, and the others are still read.
- Without a header agent id, a file named `<agent id>_<YYYYMMDD>_<anything>.txt`, e.g.
  `A1024_20261121_0001.txt`, gives the agent id (letters then digits) and the date
  (started_at 2026-11-21), to each of its conversations. Otherwise the conversation is an
  error: an agent is never guessed. Without a header id, the file name (without suffix)
  is the transcript id of a file holding one conversation; in a file of several, it would
  be one id for different calls, so a conversation without one is an error.
- Turns: a speaker prefix (坐席/客服/客户/用户/系统/agent/customer/…, also numbered or with
  a note in brackets: 坐席A, 客户(来电); full- or half-width colon). A line without a
  known prefix continues the previous turn: a chat message of several lines, which may
  say 注意：明天发货 or 月租: 59元. But the same unknown `word:` (with a letter in it, so
  not a time like 10:30 or a link like https://…) opening two or more lines of one
  conversation, with other lines between them, is a speaker this tool does not know
  (diarization's A/B, 说话人1, a name like 客服小美), and the conversation is reported:
  merged, the customer's words
  would be scored as the agent's. A single such line stays message text: one line cannot
  tell a speaker from a message, and messages like 注意：明天发货 are common.
- `Transcript.line` is the line a conversation starts on in a file of several (None
  when the file is the conversation), and errors about one conversation name it.
- Times: an optional `[mm:ss]` or `[hh:mm:ss]` at the start of a turn line is its start;
  a turn ends where the next one starts. An ASR tool's time of day or date and time
  (`09:15:06 坐席：…`, `[2026-11-21 09:15:06] 坐席：…`) counts from the call's start
  (`turn_times`); written bare, without brackets, it is read only before a speaker. The
  last turn's end can only come from a timestamp line closing the conversation (`[00:31]`,
  optionally followed by a note such as 通话结束). Without that line, or when some turns
  have no timestamp, the transcript is untimed: an estimated duration for the last turn
  would bias the talk ratio, and the character basis is an honest fallback.
- Channel defaults to call.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qa_audit.ingest import fields as f
from qa_audit.ingest.build import RawTurn, build_transcript
from qa_audit.ingest.encoding import NotText, decode_whole
from qa_audit.ingest.turn_times import TimeError, turn_times
from qa_audit.model import IngestError, Transcript

_TIME = r"(?:\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T])?\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?"
_TIMESTAMP = re.compile(rf"[\[【]\s*({_TIME})\s*[\]】]\s*|({_TIME})(?:\s+|$)")
_LABEL = (r"[^\s:：\[\]【】()（）]{1,12}|[^\s:：\[\]【】()（）]{1,8}\s*[(（][^()（）:：]{1,20}[)）]"
          r"|[A-Za-z]{1,12} \d{1,3}")
"""A speaker label: a word (坐席, 客户A), a word with a note in brackets (客户(来电)) or an
English role with its number (Agent 2)."""
_PREFIX = re.compile(rf"({_LABEL})\s*[:：](?![\\/])\s*(.*)", re.DOTALL)
"""A label and its colon; not a colon opening a path or a link (C:\\Users, https://…)."""
_SEPARATOR = re.compile(r"-{3,}|={3,}")
_FILE_NAME = re.compile(r"(?P<agent>[A-Za-z]+\d+)_(?P<date>\d{8})(?:_.*)?")
_HEADER_FIELDS = frozenset({"id", "agent_id", "agent_name", "team", "channel", "started_at"})


class _LineError(ValueError):
    """The file cannot be read as a conversation; `line` is where that shows."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class _Turn:
    """A turn while its continuation lines are still being collected."""

    speaker: str
    line: int
    start: str | None
    text: list[str] = field(default_factory=list)
    bare: bool = False
    """Whether its time was written without brackets (09:15:06 坐席：…)."""


def _header_field(line: str) -> tuple[str, str] | None:
    """(canonical name, value) for a header line; a speaker line is never a header."""
    match = _PREFIX.fullmatch(line)
    if match is None or f.speaker(match[1]) is not None:
        return None
    canonical, _ = f.RECORD_FIELDS.get(f.key(match[1]), ("", 0))
    return (canonical, match[2].strip()) if canonical in _HEADER_FIELDS else None


def _speaker_line(line: str) -> tuple[str, str] | None:
    """(speaker as written, text) when the line opens with a known speaker."""
    match = _PREFIX.fullmatch(line)
    return (match[1], match[2].strip()) if match and f.line_speaker(match[1]) is not None else None


def _stamp(text: str, turns: list[_Turn]) -> tuple[str | None, str]:
    """The time a line opens with, and the rest of the line.

    In brackets ([00:04], [2026-11-21 09:15:06]) a time is always one. A bare one
    (09:15:06 坐席：…) only before a speaker, or alone on a line after a turn timed the
    same bare way (the closing time): a message may well begin with, or be, a time of
    its own (10:30 我到家; 我们营业到 / 21:00 under a [00:05] turn).
    """
    stamp = _TIMESTAMP.match(text)
    if stamp is None:
        return None, text
    rest = text[stamp.end():]
    if stamp[1] or _speaker_line(rest) or (not rest and turns and turns[-1].bare):
        return stamp[1] or stamp[2], rest
    return None, text


def _blank_or_separator(line: str) -> bool:
    """Whether the line only sets blocks apart (a blank or a `---`/`===` line)."""
    return not line.strip() or _SEPARATOR.fullmatch(line.strip()) is not None


def _read_header(lines: list[str], position: int) -> tuple[dict[str, str], int, _LineError | None]:
    """The header block at `position` (blank and separator lines before it skipped): its
    fields, the index of the line after it, and its first line that is not `name: value`.

    The error is returned, not raised: `_conversation_starts` needs where a bad header
    ends too, to find the next conversation.
    """
    header: dict[str, str] = {}
    error = None
    while position < len(lines) and _blank_or_separator(lines[position]):
        position += 1
    if position < len(lines) and _header_field(lines[position].strip()):
        while position < len(lines):
            text = lines[position].strip()
            if _blank_or_separator(text):
                position += 1
                break
            if _stamp(text, [])[0] or _speaker_line(text):
                break
            if not _PREFIX.fullmatch(text):
                error = error or _LineError(position + 1, "header line is not 'name: value' "
                                                          "(end the header with a blank line)")
            elif (item := _header_field(text)) and item[1]:
                header.setdefault(*item)
            position += 1
    return header, position, error


def _opens_header(lines: list[str], index: int) -> bool:
    """Whether lines[index] opens a run of header lines that gives a transcript id: the
    header of the next conversation, even when its id is not its first line."""
    for following in range(index, len(lines)):
        item = _header_field(lines[following].strip())
        if item is None:
            return False
        if item[0] == "id":
            return True
    return False


def _conversation_starts(lines: list[str]) -> list[int]:
    """The index of the line each conversation of the file starts on (module docstring):
    a separator line before the next header, else the header's first line, which must
    follow a blank line."""
    starts = [0]
    position = _read_header(lines, 0)[1]
    while position < len(lines):
        following = position
        separator = _SEPARATOR.fullmatch(lines[position].strip()) is not None
        if separator:
            following += 1
            while following < len(lines) and not lines[following].strip():
                following += 1
        # Set apart from the turns above, by a blank line or a separator: a message line
        # 'ID：88321907' (a customer giving an account) opens no conversation.
        set_apart = separator or (position > 0 and not lines[position - 1].strip())
        if set_apart and following < len(lines) and _opens_header(lines, following):
            starts.append(position)
            position = _read_header(lines, position)[1]
        else:
            position += 1
    return starts


def _apart(found: list[tuple[int, str, int]]) -> bool:
    """Whether an unknown label's lines are not all one after another: a speaker's lines
    alternate with the other side's, a list's (订单号：… 订单号：…) follow one another."""
    return len(found) > 1 and any(later[2] - earlier[2] > 1 for earlier, later in itertools.pairwise(found))


def _maybe_speaker(prefix: re.Match[str]) -> bool:
    """Whether an unknown `word:` opening a line could be a speaker's label: not a time
    (10:30 到达, no letter in '10') and not a link (https://…)."""
    return any(c.isalpha() for c in prefix[1]) and not prefix[2].startswith("//")


def _parse(lines: list[str], start: int, end: int) -> tuple[dict[str, str], list[_Turn], tuple[int, str] | None]:
    """The header fields, turns and closing timestamp (line, time as written) of the conversation
    in lines[start:end], or _LineError."""
    header, position, error = _read_header(lines, start)
    if error is not None:
        raise error
    turns: list[_Turn] = []
    closing: tuple[int, str] | None = None
    unknown: dict[str, list[tuple[int, str, int]]] = {}  # word key -> (line, word, said_lines) of lines it opens
    said_lines = 0  # the non-blank lines so far: which unknown lines follow one another
    for number, raw in enumerate(lines[position:end], position + 1):
        text = raw.strip()
        if not text or (not turns and _SEPARATOR.fullmatch(text)):
            continue
        said_lines += 1
        if closing is not None:
            raise _LineError(closing[0], "a timestamp without a speaker may only end the conversation")
        start_time, stamped = _stamp(text, turns)
        bare = start_time is not None and not text.startswith(("[", "【"))
        text = stamped
        said = _speaker_line(text)
        if said:
            turns.append(_Turn(said[0], number, start_time, [said[1]], bare))
        elif (prefix := _PREFIX.fullmatch(text)) and (start_time is not None or not turns):
            raise _LineError(number, f"unknown speaker {prefix[1]!r}")
        elif start_time is not None:
            closing = (number, start_time)
        elif turns:
            if prefix and _maybe_speaker(prefix):
                unknown.setdefault(f.key(prefix[1]), []).append((number, prefix[1], said_lines))
            turns[-1].text.append(text)
        else:
            raise _LineError(number, "text before the first turn has no speaker prefix (坐席: / 客户: …)")
    # With other lines between them: a list in one message (订单号：… on lines in a row) is no speaker.
    if repeated := [found for found in unknown.values() if _apart(found)]:
        found = min(repeated)
        line, label, _ = found[0]
        raise _LineError(line, f"unknown speaker {label!r} opens {len(found)} lines: a line without a known "
                               "speaker would continue the turn above it; label the speakers 坐席/客服/客户/用户 "
                               "or a known alias (A/C, agent/customer)")
    return header, turns, closing


def _raw_turns(turns: list[_Turn], closing: tuple[int, str] | None, started_at: str | None) -> list[RawTurn]:
    """Turns with start = timestamp and end = next timestamp, when every turn is timed and
    closed; times of day and date-times count from the call's start (`turn_times`)."""
    if not turns:
        return []
    lines = [*(t.line for t in turns), closing[0] if closing else 0]
    try:
        stamps = turn_times([*(t.start for t in turns), closing[1] if closing else None], started_at)
    except TimeError as exc:
        raise _LineError(lines[exc.index], f"timestamp {exc.reason}") from None
    starts, end = stamps[:-1], stamps[-1]
    timed = end is not None and all(s is not None for s in starts)
    ends = [*starts[1:], end]
    raw = []
    for turn, start, end, end_line in zip(turns, starts, ends, lines[1:], strict=True):
        if timed and start is not None and end is not None and end < start:
            raise _LineError(end_line, f"timestamp is earlier than the one on line {turn.line}")
        raw.append(RawTurn(turn.speaker, "\n".join(turn.text), start if timed else None,
                           end if timed else None, turn.line))
    return raw


def _started_at(written: str | None) -> str | None:
    """The header's start time, as a count for the turn times to start from; an unreadable
    one is reported by `build_transcript`."""
    try:
        return f.started_at(written) if written else None
    except f.RecordError:
        return None


def read_text(path: Path, source: str) -> Iterator[Transcript | IngestError]:
    """Read the conversations of a plain-text file; see the module docstring."""
    try:
        lines = decode_whole(path.read_bytes()).split("\n")
    except NotText as exc:
        yield IngestError(source, exc.line, exc.reason)
        return
    starts = _conversation_starts(lines)
    blocks = list(zip(starts, [*starts[1:], len(lines)], strict=True))
    shared = _shared_header(lines, blocks)
    for start, end in blocks[1:] if shared else blocks:
        yield _conversation(path, source, lines, start, end, several=len(starts) > 1, shared=shared or {})


def _shared_header(lines: list[str], blocks: list[tuple[int, int]]) -> dict[str, str] | None:
    """A header above several conversations that gives no id and opens no turn (坐席工号 and
    坐席姓名 of a day's file of one agent's calls): what each conversation's own header lacks."""
    if len(blocks) < 2:
        return None
    try:
        header, turns, _ = _parse(lines, *blocks[0])
    except _LineError:
        return None
    return header if header and not turns and "id" not in header else None


def _conversation(path: Path, source: str, lines: list[str], start: int, end: int, *,
                  several: bool, shared: dict[str, str]) -> Transcript | IngestError:
    """The conversation in lines[start:end], or the error that skips it (and only it)."""
    # In a file of several, the line its header (or first turn) is on, past a separator.
    first = next(i for i in range(start, end) if not _blank_or_separator(lines[i])) + 1 if several else None
    try:
        header, turns, closing = _parse(lines, start, end)
        raw_turns = _raw_turns(turns, closing, _started_at(header.get("started_at")))
    except _LineError as exc:
        return IngestError(source, exc.line, exc.reason)
    values: dict[str, object] = {**({} if several else {"id": path.stem}), **shared, **header}
    if not values.get("id"):
        return IngestError(source, first, "conversation has no id: in a file of several conversations, each "
                                          "needs its own header line '通话ID: …' (the file name is the id only "
                                          "of a file holding one)")
    named = _FILE_NAME.fullmatch(path.stem)
    if named and "agent_id" not in values:
        values["agent_id"] = named["agent"]
    if named and "started_at" not in values:
        with suppress(ValueError):  # 20261341 is no date: leave started_at unset
            values["started_at"] = datetime.strptime(named["date"], "%Y%m%d").date().isoformat()
    if not values.get("agent_id"):
        return IngestError(source, first, f"{values['id']}: record has no agent_id (add a header line "
                                          "'坐席工号: A1024' or name the file like A1024_20261121_0001.txt)")
    try:
        return build_transcript(values, raw_turns, source=source, line=first)
    except f.RecordError as exc:
        return IngestError(source, first, str(exc))


def opens_turn(line: str) -> bool:
    """Whether a line opens a turn (坐席：…, [00:04] 客户：…): in a table of a call per row, a
    row whose id cell does is the rest of the dialogue above, cut off by a stray quote."""
    return _speaker_line(_stamp(line.strip(), [])[1]) is not None


def dialogue_turns(text: str, started_at: str | None) -> list[RawTurn]:
    """The turns of a whole conversation written in one table cell (对话内容: a speaker per
    line, times as in a .txt file), for the exports that give a call one row; `started_at`
    is the row's start time as written. RecordError names the cell's line at fault."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(opens_turn(line) for line in lines):
        raise f.RecordError("the table has no role column (角色 / 说话人 / speaker), and this text is not a dialogue "
                            "with a speaker on each line (坐席：… / 客户：…)")
    try:
        header, turns, closing = _parse(lines, 0, len(lines))
        return _raw_turns(turns, closing, _started_at(started_at or header.get("started_at")))
    except _LineError as exc:
        raise f.RecordError(f"line {exc.line} of its dialogue: {exc.reason}") from None
