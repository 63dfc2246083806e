"""Kind `metric`: a number measured over the conversation must stay within a threshold.

The agent's talk share (the 70/30 listening rule: the customer talks 7 parts, the agent
3) is computed exactly as LABELING.md defines it: on the time basis when every agent and
customer turn has start and end (every turn's duration counts for its speaker, overlaps
included), otherwise on the character basis (letters and digits of any script:
Unicode categories L* and N*; punctuation and spaces excluded).
"""

from __future__ import annotations

import unicodedata

from qa_audit.checks.base import CompiledRule, make_finding
from qa_audit.conversation import Conversation
from qa_audit.model import Finding, Transcript

BASIS_NAMES = {"time": "按时长", "chars": "按字数"}


def talk_share(transcript: Transcript) -> tuple[float | None, str]:
    """The agent's share of agent + customer talk, and the basis it was computed on."""
    talk = [t for t in transcript.turns if t.speaker in ("agent", "customer")]
    timed = bool(talk) and all(t.start is not None and t.end is not None for t in talk)
    totals = {"agent": 0.0, "customer": 0.0}
    for t in talk:
        if timed:
            totals[t.speaker] += max(0.0, float(t.end) - float(t.start))  # type: ignore[arg-type]
        else:
            totals[t.speaker] += sum(1 for ch in t.text if unicodedata.category(ch)[0] in "LN")
    whole = totals["agent"] + totals["customer"]
    basis = "time" if timed else "chars"
    return (totals["agent"] / whole if whole else None), basis


def check(compiled: CompiledRule, conv: Conversation) -> list[Finding]:
    """A transcript-level finding when the measured value is strictly above the threshold."""
    params = compiled.rule.params
    share, basis = talk_share(conv.transcript)
    limit = params["per_channel"].get(conv.transcript.channel, params["max"])
    if share is None or share <= limit:
        return []
    evidence = f"坐席说话占比 {share:.1%}（{BASIS_NAMES[basis]}），超过上限 {limit:.0%}"
    return [make_finding(compiled, None, None, [], evidence, message_arg=f"{share:.0%}")]
