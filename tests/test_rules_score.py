"""`qa-audit rules score`: the pack measured against labelled calls, and the kept sets as a gate.

The labelled sets under benchmarks/labelled/ were written from the label definitions by
people who never saw the pack. Where the pack and their labels disagree is recorded in
benchmarks/labelled/disagreements.tsv; a change that adds a disagreement (a lexicon
edit that loses a labelled taboo, or flags a polite turn) fails here before it ships.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qa_audit.cli import main
from qa_audit.engine import Auditor
from qa_audit.rules.agreement import read_set, score_set
from qa_audit.rules.pack import RulePack

KEPT = Path(__file__).resolve().parents[1] / "benchmarks" / "labelled"
RECORDED = KEPT / "disagreements.tsv"
REWRITE = "qa-audit rules score benchmarks/labelled/heldout* --disagreements benchmarks/labelled/disagreements.tsv"

CALL = {
    "id": "L1", "channel": "call", "agent_id": "A1001", "agent_name": "陈静", "team": "客服一组",
    "turns": [
        {"speaker": "agent", "text": "您好，很高兴为您服务，请问有什么可以帮您？"},
        {"speaker": "customer", "text": "我的快递三天了还没到。"},
        {"speaker": "agent", "text": "这个我也不清楚，您打快递公司电话13812345678问问吧。"},
        {"speaker": "customer", "text": "那你们能不能帮我催一下？"},
        {"speaker": "agent", "text": "烦不烦啊，催了也没用。"},
        {"speaker": "customer", "text": "算了，谢谢。"},
        {"speaker": "agent", "text": "感谢您的来电，再见。"},
    ],
}
LABELS = {"id": "L1", "greeting": True, "closing": True, "prohibited": [4], "non_answer": [2], "hold": []}
"""The QA lead marks turn 2 a non-answer (the pack takes the number as a remedy) and does
not mark turn 4 one (the pack does: 催了也没用)."""


def labelled(folder: Path, transcripts: list[dict] | str, labels: list[dict] | str) -> Path:
    folder.mkdir(parents=True)
    for name, rows in (("transcripts.jsonl", transcripts), ("labels.jsonl", labels)):
        text = rows if isinstance(rows, str) else "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_kept_labelled_sets_disagree_with_the_pack_only_where_recorded(auditor: Auditor, pack: RulePack) -> None:
    sets = sorted(KEPT.glob("heldout*"))
    assert len(sets) >= 16
    checks = {rule.check for rule in pack.rules}
    now = {d.key(): d.line() for folder in sets
           for d in score_set(auditor, folder.name, read_set(folder, checks)).disagreements}
    recorded = {tuple(line.split("\t")[:5]): line for line in RECORDED.read_text(encoding="utf-8").splitlines()}
    new = [now[k] for k in sorted(now.keys() - recorded.keys())]
    gone = [recorded[k] for k in sorted(recorded.keys() - now.keys())]
    assert not (new or gone), (
        "the pack now disagrees with these labelled turns:\n" + "\n".join(new)
        + "\nand agrees where it did not:\n" + "\n".join(gone)
        + f"\nMend the rule, or, once a reviewer agrees with the change, record it: {REWRITE}")


def test_score_counts_agreement_per_check_and_lists_each_disagreement_masked(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "site-march", [CALL], [LABELS])
    result = CliRunner().invoke(main, ["rules", "score", str(folder), "--disagreements", "-"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line[:1].isalpha()}
    assert rows["prohibited"] == ["1.000", "1.000", "1.000", "1", "0", "0"]
    assert rows["non_answer"] == ["0.000", "0.000", "0.000", "0", "1", "1"]
    assert rows["greeting"][2:] == rows["closing"][2:] == ["1.000", "0", "0", "0"]
    assert "missed\tnon_answer\tsite-march\tL1\t2\t这个我也不清楚，您打快递公司电话138****5678问问吧。" in result.output
    assert "extra\tnon_answer\tsite-march\tL1\t4\t烦不烦啊，催了也没用。" in result.output
    assert "13812345678" not in result.output


def test_score_writes_the_disagreements_file_for_diff_between_two_runs(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "site", [CALL], [{**LABELS, "greeting": False}])
    out = tmp_path / "before.tsv"
    result = CliRunner().invoke(main, ["rules", "score", str(folder), "--disagreements", str(out), "--no-mask"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [
        "missed\tgreeting\tsite\tL1\t\t",
        "missed\tnon_answer\tsite\tL1\t2\t这个我也不清楚，您打快递公司电话13812345678问问吧。",
        "extra\tnon_answer\tsite\tL1\t4\t烦不烦啊，催了也没用。",
    ]
    assert "wrote 3 disagreement(s)" in result.output


def test_a_labelled_customer_turn_or_a_broken_line_stops_scoring_with_every_problem(tmp_path: Path) -> None:
    other = {**CALL, "id": "L2"}
    folder = labelled(tmp_path / "site", [CALL, other],
                      json.dumps({**LABELS, "prohibited": [3]}) + "\n{not json\n" + json.dumps({**LABELS, "id": "L9"}))
    result = CliRunner().invoke(main, ["rules", "score", str(folder)])
    assert result.exit_code == 2
    assert "nothing scored" in result.output
    assert f"{folder / 'labels.jsonl'}:1: prohibited turn(s) [3] of 'L1' are not agent turns" in result.output
    assert f"{folder / 'labels.jsonl'}:2: not JSON" in result.output
    assert f"{folder / 'transcripts.jsonl'}:2: transcript 'L2' has no line in labels.jsonl" in result.output
    assert f"{folder / 'labels.jsonl'}:3: id 'L9' matches no transcript" in result.output
    assert "precision" not in result.output


def test_a_misspelt_missing_or_mistyped_label_is_refused_in_every_set_given(tmp_path: Path) -> None:
    calls = [CALL, {**CALL, "id": "L2"}, {**CALL, "id": "L3"}]
    no_hold = {key: value for key, value in LABELS.items() if key != "hold"}
    first = labelled(tmp_path / "march", calls,
                     [LABELS, {**no_hold, "id": "L2"}, {**LABELS, "id": "L3", "greeting": [0]}])
    second = labelled(tmp_path / "april", [CALL], [{**LABELS, "prohibted": [4]}])
    result = CliRunner().invoke(main, ["rules", "score", str(first), str(second)])
    assert result.exit_code == 2
    assert f"{first / 'labels.jsonl'}:2: labels no hold (line 1 does" in result.output
    assert f"{first / 'labels.jsonl'}:3: 'greeting' is true or false" in result.output
    assert f"{second / 'labels.jsonl'}:1: 'prohibted' is no check of the pack" in result.output
    assert "has no line in labels.jsonl" not in result.output
    assert "precision" not in result.output


def test_a_numeric_id_names_the_same_call_in_both_files(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "site", [{**CALL, "id": 17}], [{**LABELS, "id": 17}])
    result = CliRunner().invoke(main, ["rules", "score", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 labelled calls in 1 set(s)" in result.output


def test_a_disagreements_file_that_cannot_be_written_is_refused_before_scoring(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "site", [CALL], [LABELS])
    target = folder / "labels.jsonl" / "after.tsv"
    result = CliRunner().invoke(main, ["rules", "score", str(folder), "--disagreements", str(target)])
    assert result.exit_code == 2
    assert "a folder on that path is a file" in result.output
    assert json.loads((folder / "labels.jsonl").read_text(encoding="utf-8")) == LABELS
