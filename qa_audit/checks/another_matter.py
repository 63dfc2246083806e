"""Whether a trigger is about another of the customer's matters than what its turn answered.

A customer asks two things; the agent answers one and then names the other before saying
不清楚 about it: 师傅明天下午两点到五点上门。押金的事我这边不太清楚。 The time frame answered the
visit, not the deposit, so it must not count as the deposit's remedy. A `conditional` rule
lists the words that name such a matter in `another_matter` (押金的事 / 住院的部分 / 手续费这个
/ 至于 / a restated question: 赔不赔、赔多少); this module decides whether the words before a
trigger really name another matter the customer asked about.

It must not take a caveat about what was just answered for another matter: after
师傅明天下午两点到五点上门，具体几点的话我这边也不确定 or 预计1-3个工作日到账。退款的话我这边也说
不准 the customer has an answer. So the customer must have asked at least two questions
since the agent last answered anything, the named words must share a word with what they
said (two characters of substance in a row: 押金, 住院) and none with what the turn answered
before the matter, and a detail (具体 / 详细 / 准确) is never another matter. A turn that only
greeted, asked for details or announced a lookup (the rule's `answered_nothing` phrases:
请提供订单号 / 我查一下) answered nothing, so the questions asked before it still count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qa_audit.checks.asked import substance
from qa_audit.checks.base import CompiledRule, uncancelled
from qa_audit.conversation import Conversation, TurnView
from qa_audit.mask import uncut
from qa_audit.matcher import SENTENCE_ENDS, Match, ends_clause
from qa_audit.text import normalize

_DETAIL = ("具体", "详细", "准确", "确切", "精确", "实际", "几点", "几时", "哪天", "什么时候", "多久", "多长时间")
"""Words that make the named matter a detail of what was just answered: 具体几点, and a time
asked again after a time was given (预计明天下午送到。快递几点到我这边不太确定)."""

_QUESTION_CHARS = frozenset("多少几点哪谁何")
"""Question words: shared with the customer's question, they say nothing about the matter."""


@dataclass(frozen=True, slots=True)
class OtherMatter:
    """Where the named matter begins in the normalized turn, and its words as said."""

    start: int
    named: str


def another_matter(conv: Conversation, view: TurnView, compiled: CompiledRule,
                   triggers: list[Match]) -> OtherMatter | None:
    """The matter the latest trigger that has one names, or None.

    The nearest `another_matter` phrase before a trigger, in its sentence, opens the search:
    the matter is the phrase's clause, or the clause before it in the same sentence when
    its own names nothing else (社保断缴影不影响积分，这个我也不太了解), and the clauses before
    that hold such a phrase too (能不能赔偿、赔多少). Failing that, a phrase right after the
    trigger in its clause names it (我不太清楚押金的事). It counts only as the module says.
    """
    marks = view.find(compiled.sets["another_matter"])
    if not marks:
        return None
    text = view.norm.text
    clauses = _asked(conv, view, compiled)
    if sum(1 for clause in clauses if _QUESTION.search(clause)) < 2:
        return None  # one question asked: a caveat after its answer is about the same matter
    asked = " ".join(clauses)
    for trigger in reversed(triggers):
        found = _named_before(text, marks, trigger) or _named_after(text, marks, trigger)
        if found is None:
            continue
        start, (quote_start, quote_end), named = found
        words = _words(named)
        if any(word in named for word in _DETAIL) or not words & _words(asked) or words & _words(text[:start]):
            continue  # a detail, a matter not asked, or the matter the turn already answered
        begin, stop = uncut(view.turn.text, *view.norm.to_original(quote_start, quote_end))
        said = view.turn.text[begin:stop]
        for pointer in ("这个", "這個", "那个", "那個"):
            said = said.removesuffix(pointer)
        return OtherMatter(start, said.rstrip("，,、。. "))
    return None


