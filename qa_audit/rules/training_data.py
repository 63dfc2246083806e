"""The examples `qa-audit rules train` learns from, read strictly.

A model learns whatever it is given: a label file whose ids match no transcript, or whose
turn numbers point at the customer, would train a model on nothing or on the wrong turns
and say nothing. So every problem of every file is collected, with file and line, and
training does not start until there are none (as a rule pack does not load with errors).

Three sources, each agent turn one example (normalized text, whether it is the check's):
- labelled sets: a folder with transcripts.jsonl and labels.jsonl in the LABELING.md
  format the eval set uses (0-based turn indices, system turns counted);
- `--negatives`: JSONL transcripts whose agent turns all pass (real calls a QA lead read);
- the pack's phrase rules of the check: one-sentence fail examples are the check's, pass
  examples its hard cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qa_audit.rules.labelled import LabelledDataError, json_objects, read_labels, set_files, unmatched
from qa_audit.rules.pack import RulePack
from qa_audit.text import normalize

Example = tuple[str, bool]


def _agent_turns(path: Path, number: int, row: dict[str, Any], problems: list[str]) -> dict[int, str] | None:
    """A transcript's agent turns that say something, by index; None (and a problem) when
    it has no list of turns."""
    turns = row.get("turns")
    if not isinstance(turns, list) or not all(
            isinstance(t, dict) and isinstance(t.get("text", ""), str | None) for t in turns):
        problems.append(f"{path}:{number}: no 'turns' list of {{speaker, text}} with text as text")
        return None
    return {i: t["text"] for i, t in enumerate(turns) if t.get("speaker") == "agent" and t.get("text")}


def labelled_set(folder: Path, check: str, problems: list[str]) -> list[Example]:
    """The agent turns of one labelled set, each marked with whether its labels list it under `check`."""
    files = set_files(folder, problems)
    if files is None:
        return []
    transcripts, labels_file = files
    labels = read_labels(labels_file, problems)
    marked: dict[str, tuple[int, set[int]]] = {}
    for tid, (number, marks) in labels.marks.items():
        turns = marks.get(check)
        if isinstance(turns, list):
            marked[tid] = (number, set(turns))
        else:
            problems.append(f"{labels_file}:{number}: needs a '{check}' list of turn numbers, e.g. [3, 7]")
            labels.refused.add(tid)
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, row in json_objects(transcripts, problems):
        if "id" not in row:
            problems.append(f"{transcripts}:{number}: the transcript has no 'id'")
            continue
        tid = str(row["id"])
        if tid in seen:
            problems.append(f"{transcripts}:{number}: transcript {tid!r} twice (first at line {seen[tid]})")
            continue
        seen[tid] = number
        label = marked.get(tid)
        if label is None:
            if tid not in labels.refused:
                problems.append(f"{transcripts}:{number}: transcript {tid!r} has no line in labels.jsonl")
            continue
        agent = _agent_turns(transcripts, number, row, problems)
        if agent is None:
            continue
        wrong = sorted(label[1] - set(agent))
        if wrong:
            problems.append(f"{labels_file}:{label[0]}: {check} turn(s) {wrong} of {tid!r} are not agent turns that "
                            "say something (turns count from 0, system turns included)")
            continue
        examples += [(normalize(text).text, index in label[1]) for index, text in agent.items()]
    problems += unmatched(labels_file, marked, seen)
    if not seen and not any(p.startswith(str(folder)) for p in problems):
        problems.append(f"{folder}: no transcripts in transcripts.jsonl")
    return examples


def passing_calls(path: Path, problems: list[str]) -> list[Example]:
    """Every agent turn of a JSONL file of transcripts that pass the check, as a negative example."""
    examples: list[Example] = []
    for number, row in json_objects(path, problems):
        agent = _agent_turns(path, number, row, problems)
        if agent is not None:
            examples += [(normalize(text).text, False) for text in agent.values()]
    return examples


def rule_examples(pack: RulePack, check: str) -> list[Example]:
    """The one-sentence examples of the pack's phrase rules of `check`: fail ones are the
    check's, pass ones are its hard cases."""
    examples: list[Example] = []
    for rule in pack.rules:
        if rule.check == check and rule.kind != "classifier":
            examples += [(normalize(e).text, True) for e in rule.fail_examples if isinstance(e, str)]
            examples += [(normalize(e).text, False) for e in rule.pass_examples if isinstance(e, str)]
    return examples


def all_examples(sets: Sequence[Path], negatives: Sequence[Path], pack: RulePack, check: str) -> list[Example]:
    """Every example of the three sources, or LabelledDataError with every problem found:
    what `qa-audit rules train` and benchmarks/model_holdout.py both train on."""
    problems: list[str] = []
    examples = [e for folder in sets for e in labelled_set(folder, check, problems)]
    examples += [e for path in negatives for e in passing_calls(path, problems)]
    if problems:
        raise LabelledDataError(problems)
    return examples + rule_examples(pack, check)
