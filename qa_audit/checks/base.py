"""What every check shares: a rule compiled against its pack, and finding construction."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

from qa_audit.conversation import Conversation, TurnView, says_something
from qa_audit.mask import SPELLED_DIGITS
from qa_audit.matcher import Match
from qa_audit.model import Finding, Turn
from qa_audit.rules.ngram_model import NgramModel
from qa_audit.rules.pack import RulePack
from qa_audit.rules.phrases import MAX_GAP, Pattern
from qa_audit.rules.schema import PHRASE_KEYS, Rule


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its phrase lists resolved into pattern sets, built once per pack.

    `origins` remembers which lexicon each pattern came from, so evidence can say
    "“不归我管”（推诿/拒绝服务）"; `wanted` names what each phrase list looks for
    ("补救、时限、直接答复"), so evidence can say what was missing.
    """

    rule: Rule
    sets: dict[str, frozenset[Pattern]]
    elements: tuple[tuple[str, frozenset[Pattern]], ...]
    origins: dict[Pattern, str]
    wanted: dict[str, str]
    model: NgramModel | None = None
    """The model a `classifier` rule scores with."""

    def origin(self, match: Match) -> str:
        return self.origins.get(match.pattern, "")


def compile_rule(rule: Rule, pack: RulePack) -> CompiledRule:
    origins: dict[Pattern, str] = {}

    def resolve(phrases: tuple[str, ...]) -> frozenset[Pattern]:
        patterns: list[Pattern] = []
        for phrase in phrases:
            resolved = pack.patterns([phrase])
            for pattern in resolved:
                origins.setdefault(pattern, pack.label(phrase))
            patterns.extend(resolved)
        return frozenset(patterns)

    sets = {key: resolve(rule.params.get(key, ())) for key in PHRASE_KEYS}
    elements = tuple((e.name, resolve(e.phrases)) for e in rule.params.get("elements", ()))
    wanted = {
        key: "、".join(dict.fromkeys(pack.label(p) or p for p in rule.params.get(key, ()))) for key in PHRASE_KEYS
    }
    return CompiledRule(rule, sets, elements, origins, wanted, pack.model_of(rule))


def live_hits(view: TurnView, compiled: CompiledRule, key: str) -> list[Match]:
    """Matches of one phrase set that no exception cancels, longest first where they overlap.

    An exception cancels a match it overlaps: 急什么时候 cancels 急什么; a polite formula
    不知道您是否方便 cancels 不知道. Quoted matches are dropped when the rule says so.
    """
    hits = view.find(compiled.sets[key])
    if not hits:
        return []
    exceptions = view.find(compiled.sets["exceptions"])
    skip_quoted = compiled.rule.params.get("skip_quoted", False)
    return longest([hit for hit in uncancelled(hits, exceptions) if not (skip_quoted and view.is_quoted(hit))])


def why_no_trigger(conv: Conversation, compiled: CompiledRule, key: str) -> str:
    """Why no turn the rule reads holds a live phrase of set `key`, for `rules test`; "" when
    one does: cancelled by an exception (named with its lexicon), inside quotation marks,
    said only by a speaker the rule does not read, or matched nowhere (with the words each
    turn was cut into: a phrase matches whole words only)."""
    turns = conv.turns_of(compiled.rule.scope)
    if not turns:
        return no_turn_to_read(compiled.rule.scope)
    reasons = []
    for turn in turns:
        if live_hits(conv.view(turn.index), compiled, key):
            return ""
        reasons.extend(dead_phrases(conv, compiled, key, turn))
    read = {turn.index for turn in turns}
    for turn in conv.transcript.turns:
        if turn.index not in read and says_something(turn):
            view = conv.view(turn.index)
            for hit in view.find(compiled.sets[key]):
                reasons.append(f"{turn_name(turn.index)} “{view.original(hit)[1]}” is said by the "
                               f"{turn.speaker}, whom the rule does not read")
    if reasons:
        return "; ".join(dict.fromkeys(reasons))
    # Numbers are shown as # (as phrases write them): a phone number said with spaces is cut
    # into pieces no report masking recognizes.
    words = "; ".join(f"{turn_name(t.index)} {' / '.join(_numbers_hidden(conv.words(t.index)))}" for t in turns)
    return (f"no phrase matched: a phrase matches whole words, and the parts of a phrase with … "
            f"within one sentence, at most {MAX_GAP} characters apart (the words: {words})")


def _numbers_hidden(words: list[str]) -> list[str]:
    """Words with a digit, and words of spelled-out digits only (一三九 / 五七), as #: a number
    cut into words is one no report masking recognizes."""
    return ["#" if any(ch.isdigit() for ch in word) or set(word) <= SPELLED_DIGITS else word
            for word in words if word.strip()]


