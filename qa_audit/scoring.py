"""Call scores: start at 100, each finding deducts its rule's weight, red lines zero the call.

- A rule's `cap` bounds what its repeated hits can take off one call (three taboo
  turns at weight 10 with cap 20 deduct 20, not 30).
- A `red_line` rule (一票否决, e.g. profanity) sets the score to 0 on any hit and marks
  the call.
- The score never goes below 0; a call passes when it reaches the pass mark and has no
  red line.
Deductions are recorded per finding, so the findings sheet shows what each one cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from qa_audit.model import Finding
from qa_audit.rules.pack import Scoring
from qa_audit.rules.schema import Rule


def score_call(
    findings: Sequence[Finding], rules: dict[str, Rule], scoring: Scoring
) -> tuple[float, bool, bool, tuple[float, ...]]:
    """Return (score, passed, red_line, deduction of each finding)."""
    taken: dict[str, float] = defaultdict(float)
    deductions = []
    for finding in findings:
        cap = rules[finding.rule_id].cap
        points = finding.weight
        if cap is not None:
            points = max(0.0, min(points, cap - taken[finding.rule_id]))
        taken[finding.rule_id] += points
        deductions.append(points)
    red_line = any(f.red_line for f in findings)
    score = 0.0 if red_line else max(0.0, scoring.start - sum(deductions))
    passed = not red_line and score >= scoring.pass_mark
    return score, passed, red_line, tuple(deductions)
