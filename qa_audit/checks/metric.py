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
    params = compiled.rule.params
    share, basis = conv.talk_share()
    limit = params["per_channel"].get(conv.transcript.channel, params["max"])
    if share is None or share <= limit:
        return []
    evidence = f"坐席说话占比 {share:.1%}（{BASIS_NAMES[basis]}），超过上限 {limit:.0%}"
    # The limit is in the words filled in, not the rule's text: a site pack that changes
    # `max` or `per_channel` must not leave messages saying "over 40%".
    return [make_finding(compiled, None, None, [], evidence, message_arg=f"{share:.0%}，超过上限 {limit:.0%}")]
