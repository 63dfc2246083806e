"""Decoding transcript files whose encoding nobody states.

Call-centre exports come as UTF-8, as UTF-8 with a BOM (Excel's "CSV UTF-8"), as
GBK/GB18030 (Excel's default "CSV" on a Chinese Windows), or, from Taiwan and Hong Kong,
as Big5. Nobody passes a flag for that, so the bytes decide: UTF-8 is tried first and
strictly (GBK text almost never passes a strict UTF-8 decode, while UTF-8 text often
decodes as GB18030 garbage), then GB18030, a superset of GBK. Anything else, and
anything binary, is refused with a reason instead of being audited as mojibake.

Big5 cannot be told by the bytes alone: nearly every Big5 byte pair is also a valid GBK
character, so a Big5 file decodes as GB18030 without an error, into nonsense. Both
readings are therefore compared on the file's first 64 KB of such lines: the share of
their letters that are among the most frequent characters (`common_chars`, after
conversion to Simplified). Measured on 2,963 real conversations (customer-service
threads, call transcripts, the labeled dev set) written in Traditional Chinese and saved
as Big5 and as GBK: the right reading scored 0.89 to 1.00 per conversation and the wrong
one 0.05 to 0.52; per turn of 10 letters or more, the Big5 reading of a Big5 turn scored
at least 0.36 above its GB18030 reading and the Big5 reading of a GBK turn at least 0.20
below it. Traditional text saved as GBK never decoded as Big5 at all. So a sample is
read as Big5 (Big5-HKSCS, which also holds Hong Kong's characters and Windows' cp950
additions) only when all of it decodes as Big5 and that reading scores at least 0.2
higher.

A file is sometimes appended to by a tool that writes the other encoding. The lines then
vote: in a file that is mostly GB18030 (or Big5), a line that is valid UTF-8 is read as
UTF-8 (for the reason above it usually is one), unless its UTF-8 reading has fewer common
characters than its GB18030 one: a short GBK line can pass as UTF-8 by chance (通話ID in
GBK is valid UTF-8 for "ͨԒID"). In a file that is mostly UTF-8 (or starts with its
BOM), a line that is not UTF-8 is an error at that line, never the cue to read every
other line as GB18030 mojibake.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterable

from qa_audit.ingest.common_chars import COMMON_CHARACTERS
from qa_audit.text import normalize

SNIFF_BYTES = 64 * 1024
"""How much of a streamed file is looked at to choose its encoding."""

UTF8, GB18030, BIG5 = "utf-8", "gb18030", "big5hkscs"
_NAMES = {UTF8: "UTF-8", GB18030: "GB18030", BIG5: "Big5"}
_BIG5_MARGIN = 0.2
"""How much higher the Big5 reading's share of common characters must be (module docstring)."""
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# C0 control bytes that never occur in text: everything below 0x20 except \t \n \v \f \r,
# SUB (old DOS end-of-file) and ESC. They cannot be part of a UTF-8 or GB18030 multi-byte
# sequence either, so counting them on the raw bytes is exact. A few can be a stray
# keystroke in an export; 1% of the head (and at least 4) is binary data.
_JUNK_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r\x1a\x1b")
_JUNK_SHARE, _JUNK_MIN = 0.01, 4


