"""Whole-word phrase matching over segmented turns, in one pass per turn.

All literal parts of all patterns of a pack go into one Aho-Corasick automaton, so a
turn is scanned once whatever the number of rules. A part occurrence counts only when
both its ends fall on word boundaries of the jieba segmentation: 滚 does not match in
滚动条 (one word), 笨 not in 笨重. Because every rule phrase is in the segmenter's
dictionary, a rule phrase may itself become one word; positions inside such a word are
boundaries too, so 查一下 still matches inside the word 我帮您查一下.

Gap patterns (我…不清楚) match when their parts occur in order within one sentence,
at most MAX_GAP characters apart; a `#` part matches a number and its neighbours need
no word boundary on the side that touches it (两个工作日内 segments as 两个/工作日/内).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from qa_audit.rules.phrases import END, NUMBER, Pattern

SENTENCE_ENDS = frozenset("。!?;\n")
QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"', "《": "》"}
"""Quotation marks, and the title marks of a book or product name (《白痴》 is a novel)."""
_QUOTES = frozenset(QUOTE_PAIRS)


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence of a pattern: the normalized span of each of its parts."""

    pattern: Pattern
    spans: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    def overlaps(self, other: Match) -> bool:
        return self.start < other.end and other.start < self.end


class PhraseMatcher:
    """Finds every pattern of a pack in a segmented, normalized turn."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        # Each pattern is indexed under its longest literal part (the rarest), so a turn
        # full of common one-character parts like 我 does not wake every gap pattern.
        self._by_key: dict[str, list[tuple[Pattern, frozenset[str]]]] = defaultdict(list)
        parts: set[str] = set()
        for pattern in dict.fromkeys(patterns):
            literal = frozenset(p for p in pattern.parts if p != NUMBER)
            self._by_key[max(sorted(literal), key=len)].append((pattern, literal))
            parts |= literal
        self.parts = frozenset(parts)
        self._automaton = ahocorasick.Automaton()
        for part in self.parts:
            self._automaton.add_word(part, part)
        if self.parts:
            self._automaton.make_automaton()

    def boundaries(self, words: list[str]) -> set[int]:
        """Offsets where a word starts or ends, plus every offset inside a rule-phrase word."""
        ends = list(itertools.accumulate(map(len, words)))
        cuts = {0, *ends}
        parts = self.parts
        for word, end in zip(words, ends, strict=True):
            if len(word) > 1 and word in parts:
                cuts.update(range(end - len(word) + 1, end))
        return cuts

    def find(self, text: str, words: list[str], whole_words: bool = True) -> dict[Pattern, list[Match]]:
        """Every whole-word match of every pattern in `text`, segmented as `words`; with
        `whole_words` off, every match of the characters wherever the words are cut (to
        tell a user which phrase the segmentation kept from matching)."""
        if not self.parts or not text:
            return {}
        occurrences: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for end_index, part in self._automaton.iter(text):
            occurrences[part].append((end_index - len(part) + 1, end_index + 1))
        if not occurrences:
            return {}
        candidates = [
            pattern for key in occurrences for pattern, literal in self._by_key.get(key, ())
            if literal.issubset(occurrences.keys())
        ]
        if not candidates:
            return {}
        cuts = self.boundaries(words) if whole_words else set(range(len(text) + 1))
        if any(NUMBER in p.parts for p in candidates):
            occurrences[NUMBER] = _numbers(text, words)
        scan = _Scan(text, cuts, occurrences)
        found: dict[Pattern, list[Match]] = {}
        for pattern in candidates:
            matches = scan.matches(pattern)
            if matches:
                found[pattern] = matches
        return found


_NUMBER_RE = re.compile(r"[0-9]+(?:[.:][0-9]+)?|[零〇幺一二两三四五六七八九十百千半几]+")
_UNITS = frozenset(
    "个天日号月年周点分秒小时次回遍位元块毛角岁期层楼站件台张份条单笔趟家栋间名口斤公里米倍成折刻轮批种项步届万"
    "到至多余来"
)
"""What may follow a number written in Chinese numerals inside one word: a unit (两个, 九点,
三天) or the second half of a range or an estimate (三到四, 十多, 五十来)."""


def _numbers(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where `text` holds a number: every run of digits, and every run of Chinese numerals
    that starts a word of the segmentation (or follows 第) and ends it or is followed by a
    unit. 一 in 一样, 一下 or 统一 is part of a word that counts nothing, and must not make
    您打多少回都一样 read as 打 and a phone number. The segmentation's own words are used,
    not the offsets inside rule-phrase words that whole-word matching accepts, and a run is
    cut where they end (周五九点 holds the number 九, not 五九)."""
    ends = {0, *itertools.accumulate(map(len, words))}
    spans = []
    for m in _NUMBER_RE.finditer(text):
        if text[m.start()].isdigit():
            spans.append(m.span())
            continue
        cuts = [m.start(), *(i for i in range(m.start() + 1, m.end()) if i in ends), m.end()]
        for start, end in itertools.pairwise(cuts):
            if (start in ends or text[start - 1] == "第") and (
                end in ends or (end < len(text) and text[end] in _UNITS)
            ):
                spans.append((start, end))
    return spans


