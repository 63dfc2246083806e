"""How the default pack does on the labelled sets kept in benchmarks/labelled/, in one run.

    python benchmarks/labelled_sets.py [SET_DIR...] [--against CHECKOUT] [--check CHECK...]

Each set directory holds transcripts.jsonl and labels.jsonl as ../shared/eval/LABELING.md
defines them; ../shared/eval/score.py scores each one. Without SET_DIR, every set under
benchmarks/labelled/ is scored. Prints F1 per check and set, then all sets pooled (true and
false findings summed over the sets, so a large set weighs more than a small one).

With --against, a second checkout of qa-audit (say `git worktree add /tmp/before HEAD~1`)
is scored on the same sets in the same run, side by side, so a rule change shows what it
gains and loses on data its lines were not written for. The sets were written from the
label definitions alone, by people who never saw the pack; lines were added for some of
their misses after first contact, so they are regression sets now, not held-out ones.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from qa_audit.rules.agreement import Tally

ROOT = Path(__file__).resolve().parents[1]
SCORE = ROOT.parent / "shared" / "eval" / "score.py"
SETS = ROOT / "benchmarks" / "labelled"
CHECKS = ("prohibited", "non_answer", "hold", "greeting", "closing", "talk_ratio")


def score(dataset: Path, checkout: Path, *audit_args: str) -> dict[str, dict[str, float]]:
    """score.py's metrics for one set, auditing with the qa_audit package of `checkout` and
    any further `qa-audit audit` arguments (say --rules DIR)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = f"{sys.executable} -m qa_audit audit {{input}} --out {{out}} --db {{out}}/l.db"
    if audit_args:
        cmd += " " + shlex.join(audit_args)
    run = subprocess.run([sys.executable, str(SCORE), str(dataset), "--json", "--cmd", cmd],
                         capture_output=True, text=True, check=False, env=env, cwd=checkout)
    if run.returncode not in (0, 1):  # 1: a check below score.py's F1 target, still scored
        sys.exit(f"score.py could not score {dataset} with {checkout}:\n{run.stderr or run.stdout}")
    return json.JSONDecoder().raw_decode(run.stdout)[0]["metrics"]


def pooled_f1(metrics: list[dict[str, dict[str, float]]], check: str) -> float:
    """F1 over the findings of every set at once."""
    return Tally(*(int(sum(m[check][key] for m in metrics)) for key in ("tp", "fp", "fn"))).f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", type=Path, nargs="*", help="labelled set directories (default: benchmarks/labelled/*)")
    ap.add_argument("--against", type=Path, help="another qa-audit checkout to score side by side")
    ap.add_argument("--check", nargs="+", choices=CHECKS, default=list(CHECKS))
    args = ap.parse_args()
    if not SCORE.is_file():
        sys.exit(f"{SCORE} not found: this script needs ../shared/eval/ beside the project")
    sets = args.sets or sorted((p for p in SETS.iterdir() if (p / "labels.jsonl").is_file()),
                              key=lambda p: (len(p.name), p.name))  # heldout98 before heldout100
    trees = [("this checkout", ROOT)] + ([("--against", args.against.resolve())] if args.against else [])
    results: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name, _ in trees}

    width = 11 * len(args.check)
    print(f"{'set':<14}" + "".join(f"{name:<{width + 3}}" for name, _ in trees))
    print(f"{'':<14}" + "   ".join("".join(f"{c[:10]:>11}" for c in args.check) for _ in trees))
    for dataset in sets:
        row = []
        for name, tree in trees:
            metrics = score(dataset, tree)
            results[name].append(metrics)
            row.append("".join(f"{metrics[c]['f1']:>11.3f}" for c in args.check))
        print(f"{dataset.name:<14}" + "   ".join(row), flush=True)
    print(f"{'pooled':<14}" + "   ".join(
        "".join(f"{pooled_f1(results[name], c):>11.3f}" for c in args.check) for name, _ in trees))


if __name__ == "__main__":
    main()
