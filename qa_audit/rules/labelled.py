"""Labelled sets: a QA lead's verdicts on some calls, read strictly.

A labelled set is a folder with transcripts.jsonl and labels.jsonl in the LABELING.md
format the eval set uses. `rules train` learns a model from one check's labels and `rules
score` measures the pack against all of them; both read the labels here, so a label line
means the same to both. A line of labels.jsonl:

    {"id": "T0001", "greeting": true, "closing": false, "prohibited": [7], "non_answer": [5, 7], "hold": [9]}

Turn checks list turn numbers (0-based, system turns counted); call checks are true when
the call does what the check asks (has its greeting), false when the pack should report
it. A site's own check is either kind. A wrong label does not fail loudly by itself: a
misspelt key would be scored as a check no rule reports, and a missing key would hide the
pack's findings on that call. So every problem of every line is collected, with file and
line, and nothing is trained or scored until there are none.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CALL_LABELS = ("greeting", "closing")
"""Checks LABELING.md labels per call, true or false."""
TURN_LABELS = ("prohibited", "non_answer", "hold")
"""Checks LABELING.md labels per turn, as a list of turn numbers."""
MAX_SHOWN = 20
"""Problems listed before the rest are only counted: a wrong file gives one per line."""

Marks = dict[str, list[int] | bool]


class LabelledDataError(ValueError):
    """Every problem found in the files of a labelled set (or training negatives), each as
    'path:line: reason': training and scoring start only when there are none."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_SHOWN]
        more = f"\n… and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        super().__init__("\n".join(shown) + more)


def json_objects(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-blank line of a JSONL file; a line that is not a
    JSON object is a problem."""
    try:
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
        return
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8; save it as UTF-8 (an export in GBK or Big5 is read by audit, "
                        "but labelled sets and training files must be UTF-8)")
        return
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path}:{number}: a line must be one JSON object")
            continue
        yield number, row


@dataclass
class Labels:
    """The label lines of a set that could be read, by call id (ids are text: 17 and "17"
    are one call), with the line each is on, and the ids of lines refused: their calls have
    a problem already, and "no labels" would only repeat it."""

    marks: dict[str, tuple[int, Marks]] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)


def read_labels(path: Path, problems: list[str], checks: Collection[str] | None = None) -> Labels:
    """The labels of labels.jsonl; each problem is added to `problems` as 'path:line: reason'.

    Every line must label the same checks, each with the same kind of value; with `checks`
    (the checks the loaded pack reports) a key that names none of them is a problem too.
    """
    labels = Labels()
    kinds: dict[str, bool] = {}
    first_line = 0
    for number, row in json_objects(path, problems):
        tid = row.get("id")
        if not isinstance(tid, str | int) or isinstance(tid, bool) or str(tid) == "":
            problems.append(f"{path}:{number}: needs an 'id' naming its transcript")
            continue
        tid = str(tid)
        marks = {key: value for key, value in row.items() if key != "id"}
        wrong = [_wrong_value(key, value) for key, value in marks.items()]
        if checks is not None:
            wrong += [f"{key!r} is no check of the pack (its checks: {', '.join(sorted(checks))})"
                      for key in marks if key not in checks]
        if not kinds and not any(wrong):
            kinds, first_line = {key: isinstance(value, bool) for key, value in marks.items()}, number
        elif kinds:
            missing = [key for key in kinds if key not in marks]
            if missing:
                wrong.append(f"labels no {', '.join(missing)} (line {first_line} does; every line labels the same "
                             "checks)")
            wrong += [f"{key!r} is {'true/false' if isinstance(marks[key], bool) else 'a list'} here and "
                      f"{'true/false' if kinds[key] else 'a list'} on line {first_line}"
                      for key in marks if key in kinds and isinstance(marks[key], bool) != kinds[key]]
            wrong += [f"labels {key!r}, which line {first_line} does not" for key in marks if key not in kinds]
        wrong = [w for w in wrong if w]
        if wrong:
            problems += [f"{path}:{number}: {w}" for w in wrong]
            labels.refused.add(tid)
        elif tid in labels.marks:
            problems.append(f"{path}:{number}: id {tid!r} labelled twice (first at line {labels.marks[tid][0]})")
        else:
            labels.marks[tid] = (number, marks)
    return labels


def _wrong_value(key: str, value: object) -> str:
    """What is wrong with one check's label, or ""."""
    turns = isinstance(value, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in value)
    if key in CALL_LABELS and not isinstance(value, bool):
        return f"{key!r} is true or false (does the call have it?), not {json.dumps(value, ensure_ascii=False)}"
    if key in TURN_LABELS and not turns:
        return f"{key!r} must be a list of turn numbers, e.g. [3, 7]; got {json.dumps(value, ensure_ascii=False)}"
    if not (turns or isinstance(value, bool)):
        return (f"{key!r} must be a list of turn numbers, e.g. [3, 7], or true/false for a call check; "
                f"got {json.dumps(value, ensure_ascii=False)}")
    return ""


def set_files(folder: Path, problems: list[str]) -> tuple[Path, Path] | None:
    """A labelled set's transcripts.jsonl and labels.jsonl, or None (and a problem) when one is missing."""
    transcripts, labels = folder / "transcripts.jsonl", folder / "labels.jsonl"
    if transcripts.is_file() and labels.is_file():
        return transcripts, labels
    problems.append(f"{folder}: a labelled set needs transcripts.jsonl and labels.jsonl")
    return None


def unmatched(labels_file: Path, marks: Mapping[str, tuple[int, object]], seen: Collection[str]) -> list[str]:
    """A problem for each labelled id (with its line) that names no transcript read."""
    return [f"{labels_file}:{number}: id {tid!r} matches no transcript of transcripts.jsonl"
            for tid, (number, _) in marks.items() if tid not in seen]
