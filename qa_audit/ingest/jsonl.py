"""JSON Lines (.jsonl, .ndjson) and JSON (.json) transcripts.

The record format is the one in README "Input formats" (from the labeling guide,
../shared/eval/LABELING.md beside the project).

JSON Lines is the format of a night's batch and can be gigabytes, so it is streamed: one
line in memory at a time, each line its own record, a bad line its own error. A .json
file is one document (one transcript object, or a list of them) and is read whole; each
element of a list still gets the line it starts on, so errors point into the file.
A syntax error in a list costs the lines up to the next transcript, not the rest of the
list: reading resumes at the first later object that is a complete transcript (it
parses, has turns, and a `,` or `]` follows it), and the error names the lines skipped.
Only a transcript has turns (a turn may well carry an agent id), so reading never
resumes inside a transcript.

Chat platforms' APIs wrap conversations: a response's list under data/list/records…
(`_ENVELOPE`) is read as the list it holds, and a conversation's own fields nested under
session/conversation/call (`_NESTED`; not generic keys like info or meta, which may hold
a visitor's id or a browser's name) count as its fields.

Files are also judged by content: a .json file holding JSON Lines is read as JSON Lines,
and a .jsonl file holding one pretty-printed document is read as JSON.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from qa_audit.ingest import fields as f
from qa_audit.ingest.build import RawTurn, build_transcript
from qa_audit.ingest.encoding import SNIFF_BYTES, LineDecoder, NotText, decode_whole
from qa_audit.model import IngestError, Transcript

MAX_LINE_BYTES = 64 * 1024 * 1024
"""A longer line is reported and skipped rather than read into memory: no transcript is that long."""

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"


def _json_error(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply"
    return f"invalid JSON: {exc}"


def _turns(turns: object) -> Iterator[RawTurn]:
    """The turns of a JSON record; RecordError when they are not a list of objects."""
    if turns is None:
        return
    if not isinstance(turns, list):
        raise f.RecordError("turns is not a list")
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise f.RecordError(f"turn {index} is not an object")
        parts = f.fields(turn, f.TURN_FIELDS)
        # "text": null is a picture sent in a chat, a message without words; no text key at
        # all is a turn the export did not give (a misnamed key), which must not pass as silence.
        text = (parts["text"] if parts["text"] is not None else "") if "text" in parts else None
        yield RawTurn(parts.get("speaker"), text, parts.get("start"), parts.get("end"))


_NESTED = ("session", "conversation", "call", "chat", "会话", "通话", "会话信息", "通话信息")
"""Keys under which chat platforms' APIs nest a conversation's own fields
({"session": {"id": …, "agent_id": …}, "messages": […]})."""
_ENVELOPE = ("data", "list", "records", "items", "rows", "result", "results", "sessions", "conversations", "calls",
             "chats")
"""Keys under which an API response wraps its list of conversations ({"code": 0, "data": {"list": […]}})."""


def _transcript_from_object(obj: object, *, source: str, line: int | None) -> Transcript | IngestError:
    """One JSON value as a transcript, or the reason it is not one."""
    if not isinstance(obj, dict):
        return IngestError(source, line, f"record is not a JSON object but {type(obj).__name__}")
    values = f.fields(obj, f.RECORD_FIELDS)
    for key in _NESTED:
        if isinstance(obj.get(key), dict):
            for name, value in f.fields(obj[key], f.RECORD_FIELDS).items():
                values.setdefault(name, value)
    try:
        return build_transcript(values, _turns(values.get("turns")), source=source, line=line)
    except f.RecordError as exc:
        return IngestError(source, line, str(exc))


def _lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The file's lines as bytes; None stands for a line over MAX_LINE_BYTES, skipped unread."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while raw and not raw.endswith(b"\n"):
            raw = stream.readline(MAX_LINE_BYTES)
        yield None


def _records_from_lines(
    lines: Iterator[tuple[int, str | IngestError]], source: str
) -> Iterator[Transcript | IngestError]:
    """One record per non-blank line; lines that failed to decode arrive as their error."""
    for number, text in lines:
        if isinstance(text, IngestError):
            yield text
        elif text.strip():
            try:
                obj = json.loads(text.rstrip("\r\n"))
            except (ValueError, RecursionError) as exc:
                yield IngestError(source, number, _json_error(exc))
                continue
            yield _transcript_from_object(obj, source=source, line=number)


def read_jsonl(path: Path, source: str) -> Iterator[Transcript | IngestError]:
    """Stream a JSON Lines file; see the module docstring."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
        first = head.removeprefix(codecs.BOM_UTF8).lstrip().split(b"\n", 1)[0].strip()
        if first in (b"{", b"["):
            yield from read_json(path, source)
            return
        try:
            decoder = LineDecoder(head)
        except NotText as exc:
            yield IngestError(source, exc.line, exc.reason)
            return
        stream.seek(0)

        def decoded() -> Iterator[tuple[int, str | IngestError]]:
            for number, raw in enumerate(_lines(stream), 1):
                if raw is None:
                    yield number, IngestError(source, number, f"line longer than {MAX_LINE_BYTES:,} bytes; skipped")
                    continue
                try:
                    yield number, decoder.decode(raw)
                except NotText as exc:
                    yield number, IngestError(source, number, exc.reason)

        seen_any = False
        for item in _records_from_lines(decoded(), source):
            seen_any = True
            yield item
        if not seen_any:
            yield IngestError(source, None, "empty file")


