"""Masking of personal numbers in anything a report shows.

Masks replace digits with `*` one for one, so the text keeps its length and every
evidence offset computed on the original text still points at the same words.
Covered: 18-character mainland ID-card numbers, 16-19 digit bank-card numbers (also in
groups of four), mainland mobile numbers (also written 138 1234 5678 or 138-1234-5678,
with or without +86 / 86 in front), and landline numbers with their area code
(010-12345678, (0755)8765-4321, 075587654321).

The same numbers are masked however they were written down: typed with a Chinese input
method in full-width mode (１３８１２３４５６７８, an ID card ending in Ｘ, or half of the
digits full-width), or spelled out digit by digit in Chinese characters as speech
recognition writes a number read aloud (一三八一二三四五六七八, 幺 for 1, 〇 or 零 for 0).
The patterns run on a copy with all of these folded to ASCII, one character for one, so a
match's positions are the original's; only those positions are starred in the original,
and every character left visible stays as it was written.

Shorter or longer digit runs (order numbers such as 20261121000123, amounts, dates,
six-digit verification codes, 400 and 95xxx service hotlines) are left alone: a digit run
is masked only when the whole run is one of the covered numbers. Amounts in words
(一千二百元) are not digit runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

VERSION = 5
"""Bumped whenever more numbers are masked: stored results masked by an older version are
audited again instead of being reported as they were stored."""

_SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200E))) + "\u202f\u205f\u2060\ufeff"
"""Every Unicode space but the ASCII and ideographic ones, and the zero-width ones (a chat's
&nbsp; or &#8203; between digits)."""
_WIDTH = "０１２３４５６７８９Ｘｘ＋－\u3000（），、．" + _SPACES, "0123456789Xx+- (),,." + " " * len(_SPACES)
"""Full-width forms and the other spaces, as ASCII."""
_SPELLED = "〇零一二三四五六七八九幺两", "0012345678912"
"""Digits as speech recognition writes a number read aloud (幺 for 1, 两 for 2)."""
_FOLDS = (
    str.maketrans(*_WIDTH),
    str.maketrans(_WIDTH[0] + _SPELLED[0], _WIDTH[1] + _SPELLED[1]),
)
"""Two readings of a text, each one character for one: full-width forms as ASCII, and that
plus Chinese digits as digits. A number is masked when either reading shows it: spelled
out (一三八一二三四五六七八) only the second does, and one followed by a word that starts
with a Chinese numeral (13812345678一直打不通, 两个) only the first."""
_ELEVEN_DIGITS = re.compile(
    rf"[\d{_SPELLED[0]}](?:[ \-.,，、．\u3000－()（）{_SPACES}]{{0,2}}[\d{_SPELLED[0]}]){{10}}"
)
"""What every covered number holds: eleven digits (of any script: full-width or spelled-out
ones must not skip masking), at most a separator or two apart. Texts without it, nearly
all, are returned as they are without running the patterns."""

_SEP = r"[ \-.,]?"
"""Between two digits of a number read out or typed by hand: nothing, or one space, hyphen,
dot or comma (speech recognition writes 138，1234，5678 and 1 3 8 1 2 3 4 5 6 7 8)."""

_BIRTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
"""Month and day of birth: what tells an ID card from an order number of the same length."""
_ID_CARD = re.compile(
    rf"(?<![0-9])[1-9]\d{{5}}{_SEP}(?:18|19|20)\d{{2}}{_BIRTH_DAY}{_SEP}\d{{3}}[\dXx](?![0-9Xx])", re.ASCII
)
_OLD_ID_CARD = re.compile(rf"(?<![0-9])[1-9]\d{{5}}\d{{2}}{_BIRTH_DAY}\d{{3}}(?![0-9Xx])", re.ASCII)
"""The 15-digit ID card issued before 1999 (birth year in two digits)."""
_BANK_CARD = re.compile(r"(?<![0-9])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9])", re.ASCII)
_MOBILE = re.compile(rf"(?<![0-9])(?:(?:\+|00)?86{_SEP})?1{_SEP}[3-9](?:{_SEP}\d){{9}}(?![0-9])", re.ASCII)
_AREA_CODE = r"0(?:10|2\d|[3-9]\d\d)"
_LANDLINE = re.compile(
    rf"(?<![0-9])(?:\({_AREA_CODE}\) ?|{_AREA_CODE}{_SEP})[1-9]\d{{2,3}}{_SEP}\d{{4}}(?![0-9])", re.ASCII
)
"""A mainland area code (010, 02x, 0xxx; in brackets or not) and a 7- or 8-digit local number."""


def _keep_last_four(number: str) -> list[int]:
    """Positions of every digit (and a final X) but the last four; separators stay."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit() or ch in "Xx"]
    return digits[:-4]


def _local_number(number: str) -> list[int]:
    """A landline's local number but its last four digits: the area code stays, as 010-****5678."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    area = 3 if number.lstrip("(")[1] in "12" else 4
    return digits[area:-4]


def _mobile_middle(number: str) -> list[int]:
    """The middle four digits of the eleven, as carriers print them: 138****5678."""
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    return digits[-8:-4]


_MASKS: tuple[tuple[re.Pattern[str], Callable[[str], list[int]]], ...] = (
    (_ID_CARD, _keep_last_four),
    (_OLD_ID_CARD, _keep_last_four),
    (_BANK_CARD, _keep_last_four),
    (_MOBILE, _mobile_middle),
    (_LANDLINE, _local_number),
)


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
"""An amount written with thousands separators (13,812,345,678), never a phone number."""


def _star(text: str, positions: set[int]) -> str:
    """`text` with the characters at `positions` replaced by `*`, one for one."""
    return "".join("*" if i in positions else ch for i, ch in enumerate(text))


SPELLED_DIGITS = frozenset(_SPELLED[0])
"""Digits as speech recognition spells them out (幺三九)."""
_DIGIT_CHARS = frozenset("0123456789" + _WIDTH[0][:10] + _SPELLED[0])
"""A digit in any script the mask reads: ASCII, full-width, spelled out (幺三九)."""
_IN_NUMBER = _DIGIT_CHARS | frozenset(" -.,，、．\u3000－()（）" + _SPACES)
"""What a number's characters are written with: digits and the separators between them."""


def uncut(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` of `text` widened so that it cuts no personal number in two.

    The mask sees whole numbers only: a quote of part of a phone number (打幺三九五七二四六 of
    打幺三九五七二四六幺零八) shows digits that the same number masked in the turn hides. Only a
    run of digits the mask would star is taken whole; an order number, an amount or a
    hotline beside the quote is left out of it.
    """
    if 0 < start < len(text) and text[start] in _DIGIT_CHARS and _digit_beside(text, start - 1, -1):
        low, high = _number_run(text, start)
        if mask_text(text[low:high]) != text[low:high]:
            start = next(i for i in range(low, high) if text[i] in _DIGIT_CHARS)
    if 0 < end < len(text) and text[end - 1] in _DIGIT_CHARS and _digit_beside(text, end, 1):
        low, high = _number_run(text, end)
        if mask_text(text[low:high]) != text[low:high]:
            end = next(i for i in range(high, low, -1) if text[i - 1] in _DIGIT_CHARS)
    return start, end


def _digit_beside(text: str, index: int, step: int) -> bool:
    """Whether a digit stands at `index`, or past at most two separators from it, going `step`."""
    for _ in range(3):
        if not 0 <= index < len(text) or text[index] not in _IN_NUMBER:
            return False
        if text[index] in _DIGIT_CHARS:
            return True
        index += step
    return False


def _number_run(text: str, index: int) -> tuple[int, int]:
    """The run of digits and separators around `index`."""
    low = high = index
    while low > 0 and text[low - 1] in _IN_NUMBER:
        low -= 1
    while high < len(text) and text[high] in _IN_NUMBER:
        high += 1
    return low, high


def mask_text(text: str) -> str:
    """Return `text` with ID-card, bank-card, mobile and landline numbers masked, length unchanged.

    In each reading of the text (see `_FOLDS`) the kinds are masked in turn (ID cards,
    bank cards, mobiles, landlines), each on the result of the one before, so a number
    already masked as one kind is not read again as another.
    """
    if not text or not _ELEVEN_DIGITS.search(text):
        return text
    hidden = set().union(*(_numbers(text.translate(fold)) for fold in _FOLDS))
    return _star(text, hidden) if hidden else text


def _numbers(folded: str) -> set[int]:
    """Positions of the digits to star in one reading of a text."""
    hidden: set[int] = set()
    for pattern, positions in _MASKS:
        found = {
            m.start() + i
            for m in pattern.finditer(folded)
            if not _THOUSANDS.fullmatch(m.group(0))
            for i in positions(m.group(0))
        }
        if found:
            hidden |= found
            folded = _star(folded, found)
    return hidden
