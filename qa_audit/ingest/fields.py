"""The names real exports give to transcript fields and speaker roles, and value parsing.

Every call-centre platform exports the same few facts under its own names (`role` or
`speaker`, 坐席 or 客服, 会话ID or call_id). The tables below map them onto the names of
`qa_audit.model`. Names and values are compared after `key()`: full-width to half-width,
Traditional to Simplified, lower case, with spaces, `_` and `-` dropped, so `Agent ID`,
`agentId`, `agent_id` and 坐席工號 are all found without listing every spelling.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from qa_audit.ingest.turn_times import EPOCH_RANGE
from qa_audit.text import normalize


class RecordError(ValueError):
    """One transcript cannot be built; the message is the reason a user reads."""


@functools.lru_cache(maxsize=4096)
def key(name: str) -> str:
    """The comparable form of a field name or a role/channel value."""
    return re.sub(r"[\s_\-]+", "", normalize(name.strip()).text)


def _table(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, int]]:
    """alias key -> (canonical name, rank), from canonical name -> readable aliases, best first."""
    return {key(alias): (canonical, rank) for canonical, names in aliases.items() for rank, alias in enumerate(names)}


def _values(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """value key -> canonical value, from canonical value -> the ways exports write it."""
    return {key(alias): canonical for canonical, names in aliases.items() for alias in names}


_ID = ("id", "transcript_id", "call_id", "session_id", "conversation_id", "会话ID", "通话ID", "会话编号", "通话编号")
_AGENT_ID = ("agent_id", "agent", "staff_id", "agent_no", "坐席工号", "工号", "坐席ID", "客服工号", "客服账号",
             "坐席账号", "客服ID", "员工工号")
_AGENT_NAME = ("agent_name", "staff_name", "坐席姓名", "坐席名称", "客服姓名", "客服名称", "客服昵称", "坐席昵称",
               "员工姓名")
_TEAM = ("team", "group", "班组", "组别", "小组", "技能组", "skill_group")
_CHANNEL = ("channel", "渠道")
_STARTED_AT = ("started_at", "通话开始时间", "会话开始时间")
_SPEAKER = ("speaker", "role", "speaker_role", "sender", "角色", "说话人", "发言人", "发送方", "发送者", "发言方")
_TEXT = ("text", "content", "utterance", "message", "msg", "内容", "文本", "消息内容", "聊天内容", "发言内容",
         "对话内容", "聊天记录", "通话内容", "会话内容", "对话记录", "dialogue", "transcript")
_START = ("start", "begin", "start_time", "开始时间", "开始", "send_time", "create_time", "time", "timestamp",
          "发送时间", "消息时间", "时间")
_END = ("end", "end_time", "结束时间", "结束")

RECORD_FIELDS = _table({
    "id": _ID, "agent_id": _AGENT_ID, "agent_name": _AGENT_NAME, "team": _TEAM, "channel": _CHANNEL,
    # At the top of a JSON record or in a text header, a start time is the call's start.
    "started_at": (*_STARTED_AT, "start_time", "开始时间"),
    "turns": ("turns", "utterances", "messages", "dialogue", "dialog", "对话"),
})
"""Keys of a JSON transcript object and of a plain-text header block."""

TURN_FIELDS = _table({"speaker": _SPEAKER, "text": _TEXT, "start": _START, "end": _END})
"""Keys of a JSON turn object."""

CSV_COLUMNS = _table({
    "id": _ID, "agent_id": _AGENT_ID, "agent_name": _AGENT_NAME, "team": _TEAM, "channel": _CHANNEL,
    "started_at": _STARTED_AT, "speaker": _SPEAKER, "text": _TEXT, "start": _START, "end": _END,
})
"""CSV headers. A row is a turn, so 开始时间/start_time there is the turn's start (in a
table of a row per call, `table._dialogue_turns`, the call's)."""

EXPECTED = {"id": _ID, "agent_id": _AGENT_ID, "speaker": _SPEAKER, "text": _TEXT}
"""The usual names of the required fields, quoted in errors so a user can rename a column.
A table may lack the role column when its text holds a whole dialogue (`table`)."""


def expected_columns(names: Iterable[str]) -> str:
    """The usual names of the required columns `names`, for an error about a table's header."""
    return "; ".join(f"{name}: " + " / ".join(EXPECTED[name]) for name in names)

SPEAKERS = _values({
    "agent": ("agent", "a", "坐席", "座席", "客服", "人工客服", "人工", "客服人员", "售后", "卖家", "商家", "店小二",
              "staff", "helpdesk", "seller"),
    "customer": ("customer", "c", "客户", "用户", "user", "client", "顾客", "访客", "客人", "买家", "游客", "来电人",
                 "visitor", "buyer"),
    # Machine turns: the IVR menu and the chat bot before the transfer to a person. They
    # are not the agent's words, so they open no greeting and count in no talk share.
    "system": ("system", "sys", "系统", "系统消息", "机器人", "智能客服", "bot", "ivr", "语音导航"),
})

NUMBERED_SPEAKERS = {
    "agent": ("agent", "坐席", "座席", "客服", "人工客服", "staff"),
    "customer": ("customer", "客户", "用户", "顾客", "user", "client"),
}
"""Role words that ASR diarization and multi-seat exports number: 坐席A, 坐席1, 客户B, Agent 2.
Such a label, like one with a note (`_NOTED`), means that role only when it is the
conversation's one label for the role (see `build`): 坐席1 and 坐席2 in one call are two
agents, and one agent id cannot be both."""

