"""Every rule's own failing and passing examples, one test case each (as SQLFluff's rule YAML)."""

from __future__ import annotations

import pytest

from qa_audit.engine import Auditor
from qa_audit.rules.pack import load_pack
from qa_audit.rules.testing import example_transcript

PACK = load_pack()
CASES = [
    pytest.param(rule.id, expected, example, id=f"{rule.id}-{expected}-{n}")
    for rule in PACK.enabled
    for expected, examples in (("fail", rule.fail_examples), ("pass", rule.pass_examples))
    for n, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule_id", "expected", "example"), CASES)
def test_rule_example(auditor: Auditor, rule_id: str, expected: str, example: str | tuple[str, ...]) -> None:
    findings = auditor.findings(example_transcript(example), only={rule_id})
    if expected == "fail":
        assert findings, f"{rule_id} should fire on {example}"
    else:
        assert not findings, f"{rule_id} should not fire on {example}: {findings[0].message}"


def test_every_rule_has_failing_and_passing_examples_and_a_rationale() -> None:
    for rule in PACK.rules:
        assert rule.fail_examples and rule.pass_examples, rule.id
        assert "服务规范" in rule.rationale, f"{rule.id} rationale must cite the service standard"
