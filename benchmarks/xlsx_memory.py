"""Peak memory of the Excel writer for a large centre, at two sizes: it must stay flat.

    .venv/bin/python benchmarks/xlsx_memory.py                 # 200k and 1M findings
    .venv/bin/python benchmarks/xlsx_memory.py --findings 20000 # a quick look

Each size runs in a fresh child process (peak RSS only ever grows within a process) that
writes every workbook for a synthetic centre: thousands of agents, each with the same
number of calls and findings, so the larger size has five times the agents, calls and
findings. The rows are generated on demand by a `ReportSource` that holds none of them,
so what is measured is the writer, not the data. Prints the peak RSS of both runs, the
ratio, and the time taken.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from qa_audit.records import Row

CALLS_PER_AGENT = 40
FINDINGS_PER_CALL = 5
AGENTS_PER_TEAM = 25
UTTERANCES = [
    ("我不是说过了吗,这是规定,没办法。", "PRO003", "prohibited", [[1, 7], [8, 16]]),
    ("您急什么,后面还有人排队呢,慢慢等着吧。", "PRO001", "prohibited", [[1, 4], [14, 19]]),
    ("这个我也不清楚,您问别人吧。", "NAN001", "non_answer", [[4, 7], [8, 13]]),
    ("好的我帮您查一下,手机号是138****5678对吧?", "HLD001", "hold", [[2, 8]]),
    ("喂,说吧,什么事。", "GRT001", "greeting", []),
    ('=HYPERLINK("http://x") 这是规定,没办法', "PRO006", "prohibited", [[23, 31]]),
]


class SyntheticSource:
    """A `ReportSource` that makes each agent's rows from a seed whenever they are asked for."""

    def __init__(self, agents: int) -> None:
        self._ids = [f"A{i:05d}" for i in range(agents)]

    def agent_ids(self) -> list[str]:
        return list(self._ids)

    def _agent(self, agent_id: str) -> Iterator[tuple[Row, list[Row]]]:
        n = int(agent_id[1:])
        rng = random.Random(n)
        who = {"agent_id": agent_id, "agent_name": f"坐席{n}", "team": f"客服{n // AGENTS_PER_TEAM + 1}组"}
        for c in range(CALLS_PER_AGENT):
            tid = f"T{n:05d}{c:03d}"
            started = f"2026-11-{19 + c % 3}T{8 + c % 10:02d}:{c % 60:02d}:00+08:00"
            findings = []
            for f in range(FINDINGS_PER_CALL):
                text, rule, check, spans = UTTERANCES[rng.randrange(len(UTTERANCES))]
                findings.append(
                    {
                        **who,
                        "transcript_id": tid,
                        "channel": "call",
                        "started_at": started,
                        "rule_id": rule,
                        "check": check,
                        "severity": "critical" if rule == "PRO006" else "major",
                        "message": f"服务禁语：{'、'.join(text[s:e] for s, e in spans)}",
                        "turn": 2 * f + 1,
                        "speaker": "agent",
                        "time": 12.5 * f,
                        "text": text,
                        "spans": spans,
                        "matched": [text[s:e] for s, e in spans],
                        "evidence": "坐席在客户询问进度时使用了不耐烦的表达，未给出处理时限。" * 2,
                        "deduction": 10.0,
                        "red_line": rule == "PRO006",
                    }
                )
            score = max(0.0, 100.0 - 10.0 * len(findings) + rng.uniform(0, 40))
            call = {
                **who,
                "transcript_id": tid,
                "channel": "call",
                "started_at": started,
                "duration": rng.uniform(60, 900),
                "turns": 20,
                "agent_talk_share": rng.uniform(0.2, 0.6),
                "talk_basis": "time",
                "score": round(score, 1),
                "passed": score >= 80,
                "red_line": any(f["red_line"] for f in findings),
                "violations": dict(Counter(f["check"] for f in findings)),
                "rules": dict(Counter(f["rule_id"] for f in findings)),
                "findings": len(findings),
                "source": f"batch.jsonl:{c}",
                "content_hash": "0" * 16,
            }
            yield call, findings

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        for a in self._ids if agent_id is None else [agent_id]:
            for call, _ in self._agent(a):
                yield call

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        for a in self._ids if agent_id is None else [agent_id]:
            for _, findings in self._agent(a):
                yield from findings

    def errors(self) -> Iterator[Row]:
        return iter([{"path": "in/broken.jsonl", "line": 7, "reason": "JSON 解析失败"}])


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(findings: int) -> dict[str, float]:
    """Write one centre's workbooks into a scratch folder; report memory and time."""
    from qa_audit.report.xlsx import write_workbooks

    agents = max(1, findings // (CALLS_PER_AGENT * FINDINGS_PER_CALL))
    baseline = peak_rss_mb()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        paths = write_workbooks(SyntheticSource(agents), Path(out))
        size = sum(p.stat().st_size for p in paths)
    return {
        "agents": agents,
        "findings": agents * CALLS_PER_AGENT * FINDINGS_PER_CALL,
        "workbooks": len(paths),
        "megabytes_written": size / 2**20,
        "seconds": time.perf_counter() - start,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak_rss_mb(),
    }


def run(findings: int) -> dict[str, float]:
    """One size in a fresh interpreter, so its peak is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(findings)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=200_000, help="findings at the smaller size N (default 200000)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return
    small, large = run(args.findings), run(5 * args.findings)
    for label, r in (("N", small), ("5N", large)):
        print(
            f"{label:>2}: {r['agents']:>6,.0f} agents {r['findings']:>9,.0f} findings "
            f"{r['workbooks']:>6,.0f} workbooks {r['megabytes_written']:>7.1f} MB written "
            f"{r['seconds']:>7.1f} s  peak RSS {r['peak_rss_mb']:.1f} MB (after imports {r['baseline_rss_mb']:.1f} MB)"
        )
    print(f"peak RSS ratio 5N/N: {large['peak_rss_mb'] / small['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    main()
