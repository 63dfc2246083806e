"""CSV transcripts: one row per turn (or per call), Chinese or English headers.

CSV is what a call-centre system's daily export or an Excel sheet gives: one row per
utterance, with the transcript's id, agent and channel repeated on every row (or, in a
report-style export, on a call's first row only). A table without a role column has a
row per call, its text the whole dialogue (`_dialogue_turns`). Rows are grouped by transcript id, a
row without one continuing the call above (`TableRows`, which the Excel reader shares).

The header is the first of the first `HEADER_WITHIN` non-empty lines to name the required
columns: exports put a title (华信通信 客服质检导出 2026-11-21), a date range or a blank line
above it, as Excel sheets do. Each transcript points at the line of its first row; an
error in one of its turns names that turn's own line too. The delimiter is a comma, or a
tab when the header has tabs and no commas (tab-separated text saved as .csv).

A quoted cell may hold line breaks (a chat message of several lines), so one unbalanced
quote makes the csv module read every following line into that cell, up to the next
stray quote or the end of the file: the rest of the file would silently become one turn.
A cell is taken to be such a runaway when it is never closed (the end of the file is
inside it), or when it runs over lines that read as rows of their own (at least as many
cells as the header, a known speaker and a transcript id): a message line that happens
to look like that is not a realistic risk, a lost night is. The runaway is reported at
the line it opened on, its transcript is skipped (where its cell should have ended is
unknown), and reading resumes at the first swallowed line that reads as a row, so every
other transcript of the file is still audited.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping, Set
from dataclasses import replace
from pathlib import Path

from qa_audit.ingest import fields as f
from qa_audit.ingest.build import RawTurn, build_transcript
from qa_audit.ingest.encoding import NotText, decode_whole
from qa_audit.ingest.plaintext import dialogue_turns, opens_turn
from qa_audit.model import IngestError, Transcript

_META = ("agent_id", "agent_name", "team", "channel", "started_at")

_TOTALS = frozenset(f.key(word) for word in ("合计", "总计", "小计", "total"))
"""The id cell of a summary row under a table (`TableRows`); Traditional 合計 and 總計 and
any case of Total read as these after `fields.key`."""

HEADER_WITHIN = 20
"""Non-empty rows searched for the header: an export may put a title, the period it covers
and blank rows above it."""


def find_header(rows: Iterator[tuple[int, list[str]]]) -> tuple[list[tuple[int, list[str]]], dict[str, int] | None]:
    """The first `HEADER_WITHIN` non-empty rows (line or sheet row, cells) up to the header,
    and the header's columns, None when none of them names the required columns. `rows` is
    left at the row after the header, where a table's rows start."""
    near_top = ((number, cells) for number, cells in rows if any(cell.strip() for cell in cells))
    seen: list[tuple[int, list[str]]] = []
    for number, cells in itertools.islice(near_top, HEADER_WITHIN):
        seen.append((number, cells))
        if not _missing_columns(cells):
            return seen, f.columns(cells, f.CSV_COLUMNS)
    return seen, None


def _missing_columns(cells: list[str]) -> list[str]:
    """The required columns a row would lack as a header. Without a role column a row is a
    whole call, its text the dialogue (`_dialogue_turns`)."""
    columns = f.columns(cells, f.CSV_COLUMNS)
    return [name for name in f.EXPECTED if name not in columns and name != "speaker"]


_EXCEL_TEXT = re.compile(r'="(.*)"', re.DOTALL)
"""="0012": a cell Excel is told to keep as text (leading zeros) in a CSV export. Read
as written, agent '="0012"' and agent '0012' were two agents."""

_SHORTENED = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)
"""2.02611E+19: a long number id that Excel rounded to 15 digits and wrote in scientific
notation. Calls whose ids differ only after those digits would share it and be merged."""


def _cell(row: list[str], columns: Mapping[str, int], name: str) -> str:
    """The named cell of a row, stripped and unwrapped from Excel's ="…"; empty when the file
    has no such column or the row is short. (The text is read as written, see `_transcript`.)"""
    index = columns.get(name)
    value = row[index].strip() if index is not None and index < len(row) else ""
    wrapped = _EXCEL_TEXT.fullmatch(value)
    return wrapped[1].replace('""', '"').strip() if wrapped else value


