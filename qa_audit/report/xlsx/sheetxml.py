"""Table rows as SpreadsheetML text, written straight to a file: the fast path for long sheets.

A night's findings sheets hold tens of thousands of rows. Built as openpyxl cell objects
and serialized element by element, each cell cost about 20 us, and the workbooks were two
thirds of a night's run. Here a row becomes one string: the cell XML openpyxl would write
(inline strings, style indexes, Excel serial dates), composed directly.

The formula guard of `cells` holds here by construction: text is only ever written as an
inline string (`t="inlineStr"`), never as `<f>`, and text a spreadsheet would take for a
formula when retyped gets the quote-prefixed variant of its column's style.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import IO

from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.xml.functions import tostring

from qa_audit.report.xlsx import cells, style

StyleIds = Callable[[str, bool], int]
"""The workbook's cell-format index of a named style, plain or quote-prefixed."""


def escape(text: str) -> str:
    """`text` as XML character data (already free of characters XML cannot carry).

    A carriage return is written as a reference: a raw one is read back as a line feed.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _run_start(font: InlineFont) -> str:
    return f'<r>{tostring(font.to_tree("rPr")).decode()}<t xml:space="preserve">'


_PLAIN_RUN, _MARKED_RUN = _run_start(cells.PLAIN_FONT), _run_start(cells.MARKED_FONT)


def _runs(value: cells.Marked) -> str:
    """The inline rich text of `value`: one run per piece, each in its font."""
    runs = "".join(f"{_MARKED_RUN if marked else _PLAIN_RUN}{escape(piece)}</t></r>" for piece, marked in value.runs())
    return f"<is>{runs}</is>"


_SPECIAL = re.compile(f"[{style.XML_ILLEGAL}&<>\r]")
"""A character that `cells.clean` replaces or `escape` rewrites: most texts have none."""
_SHORT = cells.MAX_CHARS // 2
"""Texts up to this long are within Excel's cell limit however they count (`cells.clean`)."""
_MAYBE_FORMULA = cells.FORMULA_STARTS | frozenset(cells.LEADING_SPACE)
"""First characters after which `cells.looks_like_formula` has to look further."""


class _Column:
    """One column's cell XML, composed once: a cell is its column's opening (`<c r="B`),
    the row number, the middle for its kind of value (`" s="3" t="n"><v>`), the value."""

    __slots__ = ("empty", "letter", "number", "opening", "plain", "quoted", "quoted_text", "text")

    def __init__(self, letter: str, plain: int, quoted: int) -> None:
        self.letter = letter
        self.opening = f'<c r="{letter}'
        self.plain, self.quoted = f' s="{plain}"', f' s="{quoted}"'
        self.empty = f'"{self.plain}/>'
        self.text = f'"{self.plain} t="inlineStr"><is><t xml:space="preserve">'
        self.quoted_text = f'"{self.quoted} t="inlineStr"><is><t xml:space="preserve">'
        self.number = f'"{self.plain} t="n"><v>'


class RowWriter:
    """Serializes one table's data rows into `out`, each cell in its column's named style.

    Every data row of every long table passes through `write` (tens of thousands a
    night), so the per-column XML is composed once, and a text with nothing to clean,
    escape or quote-prefix (most of them) is written as it is after one regex search.
    """

    def __init__(self, out: IO[str], styles: list[str], style_ids: StyleIds, epoch: datetime) -> None:
        self.out = out
        self.columns = [
            _Column(get_column_letter(i), style_ids(name, False), style_ids(name, True))
            for i, name in enumerate(styles, 1)
        ]
        self.epoch = epoch

    def write(self, number: int, values: list[cells.Value], height: float | None) -> list[tuple[str, str]]:
        """Write row `number`; returns the (cell, target) of each link in it."""
        links: list[tuple[str, str]] = []
        row = str(number)
        parts = [f'<row r="{row}" ht="{height!r}" customHeight="1">' if height else f'<row r="{row}">']
        for col, value in zip(self.columns, values, strict=True):
            kind = type(value)
            if kind is cells.Link:
                links.append((f"{col.letter}{row}", value.target))  # type: ignore[union-attr]
                value = value.text  # type: ignore[union-attr]
                kind = str
            if kind is str and value:
                if len(value) > _SHORT or _SPECIAL.search(value):  # type: ignore[arg-type]
                    text = cells.clean(value)  # type: ignore[arg-type]
                    quoted = cells.looks_like_formula(text)
                    text = escape(text)
                else:
                    text = value  # type: ignore[assignment]
                    quoted = text[0] in _MAYBE_FORMULA and cells.looks_like_formula(text)
                parts.append(f"{col.opening}{row}{col.quoted_text if quoted else col.text}{text}</t></is></c>")
            elif kind is int or kind is float:
                if math.isfinite(value):  # type: ignore[arg-type]
                    parts.append(f"{col.opening}{row}{col.number}{value!r}</v></c>")
                else:
                    parts.append(f"{col.opening}{row}{col.empty}")
            elif value is None or kind is str:
                parts.append(f"{col.opening}{row}{col.empty}")
            else:
                parts.append(self._other(f"{col.letter}{row}", col.plain, col.quoted, value))
        parts.append("</row>")
        self.out.write("".join(parts))
        return links

    def _other(self, ref: str, plain: str, quoted: str, value: cells.Value) -> str:
        """The rarer kinds of value: marked words, dates, booleans."""
        if isinstance(value, cells.Marked):
            style = quoted if cells.looks_like_formula(value.text) else plain
            return f'<c r="{ref}"{style} t="inlineStr">{_runs(value)}</c>'
        if isinstance(value, bool):
            return f'<c r="{ref}"{plain} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (datetime, date)):
            return f'<c r="{ref}"{plain} t="n"><v>{to_excel(value, self.epoch)!r}</v></c>'
        raise TypeError(f"cannot write a {type(value).__name__} into a table cell")
