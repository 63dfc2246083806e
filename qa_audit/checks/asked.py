"""Whether the other party asked something new before the speaker's next turn.

A `conditional` rule with `within: next_turn` takes an answer in the speaker's next turn
for the remedy. An answer known only by how it opens (可以的 / 不用) answers the latest
question, though: after 那我能不能退款？ it says nothing about the matter the trigger left
open. This module finds that question (`new_question` phrases, less the
`new_question_exceptions` and the same question asked again, or an open question that names
another matter) and the clause a supervisor reads in the evidence.
"""

from __future__ import annotations

from qa_audit.checks.base import CompiledRule, turn_name, uncancelled
from qa_audit.conversation import Conversation, TurnView
from qa_audit.labels import speaker_name
from qa_audit.matcher import Match
from qa_audit.text import normalize


def asked_anew(conv: Conversation, view: TurnView, triggers: list[Match], following: int,
                compiled: CompiledRule) -> str:
    """The new question the other party asked last before the speaker's next turn, or "".

    An opening that answers (可以的 / 不用) answers the latest question: after 那我能不能退款？
    it says nothing about the matter the trigger left open, though a remedy or a time frame
    in the same turn still would. Not a new question: a `new_question_exceptions` phrase (an
    acknowledgement, 是吗？, or asking for the remedy itself, 你能帮我问问吗？) and the same
    question asked again (那到底能不能退？ after 这个能退吗？, see `_same_matter`). An open
    question (no `new_question` phrase, a question mark) is new only when it names another
    matter in at least `_OPEN_QUESTION_SUBSTANCE` characters of substance (咁我預約邊日可以？ after
    an answer about certification abroad); 那我现在怎么办？ asks about the matter left open,
    and the opening answers it.
    """
    turn = view.turn
    for i in reversed(range(turn.index + 1, following)):
        between = conv.view(i)
        if between.turn.speaker in (turn.speaker, "system"):
            continue
        asked = between.find(compiled.sets["new_question"])
        if not asked:
            text = between.norm.text
            mark = max(text.rfind(m) for m in _QUESTION_MARKS)
            if mark < 0:
                continue
            named = substance(_clause(text, mark, mark)) - _QUESTION_WORDS
            said = _matter(conv, view, [])  # with the trigger's words: 那谁清楚？ echoes 不清楚
            if len(named) < _OPEN_QUESTION_SUBSTANCE or _mostly_said(named, said):
                return ""  # an open question about the matter (那我现在怎么办？): the opening answers it
            start, _ = between.norm.to_original(mark, mark + 1)
            return f"{turn_name(i)}{speaker_name(between.turn.speaker)}另问“{_clause(between.turn.text, start, start)}”"
        latest = max(asked, key=lambda m: m.end)
        if not uncancelled([latest], between.find(compiled.sets["new_question_exceptions"])):
            return ""
        (start, end), _ = between.original(latest)
        clause = _clause(between.turn.text, start, end)
        if _same_matter(normalize(clause).text, _matter(conv, view, triggers)):
            return ""
        return f"{turn_name(i)}{speaker_name(between.turn.speaker)}另问“{clause}”"
    return ""


def _matter(conv: Conversation, view: TurnView, triggers: list[Match]) -> str:
    """What was said about the matter the trigger left open: the other party's last question
    before it (the clause of its last question mark: a long complaint around it names other
    things; 好。 or 喂？ after it asks nothing) and the trigger's own turn without the trigger's
    words (不清楚 is no matter of its own)."""
    text = view.norm.text
    for hit in triggers:
        text = text[:hit.start] + " " * (hit.end - hit.start) + text[hit.end:]
    for before in reversed(conv.transcript.turns[:view.turn.index]):
        if before.speaker in (view.turn.speaker, "system"):
            continue
        said = conv.view(before.index).norm.text
        mark = max(said.rfind(m) for m in _QUESTION_MARKS)
        question = _clause(said, mark, mark) if mark >= 0 else ""
        if substance(question):
            return question + " " + text
    return text


