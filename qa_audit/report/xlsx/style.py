"""How the workbooks look: one CJK font, a few named styles, number formats, print setup.

Every cell is styled through a named style registered once per workbook. Besides keeping
the look in one place, this is what makes a million styled cells affordable: assigning a
named style copies one prepared style array instead of looking up a font, a fill, a border
and an alignment for every cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule, Rule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from qa_audit.report.xlsx.stats import Tally

FONT_NAME = "Microsoft YaHei"
"""微软雅黑: on every Windows since Vista and with Office for Mac. The charset (GB2312) and
family (sans) hints let a machine without it fall back to a Chinese sans font: fontconfig
lists Microsoft YaHei as a sans-serif alias, so LibreOffice on Linux renders Noto Sans CJK."""
FONT_SIZE = 10.5
"""五号, the body size of Chinese office documents."""
CHARSET = 134
"""GB2312: tells a reader without the font that a Chinese one should stand in."""
FAMILY = 2
"""Swiss (sans serif)."""

PERCENT = "0.0%"
SCORE = "0.0"
INTEGER = "0"
COUNT = '0;-0;"-"'
"""Zero shown as a dash: in a column of per-check counts only the calls with problems stand out."""
DELTA_POINTS = '+0.0" 个百分点";-0.0" 个百分点";"持平"'
"""A difference of two rates, in percentage points: "+8.3 个百分点" is not misread as 8.3%
more than the team's rate (a relative change), and reads like the notes beside it."""
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
CLOCK = "[mm]:ss"
"""Minutes may pass 59 in a long call: [mm] keeps counting instead of wrapping to hours."""

NAVY = "1F4E78"
BAD_FILL, BAD_FONT = "FFC7CE", "9C0006"
"""Excel's own "light red fill, dark red text", the red a supervisor already reads as 'failed'."""
RED_LINE_FILL = "C00000"
WARN_FILL, WARN_FONT = "FFEB9C", "9C5700"
GOOD_FILL, GOOD_FONT = "C6EFCE", "006100"
HIGHLIGHT = "FFFF0000"
"""The red of the offending words inside an utterance."""

HEADER = "质检-表头"
TEXT = "质检-文本"
WRAP = "质检-换行文本"
CENTER = "质检-居中"
NUMBER = "质检-整数"
COUNTS = "质检-计数"
SCORES = "质检-得分"
PERCENTS = "质检-百分比"
DELTAS = "质检-差值"
DATETIMES = "质检-时间"
DATES = "质检-日期"
CLOCKS = "质检-时长"
LINK = "质检-链接"
TITLE = "质检-标题"
SUBTITLE = "质检-副标题"
SECTION = "质检-小节"
LABEL = "质检-项目"
NOTE = "质检-说明"
KEY_TEXT = "质检-指标文本"
KEY_NUMBER = "质检-指标整数"
KEY_SCORE = "质检-指标得分"
KEY_PERCENT = "质检-指标百分比"
"""Headline figures beside their labels: bold and left-aligned, read as a sentence, not a column."""


def font(**kw: object) -> Font:
    """The report font with `kw` overrides (bold, color, size)."""
    args: dict[str, object] = {
        "name": FONT_NAME,
        "size": FONT_SIZE,
        "charset": CHARSET,
        "family": FAMILY,
    }
    args.update(kw)
    return Font(**args)  # type: ignore[arg-type]


