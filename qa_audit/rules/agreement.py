"""How a rule pack's findings agree with a QA lead's labels (`qa-audit rules score`).

A site that labels some of its own calls (a labelled set, see `labelled`) can measure the
pack on them: for every labelled check, how many of the pack's findings the labels
confirm (precision) and how many labelled turns it finds (recall), and every turn or call
where the two disagree. Run it before and after editing a lexicon and the difference shows
what the edit gains and loses on calls it was not written for. talk_ratio is computed from
the turns, not judged, so it has no label.

Transcripts are read as `qa-audit audit` reads them, so turn numbers count the turns as
the audit sees them (a call whose timed turns are out of order is read in time order, as
the eval scorer reads it too). A set with a bad record, a label without a transcript or a
labelled turn that is not the agent's is not scored at all (every problem is listed),
because figures over part of a set would look like the whole.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qa_audit.engine import Auditor
from qa_audit.ingest import read_file
from qa_audit.mask import mask_text
from qa_audit.model import IngestError, Transcript
from qa_audit.rules.labelled import (
    CALL_LABELS,
    TURN_LABELS,
    LabelledDataError,
    Marks,
    read_labels,
    set_files,
    unmatched,
)

ORDER = (*CALL_LABELS, *TURN_LABELS)
"""The order checks are shown in; a site's own checks follow, by name."""


@dataclass(frozen=True)
class Disagreement:
    """A turn (or, for a call check, a call) the pack and the labels judge differently:
    `missed` is labelled and not found, `extra` found and not labelled."""

    set_name: str
    transcript_id: str
    turn: int | None
    check: str
    kind: Literal["missed", "extra"]
    text: str

    def key(self) -> tuple[str, ...]:
        """What the disagreement is about (kind, check, set, id, turn), without the text."""
        turn = "" if self.turn is None else str(self.turn)
        parts = (self.kind, self.check, self.set_name, self.transcript_id, turn)
        return tuple(" ".join(part.split()) for part in parts)

    def line(self) -> str:
        """One tab-separated line: the key, then the turn's text (whitespace and tabs folded),
        so the lines of two runs can be compared with `diff`."""
        return "\t".join((*self.key(), " ".join(self.text.split())))


@dataclass
class Tally:
    """Agreement on one check: findings the labels confirm, findings they do not, labels
    not found. For a call check, each call the check fails counts (a call both sides say has
    its greeting counts nowhere)."""

    agreed: int = 0
    extra: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        found = self.agreed + self.extra
        return self.agreed / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.agreed + self.missed
        return self.agreed / labelled if labelled else 1.0

    @property
    def f1(self) -> float:
        wrong = self.extra + self.missed
        return 2 * self.agreed / (2 * self.agreed + wrong) if self.agreed or wrong else 1.0

    def add(self, other: Tally) -> None:
        self.agreed += other.agreed
        self.extra += other.extra
        self.missed += other.missed


@dataclass
class SetScore:
    """One labelled set scored: a tally per labelled check and every disagreement."""

    name: str
    calls: int
    tallies: dict[str, Tally]
    disagreements: list[Disagreement]


LabelledCall = tuple[Transcript, Marks]


def read_set(folder: Path, checks: Collection[str]) -> list[LabelledCall]:
    """Every transcript of a labelled set with its labels by check, or LabelledDataError
    with every problem found; `checks` are the checks the pack reports."""
    problems: list[str] = []
    files = set_files(folder, problems)
    if files is None:
        raise LabelledDataError(problems)
    transcripts_file, labels_file = files
    labels = read_labels(labels_file, problems, checks)
    calls: list[LabelledCall] = []
    seen: dict[str, int | None] = {}
    unread = False
    for item in read_file(transcripts_file):
        if isinstance(item, IngestError):
            problems.append(str(item))
            unread = True
            continue
        where = f"{transcripts_file}:{item.line}"
        if item.id in seen:
            problems.append(f"{where}: transcript {item.id!r} twice (first at line {seen[item.id]})")
            continue
        seen[item.id] = item.line
        if item.id not in labels.marks:
            if item.id not in labels.refused:
                problems.append(f"{where}: transcript {item.id!r} has no line in labels.jsonl")
            continue
        number, marks = labels.marks[item.id]
        agent = {t.index for t in item.turns if t.speaker == "agent"}
        for check, turns in marks.items():
            wrong = sorted(set(turns) - agent) if isinstance(turns, list) else []
            if wrong:
                problems.append(f"{labels_file}:{number}: {check} turn(s) {wrong} of {item.id!r} are not agent "
                                "turns (turns count from 0, system turns included)")
        calls.append((item, marks))
    if not unread:  # else the labels of a record that could not be read would be blamed for it
        problems += unmatched(labels_file, labels.marks, seen)
    if not calls and not problems:
        problems.append(f"{folder}: no labelled calls")
    if problems:
        raise LabelledDataError(problems)
    return calls


def score_set(auditor: Auditor, name: str, calls: list[LabelledCall], *, mask: bool = True) -> SetScore:
    """A labelled set audited with the auditor's pack and compared with its labels."""
    tallies: dict[str, Tally] = {}
    disagreements: list[Disagreement] = []
    for transcript, marks in calls:
        findings = auditor.findings(transcript)
        for check, labelled in marks.items():
            if isinstance(labelled, bool):
                found: set[int | None] = {None} if any(f.check == check for f in findings) else set()
                expected: set[int | None] = set() if labelled else {None}
            else:
                found = {f.turn for f in findings if f.check == check and f.turn is not None}
                expected = set(labelled)
            tally = tallies.setdefault(check, Tally())
            tally.add(Tally(len(found & expected), len(found - expected), len(expected - found)))
            for turn in found ^ expected:
                text = "" if turn is None else transcript.turns[turn].text
                disagreements.append(Disagreement(name, transcript.id, turn, check,
                                                  "extra" if turn in found else "missed",
                                                  mask_text(text) if mask else text))
    disagreements.sort(key=lambda d: (d.transcript_id, -1 if d.turn is None else d.turn, d.check))
    return SetScore(name, len(calls), dict(sorted(tallies.items(), key=lambda item: _rank(item[0]))), disagreements)


def pooled(scores: Iterable[SetScore]) -> dict[str, Tally]:
    """The tallies of several sets summed per check, so a large set weighs more than a small one."""
    total: dict[str, Tally] = {}
    for score in scores:
        for check, tally in score.tallies.items():
            total.setdefault(check, Tally()).add(tally)
    return dict(sorted(total.items(), key=lambda item: _rank(item[0])))


def _rank(check: str) -> tuple[int, str]:
    return (ORDER.index(check) if check in ORDER else len(ORDER), check)
