"""The records that flow through the pipeline: ingest -> checks -> score -> report.

Everything here is a plain frozen dataclass so a transcript's audit is a pure function
of (transcript, rule pack): no record carries hidden state, and any stage can be run in a
worker process and its result sent back by pickling.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

CHANNELS = ("call", "chat")
SEVERITIES = ("info", "minor", "major", "critical")


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance. `index` is its 0-based position in the transcript, system turns included."""

    index: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """One conversation as ingested, with the original text of every turn.

    `source` and `line` say where it came from, so every report can point back to the file.
    """

    id: str
    agent_id: str
    turns: tuple[Turn, ...]
    channel: str = "call"
    agent_name: str = ""
    team: str = ""
    started_at: str | None = None
    source: str = ""
    line: int | None = None
    _digest: str | None = field(default=None, init=False, repr=False, compare=False)
    """`content_hash()` once computed: the run needs it to skip unchanged transcripts and
    again in the call row, and the cached value travels with the transcript to a worker."""

    @property
    def timed(self) -> bool:
        """True when every agent and customer turn has both start and end times."""
        talk = [t for t in self.turns if t.speaker != "system"]
        return bool(talk) and all(t.start is not None and t.end is not None for t in talk)

    @property
    def duration(self) -> float | None:
        """Seconds from the first turn's start to the last turn's end, when timed."""
        times = [(t.start, t.end) for t in self.turns if t.start is not None and t.end is not None]
        if not times:
            return None
        return max(e for _, e in times) - min(s for s, _ in times)

    def content_hash(self) -> str:
        """A digest of everything an audit reads, for skipping unchanged transcripts on a rerun."""
        if self._digest is None:
            object.__setattr__(self, "_digest", self._hash())
        return self._digest  # type: ignore[return-value]

    def _hash(self) -> str:
        payload = {
            "id": self.id,
            "agent_id": self.agent_id,
            "agent_name": self.agent_name,
            "team": self.team,
            "channel": self.channel,
            "started_at": self.started_at,
            "turns": [[t.speaker, t.text, t.start, t.end] for t in self.turns],
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class IngestError:
    """A file or record that could not be read: reported with where and why, then skipped."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule violation with its evidence.

    `spans` are character offsets into the ORIGINAL text of turn `turn` (never into the
    normalized form), so reports can highlight exactly what was said. `matched` holds the
    original words at those spans. `evidence` explains the decision in a sentence a
    supervisor can read, including any context that decided it.
    """

    rule_id: str
    check: str
    severity: str
    message: str
    turn: int | None = None
    spans: tuple[tuple[int, int], ...] = ()
    matched: tuple[str, ...] = ()
    evidence: str = ""
    weight: float = 0.0
    red_line: bool = False


@dataclass(frozen=True, slots=True)
class CallResult:
    """The audit of one transcript: its findings, talk share and score."""

    transcript: Transcript
    findings: tuple[Finding, ...]
    agent_talk_share: float | None
    talk_basis: str
    score: float = 100.0
    passed: bool = True
    red_line: bool = False
    deductions: tuple[float, ...] = field(default=())
