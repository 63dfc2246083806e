"""A character n-gram model of one check's turns: what a `classifier` rule scores with.

Lexicons catch what their authors have seen. Fresh transcripts written without seeing
the rules showed what that costs: the phrase rules found 40-60% of the taboo turns of a
new set on first contact (every one of them rightly, but the rest said in words nobody
had listed). A model of the labelled turns generalizes from the words around them
(你自己…吧, 都不看, 又不会怎样): trained on the other sets, it found 80-95% of a new set's
taboo turns at a similar precision. So the pack keeps both: phrase rules that say exactly
which words broke which rule, and a model rule for the turns they miss.

The model is deliberately the simplest that works, so that it is data a QA lead can
inspect and retrain (`qa-audit rules train`) and no runtime dependency is added: the
features of a turn are the distinct character sequences of 1 to 4 characters of its
normalized text (Simplified, half-width: the same form phrases are matched in), and the
model is a logistic regression over them: a weight per sequence and a bias. A turn's
score is the probability the weights give it; its evidence is the sequences that pushed
it up the most.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

FORMAT = "qa-audit char-ngram logistic v1"
LONGEST = 4
"""The longest character sequence the model reads: long enough for 有完没完 and 都不看吗,
short enough that the weights generalize past the exact sentences they were learnt from."""
SMALLEST = 0.01
"""Weights closer to zero are dropped after training: about five in six of the default
model's (18,206 of some 110,000 kept, 2026-11-30); dropping them changed no decision at
threshold 0.6 on its 12,400 training turns, and the file holds a few hundred KB instead
of megabytes."""


def features(text: str) -> set[str]:
    """The distinct character sequences of 1 to LONGEST characters of a normalized text."""
    return {text[i:i + n] for n in range(1, LONGEST + 1) for i in range(len(text) - n + 1)}


@dataclass(frozen=True)
class NgramModel:
    """Weights learnt from labelled turns, and where they came from."""

    weights: dict[str, float]
    bias: float
    trained: dict[str, object] = field(default_factory=dict)
    """What the model was trained on (sets, counts, options): shown by `rules show`."""
    digest: str = ""
    """A hash of the model file, so that a retrained model audits stored transcripts again."""

    @functools.cached_property
    def _automaton(self) -> ahocorasick.Automaton:
        """Every weighted sequence in one automaton: a turn is read once, in C, instead of
        slicing out its ~180 sequences and looking each up (34 -> 16 us for a turn of the
        real corpus, side by side)."""
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for index, (gram, weight) in enumerate(self.weights.items()):
            automaton.add_word(gram, (index, weight))
        automaton.make_automaton()
        return automaton

    def margin(self, text: str) -> float:
        """The log-odds of `text` (normalized) being a turn of the check: the bias plus the
        weight of each distinct sequence it contains (a sequence said twice counts once, as
        in training)."""
        if not self.weights:
            return self.bias
        return self.bias + sum(dict(found for _, found in self._automaton.iter(text)).values())

    def score(self, text: str) -> float:
        """The probability, 0 to 1, that `text` (normalized) is a turn of the check."""
        m = self.margin(text)
        return 1.0 / (1.0 + math.exp(-m)) if m > -500 else 0.0

    def reasons(self, text: str, most: int = 3) -> list[tuple[int, int]]:
        """Where in `text` the words that raised its score the most are: spans of the
        normalized text, at most `most`, in text order, touching ones joined.

        Only sequences of two or more letters count as evidence: a single 你 or a comma
        weighs in the score but tells a supervisor nothing, so a turn raised by single
        letters only (都爱死你了: 你, 都, 爱) has no reasons, and no finding is made of it.
        """
        raising = sorted(((w, g) for g in features(text)
                          if len(g) > 1 and g.isalnum() and (w := self.weights.get(g, 0.0)) > 0), reverse=True)
        spans: list[tuple[int, int]] = []
        for _, gram in raising:
            start = text.find(gram)
            if any(s < start + len(gram) and start < e for s, e in spans):
                continue
            spans.append((start, start + len(gram)))
            if len(spans) == most:
                break
        joined: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if joined and joined[-1][1] == start:
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        return joined

    def to_json(self) -> str:
        weights = {g: round(w, 4) for g, w in sorted(self.weights.items())}
        body = {"format": FORMAT, "trained": self.trained, "bias": round(self.bias, 4), "weights": weights}
        return json.dumps(body, ensure_ascii=False, indent=0, sort_keys=False) + "\n"


class ModelError(ValueError):
    """A model file that cannot be used, with the reason in words."""


def load_model(path: Path) -> NgramModel:
    """Read a model file written by `qa-audit rules train`."""
    try:
        raw = path.read_bytes()
        body = json.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise ModelError(f"cannot read the model: {exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"not a model file (it is not the JSON `qa-audit rules train` writes: {exc}); "
                         "write it again with `qa-audit rules train`, or copy it again whole") from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ModelError(f"not a model file of this version (its format should be {FORMAT!r}); "
                         "write it again with `qa-audit rules train`")
    weights, bias = body.get("weights"), body.get("bias")
    if (not isinstance(weights, dict) or not isinstance(bias, int | float)
            or not all(isinstance(w, int | float) for w in weights.values())):
        raise ModelError("the model's 'weights' must map character sequences to numbers, and 'bias' be a number")
    if not any(w > 0 for w in weights.values()):
        raise ModelError("the model has no word that raises a score, so it would judge every turn alike; "
                         "write it again with `qa-audit rules train`")
    trained = body.get("trained")
    return NgramModel({str(g): float(w) for g, w in weights.items()}, float(bias),
                      trained if isinstance(trained, dict) else {}, hashlib.sha256(raw).hexdigest()[:16])


def train(examples: Sequence[tuple[str, bool]], *, strength: float = 1.0, epochs: int = 30, seed: int = 0,
          min_count: int = 2) -> NgramModel:
    """A model of `examples` (normalized text, whether it is a turn of the check).

    L2-regularized logistic regression, each class weighted by the other's frequency (a
    night has far fewer taboo turns than polite ones), fitted by stochastic gradient
    descent with per-weight step sizes (AdaGrad). `strength` is the weight of the data
    against the regularization (scikit-learn's C); sequences seen in fewer than
    `min_count` examples are left out (a one-off sequence teaches nothing). Deterministic
    for a given seed.
    """
    if not any(label for _, label in examples) or all(label for _, label in examples):
        raise ModelError("training needs turns of the check and turns without it")
    counts = Counter(g for text, _ in examples for g in features(text))
    rows = [([g for g in features(text) if counts[g] >= min_count], label) for text, label in examples]
    positives = sum(1 for _, label in rows if label)
    class_weight = {True: len(rows) / (2 * positives), False: len(rows) / (2 * (len(rows) - positives))}
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_square = 0.0, 0.0
    # The penalty's gradient is spread over the examples a sequence occurs in, so that each
    # pass over the data applies it once in full, to rare and common sequences alike.
    decay = {g: 1.0 / (strength * c) for g, c in counts.items() if c >= min_count}
    rate = 0.5
    order = list(range(len(rows)))
    shuffle = random.Random(seed).shuffle
    for _ in range(epochs):
        shuffle(order)
        for i in order:
            grams, label = rows[i]
            m = bias + sum(weights.get(g, 0.0) for g in grams)
            p = 1.0 / (1.0 + math.exp(-m)) if m > -500 else 0.0
            error = (p - (1.0 if label else 0.0)) * class_weight[label]
            if error:
                bias_square += error * error
                bias -= rate * error / math.sqrt(bias_square)
            for g in grams:
                w = weights.get(g, 0.0)
                grad = error + decay[g] * w
                if grad:
                    squares[g] = s = squares.get(g, 0.0) + grad * grad
                    weights[g] = w - rate * grad / math.sqrt(s)
    return NgramModel({g: w for g, w in weights.items() if abs(w) >= SMALLEST}, bias)

