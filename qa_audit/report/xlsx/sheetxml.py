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
from collections.abc import Callable
from datetime import date, datetime
from typing import IO

from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.xml.functions import tostring

from qa_audit.report.xlsx import cells

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


class RowWriter:
    """Serializes one table's data rows into `out`, each cell in its column's named style."""

    def __init__(self, out: IO[str], styles: list[str], style_ids: StyleIds, epoch: datetime) -> None:
        self.out = out
        self.letters = [get_column_letter(i) for i in range(1, len(styles) + 1)]
        # Per column: the style attribute of a plain cell and of a quote-prefixed one.
        self.styles = [(f' s="{style_ids(name, False)}"', f' s="{style_ids(name, True)}"') for name in styles]
        self.epoch = epoch

    def write(self, number: int, values: list[cells.Value], height: float | None) -> list[tuple[str, str]]:
        """Write row `number`; returns the (cell, target) of each link in it."""
        links: list[tuple[str, str]] = []
        parts = [f'<row r="{number}" ht="{height!r}" customHeight="1">' if height else f'<row r="{number}">']
        for letter, (plain, quoted), value in zip(self.letters, self.styles, values, strict=True):
            ref = f"{letter}{number}"
            kind = type(value)
            if kind is cells.Link:
                links.append((ref, value.target))  # type: ignore[union-attr]
                value = value.text  # type: ignore[union-attr]
                kind = str
            if kind is str and value:
                text = cells.clean(value)  # type: ignore[arg-type]
                style = quoted if cells.looks_like_formula(text) else plain
                text = escape(text)
                parts.append(f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            elif kind is int or kind is float:
                if math.isfinite(value):  # type: ignore[arg-type]
                    parts.append(f'<c r="{ref}"{plain} t="n"><v>{value!r}</v></c>')
                else:
                    parts.append(f'<c r="{ref}"{plain}/>')
            elif value is None or kind is str:
                parts.append(f'<c r="{ref}"{plain}/>')
            else:
                parts.append(self._other(ref, plain, quoted, value))
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