_THIN = Side(style="thin", color="BFBFBF")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# 垂直居中, the convention of Chinese office tables: a short cell sits level with the middle
# of a long wrapped utterance beside it.
_LEFT = Alignment(horizontal="left", vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center")
_RIGHT = Alignment(horizontal="right", vertical="center")


def _styles() -> list[NamedStyle]:
    """Fresh NamedStyle objects: openpyxl binds a named style to the workbook it is added to."""

    def grid(name: str, align: Alignment, number_format: str = "General", **font_kw: object) -> NamedStyle:
        return NamedStyle(name=name, font=font(**font_kw), border=_GRID, alignment=align, number_format=number_format)

    def plain(name: str, **font_kw: object) -> NamedStyle:
        return NamedStyle(name=name, font=font(**font_kw), alignment=Alignment(vertical="center"))

    return [
        NamedStyle(
            name=HEADER,
            font=font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=NAVY),
            border=_GRID,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        grid(TEXT, _LEFT),
        grid(WRAP, Alignment(horizontal="left", vertical="center", wrap_text=True)),
        grid(CENTER, _CENTER),
        grid(NUMBER, _RIGHT, INTEGER),
        grid(COUNTS, _CENTER, COUNT),
        grid(SCORES, _RIGHT, SCORE),
        grid(PERCENTS, _RIGHT, PERCENT),
        grid(DELTAS, _RIGHT, DELTA_POINTS),
        grid(DATETIMES, _LEFT, DATETIME),
        grid(DATES, _LEFT, DATE),
        grid(CLOCKS, _RIGHT, CLOCK),
        grid(LINK, _LEFT, color="0563C1", underline="single"),
        plain(TITLE, size=16, bold=True, color=NAVY),
        plain(SUBTITLE, color="595959"),
        plain(SECTION, size=12, bold=True, color=NAVY),
        grid(LABEL, _LEFT, bold=True),
        plain(NOTE, color="7F7F7F"),
        grid(KEY_TEXT, _LEFT, bold=True),
        grid(KEY_NUMBER, _LEFT, INTEGER, bold=True),
        grid(KEY_SCORE, _LEFT, SCORE, bold=True),
        grid(KEY_PERCENT, _LEFT, PERCENT, bold=True),
    ]


def prepare(wb: Workbook) -> None:
    """Give a new workbook the report's font as its default, and its named styles.

    The default (Normal) font sets the unit of column widths and the height of empty
    rows. Left at openpyxl's Calibri, every reader measures the columns with whatever it
    substitutes for Calibri (LibreOffice on Linux: DejaVu Sans, much wider), and widths
    fitted to Chinese text come out differently in each. openpyxl has no public setter for
    it: the first entry of the font table is what Normal and unstyled cells point at.
    """
    wb._fonts = IndexedList([font()])
    for style in _styles():
        wb.add_named_style(style)


def rule(formula: str, *, fill: str | None = None, color: str | None = None, bold: bool = False) -> Rule:
    """A conditional format: background `fill` and text `color` where `formula` holds.

    Its formula lives in the sheet's formatting rules, never in a cell: it colours what
    the cells show and cannot compute anything into them.
    """
    return Rule(
        type="expression",
        formula=[formula],
        dxf=DifferentialStyle(
            font=Font(color=color, bold=bold or None) if color or bold else None,
            fill=PatternFill(bgColor=fill, fill_type="solid") if fill else None,
        ),
    )


# The report's colour language, the same on every sheet: red for a failure, white on dark
# red for a red line, amber for a call the talk-share rule flagged, green for doing better
# than the team.


def bad(formula: str) -> Rule:
    return rule(formula, fill=BAD_FILL, color=BAD_FONT)


def good(formula: str) -> Rule:
    return rule(formula, fill=GOOD_FILL, color=GOOD_FONT)


def red_line(formula: str) -> Rule:
    return rule(formula, fill=RED_LINE_FILL, color="FFFFFF", bold=True)


def below_pass_mark(cell: str, pass_mark: float) -> Rule:
    """A score under the pass mark; empty cells (no score) stay plain."""
    return bad(f"AND(ISNUMBER({cell}),{cell}<{pass_mark})")


def warn(formula: str) -> Rule:
    """Amber where `formula` holds: worth a look, not a violation (a call's talk share
    where the call was flagged for it)."""
    return rule(formula, fill=WARN_FILL, color=WARN_FONT)


HEAT = "F8696B"
"""The red end of the colour scales: Excel's own red of its white-to-red scale."""


REDDEST_GAP = 0.10
"""A rate at least this far above the centre's (10 个百分点) can be the full red of a scale."""


def worse_than(centre: float, worst: float) -> ColorScaleRule:
    """White at or below `centre` (the centre's rate of one check), red at `worst` (the
    worst rate in that check's column): only doing worse than the centre is coloured.

    A scale from 0 to the sheet's highest rate coloured a check everyone fails (a
    greeting at 96-100%) solid red on every row and left a serious 16% 三不知 pale.
    The red end is never closer to the centre than `REDDEST_GAP`: in a column where the
    worst is 99.6% against a centre of 98.3%, 1.3 points is pale pink, not the red of a
    16% 三不知 against 2.4%. Values below the scale's start take its white.
    """
    return ColorScaleRule(
        start_type="num",
        start_value=centre,
        start_color="FFFFFF",
        end_type="num",
        end_value=max(worst, centre + REDDEST_GAP),
        end_color=HEAT,
    )


def colour_checks(
    ws: WriteOnlyWorksheet,
    checks: list[str],
    first_col: int,
    rows: tuple[int, int],
    reference: Tally,
    tallies: Iterable[Tally],
) -> None:
    """Colour each check's column (the first at `first_col`, over `rows`) on its own, against
    `reference`'s rate of that check (the centre's on the overview, the team's on a trend
    sheet), with `worse_than`: what stands out is doing worse than the reference on a
    check, not a check everyone fails. A column where nobody is worse stays white.
    """
    tallies = list(tallies)
    for i, check in enumerate(checks):
        base = reference.rate(check) or 0.0
        worst = max((t.rate(check) or 0.0 for t in tallies), default=0.0)
        if worst > base:
            letter = get_column_letter(first_col + i)
            ws.conditional_formatting.add(f"{letter}{rows[0]}:{letter}{rows[1]}", worse_than(base, worst))


_COMMON = re.compile(
    "[^\x00-\x7f\u2014\u2018\u2019\u201c\u201d\u2026\u3000-\u3029\u3040-\u3098\u309b-\u4dbf"
    "\u4e00-\ua4cf\ufe30-\ufe6f\uff00-\uff60]"
)
"""Anything but ASCII (one column each) and the CJK, kana and full-width blocks and
punctuation whose every character is wide: a text with none of it is measured by count."""


def display_width(text: str, wide: float = 2.0) -> float:
    """Columns `text` takes on screen: CJK and full-width characters take `wide`, marks none.

    East Asian "ambiguous" characters (… “ ” — °) count as wide too: the report font is a
    Chinese one, which draws them full width. Two is the safe count for sizing a column;
    measured against this workbook's default font a CJK glyph is nearer 1.75 (layout.LINE_WIDE).
    Every wrapped cell of a long table is measured, so the common case (Chinese and ASCII
    only) is counted without looking at characters one by one.
    """
    if not _COMMON.search(text):
        narrow = len(text.encode("ascii", "ignore"))
        return narrow + wide * (len(text) - narrow)
    width = 0.0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += wide if unicodedata.east_asian_width(ch) in "WFA" else 1
    return width


def column_width(*texts: str, pad: float = 2.0, low: float = 6.0, high: float = 60.0) -> float:
    """An Excel column width that shows the widest of `texts`, within [low, high]."""
    widest = max((display_width(t) for t in texts), default=0)
    return max(low, min(high, widest + pad))


def header_width(header: str) -> float:
    """A header cell's width: its longest line, and room for the autofilter button.

    Headers of narrow number columns are written on two lines ("红线\n通话"), so a column
    of two-digit counts is not made six characters wider by its own header.
    """
    return column_width(*header.split("\n"), pad=4.0)


XML_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
"""The characters XML 1.0 cannot carry, as the inside of a regex character class."""
_XML_ILLEGAL = re.compile(f"[{XML_ILLEGAL}]")


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 cannot carry replaced one for one (span offsets hold).

    Ingest already replaces them in transcripts; names, rule messages and periods reach
    cells and page headers from other sources too, and one such character would make the
    whole workbook unwritable.
    """
    return _XML_ILLEGAL.sub("\ufffd", text)


def _escape(text: str) -> str:
    """Header/footer text: a lone '&' would start a formatting code there."""
    return xml_safe(text).replace("&", "&&")


def setup_print(
    ws: WriteOnlyWorksheet, *, title: str, left: str, right: str, title_rows: str | None = None, one_page: bool = False
) -> None:
    """Landscape A4, all columns on one page width, header rows again on every page.

    Supervisors print the findings to coach from paper; a page that cuts off the 判定依据
    column or loses the column headers after page one is useless to them. Call it before
    the sheet's first row: a write-only sheet writes the fit-to-page flag (a sheet
    property) ahead of the rows, and a flag set later is silently lost. `one_page` also
    fits the height: a summary reads as one sheet of paper, a table runs on for pages.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.left.text = _escape(left)
    ws.oddHeader.center.text = _escape(title)
    ws.oddHeader.right.text = _escape(right)
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
