"""Validating one transcript's fields and turns, whatever format they came from.

Every reader turns its format into canonical field values plus a list of `RawTurn`s and
lets `build_transcript` decide, so a JSON record, a group of CSV rows and a text file are
held to the same rules and fail with the same reasons:

- a transcript needs an id, an agent id and at least one turn; an agent id is never
  guessed, so no call is ever scored against an "unknown" agent;
- every turn needs a known speaker and a text (numbers are taken as text; a JSON turn's
  "text": null, a picture sent in a chat, is an empty one); a numbered
  label (坐席A, 客户1) or one with a note (坐席(工号1024), 客户(来电)) is read as its role
  only when it is the conversation's one label for that role: 坐席1 and 坐席2 (or 坐席 and
  坐席1, 坐席(王) and 坐席(李)) are two people, and the call would be scored against one
  agent for both;
- turn times written as moments (date-times, Unix timestamps, times of day) become
  seconds from the call's start, read per conversation (`turn_times`); without a
  started_at, the first dated turn gives it (a chat export dates each message); turns
  listed out of the order their starts say (an export newest first) are put in order;
- times are kept only when every agent and customer turn has both a start and an end
  (the labeling guide, ../shared/eval/LABELING.md beside the project: on every turn or
  none). A transcript with partial times is still audited, untimed, so the talk ratio
  falls back to characters instead of comparing timed and untimed turns;
- a chat platform's HTML in a message (`<br>`, `&nbsp;`, `<img>`) becomes the text it
  shows (`_without_html`);
- characters no report can hold are replaced, one for one, by U+FFFD (the replacement
  character) in every string a transcript is built from: lone surrogates (a JSON
  "\\ud800" escape decodes to one, and it cannot be encoded as UTF-8 for the content
  hash or the JSON Lines reports), U+FFFE, U+FFFF and C0 controls other than tab, line
  feed and carriage return (XML forbids them, so the Excel workbooks could not be
  written). One for one keeps every evidence offset. This is silent on purpose: the
  record is still audited, and an IngestError would count it as a skipped input (exit
  code 1, the "skipped inputs" sheet) when nothing was skipped; U+FFFD shows where the
  character was in every report.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qa_audit.ingest import fields as f
from qa_audit.ingest.turn_times import TimeError, first_moment, turn_times
from qa_audit.model import Transcript, Turn


@dataclass(frozen=True, slots=True)
class RawTurn:
    """A turn as read, before validation. `line` (CSV row, text line) is named in errors."""

    speaker: object
    text: object
    start: object = None
    end: object = None
    line: int | None = None


_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_HTML_TAG = re.compile(
    r"<(/?)(br|p|div|span|font|b|strong|i|em|u|a|img)"
    r"((?:\s+[a-zA-Z_:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>",
    re.IGNORECASE,
)
"""A tag as HTML writes it: the name right after <, then only attributes (A < B，B > C and
<A 款> are text)."""
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG_TEXT = {"br": "\n", "/p": "\n", "/div": "\n", "img": "[图片]"}


def _without_html(text: str) -> str:
    """A chat message as the customer saw it. Chat platforms (美洽, 七鱼, 智齿) export messages
    as HTML: `<br>`, `&nbsp;`, `<img …>`. Read as text, the markup counted as talk and a
    phone number written 138&nbsp;1234&nbsp;5678 escaped masking. Only the tags chat
    widgets write are taken out (a line break for br, p and div; [图片] for an image);
    other text with < or & stays as written."""
    if "<" in text:
        text = _HTML_TAG.sub(lambda m: _TAG_TEXT.get(m[1] + m[2].lower(), ""), text)
    if "&" in text:
        text = _HTML_ENTITY.sub(lambda m: html.unescape(m[0]), text)
    return text


def _writable(text: str) -> str:
    """`text` with each character no report can hold replaced by U+FFFD (module docstring)."""
    return _UNWRITABLE.sub("\ufffd", text)


def _string(name: str, value: object) -> str:
    """A metadata value as text; ids exported as numbers are fine, objects are not."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _writable(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise f.RecordError(f"{name} is not a string")


def _where(index: int, raw: RawTurn) -> str:
    return f"turn {index}" if raw.line is None else f"turn {index} (line {raw.line})"


def _said(index: int, raw: RawTurn) -> tuple[str, str]:
    """The turn's speaker role and text."""
    where = _where(index, raw)
    who = _string(f"{where}: speaker", raw.speaker)
    if not who:
        raise f.RecordError(f"{where} has no speaker")
    speaker = f.speaker(who)
    if speaker is None:
        raise f.RecordError(f"{where}: unknown speaker {who!r}")
    if raw.text is None:
        raise f.RecordError(f"{where} has no text")
    if isinstance(raw.text, str):
        return speaker, _writable(_without_html(raw.text))
    if isinstance(raw.text, int | float) and not isinstance(raw.text, bool):
        return speaker, str(raw.text)
    raise f.RecordError(f"{where}: text is not a string")


