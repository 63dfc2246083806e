"""Kind `conditional`: a trigger requires another phrase, in the same turn or the next.

Hold etiquette (a lookup announced needs 请稍等 in the same turn) and the
three-don't-know non-answer (ignorance or deflection needs a remedy in the same turn or
the agent's next turn) are rules of this kind. Exceptions cancel a trigger they overlap
(不知道您是否方便 is a polite formula, not ignorance), and second_exceptions cancel a
satisfying phrase they overlap (能不能退 repeats the question; its 能 answers nothing), and
a new yes/no question asked in between (new_question: 那我能不能退款？) makes an answer that
only opens the next turn (可以的) an answer to that question; the evidence says what was
found, what was missing and where the check looked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_audit.checks.another_matter import another_matter
from qa_audit.checks.asked import asked_anew
from qa_audit.checks.base import (
    CompiledRule,
    dead_phrases,
    live_hits,
    longest,
    make_finding,
    quote_hits,
    turn_name,
    uncancelled,
    why_no_trigger,
)
from qa_audit.conversation import Conversation, TurnView
from qa_audit.labels import speaker_name
from qa_audit.matcher import Match
from qa_audit.model import Finding, Turn


def check(compiled: CompiledRule, conv: Conversation) -> list[Finding]:
    """A finding for each turn with a live trigger and no satisfying phrase in the window."""
    findings = []
    for turn in conv.turns_of(compiled.rule.scope):
        verdict = _judge(compiled, conv, turn)
        if verdict.triggers and verdict.satisfied_in is None:
            findings.append(make_finding(compiled, turn, conv.view(turn.index), verdict.triggers, verdict.evidence))
    return findings


def why_silent(compiled: CompiledRule, conv: Conversation) -> str:
    """Why the rule found nothing here (for `rules test`): no live trigger, or the phrase that
    satisfied the first one, in its own turn or the speaker's next."""
    reason = why_no_trigger(conv, compiled, "first")
    if reason:
        return reason
    for turn in conv.turns_of(compiled.rule.scope):
        reason = _satisfied(compiled, conv, turn, _judge(compiled, conv, turn))
        if reason:
            return reason
    return ""


def why_turn(compiled: CompiledRule, conv: Conversation, turn: Turn) -> str:
    """Why the rule found nothing in this turn (for `check --why`): its triggers cancelled or
    quoted, or the phrase that satisfied them; "" when it says no trigger."""
    verdict = _judge(compiled, conv, turn)
    if not verdict.triggers:
        return "; ".join(dead_phrases(conv, compiled, "first", turn))
    return _satisfied(compiled, conv, turn, verdict)


def _satisfied(compiled: CompiledRule, conv: Conversation, turn: Turn, verdict: _Verdict) -> str:
    """What satisfied a turn's triggers, and where; "" when nothing did (the turn is a finding)."""
    where = verdict.satisfied_in
    if not verdict.triggers or where is None:
        return ""
    said = quote_hits(conv.view(turn.index), compiled, verdict.triggers)
    window = "the same turn" if where.turn.index == turn.index else turn_name(where.turn.index)
    aside = f" ({verdict.aside})" if verdict.aside else ""
    return (f"{turn_name(turn.index)} says {said}, satisfied in {window} by "
            f"{quote_hits(where, compiled, longest(verdict.satisfiers))}{aside}")


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What the rule makes of one turn: its live triggers; the turn whose phrases satisfied
    them, and those phrases; or, when nothing did, the finding's evidence."""

    triggers: list[Match]
    satisfied_in: TurnView | None = None
    satisfiers: list[Match] = field(default_factory=list)
    aside: str = ""
    """For why-lines only: why words that name a matter did not stop the satisfying phrases."""
    evidence: str = ""


