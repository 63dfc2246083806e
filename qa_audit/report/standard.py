"""What a report takes from the rule pack it is made with, as plain data.

The workbook writer needs four facts of the standard the calls were held to: which
checks it audits (each gets a column every night, also at 0%), the talk-share target
and limit (to tell the 30% aimed at from the limit a call is flagged above), the per-call caps
(to explain a finding that cost less than its weight) and the channels a check is
limited to (whose calls its rate counts). They are read here, once, so the
writer knows nothing of rule kinds and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qa_audit.labels import CHANNEL_NAMES, check_label, label
from qa_audit.model import CHANNELS

if TYPE_CHECKING:
    from qa_audit.rules.pack import RulePack

TALK_CHECK = "talk_ratio"


@dataclass(frozen=True)
class Standard:
    """The rule pack's facts a report shows; the empty standard when none is given."""

    checks: tuple[str, ...] = ()
    """The checks of the enabled rules (a disabled check found nothing because it was not
    looked for, and must not read as a clean 0%)."""
    talk_check: str = TALK_CHECK
    """The check of the talk-share rule: a call has a finding of it when it went over the limit."""
    talk_target: float = 0.30
    """The talk share an agent aims at, which averages are measured against (the 3 of 7:3)."""
    talk_limit: str | None = None
    """The limit the talk-share rule flags above, in words ("40%", "40%（在线 45%）");
    None without such a rule."""
    caps: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Rule id -> (weight, cap) for the rules whose deductions per call are capped."""
    names: dict[str, str] = field(default_factory=dict)
    """Check -> the name a site's pack gives it (pack.yaml `checks:`), over the built-in names."""
    channels: dict[str, frozenset[str]] = field(default_factory=dict)
    """Check -> the channels its rules apply to, for a check limited to some (a site's
    结束语 for chat only): the other channels' calls are not in its rate, so a calls-only
    agent reads 不适用 rather than a clean 0%, and a team's rate is that of its chats."""

    def label(self, check: str) -> str:
        """The name a supervisor reads for `check`: the pack's, the built-in one, or the check itself."""
        return self.names.get(check) or check_label(check)

    def applies(self, check: str, channel: object) -> bool:
        """Whether `check` looks at calls of `channel`."""
        allowed = self.channels.get(check)
        return allowed is None or channel in allowed


def standard_of(pack: RulePack) -> Standard:
    """The facts of `pack` a report shows."""
    talk_check, talk_limit, talk_target = TALK_CHECK, None, Standard.talk_target
    for rule in pack.enabled:
        if rule.kind == "metric" and rule.params.get("metric") == "agent_talk_share":
            limit = rule.params["max"]
            others = "，".join(
                f"{label(CHANNEL_NAMES, channel)} {value:.0%}"
                for channel, value in rule.params["per_channel"].items()
                if value != limit
            )
            talk_check, talk_limit = rule.check, f"{limit:.0%}（{others}）" if others else f"{limit:.0%}"
            if rule.params.get("target") is not None:
                talk_target = rule.params["target"]
            break
    channels: dict[str, set[str]] = {}
    for rule in pack.enabled:
        channels.setdefault(rule.check, set()).update(rule.channels)
    return Standard(
        checks=tuple(rule.check for rule in pack.enabled),
        talk_check=talk_check,
        talk_target=talk_target,
        talk_limit=talk_limit,
        caps={rule.id: (rule.weight, rule.cap) for rule in pack.enabled if rule.cap is not None},
        channels={check: frozenset(found) for check, found in channels.items() if set(CHANNELS) - found},
        names=dict(pack.check_names),
    )
