"""The checks: one module per rule kind, each a function (compiled rule, conversation) -> findings,
and one that says why it found none. `base` holds what they share; `asked` finds the new
question a `conditional` rule's next turn may be answering instead."""

from __future__ import annotations

from collections.abc import Callable

from qa_audit.checks import classifier, conditional, existence, metric, required
from qa_audit.checks.base import CompiledRule, compile_rule
from qa_audit.conversation import Conversation
from qa_audit.model import Finding, Turn

Check = Callable[[CompiledRule, Conversation], list[Finding]]

CHECKS: dict[str, Check] = {
    "existence": existence.check,
    "required": required.check,
    "conditional": conditional.check,
    "metric": metric.check,
    "classifier": classifier.check,
}

Explain = Callable[[CompiledRule, Conversation], str]

WHY_SILENT: dict[str, Explain] = {
    "existence": existence.why_silent,
    "required": required.why_silent,
    "conditional": conditional.why_silent,
    "metric": metric.why_silent,
    "classifier": classifier.why_silent,
}
"""Each kind's account of why a rule found nothing in a conversation: what `rules test`
prints under a `fail` example the rule missed."""

TurnExplain = Callable[[CompiledRule, Conversation, Turn], str]

WHY_TURN: dict[str, TurnExplain] = {
    "existence": existence.why_turn,
    "conditional": conditional.why_turn,
    "classifier": classifier.why_turn,
}
"""For the kinds that judge turn by turn: why a rule found nothing in one turn ("" when the
turn gave it nothing to judge), what `check --why` prints for the turn."""

__all__ = ["CHECKS", "WHY_SILENT", "WHY_TURN", "Check", "CompiledRule", "Explain", "TurnExplain", "compile_rule"]
