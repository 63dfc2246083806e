"""Every speed path gives the same findings: worker count and segmenter backend.

The fast paths (the compiled rjieba segmenter, a pool of worker processes) exist only to
finish the night sooner; a supervisor must never get a different report because a run
used more cores or the other segmenter. The labeled dev set is used when the shared
evaluation data sits beside the project, the sample transcripts always.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from qa_audit.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev" / "transcripts.jsonl"

CONFIGURATIONS = [
    ("rjieba", 1),
    ("rjieba", 2),
    ("jieba", 1),
    ("jieba", 2),
]

INPUTS = [pytest.param(ROOT / "sample_transcripts", id="sample_transcripts"), pytest.param(None, id="many-batches")]
if DEV.exists():
    INPUTS.append(pytest.param(DEV, id="dev"))


def _many(path: Path, copies: int = 20) -> Path:
    """The sample JSONL conversations `copies` times over with fresh ids: several batches per worker."""
    records = [json.loads(line) for name in sorted((ROOT / "sample_transcripts").glob("*.jsonl"))
               for line in name.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for record in records:
                out.write(json.dumps({**record, "id": f"{record['id']}-{copy}"}, ensure_ascii=False) + "\n")
    return path


def _audit(source: Path, out: Path, segmenter: str, workers: int) -> tuple[str, str]:
    result = CliRunner().invoke(main, [
        "audit", str(source), "--out", str(out), "--db", str(out / "history.db"), "--quiet", "--no-xlsx",
        "--segmenter", segmenter, "--workers", str(workers),
    ])
    assert result.exit_code in (0, 1), result.output
    return (out / "calls.jsonl").read_text(encoding="utf-8"), (out / "findings.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize("source", INPUTS)
def test_every_configuration_writes_the_same_calls_and_findings(
    source: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if source is None:
        source = _many(tmp_path / "night.jsonl")
        monkeypatch.setattr("qa_audit.pipeline.BATCH", 16)  # 280 transcripts: 18 tasks, several per worker
    outputs = {
        (segmenter, workers): _audit(source, tmp_path / f"{segmenter}-{workers}", segmenter, workers)
        for segmenter, workers in CONFIGURATIONS
    }
    reference_calls, reference_findings = outputs[CONFIGURATIONS[0]]
    assert reference_findings.count("\n") > 20, "the input should give findings to compare"
    for configuration, (calls, findings) in outputs.items():
        assert calls == reference_calls, f"calls.jsonl differs with {configuration}"
        assert findings == reference_findings, f"findings.jsonl differs with {configuration}"


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def test_workbooks_written_by_a_pool_equal_those_written_in_one_process(tmp_path: Path) -> None:
    runs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}"
        result = CliRunner().invoke(main, [
            "audit", str(ROOT / "sample_transcripts"), "--out", str(out), "--db", str(out / "history.db"),
            "--quiet", "--workers", str(workers),
        ])
        assert result.exit_code == 1, result.output  # the sample's broken/ folder is reported
        runs[workers] = {path.name: _cells(path) for path in sorted(out.glob("*.xlsx"))}
    assert len(runs[1]) == 8  # seven agents and the overview
    assert runs[2] == runs[1]
