"""`qa-audit rules test`: run every rule's own examples, as SQLFluff runs its rule cases.

An example is one agent sentence, or a list of turns written `坐席: …` / `客户: …` /
`系统: …`. A `fail` example must make the rule fire at least once; a `pass` example
must not make it fire at all. A `classifier` rule must also pass the pass examples of
every rule of its check: they are the hard cases of that check (a polite request to speak
up is no taboo), and a model, unlike a phrase, can fire on any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa_audit.checks import WHY_SILENT
from qa_audit.conversation import Conversation
from qa_audit.engine import Auditor
from qa_audit.model import Transcript, Turn
from qa_audit.rules.schema import Example, Rule

_PREFIX = re.compile(r"^\s*(坐席|客服|agent|客户|用户|customer|系统|system)\s*[:：]\s*", re.IGNORECASE)
_ROLES = {"坐席": "agent", "客服": "agent", "agent": "agent", "客户": "customer", "用户": "customer",
          "customer": "customer", "系统": "system", "system": "system"}


@dataclass(frozen=True)
class ExampleResult:
    rule: Rule
    expected: str  # "fail" or "pass"
    example: Example
    fired: list[str]
    why: str = ""
    """For a `fail` example the rule missed: why it found nothing (an exception, a remedy, a score)."""
    owner: str = ""
    """The rule whose examples hold this one, when not `rule` (a classifier rule runs the
    pass examples of its check's other rules too)."""

    @property
    def ok(self) -> bool:
        return bool(self.fired) == (self.expected == "fail")


def example_transcript(example: Example, channel: str = "call") -> Transcript:
    """The conversation an example stands for."""
    lines = [example] if isinstance(example, str) else list(example)
    turns = []
    for i, line in enumerate(lines):
        m = _PREFIX.match(line)
        speaker = _ROLES[m.group(1).lower()] if m else "agent"
        turns.append(Turn(i, speaker, line[m.end():] if m else line))
    return Transcript(id="example", agent_id="example", turns=tuple(turns), channel=channel)


def run_examples(auditor: Auditor, rule_ids: set[str] | None = None) -> list[ExampleResult]:
    """Audit each example of each (selected) rule; report which findings of that rule it produced."""
    results = []
    for rule in auditor.pack.enabled:
        if rule_ids and rule.id not in rule_ids:
            continue
        channel = rule.channels[0]
        cases = [("fail", e, "") for e in rule.fail_examples] + [("pass", e, "") for e in rule.pass_examples]
        if rule.kind == "classifier":
            own = set(rule.pass_examples)
            cases += [("pass", e, other.id) for other in auditor.pack.enabled
                      if other.check == rule.check and other.id != rule.id
                      for e in other.pass_examples if e not in own]
        # A borrowed example runs with every rule of the check, as in an audit: a turn a
        # phrase rule finds is not the model's to judge (你有完没完 may be another rule's
        # pass example and still PRO001's taboo).
        check_rules = {r.id for r in auditor.pack.enabled if r.check == rule.check}
        for expected, example, owner in cases:
            conv = auditor.conversation(example_transcript(example, channel))
            fired = [f.message for f in auditor.conversation_findings(conv, only=check_rules if owner else {rule.id})
                     if f.rule_id == rule.id]
            why = _why_silent(auditor, rule, conv) if expected == "fail" and not fired else ""
            results.append(ExampleResult(rule, expected, example, fired, why, owner))
    return results


def _why_silent(auditor: Auditor, rule: Rule, conv: Conversation) -> str:
    """What the rule's kind says about an example it found nothing in. Each kind explains
    from the same decision its check makes, so an empty answer means the two disagree."""
    reason = WHY_SILENT[rule.kind](auditor.compiled_rule(rule.id), conv)
    return reason or "no reason found (a bug in qa-audit: please report it)"
