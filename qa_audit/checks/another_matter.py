"""Whether a trigger is about another of the customer's matters than what its turn answered.

A customer asks two things; the agent answers one and then names the other before saying
不清楚 about it: 师傅明天下午两点到五点上门。押金的事我这边不太清楚。 The time frame answered the
visit, not the deposit, so it must not count as the deposit's remedy. A `conditional` rule
lists the words that name such a matter in `another_matter` (押金的事 / 住院的部分 / 手续费这个
/ 至于 / a restated question: 赔不赔、赔多少); this module decides whether the words before a
trigger really name another matter the customer asked about.

It must not take a caveat about what was just answered for another matter: after
师傅明天下午两点到五点上门，具体几点的话我这边也不确定 or 预计1-3个工作日到账。退款的话我这边也说
不准 the customer has an answer. So, since the agent last answered anything, the customer
must have asked about something else too (a question naming things, two characters of
substance in a row or one in a typed question, none of them the matter's: 师傅哪天来 beside
押金要交吗; 我那个退款 什么时候能到账 多久能到 asks one thing twice), the named words must
share a word with what they said (押金) and none with what the turn answered before the
matter, and a detail (具体 / 详细 / 准确; 几点 / 什么时候 after a time frame) is never another
matter. A turn each of whose sentences only greets, asks for details or announces a lookup
(the rule's `answered_nothing` phrases: 请提供订单号 / 我查一下) answered nothing, so the
questions asked before it still count.
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

_DETAIL = ("具体", "详细", "准确", "确切", "精确", "实际", "可能", "之后", "以后", "到时候", "延误", "延迟")
"""Words that make the named matter a detail of, or a caveat on, what was just answered:
具体几点, a risk or what comes later (预计后天送达。年货的话最近下雪可能会有延误，这个说不准)."""
_WHEN = ("几点", "几时", "哪天", "什么时候", "多久", "多长时间")
"""Words that ask when: a detail only after the turn gave a time frame (预计明天下午送到。快递几点
到我这边不太确定). After an answer with no time (不用个人申请。至于什么时候到账，这个我们也说不准)
the time is the matter the customer's other question left open."""

_QUESTION_CHARS = frozenset("多少几点哪谁何")
"""Question words: shared with the customer's question, they say nothing about the matter."""


@dataclass(frozen=True, slots=True)
class OtherMatter:
    """Where the named matter begins in the normalized turn, and its words as said; for a name
    not taken for another matter, also why not (`check --why` says it: QA staff
    asking why 手续费这个我不清楚 was no finding need the reason, not only the answer before it)."""

    start: int
    named: str
    declined: str = ""