class _Lines:
    """Line numbers of positions in a text, counted from the last position asked about: a
    list of many thousand elements is numbered in one pass, not one count per element."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos >= self.pos:
            self.line += self.text.count("\n", self.pos, pos)
        else:
            self.line -= self.text.count("\n", pos, self.pos)
        self.pos = pos
        return self.line


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _next_transcript(text: str, pos: int) -> int | None:
    """Where the first complete transcript object at or after `pos` starts (module docstring)."""
    start = text.find("{", pos)
    while start != -1:
        try:
            obj, end = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            obj, end = None, start
        if isinstance(obj, dict) and "turns" in f.fields(obj, f.RECORD_FIELDS):
            after = _skip_space(text, end)
            if after == len(text) or text[after] in ",]":
                return start
        start = text.find("{", start + 1)
    return None


def _cost(first: int, resume: int | None, lines: _Lines) -> str:
    """What a syntax error in a list cost: the text from `first` up to `resume` (the next
    transcript), or the rest of the file when no transcript follows."""
    if resume is None:
        return f"the rest of the file from line {lines.at(first)} is not read (no complete transcript follows)"
    if resume == first:
        return f"reading goes on with the next transcript, on line {lines.at(resume)}"
    return f"skipped from line {lines.at(first)} up to the next transcript, on line {lines.at(resume)}"


def _array(text: str, start: int, source: str) -> Iterator[Transcript | IngestError]:
    """The elements of the JSON list opening at `start`, each with the line it starts on; a
    syntax error skips to the next transcript (module docstring)."""
    lines = _Lines(text)
    pos, count = start + 1, 0
    while True:
        pos = element = _skip_space(text, pos)
        if count == 0 and text.startswith("]", pos):
            pos += 1
            break
        try:
            obj, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            error, line = _json_error(exc), getattr(exc, "lineno", lines.at(element))
            resume = _next_transcript(text, element + 1)
        else:
            count += 1
            yield _transcript_from_object(obj, source=source, line=lines.at(element))
            pos = _skip_space(text, pos)
            if text.startswith("]", pos):
                pos += 1
                break
            if text.startswith(",", pos):
                pos += 1
                continue
            error, line, element = "invalid JSON: expected ',' or ']' after a list element", lines.at(pos), pos
            resume = _next_transcript(text, pos)
        yield IngestError(source, line, f"{error}; {_cost(element, resume, lines)}")
        if resume is None:
            return
        pos = resume
    if text[pos:].strip():
        yield IngestError(source, lines.at(pos), "invalid JSON: extra data after the list")
    elif count == 0:
        yield IngestError(source, None, "empty list: no transcripts")


def _enveloped(obj: object) -> list[object] | None:
    """The conversations an API response wraps (`_ENVELOPE`), or None when `obj` is not such
    a wrapper (it is a transcript itself, or nothing known)."""
    wrapped = False
    while isinstance(obj, dict) and "turns" not in f.fields(obj, f.RECORD_FIELDS):
        inner = next((obj[key] for key in _ENVELOPE if isinstance(obj.get(key), list | dict)), None)
        if isinstance(inner, list):
            return inner
        obj, wrapped = inner, True
    return [obj] if wrapped and obj is not None else None


def read_json(path: Path, source: str) -> Iterator[Transcript | IngestError]:
    """Read a whole JSON document: one transcript object or a list of them."""
    try:
        text = decode_whole(path.read_bytes())
    except NotText as exc:
        yield IngestError(source, exc.line, exc.reason)
        return
    start = len(text) - len(text.lstrip(_WHITESPACE))
    if text.startswith("[", start):
        yield from _array(text, start, source)
        return
    try:
        obj, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError) as exc:
        yield IngestError(source, getattr(exc, "lineno", None), _json_error(exc))
        return
    if not text[end:].strip():
        listed = _enveloped(obj)
        if listed is None:
            yield _transcript_from_object(obj, source=source, line=None)
        else:
            for element in listed:
                yield _transcript_from_object(element, source=source, line=None)
            if not listed:
                yield IngestError(source, None, "empty list: no transcripts")
    elif isinstance(obj, dict) and text[end:].lstrip(_WHITESPACE).startswith("{"):
        numbered = ((number, line) for number, line in enumerate(text.split("\n"), 1))
        yield from _records_from_lines(numbered, source)
    else:
        yield IngestError(source, text.count("\n", 0, end) + 1, "invalid JSON: extra data after the document")
