"""The checks: one module per rule kind, each a function (compiled rule, conversation) -> findings."""

from __future__ import annotations

from collections.abc import Callable

from qa_audit.checks import classifier, conditional, existence, metric, required
from qa_audit.checks.base import CompiledRule, compile_rule
from qa_audit.conversation import Conversation
from qa_audit.model import Finding

Check = Callable[[CompiledRule, Conversation], list[Finding]]

CHECKS: dict[str, Check] = {
    "existence": existence.check,
    "required": required.check,
    "conditional": conditional.check,
    "metric": metric.check,
    "classifier": classifier.check,
}

__all__ = ["CHECKS", "Check", "CompiledRule", "compile_rule"]