def another_matter(conv: Conversation, view: TurnView, compiled: CompiledRule,
                   triggers: list[Match]) -> OtherMatter | None:
    """The matter the latest trigger that has one names; a declined one when the only names
    were not taken for another matter; None when no trigger names anything.

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
    names = [found for trigger in reversed(triggers)
             if (found := _named_before(text, marks, trigger) or _named_after(text, marks, trigger))
             and _words(found[2])]  # 这个我不清楚 names nothing: it points at what was asked
    if not names:
        return None
    clauses = _asked(conv, view, compiled)
    asking = [clause for clause in clauses if _QUESTION.search(clause)]
    asked = _words(" ".join(clauses))  # 换光猫要不要我出钱？营业厅说要交押金: 押金 is the customer's matter too
    declined: OtherMatter | None = None
    time_frames = view.find(compiled.sets["completing"])
    for start, (quote_start, quote_end), named in names:
        begin, stop = uncut(view.turn.text, *view.norm.to_original(quote_start, quote_end))
        said = view.turn.text[begin:stop]
        for pointer in ("这个", "這個", "那个", "那個"):
            said = said.removesuffix(pointer)
        said = said.rstrip("，,、。. ")
        timed = any(m.start < start for m in time_frames)
        reason = _why_not(asking, named, _words(named), asked, _words(text[:start]), timed)
        if not reason:
            return OtherMatter(start, said)
        declined = declined or OtherMatter(start, said, reason)
    return declined


def _why_not(asking: list[str], named: str, words: set[str], asked: set[str], before: set[str],
             timed: bool) -> str:
    """Why a named matter is no other matter than what the turn answered, or "" when it is;
    `asking` holds the customer's questions, `timed` whether the turn gave a time frame (a
    `completing` phrase) before the matter."""
    if not any(_about_else(question, words) for question in asking):
        # a caveat after the answer to the one matter asked about is about that matter
        return "the customer asked about nothing else since the agent last answered"
    detail = next((word for word in (*_DETAIL, *(_WHEN if timed else ())) if word in named), "")
    if detail:
        return f"“{detail}” makes it a detail of, or a caveat on, the answer given"
    if not words & asked:
        return "the customer did not ask about it"
    if words & before:
        return f"what the turn said before it names it too (“{'”、“'.join(sorted(words & before))}”)"
    return ""


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
        clauses[:0] = _clauses(before.text)
    return clauses


def _answered_nothing(view: TurnView, compiled: CompiledRule) -> bool:
    """Whether each sentence of a turn holds an `answered_nothing` phrase (请提供订单号 / 我查一下 /
    很高兴为您服务) or hardly a word (您好～ / 在的亲 / 好的), and the turn no trigger or satisfying
    phrase of the rule besides: 可以的，请提供订单号 answered, and so did 您好，您的退款已经原路退回了
    and 我帮您查一下。您的订单已经发出了 (their words besides)."""
    text = view.norm.text
    asks = view.find(compiled.sets["answered_nothing"])
    ends = [i + 1 for i, ch in enumerate(text) if ch in SENTENCE_ENDS]
    for start, end in zip([0, *ends], [*ends, len(text)], strict=True):
        if len(substance(text[start:end])) > 1 and not any(start <= m.start < end for m in asks):
            return False
    said = [*view.find(compiled.sets["first"]), *view.find(compiled.sets["second"])]
    return not uncancelled(said, asks)


def _clauses(text: str) -> list[str]:
    """The clauses of what the customer said, normalized. Punctuation ends one, and so does a
    space after a question (speech recognition leaves the marks out: 多久能发货 能开发票吗)
    but no other space, which would cut a question from what it is about (我那个快递 什么时候
    能送过来); words that bring up another thing begin one (多久能发货还有那个能开发票吗)."""
    clauses: list[str] = []
    for piece in _PUNCTUATION.split(text):
        pending = ""
        for segment in piece.split():
            said = normalize(segment).text
            pending += said
            if _QUESTION.search(said):
                clauses.extend(_ANOTHER_THING.split(pending))
                pending = ""
        clauses.extend(_ANOTHER_THING.split(pending))
    return [clause for clause in clauses if clause]


_PUNCTUATION = re.compile(r"[,.;!，。；！、…]+|(?<=[?？])")
"""Where a clause ends whatever the words; a question mark ends one and stays with it."""
_ANOTHER_THING = re.compile(r"(?=还有|另外|顺便|再问|还想问|以及)")
"""Words that bring up another thing: a clause begins before them, spaces or not."""
_QUESTION = re.compile(
    r"[?？]|[吗呢嘛么][啊呀啦哦哈]*$|什么|怎么|多少|(?<!没)多久|多长时间|几|哪|谁|是否|有冇|咩|了没有?$|有没有[啊呀啦哦]*$|(.)[不唔]\1")
"""What makes a clause a question: its mark, a question word, a closing particle (吗, not
the 呢 of 呢子大衣) or an A不A (能不能, 影不影响, 可唔可以); speech recognition often leaves
the mark out. Without them, what is left names what the question is about (手续费 of
手续费退不退)."""
_NO_MATTER = re.compile(
    r"今天|明天|后天|现在|时候|时间|上午|下午|晚上|大概|大约|一般|到底|究竟|听得?[到见清]|有人|在不在")
"""Words that ask when or check the line, about no matter of their own: 今天能发吗 after
什么时候发货 asks the same thing again, and 听得到吗 asks nothing."""


def _about_else(question: str, words: set[str]) -> bool:
    """Whether a question is about something the matter's `words` do not name: what is left
    without its question words and `_NO_MATTER` names something else (手续费 of 手续费退不退;
    nothing of 大概要多久). A typed question (its mark) may name it in one character (能补吗？),
    a fragment of speech may not: 今天能发 after 什么时候发货 asks the same thing."""
    rest = _NO_MATTER.sub(" ", _QUESTION.sub(" ", question))
    about = _words(rest)
    if about:
        return not about & words
    content = _content(rest)
    return question.endswith("?") and bool(content) and not content & {c for word in words for c in word}


def _words(text: str) -> set[str]:
    """Two Chinese characters of substance in a row: the words a matter is named by (押金,
    社保); digits are no matter's name."""
    content = _content(text)
    return {text[i:i + 2] for i in range(len(text) - 1) if text[i] in content and text[i + 1] in content}


def _content(text: str) -> set[str]:
    """The Chinese characters of substance in `text`, question words aside."""
    return {c for c in substance(text) - _QUESTION_CHARS if unicodedata.category(c) == "Lo"}


def _clause_start(text: str, index: int, floor: int) -> int:
    """The start of the clause holding text[index], not before `floor`."""
    while index > floor and not ends_clause(text[index - 1]):
        index -= 1
    return index
