"""How a rule pack's findings agree with a QA lead's labels (`qa-audit rules score`).

A site that labels some of its own calls, in the LABELING.md format `rules train` reads,
can measure the pack on them: for every labelled check, how many of the pack's findings
the labels confirm (precision) and how many labelled turns it finds (recall), and every
turn or call where the two disagree. Run it before and after editing a lexicon and the
difference shows what the edit gains and loses on calls it was not written for.

A label line holds, besides `id`, a list of turn numbers per turn check (`"non_answer":
[5, 7]`) and true or false per call check (`"greeting": true`, where false means the call
misses it and the pack should report it). talk_ratio is computed from the turns, not
judged, so it has no label.

Transcripts are read as `qa-audit audit` reads them; a set with a bad record, a label
without a transcript or a labelled turn that is not the agent's is not scored at all (every
problem is listed), because figures over part of a set would look like the whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa_audit.engine import Auditor
from qa_audit.ingest import read_file
from qa_audit.mask import mask_text
from qa_audit.model import IngestError, Transcript
from qa_audit.rules.training_data import LabelledDataError, json_objects


@dataclass(frozen=True)
class Disagreement:
    """A turn (or, for a call check, a call) the pack and the labels judge differently.

    `missed`: labelled, not found; `extra`: found, not labelled."""

    set: str
    transcript_id: str
    turn: int | None
    check: str
    kind: str
    text: str

    def line(self) -> str:
        """One tab-separated line (kind, check, set, id, turn, text): stable, so the lines of
        two runs can be compared with `diff`."""
        turn = "" if self.turn is None else str(self.turn)
        return "\t".join((self.kind, self.check, self.set, self.transcript_id, turn, self.text))


@dataclass
class Tally:
    """Agreement on one check: findings the labels confirm, findings they do not, labels not found."""

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


@dataclass
class SetScore:
    """One labelled set scored: a tally per labelled check and every disagreement."""

    name: str
    transcripts: int
    tallies: dict[str, Tally]
    disagreements: list[Disagreement]


def read_set(folder: Path) -> list[tuple[Transcript, dict[str, list[int] | bool]]]:
    """Every transcript of a labelled set with its labels by check, or LabelledDataError
    with every problem found."""
    problems: list[str] = []
    transcripts_file, labels_file = folder / "transcripts.jsonl", folder / "labels.jsonl"
    if not (transcripts_file.is_file() and labels_file.is_file()):
        raise LabelledDataError([f"{folder}: a labelled set needs transcripts.jsonl and labels.jsonl"])
    labels: dict[str, tuple[int, dict[str, list[int] | bool]]] = {}
    for number, row in json_objects(labels_file, problems):
        parsed = _labels(row)
        if isinstance(parsed, str):
            problems.append(f"{labels_file}:{number}: {parsed}")
        elif row["id"] in labels:
            problems.append(f"{labels_file}:{number}: id {row['id']!r} labelled twice "
                            f"(first at line {labels[row['id']][0]})")
        else:
            labels[row["id"]] = (number, parsed)
    pairs = []
    seen: set[str] = set()
    for item in read_file(transcripts_file):
        if isinstance(item, IngestError):
            problems.append(str(item))
            continue
        where = f"{transcripts_file}:{item.line}"
        if item.id in seen:
            problems.append(f"{where}: transcript {item.id!r} twice")
            continue
        seen.add(item.id)
        if item.id not in labels:
            problems.append(f"{where}: transcript {item.id!r} has no line in labels.jsonl")
            continue
        number, marks = labels[item.id]
        agent = {t.index for t in item.turns if t.speaker == "agent"}
        for check, turns in marks.items():
            wrong = sorted(set(turns) - agent) if isinstance(turns, list) else []
            if wrong:
                problems.append(f"{labels_file}:{number}: {check} turn(s) {wrong} of {item.id!r} are not agent "
                                "turns (turns count from 0, system turns included)")
        pairs.append((item, marks))
    problems += [f"{labels_file}:{number}: id {tid!r} matches no transcript of transcripts.jsonl"
                 for tid, (number, _) in labels.items() if tid not in seen]
    if problems:
        raise LabelledDataError(problems)
    return pairs


def _labels(row: dict[str, object]) -> dict[str, list[int] | bool] | str:
    """A label line's marks by check, or what is wrong with it."""
    if not isinstance(row.get("id"), str):
        return "needs an 'id' naming its transcript"
    marks: dict[str, list[int] | bool] = {}
    for check, value in row.items():
        if check == "id":
            continue
        if isinstance(value, bool) or (
                isinstance(value, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in value)):
            marks[check] = value
        else:
            return (f"{check!r} must be a list of turn numbers, e.g. [3, 7], or true/false for a call check; "
                    f"got {json.dumps(value, ensure_ascii=False)}")
    return marks


def score_set(auditor: Auditor, folder: Path, *, mask: bool = True) -> SetScore:
    """A labelled set audited with the auditor's pack and compared with its labels."""
    name = folder.resolve().name
    tallies: dict[str, Tally] = {}
    disagreements: list[Disagreement] = []
    pairs = read_set(folder)
    for transcript, marks in pairs:
        findings = auditor.findings(transcript)
        for check, labelled in marks.items():
            tally = tallies.setdefault(check, Tally())
            if isinstance(labelled, bool):
                found = {None} if any(f.check == check for f in findings) else set()
                expected = set() if labelled else {None}
            else:
                found = {f.turn for f in findings if f.check == check and f.turn is not None}
                expected = set(labelled)
            tally.agreed += len(found & expected)
            tally.extra += len(found - expected)
            tally.missed += len(expected - found)
            for turn in (found ^ expected):
                text = "" if turn is None else transcript.turns[turn].text
                text = " ".join((mask_text(text) if mask else text).split())
                disagreements.append(Disagreement(name, transcript.id, turn, check,
                                                  "extra" if turn in found else "missed", text))
    disagreements.sort(key=lambda d: (d.transcript_id, -1 if d.turn is None else d.turn, d.check))
    return SetScore(name, len(pairs), tallies, disagreements)


def pooled(scores: Iterable[SetScore]) -> dict[str, Tally]:
    """The tallies of several sets summed per check, so a large set weighs more than a small one."""
    total: dict[str, Tally] = {}
    for score in scores:
        for check, tally in score.tallies.items():
            sum_ = total.setdefault(check, Tally())
            sum_.agreed += tally.agreed
            sum_.extra += tally.extra
            sum_.missed += tally.missed
    return total
