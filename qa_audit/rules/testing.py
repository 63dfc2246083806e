"""`qa-audit rules test`: run every rule's own examples, as SQLFluff runs its rule cases.

An example is one agent sentence, or a list of turns written `坐席: …` / `客户: …` /
`系统: …`. A `fail` example must make the rule fire at least once; a `pass` example
must not make it fire at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        for expected, examples in (("fail", rule.fail_examples), ("pass", rule.pass_examples)):
            for example in examples:
                findings = auditor.findings(example_transcript(example, channel), only={rule.id})
                results.append(ExampleResult(rule, expected, example, [f.message for f in findings]))
    return results
