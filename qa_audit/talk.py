"""The agent's talk share, exactly as the labeling guide defines it (the 70/30 listening rule).

The guide is ../shared/eval/LABELING.md beside the project; README "Outputs" describes
the `agent_talk_share` and `talk_basis` it produces.

Agent and customer turns only. Time basis when every such turn has start and end: every
turn's duration counts for its speaker, overlaps included. Character basis otherwise:
letters and digits of any script (Unicode categories L* and N*), punctuation and spaces
excluded.
"""

from __future__ import annotations

import re

from qa_audit.model import Transcript

# Everything but letters and digits: removing it leaves exactly the characters of Unicode
# categories L* and N* (checked over every code point in the tests).
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def counted_chars(text: str) -> int:
    """Letters and digits of any script, the character basis of the talk share."""
    return len(_NOT_LETTER_OR_DIGIT.sub("", text))


def talk_share(transcript: Transcript) -> tuple[float | None, str]:
    """The agent's share of agent + customer talk, and the basis it was computed on."""
    talk = [t for t in transcript.turns if t.speaker in ("agent", "customer")]
    timed = bool(talk) and all(t.start is not None and t.end is not None for t in talk)
    totals = {"agent": 0.0, "customer": 0.0}
    for t in talk:
        if timed:
            totals[t.speaker] += max(0.0, float(t.end) - float(t.start))  # type: ignore[arg-type]
        else:
            totals[t.speaker] += counted_chars(t.text)
    whole = totals["agent"] + totals["customer"]
    basis = "time" if timed else "chars"
    return (totals["agent"] / whole if whole else None), basis
