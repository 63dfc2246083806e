"""Kind `metric`: a number measured over the conversation must stay within a threshold.

The one metric so far is the agent's talk share (`qa_audit.talk`), against the 70/30
listening rule: the customer talks 7 parts, the agent 3.
"""

from __future__ import annotations

from qa_audit.checks.base import CompiledRule, make_finding
from qa_audit.conversation import Conversation
from qa_audit.labels import BASIS_NAMES
from qa_audit.model import Finding


def check(compiled: CompiledRule, conv: Conversation) -> list[Finding]:
    """A transcript-level finding when the measured value is strictly above the threshold."""
    share, basis = conv.talk_share()
    limit = _limit(compiled, conv)
    if share is None or share <= limit:
        return []
    evidence = f"坐席说话占比 {share:.1%}（{BASIS_NAMES[basis]}），超过上限 {limit:.0%}"
    # The limit is in the words filled in, not the rule's text: a site pack that changes
    # `max` or `per_channel` must not leave messages saying "over 40%".
    return [make_finding(compiled, None, None, [], evidence, message_arg=f"{share:.0%}，超过上限 {limit:.0%}")]


def why_silent(compiled: CompiledRule, conv: Conversation) -> str:
    """Why the rule found nothing here (for `rules test`): the share measured and the limit."""
    share, basis = conv.talk_share()
    if share is None:
        return "no agent or customer talk to measure"
    return f"the agent's share is {share:.1%} ({BASIS_NAMES[basis]}), within the limit {_limit(compiled, conv):.0%}"


def _limit(compiled: CompiledRule, conv: Conversation) -> float:
    """The threshold for this conversation's channel (a chat may allow more than a call)."""
    params = compiled.rule.params
    return params["per_channel"].get(conv.transcript.channel, params["max"])
