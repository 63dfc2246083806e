"""Masking of personal numbers in anything a report shows.

Masks replace digits with `*` one for one, so the text keeps its length and every
evidence offset computed on the original text still points at the same words.
Covered: 18-character mainland ID-card numbers, 16-19 digit bank-card numbers (also in
groups of four), and mainland mobile numbers (also written 138 1234 5678 or 138-1234-5678).
"""

from __future__ import annotations

import re

_NOT_DIGIT_BEFORE = r"(?<![0-9０-９])"
_NOT_DIGIT_AFTER = r"(?![0-9０-９])"
_ANY_DIGIT = re.compile(r"\d")

_ID_CARD = re.compile(_NOT_DIGIT_BEFORE + r"[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx]" + r"(?![0-9Xx])")
_BANK_CARD = re.compile(_NOT_DIGIT_BEFORE + r"(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)" + _NOT_DIGIT_AFTER)
_MOBILE = re.compile(_NOT_DIGIT_BEFORE + r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}" + _NOT_DIGIT_AFTER)


def _keep_last(match: re.Match[str], keep: int) -> str:
    """Star every digit but the last `keep`, leaving separators in place."""
    text = match.group(0)
    digits = [i for i, ch in enumerate(text) if ch.isdigit() or ch in "Xx"]
    hide = set(digits[:-keep])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def _mobile(match: re.Match[str]) -> str:
    """Star the middle four digits of the eleven, as carriers print them: 138****5678."""
    text = match.group(0)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    hide = set(digits[-8:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def mask_text(text: str) -> str:
    """Return `text` with ID-card, bank-card and mobile numbers masked, length unchanged."""
    if not text or not _ANY_DIGIT.search(text):
        return text
    text = _ID_CARD.sub(lambda m: _keep_last(m, 4), text)
    text = _BANK_CARD.sub(lambda m: _keep_last(m, 4), text)
    return _MOBILE.sub(_mobile, text)