class TableRows:
    """One table's rows (a CSV file, an Excel sheet) grouped into transcripts by id.

    Rows are grouped whether a transcript's rows are consecutive or not: transcripts come
    out in the order their first row appears, turns in table order. A table's rows are
    held in memory for that (a day's export), never more than one table's.

    A row without an id but with a role or a text continues the transcript of the row
    above (fill-down): report-style exports write the id on a call's first row only, and
    Excel's merged cells read as empty below their first row. Read as errors, those rows
    left each call scored on its first turn alone. Before any id, or after a row that
    ends the run (a blank row, one with neither an id nor a turn, one that could not be
    read), such a row belongs to no known call and is an error.

    Rows that are no call's are skipped without a word, and end the run: a row with
    neither an id nor a role or text; the header again (exports concatenated with their
    headers; compared after `fields.key`, so 会话Id repeats 会话ID); and a summary row, 合计,
    总计, 小计 or Total in the id column with no role and no text (the count or sum some
    exports put under the table). Read as calls, the last two made every such night's
    audit exit 1 with an error about a call that does not exist.

    Each row whose id Excel wrote in scientific notation (`_SHORTENED`) is an error
    saying how to export it: such rows are never grouped, as they may be several calls.
    """

    def __init__(self, header: list[str], columns: Mapping[str, int]) -> None:
        self.columns = columns
        self.groups: dict[str, list[tuple[int, list[str]]]] = {}
        self.run: str | None = None
        """The transcript of the row above: the one a row without an id continues."""
        self.cut: dict[str, int] = {}
        """Calls of a table of a call per row whose dialogue a stray quote cut short: the line
        its rest starts on. A " inside a cell that is not doubled ends the cell there; the
        dialogue's remaining lines then read as rows of their own, each opening a turn."""
        self._header = _keys(header)
        self._header_id = f.key(header[columns["id"]])

    def add(self, line: int, row: list[str]) -> str | None:
        """File a row (its line or sheet row, its cells) under its transcript; the reason
        when the row is an error, else None."""
        tid = _cell(row, self.columns, "id")
        if self.run is not None and "speaker" not in self.columns and tid and opens_turn(tid):
            self.cut.setdefault(self.run, line)
            return None
        if self._is_skipped(row, tid):
            self.run = None
            return None
        self.run = tid or self.run
        if self.run is None:
            return "row has no transcript id"
        if _SHORTENED.fullmatch(self.run):
            return (f"{self.run}: transcript id shortened by Excel (scientific notation: its last digits are lost, "
                    "and calls that differ only there would be merged); format the id column as text "
                    "(设置单元格格式 → 文本) before exporting")
        self.groups.setdefault(self.run, []).append((line, row))
        return None

    def _is_skipped(self, row: list[str], tid: str) -> bool:
        """Whether a row is skipped as no call's (class docstring). The id cell alone rules
        the header out for nearly every row: `fields.key` of every cell would cost more."""
        if tid and f.key(tid) == self._header_id and _keys(row) == self._header:
            return True
        return not _has_turn(row, self.columns) and (not tid or f.key(tid) in _TOTALS)

    def unreadable(self) -> None:
        """A row could not be read: which call the rows after it continue is unknown."""
        self.run = None

    def transcripts(self, source: str, skipped: Set[str] = frozenset()) -> Iterator[Transcript | IngestError]:
        """The transcripts of the rows filed, but those of the ids `skipped`."""
        for tid, rows in self.groups.items():
            if tid in self.cut:
                yield IngestError(source, rows[0][0], f"{tid}: a double quote (\") inside its dialogue ended the "
                                                      f"cell early, and the rest of it is on line {self.cut[tid]} on; "
                                                      "the call is skipped: export with quotes doubled (\"\")")
            elif tid not in skipped:
                yield _transcript(tid, rows, self.columns, source)


