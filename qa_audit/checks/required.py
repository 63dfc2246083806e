"""Kind `required`: elements that must be said in a speaker's first or last N turns.

The greeting (salutation + offer of help, both in the agent's first turn) and the
courteous close (in one of the agent's last two turns) are rules of this kind.
"""

from __future__ import annotations

from qa_audit.checks.base import CompiledRule, longest, make_finding, quote, turn_name, uncancelled
from qa_audit.conversation import Conversation, TurnView
from qa_audit.labels import speaker_name
from qa_audit.matcher import Match
from qa_audit.model import Finding, Turn


def check(compiled: CompiledRule, conv: Conversation) -> list[Finding]:
    """A finding when no turn in the window holds every element; it names what is missing."""
    rule = compiled.rule
    window = _window(compiled, conv)
    names = [name for name, _ in compiled.elements]
    if not window:
        evidence = f"整通没有{speaker_name(rule.scope)}发言"
        return [make_finding(compiled, None, None, [], evidence, message_arg="、".join(names))]

    best = None
    # Report on the turn nearest the edge being checked: the first turn for an opening,
    # the last turn for a close, unless another turn in the window holds more elements.
    for turn in window if rule.params["position"] == "first" else reversed(window):
        view = conv.view(turn.index)
        present = _present(view, compiled)
        if len(present) == len(names):
            return []
        if best is None or len(present) > len(best[2]):
            best = (turn, view, present)
    turn, view, present = best
    missing = [n for n in names if n not in present]
    which = _window_words(rule.params["position"], rule.params["turns"], speaker_name(rule.scope))
    if present:
        said = "、".join(f"{n} {quote([view.original(m)[1] for m in present[n]])}" for n in present)
        evidence = f"{which}有{said}，缺{'、'.join(missing)}"
    else:
        evidence = f"{which}没有{'、'.join(missing)}"
    # What is wrong is what was NOT said: the elements that were said are named in the
    # evidence, never marked as the finding's words (reports paint those red).
    return [make_finding(compiled, turn, view, [], evidence, message_arg="、".join(missing))]


def why_silent(compiled: CompiledRule, conv: Conversation) -> str:
    """Why the rule found nothing here (for `rules test`): the turn that holds every element."""
    for turn in _window(compiled, conv):
        view = conv.view(turn.index)
        present = _present(view, compiled)
        if len(present) == len(compiled.elements):
            said = ", ".join(f"{name} {quote([view.original(m)[1] for m in hits])}" for name, hits in present.items())
            return f"{turn_name(turn.index)} holds every element: {said}"
    return ""


def _window(compiled: CompiledRule, conv: Conversation) -> list[Turn]:
    """The speaker's first or last N turns, where the elements must be said."""
    turns = conv.turns_of(compiled.rule.scope)
    count = compiled.rule.params["turns"]
    return turns[:count] if compiled.rule.params["position"] == "first" else turns[-count:]


def _present(view: TurnView, compiled: CompiledRule) -> dict[str, list[Match]]:
    """The elements a turn says, each with its words; an exception cancels what it overlaps."""
    exceptions = view.find(compiled.sets["exceptions"])
    present = {}
    for name, patterns in compiled.elements:
        hits = longest(uncancelled(view.find(patterns), exceptions))
        if hits:
            present[name] = hits
    return present


def _window_words(position: str, count: int, speaker: str) -> str:
    if count == 1:
        return f"{speaker}{'首句' if position == 'first' else '最后一句'}"
    return f"{speaker}{'前' if position == 'first' else '最后'}{count}句"
