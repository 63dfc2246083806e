"""The audit of one transcript: a pure function of (transcript, rule pack).

`Auditor` compiles a pack once (segmenter dictionary, phrase automaton, pattern sets)
and then audits any number of transcripts; it holds no per-transcript state, so the
batch can run it in several worker processes and get identical results.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qa_audit.checks import CHECKS, WHY_SILENT, WHY_TURN, CompiledRule, compile_rule
from qa_audit.conversation import Conversation
from qa_audit.longlived import building
from qa_audit.matcher import PhraseMatcher
from qa_audit.model import CallResult, Finding, Transcript
from qa_audit.nlp import Segmenter, build_nlp
from qa_audit.rules.pack import RulePack
from qa_audit.scoring import score_call

if TYPE_CHECKING:
    from spacy.language import Language


class Auditor:
    """A rule pack compiled for auditing."""

    @building()
    def __init__(self, pack: RulePack, backend: str = "rjieba") -> None:
        self.pack = pack
        patterns = pack.all_patterns()
        self.matcher = PhraseMatcher(patterns)
        self.segmenter = Segmenter(backend)
        self.segmenter.add_words(self.matcher.parts)
        # Classifier rules last: they read only the turns the phrase rules of their check passed.
        self.compiled = sorted((compile_rule(rule, pack) for rule in pack.enabled),
                               key=lambda c: c.rule.kind == "classifier")
        self._rules = {rule.id: rule for rule in pack.rules}

    def conversation(self, transcript: Transcript) -> Conversation:
        return Conversation(transcript, self.segmenter, self.matcher)

    @functools.cached_property
    def nlp(self) -> Language:
        """The spaCy `zh` pipeline over this pack's segmenter, built on first use."""
        return build_nlp(self.segmenter)

    def findings(self, transcript: Transcript, only: set[str] | None = None) -> list[Finding]:
        """Findings of every enabled rule (or only those named) that applies to the transcript's channel."""
        return self.conversation_findings(self.conversation(transcript), only)

    def compiled_rule(self, rule_id: str) -> CompiledRule:
        """An enabled rule as compiled for auditing; KeyError for an unknown or disabled id."""
        for compiled in self.compiled:
            if compiled.rule.id == rule_id:
                return compiled
        raise KeyError(rule_id)

    def why_not(self, transcript: Transcript, rule_ids: Sequence[str]) -> dict[str, list[str]]:
        """Why each rule found nothing in a conversation, turn by turn where its kind judges
        turns (`qa-audit check --why`: a supervisor asks why a line was not flagged). Turns
        the rule found, and turns that say nothing it looks for, get no line; when no turn
        has one, a line for the conversation. The conversation is audited once for all."""
        conv = self.conversation(transcript)
        findings = self.conversation_findings(conv)
        return {rule_id: self._why_not(conv, findings, self.compiled_rule(rule_id)) for rule_id in rule_ids}

    @staticmethod
    def _why_not(conv: Conversation, findings: list[Finding], compiled: CompiledRule) -> list[str]:
        rule = compiled.rule
        if not rule.applies_to(conv.transcript.channel):
            channels = ", ".join(rule.channels)
            return [f"{rule.id} does not read {conv.transcript.channel} conversations (channels: {channels})"]
        found = {f.turn for f in findings if f.rule_id == rule.id}
        lines = []
        if rule.kind in WHY_TURN:
            for turn in conv.turns_of(rule.scope):
                reason = "" if turn.index in found else WHY_TURN[rule.kind](compiled, conv, turn)
                if reason:
                    lines.append(reason)
        if lines:
            return lines
        if found:
            other = "no other turn says what it looks for" if rule.kind in WHY_TURN else "its finding is above"
            return [f"{rule.id} flagged this conversation; {other}"]
        return [WHY_SILENT[rule.kind](compiled, conv)]

    def conversation_findings(self, conv: Conversation, only: set[str] | None = None) -> list[Finding]:
        """Findings of a prepared conversation, whose analysed turns a caller may read after
        (`rules test` explains from them why a rule found nothing)."""
        found: list[Finding] = []
        for compiled in self.compiled:
            if only is not None and compiled.rule.id not in only:
                continue
            if compiled.rule.applies_to(conv.transcript.channel):
                new = CHECKS[compiled.rule.kind](compiled, conv)
                conv.flagged.setdefault(compiled.rule.check, set()).update(f.turn for f in new if f.turn is not None)
                found.extend(new)
        return sorted(found, key=lambda f: (-1 if f.turn is None else f.turn, f.check, f.rule_id))

    def audit(self, transcript: Transcript) -> CallResult:
        conv = self.conversation(transcript)
        findings = self.conversation_findings(conv)
        share, basis = conv.talk_share()
        score, passed, red_line, deductions = score_call(findings, self._rules, self.pack.scoring)
        return CallResult(
            transcript=transcript,
            findings=tuple(findings),
            agent_talk_share=share,
            talk_basis=basis,
            score=score,
            passed=passed,
            red_line=red_line,
            deductions=deductions,
        )


_PACKAGE = Path(__file__).parent
_DECIDING = ("checks", "rules", "engine.py", "conversation.py", "matcher.py", "text.py", "nlp.py", "talk.py",
             "scoring.py", "records.py", "labels.py", "model.py")
"""The code that decides a stored result (its findings, score and rows): what the history
must know changed, besides the rule pack, before it takes a stored result as current.
(Masking has its own version, `mask.VERSION`: a run asks for it or not.)"""


@functools.cache
def code_digest() -> str:
    """A digest of the source that decides results, so that after an upgrade of qa-audit
    an unchanged transcript is audited again instead of reported as the old code judged it."""
    digest = hashlib.sha256()
    for name in _DECIDING:
        path = _PACKAGE / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(_PACKAGE).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]