def _keys(row: list[str]) -> list[str]:
    """A row's cells as field names compare (`fields.key`), without its trailing empty cells."""
    keys = [f.key(cell) for cell in row]
    while keys and not keys[-1]:
        keys.pop()
    return keys


def _has_turn(row: list[str], columns: Mapping[str, int]) -> bool:
    """Whether a row holds a turn: a role or a text."""
    return bool(_cell(row, columns, "speaker") or _cell(row, columns, "text"))


def _transcript(
    tid: str, rows: list[tuple[int, list[str]]], columns: Mapping[str, int], source: str
) -> Transcript | IngestError:
    """The transcript from its rows (line or sheet row, cells); rows disagreeing on its
    agent, team, channel or start are an error."""
    first_line = rows[0][0]
    meta: dict[str, object] = {"id": tid}
    found_at: dict[str, int] = {}
    for name in _META:
        for line, row in rows:
            value = _cell(row, columns, name)
            if not value:
                continue
            if name not in meta:
                meta[name], found_at[name] = value, line
            elif meta[name] != value:
                return IngestError(source, first_line, f"{tid}: rows disagree on {name}: "
                                   f"{meta[name]!r} (line {found_at[name]}) and {value!r} (line {line})")
    if "speaker" not in columns and "started_at" not in meta and (start := _cell(rows[0][1], columns, "start")):
        meta["started_at"] = start  # a row is the call: its 开始时间 is the call's start, not a turn's
    try:
        turns = _turns(rows, columns) if "speaker" in columns else _dialogue_turns(rows, columns, meta)
        return build_transcript(meta, turns, source=source, line=first_line)
    except f.RecordError as exc:
        message = str(exc) if str(exc).startswith(f"{tid}: ") else f"{tid}: {exc}"
        return IngestError(source, first_line, message)


def _text(row: list[str], columns: Mapping[str, int]) -> str:
    """A row's text as written (a message's own spaces and line breaks are its words)."""
    return row[columns["text"]] if columns["text"] < len(row) else ""


def _turns(rows: list[tuple[int, list[str]]], columns: Mapping[str, int]) -> list[RawTurn]:
    """A turn per row: the table of a call-centre export."""
    return [RawTurn(_cell(row, columns, "speaker"), _text(row, columns), _cell(row, columns, "start"),
                    _cell(row, columns, "end"), line) for line, row in rows]


def _dialogue_turns(rows: list[tuple[int, list[str]]], columns: Mapping[str, int],
                    meta: Mapping[str, object]) -> list[RawTurn]:
    """A call per row, its text the whole dialogue (对话内容 / 聊天记录: a speaker per line,
    as in a .txt file): the table of many chat platforms' and ASR tools' exports. A call
    continued on the rows below (fill-down) continues its dialogue."""
    dialogue = "\n".join(_text(row, columns) for _, row in rows)
    started = meta.get("started_at")
    turns = dialogue_turns(dialogue, started if isinstance(started, str) else None)
    return [replace(turn, line=rows[0][0]) for turn in turns]


def _records(lines: list[str], delimiter: str, start: int) -> Iterator[tuple[int, int, list[str] | csv.Error]]:
    """Each CSV record from line index `start` on: its first and last line (1-based), and its
    cells or the csv module's error. A caller that stops early can start again further on."""
    reader = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter)
    end = start
    while True:
        try:
            row: list[str] | csv.Error = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row = exc
        first, end = end + 1, start + reader.line_num
        yield first, end, row