_ROLE_WORDS = [key(word) for words in NUMBERED_SPEAKERS.values() for word in words]
_NUMBERED = re.compile(
    "(?:(" + "|".join(w for w in _ROLE_WORDS if not w.isascii()) + r")(\d{1,3}|[a-z])"
    "|(" + "|".join(w for w in _ROLE_WORDS if w.isascii()) + r")(\d{1,3}))"
)
"""坐席A / 坐席1, but an English role word only with a number (Agent 2): with a letter it
would read plain words as roles ('users', 'staffs')."""

_NOTED = re.compile(r"([^()]+)\(([^()]{1,20})\)")
"""A role with a note in brackets, after `key` (full-width brackets made half-width):
客户(来电), 坐席(工号1024), 客服（王小明）, 系统(自动回复)."""

CHANNELS = _values({
    "call": ("call", "phone", "voice", "电话", "语音", "通话", "热线", "呼入", "呼出", "外呼", "来电", "去电",
             "电话呼入", "电话呼出", "呼叫中心"),
    # Written channels all: the talk share is counted in characters and rules for chat apply.
    "chat": ("chat", "online", "text", "im", "webchat", "web", "app", "email", "sms", "在线", "在线客服", "在线咨询",
             "线上", "文字", "微信", "企业微信", "公众号", "微信公众号", "小程序", "网聊", "网页", "微博", "短信",
             "邮件"),
})


def columns(names: Iterable[object], table: Mapping[str, tuple[str, int]]) -> dict[str, int]:
    """canonical name -> position of the name that gives it.

    When several names mean the same field, the best-ranked alias wins (`agent_id` over
    `agent`, which some exports use for the agent's name), whatever their order.
    """
    best: dict[str, tuple[int, int]] = {}
    for position, name in enumerate(names):
        found = table.get(key(name)) if isinstance(name, str) else None
        if found is not None and (found[0] not in best or found[1] < best[found[0]][0]):
            best[found[0]] = (found[1], position)
    return {canonical: position for canonical, (_, position) in best.items()}


def fields(record: Mapping[str, object], table: Mapping[str, tuple[str, int]]) -> dict[str, object]:
    """The record's values under canonical names (see `columns` for competing aliases)."""
    values = list(record.values())
    return {canonical: values[position] for canonical, position in columns(record, table).items()}


_TABLE_ROLES = frozenset(key(word) for word in ("人工", "客服人员", "售后", "卖家", "商家", "店小二", "seller", "客人",
                                                 "买家", "游客", "来电人", "visitor", "buyer"))
"""Role words of chat platforms' role columns and keys that are also ordinary words: at the
head of a line of a .txt transcript they are a customer quoting a notice (售后：已登记),
not a speaker, so `line_speaker` does not take them."""


def line_speaker(value: str) -> str | None:
    """`speaker` for the label that opens a line of a .txt transcript: the chat platforms'
    `_TABLE_ROLES` words are not speakers there."""
    return None if key(value) in _TABLE_ROLES else speaker(value)


def speaker(value: str) -> str | None:
    """agent / customer / system, or None for a role this tool does not know.

    A numbered label (坐席A) or one with a note (客户(来电)) gives its role here; whether
    it is the conversation's only label for that role is checked where the whole
    conversation is known (`build`).
    """
    written = key(value)
    if role := SPEAKERS.get(written):
        return role
    noted = _NOTED.fullmatch(written)
    return SPEAKERS.get(noted[1]) if noted else _numbered_role(written)


def qualified_role(value: str) -> str | None:
    """agent / customer for a label that qualifies its role word, numbered (坐席A, 客户1,
    `NUMBERED_SPEAKERS`) or noted (坐席(工号1024)), else None."""
    written = key(value)
    noted = _NOTED.fullmatch(written)
    if noted:
        role = SPEAKERS.get(noted[1])
        return role if role in NUMBERED_SPEAKERS else None
    return _numbered_role(written)


def _numbered_role(written: str) -> str | None:
    match = _NUMBERED.fullmatch(written)
    if match is None:
        return None
    word = match[1] or match[3]
    return next(role for role, words in NUMBERED_SPEAKERS.items() if word in map(key, words))


def channel(value: str) -> str | None:
    """call / chat, or None for a channel this tool does not know."""
    return CHANNELS.get(key(value))


_DATETIME = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def _epoch(value: object) -> str | None:
    """A Unix timestamp (seconds, or milliseconds as many call platforms write them) as
    an ISO date-time in UTC, or None when `value` is not one of a plausible year."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str):
        if not re.fullmatch(r"\d{10}(?:\d{3})?", value.strip()):
            return None
        value = int(value)
    if not EPOCH_RANGE[0] <= value < EPOCH_RANGE[1] * 1000:  # also before dividing a 400-digit integer
        return None
    seconds = value / 1000 if value > 10**11 else value
    if not EPOCH_RANGE[0] <= seconds < EPOCH_RANGE[1]:
        return None
    return datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def started_at(value: object) -> str:
    """An ISO 8601 date-time from the ways exports write one (2026/11/21 9:15,
    2026-11-21T09:15:02+08:00, 2026年11月21日, a Unix timestamp in seconds or milliseconds).

    Fractions of a second are dropped; the time zone, when given, is kept. Reports file a
    call under the day of this timestamp, so a value that is not a date is an error rather
    than a call that silently drops out of every period.
    """
    epoch = _epoch(value)
    if epoch is not None:
        return epoch
    match = _DATETIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise RecordError(f"started_at {value!r} is not a date and time (e.g. 2026-11-21T09:15:02+08:00)")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise RecordError(f"started_at {value!r} is not a valid date and time") from None
    if hour is None:
        return moment.date().isoformat()
    text = moment.isoformat()
    if zone:
        text += "Z" if zone == "Z" else f"{zone[:3]}:{zone[-2:]}"
    return text
