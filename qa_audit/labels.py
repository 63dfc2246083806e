"""The Chinese words a supervisor reads for the codes in the rows.

Rows carry machine codes (`prohibited`, `major`, `agent`); a supervisor coaching from the
workbook, the terminal or a finding's evidence should never have to translate them, and
reads the same word for a code everywhere. Unknown codes (a rule pack's own check, a
new channel) are shown as they are rather than hidden, so nothing disappears from a report.
"""

from __future__ import annotations

from collections.abc import Iterable

CHECK_NAMES = {
    "greeting": "开场问候",
    "identification": "自报工号",
    "closing": "结束语",
    "prohibited": "服务禁语",
    "non_answer": "三不知",
    "hold": "等待礼仪",
    "talk_ratio": "说话占比超标",
}

SEVERITY_NAMES = {"info": "提示", "minor": "轻微", "major": "严重", "critical": "致命"}
CHANNEL_NAMES = {"call": "电话", "chat": "在线"}
SPEAKER_NAMES = {"agent": "坐席", "customer": "客户", "system": "系统"}
BASIS_NAMES = {"time": "按时长", "chars": "按字数"}

YES = "是"
NO = "否"
WHOLE_CALL = "整通"
"""The turn column's word for a finding about the whole call (a missing greeting, the talk share)."""


def speaker_name(speaker: str) -> str:
    """坐席 / 客户 / 系统, or the speaker code itself when unknown."""
    return SPEAKER_NAMES.get(speaker, speaker)


def check_label(check: str) -> str:
    """The Chinese name of a check, or its own name when the rule pack made it up."""
    return CHECK_NAMES.get(check, check)


def order_checks(checks: Iterable[str]) -> list[str]:
    """Known checks in the order a call unfolds (greeting first), then any others by name.

    A fixed order keeps the columns of every workbook of a batch in the same place, so a
    supervisor comparing two agents' files finds 服务禁语 in the same column in both.
    """
    known = list(CHECK_NAMES)
    present = set(checks)
    return [c for c in known if c in present] + sorted(present - set(known))


def label(mapping: dict[str, str], code: object) -> str | None:
    """A code's Chinese word from `mapping`, the code itself when unmapped, None when absent."""
    if code is None or code == "":
        return None
    return mapping.get(str(code), str(code))