def _turns(raw_turns: list[RawTurn], values: list[object], started_at: str | None) -> list[Turn]:
    """The validated turns, their times made seconds from the call's start (`turn_times`),
    in the order they were said: an export listing them newest first (every start at or
    before the one above) is read backwards, and one otherwise out of order is sorted by
    start. Backwards, not sorted: messages sent in the same second keep their order, and
    times of day are read across midnight in the order they were said. `values` are the
    turns' times as written (`_times_of`)."""
    said = [_said(i, raw) for i, raw in enumerate(raw_turns)]
    if not any(value is not None and value != "" for value in values):  # most chats: nothing to read
        return [Turn(index, speaker, text) for index, (speaker, text) in enumerate(said)]
    timed = _timed(raw_turns, said, started_at)
    starts = [turn[0] for turn in timed]
    if None not in starts and len(set(starts)) > 1 and all(b <= a for a, b in itertools.pairwise(starts)):
        timed = _timed(raw_turns[::-1], said[::-1], started_at)
    elif None not in starts and starts != sorted(starts):
        timed.sort(key=lambda turn: turn[0])
    return [Turn(index, speaker, text, start, end) for index, (start, end, speaker, text) in enumerate(timed)]


def _timed(
    raw_turns: list[RawTurn], said: list[tuple[str, str]], started_at: str | None
) -> list[tuple[float | None, float | None, str, str]]:
    """(start, end, speaker, text) of each turn in the order given; RecordError names a bad time."""
    try:
        times = turn_times(_times_of(raw_turns), started_at)
    except TimeError as exc:
        index, name = divmod(exc.index, 2)
        raise f.RecordError(f"{_where(index, raw_turns[index])}: {('start', 'end')[name]} {exc.reason}") from None
    timed = []
    for index, ((speaker, text), raw) in enumerate(zip(said, raw_turns, strict=True)):
        start, end = times[2 * index], times[2 * index + 1]
        if start is not None and end is not None and end < start:
            raise f.RecordError(f"{_where(index, raw)}: end {end:g} is before start {start:g}")
        timed.append((start, end, speaker, text))
    return timed


def _times_of(raw_turns: list[RawTurn]) -> list[object]:
    """The turns' times as written, in the order `turn_times` reads them: start, end, next start, …"""
    return [value for raw in raw_turns for value in (raw.start, raw.end)]


def _one_label_per_qualified_role(labels: Iterable[str]) -> None:
    """RecordError when a role's turns carry several labels and one of them is numbered
    or noted (module docstring). Plain aliases may differ (坐席 and 客服 are one agent's role)."""
    by_role: dict[str, set[str]] = {}
    for label in labels:
        role = f.speaker(label)
        if role is not None:
            by_role.setdefault(role, set()).add(label)
    for role, found in by_role.items():
        if len({f.key(label) for label in found}) > 1 and any(f.qualified_role(label) for label in found):
            names = "、".join(sorted(found))
            raise f.RecordError(f"more than one {role} ({names}): numbered or noted speakers are read only "
                                f"when a conversation has one {role} label")


def _untimed_unless_complete(turns: list[Turn]) -> tuple[Turn, ...]:
    """All times, or none: see the module docstring."""
    talk = [t for t in turns if t.speaker != "system"]
    if all(t.start is not None and t.end is not None for t in talk):
        return tuple(turns)
    return tuple(Turn(t.index, t.speaker, t.text) for t in turns)


def build_transcript(
    values: Mapping[str, object], turns: Iterable[RawTurn], *, source: str, line: int | None
) -> Transcript:
    """The validated transcript, or RecordError naming the first problem (prefixed by the id).

    `turns` is consumed inside the id-prefixed error handling, so a reader may pass a
    generator that raises RecordError for a malformed turn.
    """
    tid = _string("id", values.get("id"))
    if not tid:
        raise f.RecordError("record has no id (expected one of: " + ", ".join(f.EXPECTED["id"]) + ")")
    try:
        agent_id = _string("agent_id", values.get("agent_id"))
        if not agent_id:
            raise f.RecordError("record has no agent_id")
        channel = "call"
        if given := _string("channel", values.get("channel")):
            known = f.channel(given)
            if known is None:
                raise f.RecordError(f"unknown channel {given!r} (expected call/电话 or chat/在线)")
            channel = known
        written = _string("started_at", values.get("started_at"))
        started = f.started_at(written) if written else None
        raw_turns = list(turns)
        times = _times_of(raw_turns)
        if started is None:  # a chat export dates each message, not the conversation
            started = first_moment(times)
        checked = _turns(raw_turns, times, started)
        if not checked:
            raise f.RecordError("record has no turns")
        _one_label_per_qualified_role(_string("speaker", raw.speaker) for raw in raw_turns)
        return Transcript(
            id=tid,
            agent_id=agent_id,
            turns=_untimed_unless_complete(checked),
            channel=channel,
            agent_name=_string("agent_name", values.get("agent_name")),
            team=_string("team", values.get("team")),
            started_at=started,
            source=source,
            line=line,
        )
    except f.RecordError as exc:
        raise f.RecordError(f"{tid}: {exc}") from None
