"""Cells that can only ever hold what they show: the formula-injection guard.

Utterances, evidence and rule messages are written by customers, agents and rule authors.
A customer who says "=HYPERLINK(...)" must not get a live formula into a supervisor's
Excel, so every text goes through `cell()`: it is stored as a string cell whatever it
starts with (openpyxl alone would turn a leading '=' into a formula and "#N/A" into an
error value), and text a spreadsheet would take for a formula when retyped (= + - @, also
after leading whitespace) gets Excel's quote prefix, so that editing the cell and pressing
Enter keeps it text. The tool composes no cell formulas at all. The long tables' rows
skip openpyxl's cells (`sheetxml`) and apply the same two rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl.cell import Cell
from openpyxl.cell.text import InlineFont
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qa_audit.report.xlsx import style
from qa_audit.report.xlsx.stats import parse_time

MAX_CHARS = 32767
"""Excel's limit for one cell; a longer value makes Excel "repair" the file on open."""

FORMULA_STARTS = frozenset("=+-@＝＋－＠")
LEADING_SPACE = " \t\r\n\u3000"
"""What a spreadsheet skips before it sees a formula's first character."""


@dataclass(frozen=True, slots=True)
class Link:
    """A table cell showing `text` that opens `target`, a path relative to the workbook's folder."""

    text: str
    target: str


def clean(text: str) -> str:
    """`text` as a cell can hold it: no XML-illegal characters, at most MAX_CHARS long as
    Excel counts (UTF-16 units: an emoji is two), never cutting a character in half."""
    text = style.xml_safe(text)
    if len(text) <= MAX_CHARS // 2:
        return text
    return text.encode("utf-16-le")[: 2 * MAX_CHARS].decode("utf-16-le", errors="ignore")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula if it were typed in."""
    stripped = text.lstrip(LEADING_SPACE)
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def _styled(ws: WriteOnlyWorksheet, style_name: str) -> Cell:
    """An empty cell in the named style (its array copied, not looked up by name)."""
    return Cell(ws, row=1, column=1, style_array=ws.parent.style_array(style_name))


def cell(ws: WriteOnlyWorksheet, value: Plain, style_name: str) -> Cell:
    """A styled cell for `value`; strings always as string cells."""
    c = _styled(ws, style_name)
    if not isinstance(value, str):
        c.value = value
        return c
    c.value = clean(value)
    c.data_type = "s"
    if looks_like_formula(c.value):
        c.quotePrefix = True
    return c


def text(ws: WriteOnlyWorksheet, value: object, style_name: str = style.TEXT) -> Cell:
    """A string cell for any value (ids may arrive as numbers); empty for None."""
    return cell(ws, None if value is None else str(value), style_name)


def _merge(spans: list[list[int]], length: int) -> list[tuple[int, int]]:
    """Spans clipped to the text, sorted, overlaps joined: two rules may mark the same words."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, int(s)), min(length, int(e))) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_RUN = {"rFont": style.FONT_NAME, "sz": style.FONT_SIZE, "charset": style.CHARSET, "family": style.FAMILY}
PLAIN_FONT = InlineFont(**_RUN)
MARKED_FONT = InlineFont(**_RUN, b=True, color=style.HIGHLIGHT)
"""The fonts of an utterance's runs. Every run carries the report font: a run without its
own font falls back to the application default in some readers, and the utterance would
change typeface mid-line."""


@dataclass(frozen=True, slots=True)
class Marked:
    """Text with some of its words marked, written as rich text: those runs in red bold."""

    text: str
    marks: tuple[tuple[int, int], ...]
    """(start, end) character ranges, sorted and not overlapping."""

    def __str__(self) -> str:
        return self.text

    def runs(self) -> Iterator[tuple[str, bool]]:
        """The text in pieces, each with whether it is marked."""
        pos = 0
        for start, end in self.marks:
            if start > pos:
                yield self.text[pos:start], False
            yield self.text[start:end], True
            pos = end
        if pos < len(self.text):
            yield self.text[pos:], False


EXCERPT_OVER = 300
"""An utterance with marked words longer than this is shown as excerpts around them: a cell
stops growing at Excel's largest row height, and the marked words of a long speech-
recognition turn would be out of sight."""
CONTEXT = 60
"""Characters kept on each side of the marked words in an excerpt."""


def highlighted(text_value: str, spans: list[list[int]]) -> str | Marked:
    """`text_value` with the characters at `spans` marked, for a red-bold rich text cell.

    Masking keeps lengths, so the spans computed on the original still cover the words.
    A long utterance keeps only the stretches around its marked words, "…" marking what is
    left out (the whole text stays in findings.jsonl).
    """
    value = clean(text_value)
    marks = _merge(spans, len(value))
    if not marks:
        return value
    if len(value) > EXCERPT_OVER:
        return _excerpt(value, marks)
    return Marked(value, tuple(marks))


def _excerpt(value: str, marks: list[tuple[int, int]]) -> Marked:
    """The stretches of `value` within CONTEXT characters of a mark, joined by "…"."""
    windows = _merge([[max(0, s - CONTEXT), min(len(value), e + CONTEXT)] for s, e in marks], len(value))
    text, moved = "", []
    for start, end in windows:
        if start > 0:
            text += "…"
        moved.extend((len(text) + s - start, len(text) + e - start) for s, e in marks if start <= s and e <= end)
        text += value[start:end]
    if windows[-1][1] < len(value):
        text += "…"
    return Marked(text, tuple(moved))


Plain = str | int | float | date | None
"""What a cell composed by openpyxl holds."""
Value = Plain | Marked | Link
"""What a table cell holds."""


def clock(seconds: object) -> float | None:
    """Whole seconds as Excel's day fraction, shown as mm:ss by the CLOCK format (and still
    sortable). Cut, not rounded, as a player's position and `qa-audit check` show it: a turn
    at 61.7 s is at 01:01 everywhere a supervisor looks it up (Excel would round to 01:02)."""
    return math.floor(seconds) / 86400 if isinstance(seconds, (int, float)) else None


STARTED = "开始时间\n（北京时间）"
"""The header of a column of `started` cells. The times are converted from whatever zone
the export wrote, so the header says which clock they are on; on two lines like the
other narrow columns' headers, it keeps the column as wide as its times."""


def started(value: object) -> datetime | str | None:
    """A call's start as a date-time cell value on the centre's clock (`stats.parse_time`);
    unreadable text is kept as text, not lost."""
    parsed = parse_time(value)
    if parsed is not None:
        return parsed
    return None if value is None else str(value)
