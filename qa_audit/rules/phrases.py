"""The phrase syntax rule packs use, and its expansion into match patterns.

A phrase is plain text matched as whole words, in normalized form (so one phrase matches
Simplified and Traditional text, both punctuation widths, any Latin case). Two shorthands
keep lexicons short and readable for QA staff:

- `(您|你)问别人吧`: alternatives in parentheses, expanded into one pattern each;
  `(请|)稍等` makes 请 optional.
- `我…不清楚` (also `我...不清楚`): the parts in this order within one sentence, at most
  `MAX_GAP` characters apart.
- `#小时内`: `#` stands for a number, in digits or Chinese numerals (24小时内,
  两个工作日内 from `#个工作日内`), directly attached to its neighbours.
- `^可以`: the phrase must open a sentence or clause (turn start or after punctuation).
- `等通知(。|$)`: a final `$` means the phrase must end the turn (speech recognition
  writes no full stop: a turn that is only 等通知).
- `@name` (a whole entry): every phrase of the lexicon `name`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from qa_audit.text import normalize_phrase

MAX_GAP = 12
GAP_MARKERS = ("…", "...")
NUMBER = "#"
ANCHOR = "^"
END = "$"
_ALTERNATION = re.compile(r"\(([^()]*)\)")
_NUMBER_SPLIT = re.compile(f"({re.escape(NUMBER)})")
_REGEX = re.compile(r"\.[*+]|\\[dDsSwWb]|\[\^|\[[^\[\]]+-[^\[\]]+\]|\{\d+(?:,\d*)?\}")
"""What only a regular expression has: .* .+ \\d [a-z] [^…] {2}. A chat's emoji code
([白眼], [OK]) and a placeholder in braces ({工号}) are words; ... is a gap and ? a
question mark. A bracket of alternatives written the regex way (说明书[吧啊]) cannot be
told from an emoji code and is read as words."""


class PhraseError(ValueError):
    """A phrase that cannot be used, with the reason in words."""


@dataclass(frozen=True, slots=True, eq=False)
class Pattern:
    """One expanded phrase: normalized parts that must appear in order.

    A part is literal text or NUMBER. `gaps[i]` is the most characters allowed between
    part i and part i+1 (0 for parts joined directly, MAX_GAP across `…`). `source` is
    the phrase as the rule author wrote it. Patterns compare by identity: the pack makes
    each one once, and matching hashes them millions of times a night.
    """

    parts: tuple[str, ...]
    gaps: tuple[int, ...]
    anchored: bool
    source: str
    then: frozenset[str] = frozenset()
    """What must follow the match at once: one of these marks, or for `$` the end of the
    turn. Written as a final `$` (等通知$) or a final group of marks (说明书(。|!|$)): one
    pattern, not one per mark, since such endings multiplied a phrase's patterns by three
    or four and every pattern costs start-up and memory in every process."""


def expand(phrase: str) -> list[Pattern]:
    """Expand one phrase (not a lexicon reference) into its patterns."""
    if not isinstance(phrase, str) or not phrase.strip():
        raise PhraseError("a phrase must be non-empty text")
    if _REGEX.search(phrase):
        raise PhraseError(f"{phrase!r} looks like a regular expression, but phrases are words: write 不…知道 for "
                          "words in between, # for a number and 说明书(吧|啊) for alternatives")
    if phrase.count("(") != phrase.count(")"):
        raise PhraseError(f"unbalanced parentheses in {phrase!r}")
    pieces = _ALTERNATION.split(phrase)
    # split() alternates literal text and group contents: literal, group, literal, ...
    choices = [[piece] if i % 2 == 0 else piece.split("|") for i, piece in enumerate(pieces)]
    then = _final_marks(choices)
    if then:
        try:
            return [_pattern("".join(combo), phrase, then) for combo in itertools.product(*choices[:-2])]
        except PhraseError:
            pass  # nothing but a gap before the marks (我…(。|!)): the marks are its words
    return [_pattern("".join(combo), phrase) for combo in itertools.product(*choices)]


def _final_marks(choices: list[list[str]]) -> frozenset[str]:
    """The marks of a final group that holds only clause-ending marks and `$` (说明书(。|!|$)),
    normalized; empty when the phrase does not end so."""
    if len(choices) < 3 or choices[-1] != [""]:
        return frozenset()
    options = [END if option == END else normalize_phrase(option) for option in choices[-2]]
    if all(option == END or (len(option) == 1 and unicodedata.category(option)[0] in "PS")
           for option in options):
        return frozenset(options)
    return frozenset()


def _pattern(text: str, source: str, then: frozenset[str] = frozenset()) -> Pattern:
    """The pattern of one combination of a phrase's alternatives; `then` holds the marks of a
    final group already taken off (说明书(。|!|$)), else a final `$` gives {`$`}."""
    anchored = text.startswith(ANCHOR)
    text = text[1:] if anchored else text
    closing = text.endswith(END)
    text = text[:-1] if closing else text
    then = then or (frozenset({END}) if closing else frozenset())
    if NUMBER not in text and not any(marker in text for marker in GAP_MARKERS):
        # Most phrases are one run of words: one part, no pieces to split.
        part = normalize_phrase(text)
        if part:
            return Pattern((part,), (), anchored, source, then)
    for marker in GAP_MARKERS[1:]:
        text = text.replace(marker, GAP_MARKERS[0])
    parts: list[str] = []
    gaps: list[int] = []
    for i, chunk in enumerate(text.split(GAP_MARKERS[0])):
        pieces = [normalize_phrase(p) for p in _NUMBER_SPLIT.split(chunk)]
        pieces = [p for p in pieces if p]
        if not pieces:
            raise PhraseError(f"{source!r} has an empty part around a gap '…'")
        if i:
            gaps.append(MAX_GAP)
        for j, piece in enumerate(pieces):
            if j:
                gaps.append(0)
            parts.append(piece)
    if all(p == NUMBER for p in parts):
        raise PhraseError(f"{source!r} needs some words besides '#'")
    return Pattern(tuple(parts), tuple(gaps), anchored, source, then)
