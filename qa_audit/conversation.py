"""A transcript prepared for checking: each turn normalized, segmented and matched once.

Turns are analysed lazily and cached, so a customer turn that no rule reads is never
segmented (most rules read only agent turns), and a turn read by several rules is
segmented once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from qa_audit.mask import uncut
from qa_audit.matcher import Match, PhraseMatcher, quoted_ranges
from qa_audit.model import Transcript, Turn
from qa_audit.nlp import Segmenter
from qa_audit.rules.phrases import NUMBER, Pattern
from qa_audit.talk import talk_share
from qa_audit.text import Normalized, normalize


@dataclass(frozen=True, slots=True)
class TurnView:
    """One analysed turn: its normalized text and every pattern match in it."""

    turn: Turn
    norm: Normalized
    matches: dict[Pattern, list[Match]]
    quoted: tuple[tuple[int, int], ...]

    def find(self, patterns: frozenset[Pattern]) -> list[Match]:
        """Matches of any of `patterns`, in text order."""
        hits = [m for p, ms in self.matches.items() if p in patterns for m in ms]
        return sorted(hits, key=lambda m: (m.start, -m.end))

    def is_quoted(self, match: Match) -> bool:
        return any(s <= match.start and match.end <= e for s, e in self.quoted)

    def original(self, match: Match) -> tuple[tuple[int, int], str]:
        """The span of a match in the original text, and the words said there; a number it
        cuts into is taken whole, so the report's mask still recognizes it."""
        start, end = uncut(self.turn.text, *self.norm.to_original(match.start, match.end))
        return (start, end), self.turn.text[start:end]


class Conversation:
    """A transcript with lazily analysed turns, shared by every rule of one audit."""

    def __init__(self, transcript: Transcript, segmenter: Segmenter, matcher: PhraseMatcher) -> None:
        self.transcript = transcript
        self._segmenter = segmenter
        self._matcher = matcher
        self._views: dict[int, TurnView] = {}
        self._words: dict[int, list[str]] = {}
        self._loose: dict[int, dict[Pattern, list[Match]]] = {}
        self._talk_share: tuple[float | None, str] | None = None
        self._scopes: dict[str, list[Turn]] = {}
        self.flagged: dict[str, set[int]] = {}
        """The turns each check's rules have found something in so far: a `classifier`
        rule, which runs last, reads only the turns its check's phrase rules passed."""

    def talk_share(self) -> tuple[float | None, str]:
        """The agent's talk share and its basis, computed once per conversation."""
        if self._talk_share is None:
            self._talk_share = talk_share(self.transcript)
        return self._talk_share

    def view(self, index: int) -> TurnView:
        cached = self._views.get(index)
        if cached is not None:
            return cached
        turn = self.transcript.turns[index]
        norm = normalize(turn.text)
        words = self._segmenter.cut(norm.text)
        view = TurnView(turn, norm, self._matcher.find(norm.text, words), tuple(quoted_ranges(norm.text)))
        self._views[index] = view
        return view

    def words(self, index: int) -> list[str]:
        """The words a turn's normalized text is cut into, as phrases are matched on them
        (for `rules test` and `--why` to show why a phrase did not match)."""
        words = self._words.get(index)
        if words is None:
            words = self._words[index] = self._segmenter.cut(self.view(index).norm.text)
        return words

    def cut_apart(self, index: int, patterns: frozenset[Pattern]) -> list[tuple[Match, list[str]]]:
        """Matches of `patterns` a turn's characters hold but its words do not, each with the
        words its parts are cut across: the segmenter cut through a phrase (滚 in 滚动条, or
        点前会 in 九点/前会), so it does not count. For `--why` and `rules test` only; the
        audit never asks."""
        view = self.view(index)
        loose = self._loose.get(index)
        if loose is None:
            loose = self._loose[index] = self._matcher.find(view.norm.text, self.words(index), whole_words=False)
        whole = view.find(patterns)
        words = self.words(index)
        cuts = self._matcher.boundaries(words)
        found = []
        matches = sorted((m for p, ms in loose.items() if p in patterns for m in ms), key=lambda m: (m.start, -m.end))
        for match in matches:
            if any(match.overlaps(w) for w in whole):
                continue
            cut = [(s, e) for part, (s, e) in zip(match.pattern.parts, match.spans, strict=True)
                   if part != NUMBER and not (s in cuts and e in cuts)]
            found.append((match, list(dict.fromkeys(w for s, e in cut for w in _words_over(words, s, e)))))
        return found

    def turns_of(self, scope: str) -> list[Turn]:
        """The turns a rule of this scope reads: system turns never, nor turns that say
        nothing (a blank speech-recognition segment is not the agent's opening line).
        Worked out once per scope: every rule asks."""
        turns = self._scopes.get(scope)
        if turns is None:
            turns = [
                t for t in self.transcript.turns
                if (t.speaker != "system" if scope == "any" else t.speaker == scope) and says_something(t)
            ]
            self._scopes[scope] = turns
        return turns

    def next_turn_of(self, turn: Turn) -> Turn | None:
        """The same speaker's next turn after `turn` that says something."""
        for later in self.transcript.turns[turn.index + 1:]:
            if later.speaker == turn.speaker and says_something(later):
                return later
        return None


def says_something(turn: Turn) -> bool:
    """Whether the turn holds more than spaces, punctuation and control characters ("",
    "……", "。"); an emoji in a chat still says something."""
    return any(unicodedata.category(ch)[0] not in "PZC" for ch in turn.text)


def _words_over(words: list[str], start: int, end: int) -> list[str]:
    """The words that share a character with the span start:end."""
    over, offset = [], 0
    for word in words:
        if offset < end and start < offset + len(word):
            over.append(word)
        offset += len(word)
    return over