def _named_before(text: str, marks: list[Match], trigger: Match) -> tuple[int, tuple[int, int], str] | None:
    """The matter named before the trigger in its sentence: where it begins, the span to
    quote, and its words (押金的事 of 押金的事我不太清楚)."""
    sentence = max((i + 1 for i in range(trigger.start) if text[i] in SENTENCE_ENDS), default=0)
    before = [m for m in marks if sentence <= m.start < trigger.start]  # 这个说 may share 说 with 说不准
    if not before:
        return None
    mark = before[-1]
    start = _clause_start(text, mark.start, sentence)
    if len(substance(text[start:mark.start] + text[mark.end:trigger.start])) < 2 and start > sentence:
        start = _clause_start(text, start - 1, sentence)
    while start > sentence and any(  # 能不能赔偿、赔多少: clauses that name it too
            m.start >= (previous := _clause_start(text, start - 1, sentence)) and m.end <= start for m in before):
        start = previous
    return start, (start, mark.end), text[start:max(mark.end, trigger.start)]


def _named_after(text: str, marks: list[Match], trigger: Match) -> tuple[int, tuple[int, int], str] | None:
    """The matter named right after the trigger in its clause (我不太清楚押金的事): the clause is
    the matter, its words less the trigger's."""
    end = trigger.end
    while end < len(text) and not ends_clause(text[end]):
        end += 1
    after = [m for m in marks if trigger.end <= m.start and m.end <= end]
    if not after:
        return None
    start = _clause_start(text, trigger.start, 0)
    return start, (trigger.end, after[0].end), text[start:trigger.start] + text[trigger.end:after[0].end]


def _asked(conv: Conversation, view: TurnView, compiled: CompiledRule) -> list[str]:
    """The other party's clauses, normalized, since the speaker last answered anything: their
    turns since the speaker's previous turn (customers often type several messages in a
    row), and before it while the speaker's turns answered nothing (`_answered_nothing`)."""
    clauses: list[str] = []
    for before in reversed(conv.transcript.turns[:view.turn.index]):
        if before.speaker == "system":
            continue
        if before.speaker == view.turn.speaker:
            if _answered_nothing(conv.view(before.index), compiled):
                continue
            break
        clauses[:0] = [normalize(clause).text for clause in _CLAUSES.split(before.text) if clause.strip()]
    return clauses


def _answered_nothing(view: TurnView, compiled: CompiledRule) -> bool:
    """Whether a turn holds an `answered_nothing` phrase (请提供订单号 / 我查一下 / 很高兴为您服务)
    and no trigger or satisfying phrase of the rule besides: 可以的，请提供订单号 answered."""
    asks = view.find(compiled.sets["answered_nothing"])
    if not asks:
        return False
    said = [*view.find(compiled.sets["first"]), *view.find(compiled.sets["second"])]
    return not uncancelled(said, asks)


_CLAUSES = re.compile(r"[\s,.;!，。；！、…]+|(?<=[?？])")
"""Where the customer's clauses end; a question mark ends one and stays with it. A space
ends one too: speech recognition separates clauses with spaces where it leaves out the
marks (多久能发货 还有那个 能开发票吗), and normalizing drops the spaces, so the text is split
before it is normalized."""
_QUESTION = re.compile(r"[?？]|吗|什么|怎么|多少|多久|几|哪|谁|嘛|呢|啥|咋|是否|(.)[不没唔]\1")
"""What makes a clause a question: its mark, a question word or an A不A (能不能, 影不影响,
有没有, 包唔包); speech recognition often leaves the mark out."""


def _words(text: str) -> set[str]:
    """Two Chinese characters of substance in a row: the words a matter is named by (押金,
    社保); digits are no matter's name."""
    content = {c for c in substance(text) - _QUESTION_CHARS if unicodedata.category(c) == "Lo"}
    return {text[i:i + 2] for i in range(len(text) - 1) if text[i] in content and text[i + 1] in content}


def _clause_start(text: str, index: int, floor: int) -> int:
    """The start of the clause holding text[index], not before `floor`."""
    while index > floor and not ends_clause(text[index - 1]):
        index -= 1
    return index
