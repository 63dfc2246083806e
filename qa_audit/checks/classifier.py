"""Kind `classifier`: turns a trained model scores as the check's, where its phrase rules found nothing."""

from __future__ import annotations

import dataclasses
import math
import unicodedata

from qa_audit.checks.base import CompiledRule, make_finding, no_turn_to_read, quote, turn_name
from qa_audit.conversation import Conversation, TurnView
from qa_audit.labels import speaker_name
from qa_audit.model import Finding, Turn


def check(compiled: CompiledRule, conv: Conversation) -> list[Finding]:
    """One finding per turn scored at or above the threshold, with the words that weighed most.

    A turn a phrase rule of the same check already found is passed over: it is reported
    once, with the exact words and rule, and not charged twice. A turn whose score no
    word of two or more characters raised (only 你, 啊 or punctuation) is passed over too:
    a finding must show evidence a supervisor can judge.
    """
    threshold = compiled.rule.params["threshold"]
    findings = []
    for turn in _open_turns(compiled, conv):
        score, spans = _judge(compiled, conv, turn)
        if score < threshold or not spans:
            continue
        said = tuple(turn.text[s:e] for s, e in spans)
        words = quote(list(said))
        evidence = (f"{turn_name(turn.index)}{speaker_name(turn.speaker)}的话与已标注的同类问题相似"
                    f"（模型 {compiled.rule.params['model']} 评分 {_shown(score)}，阈值 {threshold:g}），"
                    f"最相似的字词：{words}")
        finding = make_finding(compiled, turn, None, [], evidence, message_arg=words)
        findings.append(dataclasses.replace(finding, spans=tuple(spans), matched=said))
    return findings


def why_silent(compiled: CompiledRule, conv: Conversation) -> str:
    """Why the rule found nothing here (for `rules test`): the highest score against the
    threshold, or the turns it left to the check's phrase rules."""
    if not conv.turns_of(compiled.rule.scope):
        return no_turn_to_read(compiled.rule.scope)
    turns = _open_turns(compiled, conv)
    if not turns:
        return f"every turn it reads is already found by a phrase rule of {compiled.rule.check}"
    threshold = compiled.rule.params["threshold"]
    (score, _), index = max(((_judge(compiled, conv, t), t.index) for t in turns), key=lambda j: j[0][0])
    if score < threshold:
        return f"the highest score is {_shown(score)} ({turn_name(index)}), under the threshold {threshold:g}"
    return f"{turn_name(index)} scores {_shown(score)}, but no sequence of two or more characters raised it"


def why_turn(compiled: CompiledRule, conv: Conversation, turn: Turn) -> str:
    """Why the rule found nothing in this turn (for `check --why`): another rule of its check
    found it, or its score against the threshold; "" for a turn scoring under half the
    threshold (a call's every ordinary line would bury the ones that came close)."""
    if turn.index in conv.flagged.get(compiled.rule.check, set()):
        return f"{turn_name(turn.index)} is already a finding of another {compiled.rule.check} rule"
    score, spans = _judge(compiled, conv, turn)
    threshold = compiled.rule.params["threshold"]
    if score < threshold / 2:
        return ""
    view = conv.view(turn.index)
    blanked = "" if _scored_text(view, compiled) == view.norm.text else (
        " (quoted words and clauses holding an exception are not scored)")
    if score < threshold:
        return f"{turn_name(turn.index)} scores {_shown(score)}, under the threshold {threshold:g}{blanked}"
    if not spans:
        return (f"{turn_name(turn.index)} scores {_shown(score)}, but no sequence of two or more "
                f"characters raised it{blanked}")
    return ""


def _open_turns(compiled: CompiledRule, conv: Conversation) -> list[Turn]:
    """The turns the model judges: those of its scope no phrase rule of its check has found."""
    done = conv.flagged.get(compiled.rule.check, set())
    return [turn for turn in conv.turns_of(compiled.rule.scope) if turn.index not in done]


def _judge(compiled: CompiledRule, conv: Conversation, turn: Turn) -> tuple[float, list[tuple[int, int]]]:
    """A turn's score and, when it reaches the threshold, the original-text spans of the
    sequences that raised it most: the one decision `check` and `why_silent` both read."""
    model = compiled.model
    assert model is not None, "the pack checks that every classifier rule has its model"
    view = conv.view(turn.index)
    text = _scored_text(view, compiled)
    score = model.score(text)
    if text != view.norm.text:
        # Blanking takes out a clause's innocent words too (滚动鼠标滚轮 weighs against a
        # taboo): an exception or a quotation may lower a turn's score, never raise it.
        score = min(score, model.score(view.norm.text))
    if score < compiled.rule.params["threshold"]:
        return score, []
    return score, [view.norm.to_original(start, end) for start, end in model.reasons(text)]


def _shown(score: float) -> str:
    """A score cut, never rounded, to two places, beside a threshold shown as written: a
    score shown as 0.70 is at least 0.70 and never appears to fall short of the threshold
    beside it, and a threshold set above the shown score drops the finding."""
    return f"{math.floor(score * 100 + 1e-9) / 100:.2f}"


BLANK = "\x00"
"""What blanked text becomes: a character no model weighs (a space has a weight of its own)."""


def _scored_text(view: TurnView, compiled: CompiledRule) -> str:
    """The normalized turn as the model reads it: each clause holding one of the rule's
    exceptions and, with `skip_quoted`, what is inside quotation marks blanked out,
    offsets kept (so the evidence still maps to the original text).

    大声 in 麻烦您大声一点好吗 weighs like 大声 in 喂，大声一点儿: the exception takes its
    clause out of the score, while a taboo in another clause (该不会是您自己摔的吧？不急，
    您慢慢想) still counts. The clause, not just the exception's words: the words left
    around a blanked formula (我晕啊，不要这么说自己呀，自己要爱惜自己的嘛 -> 自己…的嘛)
    are fragments the model was never trained on. The customer's words the agent repeats
    (您说“你们就知道敷衍”) are not the agent's.
    """
    exceptions = view.find(compiled.sets["exceptions"])
    quoted = view.quoted if compiled.rule.params["skip_quoted"] else ()
    if not exceptions and not quoted:
        return view.norm.text
    text = view.norm.text
    clause = _clause_numbers(view)
    gone = {clause[i] for m in exceptions for i in range(m.start, m.end)} - {-1}
    blanked = bytearray(clause[i] in gone for i in range(len(text)))
    for start, end in quoted:
        blanked[start:end] = b"\x01" * (end - start)
    return "".join(BLANK if out else ch for ch, out in zip(text, blanked, strict=True))


def _clause_numbers(view: TurnView) -> list[int]:
    """The clause each character of the normalized turn belongs to, counted from 0; -1 for
    punctuation and symbols, which end a clause (as the matcher's clause starts). Where
    normalization dropped spaces or a line break between Chinese characters a new clause
    starts too: speech recognition separates its segments so (该不会是您自己摔的吧 不急
    您慢慢想)."""
    text, offsets = view.norm.text, view.norm.offsets
    numbers: list[int] = []
    clause = 0
    for i, ch in enumerate(text):
        if unicodedata.category(ch)[0] in "PSZ" or ch.isspace():
            numbers.append(-1)
            clause += 1
            continue
        if offsets is not None and i and offsets[i] - offsets[i - 1] > 1:
            clause += 1
        numbers.append(clause)
    return numbers
