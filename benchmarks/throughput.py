"""Throughput and peak memory of `qa-audit audit`, side by side with stock jieba, in one run.

    python benchmarks/throughput.py [--conversations 15000] [--workers 2] [--corpus DIR]

Builds a JSONL corpus of realistic size from ../shared/corpus (3,000 real Weibo
customer-service threads and 20 real call transcripts) plus the project's own sample
transcripts, repeated with fresh ids up to --conversations. Then, one after another on
the same machine:

1. stock `jieba.lcut` segmenting every turn text of the corpus in one process (the
   dictionary loaded before the clock starts);
2. `qa-audit audit` end to end (JSONL in; JSONL, Excel and the history database out)
   with 1 worker and with --workers N, each in a fresh process and a fresh database;
3. peak RSS of the 1-worker audit at one fifth of the corpus and at the whole corpus.

It prints characters per second for each and the ratios the README quotes, and where
each audit's time went, from the stage times its run log (audit.log) records.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
TEAMS = ("售后一组", "售后二组", "在线一组", "在线二组", "热线一组", "热线二组")


def _base_conversations(corpus: Path) -> list[dict]:
    """Real dialogues mapped to the LABELING.md format, plus the sample transcripts."""
    base: list[dict] = []
    sources = [(corpus / "stc3_dch1_cn" / "dialogues.jsonl", "chat"),
               (corpus / "mobilecs_examples" / "dialogues.jsonl", "call")]
    for path, channel in sources:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                turns = [{"speaker": t["role"], "text": t["text"]} for t in d["turns"]]
                base.append({"id": str(d["id"]), "channel": channel, "turns": turns})
    for path in sorted((ROOT / "sample_transcripts").glob("*.jsonl")):
        with path.open(encoding="utf-8-sig") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    base.append({"id": d["id"], "channel": d.get("channel", "call"), "turns": d["turns"]})
    if not base:
        sys.exit(f"no corpus found under {corpus}")
    return base


def build_corpus(out: Path, conversations: int, corpus: Path, agents: int = 60) -> tuple[Path, int]:
    """Write `conversations` transcripts, spread over `agents` agents, to out; return the
    file and its character count."""
    base = _base_conversations(corpus)
    chars = 0
    with out.open("w", encoding="utf-8") as f:
        for n in range(conversations):
            d = base[n % len(base)]
            agent = n % agents
            record = {
                "id": f"{d['id']}-{n}",
                "channel": d["channel"],
                "agent_id": f"A{1000 + agent}",
                "agent_name": f"坐席{agent:03d}",
                "team": TEAMS[agent % len(TEAMS)],
                "started_at": f"2026-11-{19 + n % 3}T{8 + n % 12:02d}:{n % 60:02d}:00+08:00",
                "turns": d["turns"],
            }
            chars += sum(len(t["text"]) for t in d["turns"])
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out, chars


def _texts(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            for turn in json.loads(line)["turns"]:
                yield turn["text"]


def time_jieba(path: Path) -> float:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    texts = list(_texts(path))
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - start


_STAGES = (
    ("read, audit, store", re.compile(r"audited \d+, .* in ([\d.]+)s")),
    ("JSON Lines", re.compile(r"as JSON Lines in ([\d.]+)s")),
    ("workbooks", re.compile(r"wrote \d+ workbooks in ([\d.]+)s")),
)


def stages(log: Path, wall: float) -> str:
    """Seconds per stage as the run log records them; the rest is start-up and closing."""
    text = log.read_text(encoding="utf-8")
    found = [(name, float(m.group(1))) for name, pattern in _STAGES if (m := pattern.search(text))]
    rest = wall - sum(seconds for _, seconds in found)
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in [*found, ("start-up and rest", rest)])


def run_audit(path: Path, workers: int, work: Path) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one `qa-audit audit` in a fresh process."""
    out, db = work / f"out-{workers}-{path.stem}", work / f"db-{workers}-{path.stem}.db"
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.run(sys.argv[1:]).returncode\n"
        "wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(wall, peak, rc)\n"
    )
    cmd = [sys.executable, "-c", probe, sys.executable, "-m", "qa_audit", "audit", str(path), "--out", str(out),
           "--db", str(db), "--workers", str(workers), "--quiet"]
    wall, peak, rc = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
    if int(rc) not in (0, 1):
        sys.exit(f"qa-audit exited {rc}")
    print(f"  {workers} worker(s), {path.stem}: {stages(out / 'audit.log', float(wall))}")
    return float(wall), int(peak)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=15000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--agents", type=int, default=60)
    ap.add_argument("--corpus", type=Path, default=SHARED)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        full, chars = build_corpus(work / "corpus.jsonl", args.conversations, args.corpus, args.agents)
        small, _ = build_corpus(work / "corpus-fifth.jsonl", args.conversations // 5, args.corpus, args.agents)
        print(f"corpus: {args.conversations} conversations, {chars:,} characters")

        jieba_s = time_jieba(full)
        one_s, one_peak = run_audit(full, 1, work)
        many_s, _ = run_audit(full, args.workers, work)
        _, small_peak = run_audit(small, 1, work)

    rate = {name: chars / s for name, s in (("jieba", jieba_s), ("one", one_s), ("many", many_s))}
    print(f"stock jieba.lcut, segmenting only:   {jieba_s:7.2f} s  {rate['jieba']:12,.0f} chars/s")
    print(f"qa-audit audit, 1 worker, end to end: {one_s:7.2f} s  {rate['one']:12,.0f} chars/s  "
          f"ratio {rate['one'] / rate['jieba']:.2f}")
    print(f"qa-audit audit, {args.workers} workers, end to end: {many_s:6.2f} s  {rate['many']:12,.0f} chars/s  "
          f"ratio {rate['many'] / rate['jieba']:.2f}")
    print(f"peak RSS, 1 worker: {small_peak / 1024:.0f} MiB at {args.conversations // 5} conversations, "
          f"{one_peak / 1024:.0f} MiB at {args.conversations} (x{one_peak / small_peak:.2f} for 5x the input)")


if __name__ == "__main__":
    main()
