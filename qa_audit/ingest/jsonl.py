"""JSON Lines (.jsonl, .ndjson) and JSON (.json) transcripts.

The record format is the one in README "Input formats" (from the labeling guide,
../shared/eval/LABELING.md beside the project).

JSON Lines is the format of a night's batch and can be gigabytes, so it is streamed: one
line in memory at a time, each line its own record, a bad line its own error. A .json
file is one document (one transcript object, or a list of them) and is read whole; each
element of a list still gets the line it starts on, so errors point into the file.
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
        yield RawTurn(parts.get("speaker"), parts.get("text"), parts.get("start"), parts.get("end"))


def _transcript_from_object(obj: object, *, source: str, line: int | None) -> Transcript | IngestError:
    """One JSON value as a transcript, or the reason it is not one."""
    if not isinstance(obj, dict):
        return IngestError(source, line, f"record is not a JSON object but {type(obj).__name__}")
    values = f.fields(obj, f.RECORD_FIELDS)
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


def _array(text: str, start: int, source: str) -> Iterator[Transcript | IngestError]:
    """The elements of the JSON list opening at `start`, each with the line it starts on."""
    pos, line, counted = start + 1, 1, 0
    count = 0
    while True:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        if pos < len(text) and text[pos] == "]" and count == 0:
            pos += 1
            break
        try:
            obj, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            yield IngestError(source, getattr(exc, "lineno", line), _json_error(exc))
            return
        count += 1
        yield _transcript_from_object(obj, source=source, line=line)
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos < len(text) and text[pos] == "]":
            pos += 1
            break
        if pos >= len(text) or text[pos] != ",":
            where = text.count("\n", 0, pos) + 1
            yield IngestError(source, where, "invalid JSON: expected ',' or ']' after a list element")
            return
        pos += 1
    if text[pos:].strip():
        yield IngestError(source, text.count("\n", 0, pos) + 1, "invalid JSON: extra data after the list")
    elif count == 0:
        yield IngestError(source, None, "empty list: no transcripts")


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
        yield _transcript_from_object(obj, source=source, line=None)
    elif isinstance(obj, dict) and text[end:].lstrip(_WHITESPACE).startswith("{"):
        numbered = ((number, line) for number, line in enumerate(text.split("\n"), 1))
        yield from _records_from_lines(numbered, source)
    else:
        yield IngestError(source, text.count("\n", 0, end) + 1, "invalid JSON: extra data after the document")