class _Scan:
    """The occurrences of parts in one text, and the chaining of them into pattern matches."""

    def __init__(self, text: str, cuts: set[int], occurrences: dict[str, list[tuple[int, int]]]) -> None:
        self.text = text
        self.cuts = cuts
        self.occurrences = occurrences
        self._clause_starts: set[int] | None = None

    def clause_starts(self) -> set[int]:
        if self._clause_starts is None:
            starts = {0}
            for i, ch in enumerate(self.text):
                if ends_clause(ch):
                    starts.add(i + 1)
            self._clause_starts = starts
        return self._clause_starts

    def _fits(self, pattern: Pattern, i: int, span: tuple[int, int]) -> bool:
        """Whether an occurrence of part i may stand there: whole words, except beside a number."""
        parts, gaps = pattern.parts, pattern.gaps
        if parts[i] == NUMBER:
            return True
        glued_before = i > 0 and gaps[i - 1] == 0 and parts[i - 1] == NUMBER
        glued_after = i + 1 < len(parts) and gaps[i] == 0 and parts[i + 1] == NUMBER
        return (glued_before or span[0] in self.cuts) and (glued_after or span[1] in self.cuts)

    def matches(self, pattern: Pattern) -> list[Match]:
        """Chain each fitting occurrence of the first part to the nearest fitting rest."""
        found = []
        for first in self.occurrences[pattern.parts[0]]:
            if not self._fits(pattern, 0, first):
                continue
            if pattern.anchored and first[0] not in self.clause_starts():
                continue
            spans = [first]
            for i in range(1, len(pattern.parts)):
                previous_end, gap = spans[-1][1], pattern.gaps[i - 1]
                following = [
                    span for span in self.occurrences[pattern.parts[i]]
                    if previous_end <= span[0] <= previous_end + gap and self._fits(pattern, i, span)
                    and not SENTENCE_ENDS.intersection(self.text[previous_end:span[0]])
                ]
                if not following:
                    break
                spans.append(min(following))
            else:
                if pattern.then and not self._followed(spans[-1][1], pattern.then):
                    continue
                found.append(Match(pattern, tuple(spans)))
        return found

    def _followed(self, end: int, marks: frozenset[str]) -> bool:
        """Whether one of `marks` follows offset `end` at once; `$` is the end of the turn
        (nothing but spaces after), never a dollar sign in the text."""
        rest = self.text[end:]
        if not rest.strip():
            return END in marks
        return rest[0] != END and rest[0] in marks


def ends_clause(ch: str) -> bool:
    """Whether a character ends a clause: punctuation, a symbol or a space (where a `^` phrase
    may start, and where a named matter begins)."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation or title marks, where an agent quotes the customer, a screen
    label or a title."""
    if not _QUOTES.intersection(text):
        return []
    ranges = []
    i = 0
    while i < len(text):
        close = QUOTE_PAIRS.get(text[i])
        if close is None:
            i += 1
            continue
        j = text.find(close, i + 1)
        if j < 0:
            break
        ranges.append((i + 1, j))
        i = j + 1
    return ranges
