"""Kind `existence`: phrases that must not be said (service taboos)."""

from __future__ import annotations

from qa_audit.checks.base import (
    CompiledRule,
    dead_phrases,
    live_hits,
    make_finding,
    quote_hits,
    turn_name,
    why_no_trigger,
)
from qa_audit.conversation import Conversation
from qa_audit.labels import speaker_name
from qa_audit.model import Finding, Turn


def check(compiled: CompiledRule, conv: Conversation) -> list[Finding]:
    """One finding per turn that says any of the phrases, naming every phrase said."""
    findings = []
    for turn in conv.turns_of(compiled.rule.scope):
        view = conv.view(turn.index)
        hits = live_hits(view, compiled, "phrases")
        if not hits:
            continue
        evidence = f"{turn_name(turn.index)}{speaker_name(turn.speaker)}说了 {quote_hits(view, compiled, hits)}"
        findings.append(make_finding(compiled, turn, view, hits, evidence))
    return findings


def why_silent(compiled: CompiledRule, conv: Conversation) -> str:
    """Why the rule found nothing here (for `rules test`): no phrase said, or each one cancelled."""
    return why_no_trigger(conv, compiled, "phrases")


def why_turn(compiled: CompiledRule, conv: Conversation, turn: Turn) -> str:
    """Why the rule found nothing in this turn (for `check --why`): the phrases it says that
    an exception cancelled or quotation marks hid; "" when it says none."""
    return "; ".join(dead_phrases(conv, compiled, "phrases", turn))