def _cells(line: str, delimiter: str) -> list[str]:
    """The cells of one physical line read on its own (a quote it opens ends with the line)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _reads_as_row(line: str, width: int, columns: Mapping[str, int], delimiter: str) -> bool:
    """Whether a line inside a quoted cell is really a row: the header's number of cells or
    more, a transcript id and a known speaker."""
    cells = _cells(line, delimiter)
    return (len(cells) >= width and bool(_cell(cells, columns, "id"))
            and f.speaker(_cell(cells, columns, "speaker")) is not None)


def _left_open(record: list[str], delimiter: str) -> bool:
    """Whether the record ends inside a quoted cell: a line after it would be read into that cell."""
    last = record[-1] if record[-1].endswith(("\n", "\r")) else record[-1] + "\n"
    try:
        return len(list(csv.reader([*record[:-1], last, "x\n"], delimiter=delimiter))) == 1
    except csv.Error:
        return False


def _runaway(
    lines: list[str], first: int, last: int, header: list[str], table: TableRows, delimiter: str
) -> tuple[str, str, int | None] | None:
    """(transcript id, reason, line to resume at) when the record from line `first` to `last`
    holds a runaway quoted cell (module docstring); None for an ordinary record. A line
    without an id is one of the transcript it continues (`TableRows.run`)."""
    columns = table.columns
    resume = next((n for n in range(first + 1, last + 1)
                   if _reads_as_row(lines[n - 1], len(header), columns, delimiter)), None)
    at_end = last == len(lines) and _left_open(lines[first - 1:last], delimiter)
    if resume is None and not at_end:
        return None
    tid = _cell(_cells(lines[first - 1], delimiter), columns, "id") or table.run or ""
    whose = "the transcript is skipped" if tid else "the row is skipped"
    reason = "unbalanced quote: a quoted cell opened on this line "
    if resume is None:
        reason += f"is never closed (it runs to the end of the file, line {last}); {whose}"
    else:
        end = "the end of the file" if at_end else f"line {last}"
        reason += (f"runs on to {end}, over lines that read as rows of their own; {whose}, "
                   f"and reading resumes at line {resume}")
    return tid, f"{tid}: {reason}" if tid else reason, resume


def _delimiter(line: str) -> str:
    """A tab when a header line has tabs and no commas (tab-separated text saved as .csv), else a comma."""
    return "\t" if "\t" in line and "," not in line else ","


def _no_header(source: str, seen: list[tuple[int, list[str]]]) -> IngestError:
    """The error for a file none of whose first rows is a header: about the row nearest to
    one (the fewest required columns missing, the first of those), so a title line above a
    header that lacks a column does not hide which one."""
    if not seen:  # no line with a cell, or nothing but a byte-order mark: an empty sheet saved as "CSV UTF-8"
        return IngestError(source, None, "empty file")
    line, cells = min(seen, key=lambda row: len(_missing_columns(row[1])))
    expected = f.expected_columns(_missing_columns(cells))
    return IngestError(source, line, f"CSV header lacks required columns ({expected})")


def read_csv(path: Path, source: str) -> Iterator[Transcript | IngestError]:
    """Read a CSV export; see the module docstring."""
    try:
        text = decode_whole(path.read_bytes())
    except NotText as exc:
        yield IngestError(source, exc.line, exc.reason)
        return
    lines = io.StringIO(text, newline="").readlines()
    seen, columns = find_header((number, _cells(line, _delimiter(line))) for number, line in enumerate(lines, 1))
    if columns is None:
        yield _no_header(source, seen)
        return
    header_line, header = seen[-1]
    yield from _read_rows(lines, header_line, header, columns, source)


def _read_rows(
    lines: list[str], header_line: int, header: list[str], columns: dict[str, int], source: str
) -> Iterator[Transcript | IngestError]:
    """The transcripts of the rows after the header on line `header_line`, and the errors."""
    delimiter = _delimiter(lines[header_line - 1])
    table = TableRows(header, columns)
    skipped: set[str] = set()
    position: int | None = header_line
    while position is not None:
        records, position = _records(lines, delimiter, position), None
        for first, last, row in records:
            runaway = _runaway(lines, first, last, header, table, delimiter)
            if runaway is not None:
                tid, reason, resume = runaway
                yield IngestError(source, first, reason)
                skipped.add(tid)
                position = None if resume is None else resume - 1
                break
            if isinstance(row, csv.Error):
                yield IngestError(source, first, f"bad CSV row: {row}")
                table.unreadable()
                continue
            reason = table.add(first, row)
            if reason is not None:
                yield IngestError(source, first, reason)
    if not table.groups and not skipped:
        yield IngestError(source, None, "no rows after the header")
    yield from table.transcripts(source, skipped)
