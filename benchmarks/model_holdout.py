"""How a classifier rule's model does on sets it has not seen, side by side with the phrase rules alone.

    python benchmarks/model_holdout.py --train DIR... --test DIR... [--negatives FILE]...
        [--check prohibited] [--model taboo] [--rule PRO007] [--strength 0.3]

Trains the model (as `qa-audit rules train` does) on the --train sets only, puts it in a
temporary site pack under the name the default rule reads (--model), and scores each
--test set with ../shared/eval/score.py twice in one run: the default pack with the rule
switched off (the phrase rules alone) and with the held-out model. A test set must not be
among the training sets: that is the point. The README's "measured with a model trained
without them" figures come from here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from labelled_sets import ROOT, score


def train_model(train: list[Path], negatives: list[Path], check: str, strength: float, out: Path) -> int:
    """Train on the given sets (plus the default pack's examples) into `out`; return the turns used."""
    from qa_audit.rules.labelled import LabelledDataError
    from qa_audit.rules.ngram_model import train as fit
    from qa_audit.rules.pack import load_pack
    from qa_audit.rules.training_data import all_examples

    try:
        examples = all_examples(train, negatives, load_pack(), check)
    except LabelledDataError as exc:
        sys.exit(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(fit(examples, strength=strength).to_json(), encoding="utf-8")
    return len(examples)


def f1(test: Path, check: str, rules: Path) -> tuple[float, float, float]:
    """(precision, recall, F1) of `check` on one labelled set, auditing with the site pack `rules`."""
    metrics = score(test, ROOT, "--rules", str(rules))[check]
    return metrics["precision"], metrics["recall"], metrics["f1"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, nargs="+", required=True, help="labelled sets to train on")
    ap.add_argument("--test", type=Path, nargs="+", required=True, help="labelled sets to score, not trained on")
    ap.add_argument("--negatives", type=Path, nargs="*", default=[], help="JSONL calls that pass, as negatives")
    ap.add_argument("--check", default="prohibited")
    ap.add_argument("--model", default="taboo", help="the model name the rule reads")
    ap.add_argument("--rule", default="PRO007", help="the classifier rule of the default pack")
    ap.add_argument("--strength", type=float, default=0.3)
    args = ap.parse_args()
    overlap = {p.resolve() for p in args.train} & {p.resolve() for p in args.test}
    if overlap:
        sys.exit(f"a test set is among the training sets: {', '.join(map(str, sorted(overlap)))}")

    with tempfile.TemporaryDirectory() as tmp:
        phrases_only, held_out = Path(tmp) / "off", Path(tmp) / "held_out"
        phrases_only.mkdir()
        (phrases_only / f"{args.rule}.yaml").write_text(f"{{id: {args.rule}, enabled: false}}\n", encoding="utf-8")
        turns = train_model(args.train, args.negatives, args.check, args.strength,
                            held_out / "models" / f"{args.model}.json")
        print(f"model trained on {turns:,} agent turns of {len(args.train)} sets; {args.check}:")
        print(f"  {'set':<14}{'phrase rules alone':>26}{'with the held-out model':>30}")
        for test in args.test:
            before, after = f1(test, args.check, phrases_only), f1(test, args.check, held_out)
            row = [f"P {p:.2f} R {r:.2f} F1 {f:.3f}" for p, r, f in (before, after)]
            print(f"  {test.name:<14}{row[0]:>26}{row[1]:>30}")


if __name__ == "__main__":
    main()