def _judge(compiled: CompiledRule, conv: Conversation, turn: Turn) -> _Verdict:
    """The one decision `check`, `why_silent` and `why_turn` read, so an explanation cannot drift
    from the finding."""
    view = conv.view(turn.index)
    triggers = live_hits(view, compiled, "first")
    if not triggers:
        return _Verdict([])
    found = _satisfying(view, compiled, triggers)
    notes, moved_on, later, aside = [], "", "", ""
    matter = another_matter(conv, view, compiled, triggers) if found else None
    if matter is not None and matter.declined:
        if any(m.start < matter.start for m in found):
            aside = f"“{matter.named}” is not read as another matter: {matter.declined}"
    elif matter is not None:
        earlier = [m for m in found if m.start < matter.start]
        found = [m for m in found if m.start >= matter.start]
        if earlier and not found:
            answered = quote_hits(view, compiled, longest(earlier))
            notes.append(f"{answered}说在客户问的“{matter.named}”之前，不算它的答复")
    turned = _turned_aside(view, compiled, triggers) if found else None
    if turned is not None:
        later_said = [m for m in found if m.start >= turned.start]
        found = [m for m in found if m.start < turned.start]
        if later_said and not found:
            notes.append(f"“{view.original(turned)[1]}”之后说的是另一件事，不算答复")
    if found:
        return _Verdict(triggers, view, found, aside)
    if compiled.rule.params["within"] == "next_turn":
        following = conv.next_turn_of(turn)
        if following is None:
            notes.append("之后再无发言")
        else:
            next_view = conv.view(following.index)
            found = _satisfying(next_view, compiled, live_hits(next_view, compiled, "first"))
            moved_on = _moved_on(conv, turn.index, following.index, compiled, found)
            if moved_on:
                moved_on = f"；{moved_on}，{turn_name(following.index)}不算答复"
            else:
                openings = [m for m in found if m.pattern.anchored]
                asked = asked_anew(conv, view, triggers, following.index, compiled) if openings else ""
                if asked:
                    found = [m for m in found if not m.pattern.anchored]
                    moved_on = (f"；{asked}，{turn_name(following.index)}的"
                                f"{quote_hits(next_view, compiled, longest(openings))}答的是新问题，不算答复")
                if found:
                    return _Verdict(triggers, next_view, found)
                if not asked:
                    later = f"及下一轮（{turn_name(following.index)}）都"
    said = quote_hits(view, compiled, triggers)
    looked = turn_name(turn.index) + (f"（{'；'.join(notes)}）" if notes else "") + later
    evidence = f"{turn_name(turn.index)}说了 {said}；{looked}没有{compiled.wanted['second']}{moved_on}"
    return _Verdict(triggers, evidence=evidence)


def _moved_on(conv: Conversation, index: int, following: int, compiled: CompiledRule,
              satisfying: list[Match]) -> str:
    """How the conversation left the matter before the speaker's next turn, or "" if it did not;
    `satisfying` are the next turn's satisfying phrases.

    A `dropped` phrase said in between (the customer giving up: 好吧, 算了) or a
    `new_topic` phrase in the next turn before anything that answers (另外……) means that
    turn replies to something else, so it cannot answer or remedy the trigger. The words
    are returned for the evidence: they decided the finding.
    """
    for i in range(index + 1, following):
        view = conv.view(i)
        hits = view.find(compiled.sets["dropped"])
        if hits:
            return f"{turn_name(i)}{speaker_name(view.turn.speaker)}说了“{view.original(hits[0])[1]}”，不再追问"
    view = conv.view(following)
    hits = view.find(compiled.sets["new_topic"])
    if not hits:
        return ""
    # A turn that answers first and then moves on (电话是……。另外我帮您登记了……) did answer;
    # an opening alone before it (可以可以。另外……: a phrase that must open a clause) reads
    # as an acknowledgement, not as the answer.
    if any(m.start < hits[0].start and not m.pattern.anchored for m in satisfying):
        return ""
    return f"{turn_name(following)}以“{view.original(hits[0])[1]}”另起话题"


def _turned_aside(view: TurnView, compiled: CompiledRule, triggers: list[Match]) -> Match | None:
    """The first `aside` phrase after the turn's last trigger (另外跟您介绍一下), or None.

    An agent who leaves the matter unanswered and goes on to sell something (会有人处理的，
    您放心。另外跟您介绍一下我们的当日到服务，交易完2小时内到账) names a time frame that belongs to
    the offer: what the turn says after the aside answers nothing the customer asked.
    """
    last = max(t.end for t in triggers)
    return next((m for m in view.find(compiled.sets["aside"]) if m.start >= last), None)


def _satisfying(view: TurnView, compiled: CompiledRule, triggers: list[Match]) -> list[Match]:
    """The satisfying phrases of a turn that overlap none of its live `triggers` and are not
    cancelled by a `second_exceptions` phrase.

    您可以看看使用说明 opens like an answer (您可以) but is a deflection: a phrase that
    overlaps a live trigger never satisfies it, nor does one whose gap runs over it (我现在
    也不清楚怎么处理 is no 我现在…处理). The one exception is a `completing` phrase that
    starts before a `completed` trigger and reaches it only with its last part: in
    一周内会有人联系您 the time frame 一周内…会 ends on the 会 of the deferral 会有人联系,
    and it is what makes the deferral concrete. 能不能退，我不确定 opens with 能 but repeats
    the question: the echo cancels the answer it looks like.
    """
    satisfying = [m for m in view.find(compiled.sets["second"])
                  if not any(m.overlaps(t) and not _completes(compiled, m, t) for t in triggers)]
    if not satisfying:
        return []
    return uncancelled(satisfying, view.find(compiled.sets["second_exceptions"]))


def _completes(compiled: CompiledRule, phrase: Match, trigger: Match) -> bool:
    """Whether a satisfying phrase that overlaps a trigger ends on the trigger's first words
    and is a `completing` phrase meeting a `completed` trigger (a time frame said before a
    deferral)."""
    return (phrase.start < trigger.start and trigger.start >= phrase.spans[-1][0]
            and phrase.pattern in compiled.sets["completing"] and trigger.pattern in compiled.sets["completed"])