class NotText(ValueError):
    """The bytes are not text this tool can read; `line` is where it showed, when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def check_not_binary(head: bytes) -> None:
    """Refuse binary data and UTF-16, which would otherwise decode as nonsense or fail late."""
    if head.startswith(_UTF16_BOMS):
        raise NotText("UTF-16 text is not supported: save the file as UTF-8")
    if b"\x00" in head:
        raise NotText("not a text file: contains NUL bytes (binary data or UTF-16)")
    junk = sum(head.count(b) for b in _JUNK_CONTROLS)
    if junk >= max(_JUNK_MIN, len(head) * _JUNK_SHARE):
        raise NotText("not a text file: binary data")


def decode_whole(data: bytes) -> str:
    """The text of a whole file (CSV, JSON, plain text), BOM removed.

    Raises NotText for an empty, binary or undecodable file, with the line where it shows.
    A mostly UTF-8 file with a line in another encoding is refused at that line (a whole-
    file reader cannot skip one line); see the module docstring.
    """
    if not data.strip():
        raise NotText("empty file")
    check_not_binary(data[:SNIFF_BYTES])
    if b"\x00" in data:
        raise NotText("not a text file: contains NUL bytes (binary data or UTF-16)")
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode(UTF8)
    except UnicodeDecodeError as exc:
        bad_line = body.count(b"\n", 0, exc.start) + 1
        bad_byte = exc.start - body.rfind(b"\n", 0, exc.start)
    lines = body.split(b"\n")  # never inside a UTF-8, GB18030 or Big5 character
    if body is not data or _vote([line for line in lines if not line.isascii()]) == UTF8:
        raise NotText(f"not valid UTF-8 text (byte {bad_byte} of the line), unlike the rest of the file; "
                      "save the whole file in one encoding", bad_line)
    legacy = _gb_or_big5(line for line in lines if not line.isascii() and not _decodes(line, UTF8))
    decoded = []
    for number, raw in enumerate(lines, 1):
        if _reads_as_utf8(raw, legacy):
            decoded.append(raw.decode(UTF8))
            continue
        try:
            decoded.append(raw.decode(legacy))
        except UnicodeDecodeError:
            raise NotText(f"not UTF-8 or {_NAMES[legacy]} text", number) from None
    return "\n".join(decoded)


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _common_share(text: str) -> float:
    """The share of the letters of `text` (CJK, kana, Latin, private-use: a wrong decoding
    yields all of them) that are common Chinese characters, ASCII aside."""
    letters = [c for c in normalize(text).text if ord(c) > 127 and unicodedata.category(c)[0] in "LC"]
    return sum(c in COMMON_CHARACTERS for c in letters) / len(letters) if letters else 0.0


def _gb_or_big5(lines: Iterable[bytes]) -> str:
    """GB18030, or Big5 when the first 64 KB of these (non-UTF-8) lines clearly read as Big5
    (module docstring); lines past those are not looked at."""
    sample: list[bytes] = []
    size = 0
    for line in lines:
        if size >= SNIFF_BYTES:
            break
        sample.append(line)
        size += len(line)
    joined = b"\n".join(sample)
    if not _decodes(joined, BIG5):
        return GB18030
    gb_reading = joined.decode(GB18030, errors="replace")
    return BIG5 if _common_share(joined.decode(BIG5)) >= _common_share(gb_reading) + _BIG5_MARGIN else GB18030


def _reads_as_utf8(raw: bytes, legacy: str) -> bool:
    """Whether a line of a GB18030 or Big5 file is UTF-8 text (module docstring)."""
    if raw.isascii():
        return True
    if not _decodes(raw, UTF8):
        return False
    return _common_share(raw.decode(UTF8)) >= _common_share(raw.decode(legacy, errors="replace"))


def _vote(lines: list[bytes]) -> str | None:
    """UTF-8 or GB18030, whichever most of these non-ASCII lines decode in; None when neither."""
    if sum(_decodes(line, UTF8) for line in lines) * 2 > len(lines):
        return UTF8
    if sum(_decodes(line, GB18030) for line in lines) * 2 > len(lines):
        return GB18030
    return None


class LineDecoder:
    """Decodes a streamed file line by line, in the encoding its first 64 KB suggest.

    The complete non-ASCII lines of the head vote: UTF-8 when most of them are UTF-8,
    else GB18030 (or Big5, see the module docstring) when most of them are GB18030, else
    the file is refused. A head with no such line (all ASCII, or one very long first line)
    leaves the choice to the first non-ASCII line. A line that does not decode in the
    chosen encoding is that record's error, not the file's; in a GB18030 or Big5 file, a
    line that is valid UTF-8 is read as UTF-8.
    """

    def __init__(self, head: bytes) -> None:
        check_not_binary(head)
        self.encoding: str | None = UTF8 if head.startswith(codecs.BOM_UTF8) else None
        lines = [line for line in head.split(b"\n")[:-1] if not line.isascii()]
        if self.encoding is None and lines:
            self.encoding = _vote(lines)
            if self.encoding is None:
                raise NotText("not UTF-8 or GB18030 text")
            if self.encoding == GB18030:
                self.encoding = _gb_or_big5(line for line in lines if not _decodes(line, UTF8))

    def decode(self, raw: bytes) -> str:
        """One line's text; raises NotText when it is not valid in the file's encoding."""
        if raw.isascii():
            return raw.decode("ascii")
        if self.encoding is None:
            if _decodes(raw, UTF8):
                self.encoding = UTF8
            elif _decodes(raw, GB18030):
                self.encoding = _gb_or_big5([raw])
            else:
                raise NotText("not UTF-8 or GB18030 text")
        if self.encoding != UTF8 and _reads_as_utf8(raw, self.encoding):
            return raw.decode(UTF8).removeprefix("\ufeff")  # a UTF-8 line appended to a GBK or Big5 file
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise NotText(f"not valid {_NAMES[self.encoding]} text (byte {exc.start + 1} of the line)") from None
        return text.removeprefix("\ufeff")