def dead_phrases(conv: Conversation, compiled: CompiledRule, key: str, turn: Turn) -> list[str]:
    """The phrases of set `key` a turn with no live one says, each with why it does not count:
    cancelled by an exception (named with its lexicon), inside quotation marks the rule
    skips, or not whole words (the words it was cut into). Every caller asks about such a
    turn only (a turn with a live phrase is a finding, or was satisfied), so nothing here
    tells live phrases apart."""
    view = conv.view(turn.index)
    exceptions = view.find(compiled.sets["exceptions"])
    reasons = []
    for hit in view.find(compiled.sets[key]):
        said = f"{turn_name(turn.index)} “{view.original(hit)[1]}”"
        blocker = next((e for e in exceptions if hit.overlaps(e)), None)
        if blocker is not None:
            reasons.append(f"{said} is cancelled by the exception {quote_hits(view, compiled, [blocker])}")
        elif view.is_quoted(hit):
            reasons.append(f"{said} is inside quotation marks, which the rule skips (skip_quoted)")
    for hit, words in conv.cut_apart(turn.index, compiled.sets[key]):
        cut = " / ".join(_numbers_hidden(words))
        reasons.append(f"{turn_name(turn.index)} “{view.original(hit)[1]}” is part of other words here ({cut}): "
                       f"a phrase matches whole words only")
    return list(dict.fromkeys(reasons))


def no_turn_to_read(scope: str) -> str:
    """Why a rule read nothing: the conversation has no turn of its speaker that says something."""
    who = "agent or customer" if scope == "any" else scope
    return f"no {who} turn says anything (in an example, a line without 客户: or 系统: is the agent's)"


def uncancelled(matches: list[Match], cancelling: list[Match]) -> list[Match]:
    """The `matches` that overlap none of `cancelling`: how every exception works, in every
    kind of rule (an exception cancels a trigger, a second exception a satisfying phrase).

    A match is cancelled when a cancelling span starts before it ends and ends after it
    starts: with the spans sorted by start and the furthest end so far, one bisection per
    match. Comparing every pair took 26 s for one 120,000-character turn (a whole call
    exported as one line).
    """
    if not cancelling:
        return list(matches)
    spans = sorted((c.start, c.end) for c in cancelling)
    starts = [start for start, _ in spans]
    reach = list(itertools.accumulate((end for _, end in spans), max))
    kept = []
    for m in matches:
        before = bisect.bisect_left(starts, m.end)
        if not (before and reach[before - 1] > m.start):
            kept.append(m)
    return kept


def longest(hits: list[Match]) -> list[Match]:
    """One match per stretch of words, in text order: where matches overlap, the longest wins.

    Several phrases often match the same words (为您服务 inside 竭诚为您服务, two
    spellings of 请问您需要办理); evidence names those words once. The characters kept
    matches cover are marked, so a long turn's many matches are not compared pairwise
    (a match always covers a character: every part of a pattern is a word or a number).
    """
    if not hits:
        return []
    taken = bytearray(max(m.end for m in hits))
    kept: list[Match] = []
    for hit in sorted(hits, key=lambda m: (m.start - m.end, m.start)):
        if taken.find(1, hit.start, hit.end) < 0:
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
            kept.append(hit)
    return sorted(kept, key=lambda m: m.start)


def turn_name(index: int) -> str:
    """A turn as people count them, from 1 (第1轮), as the workbook's 轮次 column and the
    terminal number it; only the machine-readable `turn` field counts from 0."""
    return f"第{index + 1}轮"


def quote(words: list[str]) -> str:
    """Words as a supervisor reads them: “不归我管”、“你自己看着办”."""
    return "、".join(f"“{w}”" for w in dict.fromkeys(words))


def quote_hits(view: TurnView, compiled: CompiledRule, hits: list[Match]) -> str:
    """Each word said with the lexicon it belongs to: “不清楚”（不知其然）、“您问别人吧”（不知如何应对）."""
    parts = []
    for hit in hits:
        said = view.original(hit)[1]
        origin = compiled.origin(hit)
        parts.append(f"“{said}”（{origin}）" if origin else f"“{said}”")
    return "、".join(dict.fromkeys(parts))



def make_finding(
    compiled: CompiledRule,
    turn: Turn | None,
    view: TurnView | None,
    matches: list[Match],
    evidence: str,
    message_arg: str | None = None,
) -> Finding:
    """A finding whose spans and words are taken from the ORIGINAL turn text."""
    rule = compiled.rule
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    if view is not None:
        for match in matches:
            span, said = view.original(match)
            spans.append(span)
            words.append(said)
    arg = message_arg if message_arg is not None else "、".join(dict.fromkeys(words))
    message = rule.message.replace("%s", arg) if "%s" in rule.message else rule.message
    return Finding(
        rule_id=rule.id,
        check=rule.check,
        severity=rule.severity,
        message=message,
        turn=turn.index if turn is not None else None,
        spans=tuple(spans),
        matched=tuple(words),
        evidence=evidence,
        weight=rule.weight,
        red_line=rule.red_line,
    )