_FUNCTION_CHARS = frozenset(
    "的了吗呢吧啊呀嘛么哦喔嗯哈喂诶那这个我你您他她们"
    "是不能可以要会有没到底就还也都在把给帮问一下请说什怎样为啥和跟先再又才"
)
"""Characters that name no matter (pronouns, particles, modal verbs, 问 and 说): what is left
of a question says what it is about."""


def _same_matter(question: str, matter: str) -> bool:
    """Whether `question` asks again about `matter` (both normalized): at least half of its
    characters that name a thing or an act were said about the matter before. 那到底能不能退啊？
    after 这个能退吗？ repeats 退; 水费能不能在支付宝上交？ after 水费为什么这么多？ shares 水费 of
    8 and asks something new."""
    content = substance(question)
    return bool(content) and _mostly_said(content, matter)


def _mostly_said(content: set[str], said: str) -> bool:
    """Whether at least half of `content` (characters of substance) is in `said`: the test
    that a question asks again about what was said, closed or open."""
    return 2 * len(content & set(said)) >= len(content)


def substance(text: str) -> set[str]:
    """The characters of `text` that name a thing or an act (what is left after pronouns,
    particles and modal verbs: 押金 of 押金这个我, nothing of 好，这个我)."""
    return {c for c in text if c.isalnum()} - _FUNCTION_CHARS


_OPEN_QUESTION_SUBSTANCE = 3
"""How many characters of substance an open question needs to name a matter of its own: 那我现在
怎么办 has two (现, 办) and asks about the matter left open; 那表带在哪里买 names another."""
_QUESTION_WORDS = frozenset("谁哪里办咁点算乜咩边嘅啲佢哋喺唔冇咗嚟呀啦喎㗎噉系")
"""Question words and Cantonese particles that name nothing: 咁點算呀？ (what now?) asks about the
matter left open, as 那怎么办 does."""
_CLAUSE_BREAK = frozenset("，。！；、,!;…\n")
_QUESTION_MARKS = "？?"
_CLAUSE_REACH = 20
"""At most this many characters of a clause either side of the question words (ASR turns
often have no punctuation at all); a cut is shown as …"""
_NUMERALS = frozenset("0123456789０１２３４５６７８９〇零一二三四五六七八九十幺两-－.．  \u3000\u00a0")
"""Digits and the separators the mask reads inside a number (138 1234 5678, 138.1234.5678)."""
_NUMBER_REACH = 32
"""How far a cut moves to keep a number whole: the longest masked number, a bank card with
separators, fits."""


def _breaks(text: str, i: int) -> bool:
    """Whether text[i] ends a clause: punctuation, and a full stop unless it is a decimal point (1.5匹)."""
    if text[i] == ".":
        return not (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit())
    return text[i] in _CLAUSE_BREAK


def _clause(text: str, start: int, end: int) -> str:
    """The clause of `text` around [start, end) with its question mark: a lone 吗 or 能不能 tells a
    supervisor nothing; 水费能不能在支付宝上交？ says what was asked.

    A cut never falls inside a number: the report masks phone, ID-card and bank-card numbers
    it sees whole, and half a number would show the digits the mask hides.
    """
    def opens(i: int) -> bool:
        return i == 0 or _breaks(text, i - 1) or text[i - 1] in _QUESTION_MARKS

    first, last = max(0, start - _CLAUSE_REACH), min(len(text), end + _CLAUSE_REACH)
    while start > first and not opens(start):
        start -= 1
    while end < last and not _breaks(text, end):
        end += 1
        if text[end - 1] in _QUESTION_MARKS:
            break
    floor, ceiling = max(0, start - _NUMBER_REACH), min(len(text), end + _NUMBER_REACH)
    while start > floor and text[start - 1] in _NUMERALS:
        start -= 1
    while end < ceiling and text[end] in _NUMERALS:
        end += 1
    cut_before = not opens(start)
    cut_after = end < len(text) and not _breaks(text, end) and text[end - 1] not in _QUESTION_MARKS
    return "…" * cut_before + text[start:end].strip() + "…" * cut_after
