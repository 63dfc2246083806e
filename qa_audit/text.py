"""Normalization for matching, with an offset map back to the original text.

Rules are written once and must match Simplified and Traditional text, full-width and
half-width punctuation, upper and lower case Latin. Matching therefore runs on a
normalized form; but a supervisor must see what was really said, so every normalized
character remembers the index of the original character it came from.

What normalization does, in order:
1. full-width ASCII forms (U+FF01..U+FF5E) become half-width, the ideographic space a
   space; Latin letters become lower case (all one-for-one);
2. Traditional becomes Simplified (OpenCC t2s), and variant spellings OpenCC keeps
   become the common one (甚麼, usual in Hong Kong and Taiwan, is 什么; the particle 著
   in 看著辦 is 着; 妳 is 你), length kept;
3. a full stop typed as an ASCII period right after a Chinese character becomes 。
   (chats typed with half-width punctuation end sentences so: 你去医保局问吧.);
4. whitespace next to a CJK character is dropped (ASR output often spaces out
   characters), other whitespace runs become one space.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import opencc

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FOLD = str.maketrans({**_WIDTH, **{cp: cp + 32 for cp in range(0x41, 0x5B)}})
_FOLD.update({cp: cp - 0xFEE0 + 32 for cp in range(0xFF21, 0xFF3B)})  # full-width capitals: lower half-width


@functools.cache
def _converter() -> opencc.OpenCC:
    """One OpenCC converter per process: loading its dictionaries costs milliseconds."""
    return opencc.OpenCC("t2s")


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f"


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalized text and, for each of its characters, the original character's index.

    `offsets` is None when normalization kept every character in place (the common case),
    which saves building a list per turn.
    """

    text: str
    original: str
    offsets: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text to the original text."""
        if self.offsets is None:
            return start, end
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        orig_start = self.offsets[start]
        orig_end = self.offsets[end - 1] + 1 if end > start else orig_start
        return orig_start, orig_end


def to_simplified(text: str) -> str:
    """Traditional to Simplified, character count preserved.

    OpenCC converts phrase by phrase; when a phrase conversion changes the length (rare),
    convert character by character instead so offsets stay one-for-one.
    """
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    parts = [_converter().convert(ch) for ch in text]
    return "".join(p if len(p) == 1 else ch for p, ch in zip(parts, text, strict=True))


_VARIANTS = (
    ("甚么", "什么"),
    # 著 as the aspect particle (Taiwan usage); 著名 and 著作 keep theirs.
    ("看著", "看着"),
    ("等著", "等着"),
    ("急著", "急着"),
    ("忙著", "忙着"),
    ("著急", "着急"),
    # 妳 is 你 said to a woman (Taiwan usage): one rule for both.
    ("妳", "你"),
    # 紀錄 (Taiwan, and t2s keeps it as 纪录) is the 记录 rules are written with: 利率紀錄.
    ("纪录", "记录"),
)
"""Same-length spellings of one word that t2s leaves apart; rules are written in the second."""


_HALF_STOP = re.compile(r"(?<=[\u3400-\u9fff])\.(?!\.)")
"""A full stop typed as an ASCII period after a Chinese character (chats typed with half-width
punctuation: 你去医保局问吧.): it ends the sentence as 。 does. A period in a number (3.5元),
after a Latin word (App.) or in a run of dots (嗯...) is left alone."""

_NEEDS_FOLD = re.compile(f"[{re.escape(''.join(map(chr, _FOLD)))}]")
"""The characters step 1 changes: most turns have none, and translating is per character."""
_SPACES = re.compile(r"\s+")


def normalize(original: str) -> Normalized:
    """Normalize `original` for matching; see the module docstring for what changes."""
    folded = original.translate(_FOLD) if _NEEDS_FOLD.search(original) else original
    folded = to_simplified(folded)
    for variant, common in _VARIANTS:
        if variant in folded:
            folded = folded.replace(variant, common)
    if "." in folded:
        folded = _HALF_STOP.sub("。", folded)
    if not _SPACES.search(folded):
        return Normalized(folded, original)
    chars: list[str] = []
    offsets: list[int] = []
    kept = 0
    for run in _SPACES.finditer(folded):
        start, end = run.span()
        chars.append(folded[kept:start])
        offsets.extend(range(kept, start))
        # Runs are maximal, so the characters either side are not whitespace.
        before = folded[start - 1] if start else ""
        after = folded[end] if end < len(folded) else ""
        if before and after and not _is_cjk(before) and not _is_cjk(after):
            chars.append(" ")
            offsets.append(start)
        kept = end
    chars.append(folded[kept:])
    offsets.extend(range(kept, len(folded)))
    return Normalized("".join(chars), original, tuple(offsets))


@functools.lru_cache(maxsize=1 << 16)
def normalize_phrase(phrase: str) -> str:
    """The form a rule phrase is matched in: the same folding as transcript text.

    Cached: a pack's 16,000 patterns are built from a third as many distinct pieces.
    """
    return normalize(phrase).text
