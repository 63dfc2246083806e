"""Masking of personal numbers in anything a report shows.

Masks replace digits with `*` one for one, so the text keeps its length and every
evidence offset computed on the original text still points at the same words.
Covered: 18-character mainland ID-card numbers, 16-19 digit bank-card numbers (also in
groups of four), and mainland mobile numbers (also written 138 1234 5678 or 138-1234-5678,
with or without +86 / 86 in front).

Numbers typed with a Chinese input method in full-width mode (１３８１２３４５６７８, an
ID card ending in Ｘ, or half of the digits full-width) are the same numbers and are
masked too. The patterns run on a copy with full-width digits, Ｘ/ｘ, ＋, － and the
ideographic space folded to ASCII, one character for one, so a match's positions are
the original's; only those positions are starred in the original, and every character
left visible stays as it was written.

Shorter or longer digit runs (order numbers such as 20261121000123, amounts, dates,
six-digit verification codes) are left alone: a digit run is masked only when the whole
run is one of the covered numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_FOLD = str.maketrans("０１２３４５６７８９Ｘｘ＋－\u3000", "0123456789Xx+- ")
_ELEVEN_DIGITS = re.compile(r"\d(?:[ \-\u3000－]?\d){10}")
"""What every covered number holds: eleven digits (of any script: full-width ones must not
skip masking), at most one space or hyphen apart. Texts without it, nearly all, are
returned as they are without running the three patterns."""

_ID_CARD = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![0-9Xx])", re.ASCII)
_BANK_CARD = re.compile(r"(?<![0-9])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9])", re.ASCII)
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])", re.ASCII)


def _keep_last_four(number: str) -> list[int]:
    """Positions of every digit (and a final X) but the last four; separators stay."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit() or ch in "Xx"]
    return digits[:-4]


def _mobile_middle(number: str) -> list[int]:
    """The middle four digits of the eleven, as carriers print them: 138****5678."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    return digits[-8:-4]


_MASKS: tuple[tuple[re.Pattern[str], Callable[[str], list[int]]], ...] = (
    (_ID_CARD, _keep_last_four),
    (_BANK_CARD, _keep_last_four),
    (_MOBILE, _mobile_middle),
)


def _star(text: str, positions: set[int]) -> str:
    """`text` with the characters at `positions` replaced by `*`, one for one."""
    return "".join("*" if i in positions else ch for i, ch in enumerate(text))


def mask_text(text: str) -> str:
    """Return `text` with ID-card, bank-card and mobile numbers masked, length unchanged.

    The kinds are masked in turn (ID cards, then bank cards, then mobiles), each on the
    result of the one before, so a number already masked as one kind is not read again
    as another.
    """
    if not text or not _ELEVEN_DIGITS.search(text):
        return text
    folded = text.translate(_FOLD)
    hidden: set[int] = set()
    for pattern, positions in _MASKS:
        found = {m.start() + i for m in pattern.finditer(folded) for i in positions(m.group(0))}
        if found:
            hidden |= found
            folded = _star(folded, found)
    return _star(text, hidden) if hidden else text
