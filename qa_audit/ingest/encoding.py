"""Decoding transcript files whose encoding nobody states.

Call-centre exports come as UTF-8, as UTF-8 with a BOM (Excel's "CSV UTF-8"), or as
GBK/GB18030 (Excel's default "CSV" on a Chinese Windows). Nobody passes a flag for that,
so the bytes decide: UTF-8 is tried first and strictly (GBK text almost never passes a
strict UTF-8 decode, while UTF-8 text often decodes as GB18030 garbage), then GB18030,
a superset of GBK. Anything else, and anything binary, is refused with a reason instead
of being audited as mojibake.
"""

from __future__ import annotations

import codecs

SNIFF_BYTES = 64 * 1024
"""How much of a streamed file is looked at to choose its encoding."""

UTF8, GB18030 = "utf-8", "gb18030"
_NAMES = {UTF8: "UTF-8", GB18030: "GB18030"}
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

    Raises NotText for an empty, binary or undecodable file; the line of the first byte
    that is not UTF-8 is given, since UTF-8 is what the file was most likely meant to be.
    """
    if not data.strip():
        raise NotText("empty file")
    check_not_binary(data[:SNIFF_BYTES])
    if b"\x00" in data:
        raise NotText("not a text file: contains NUL bytes (binary data or UTF-16)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
    try:
        return data.decode(GB18030)
    except UnicodeDecodeError:
        raise NotText("not UTF-8 or GB18030 text", bad_line) from None


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


class LineDecoder:
    """Decodes a streamed file line by line, in the encoding its first 64 KB suggest.

    The complete non-ASCII lines of the head vote: UTF-8 when most of them are UTF-8,
    else GB18030 when most of them are, else the file is refused. A head with no such line
    (all ASCII, or one very long first line) leaves the choice to the first non-ASCII line.
    A line that does not decode in the chosen encoding is that record's error, not the
    file's.
    """

    def __init__(self, head: bytes) -> None:
        check_not_binary(head)
        self.encoding: str | None = UTF8 if head.startswith(codecs.BOM_UTF8) else None
        lines = [line for line in head.split(b"\n")[:-1] if not line.isascii()]
        if self.encoding is None and lines:
            utf8 = sum(_decodes(line, UTF8) for line in lines)
            gb = sum(_decodes(line, GB18030) for line in lines)
            if utf8 * 2 > len(lines):
                self.encoding = UTF8
            elif gb * 2 > len(lines):
                self.encoding = GB18030
            else:
                raise NotText("not UTF-8 or GB18030 text")

    def decode(self, raw: bytes) -> str:
        """One line's text; raises NotText when it is not valid in the file's encoding."""
        if raw.isascii():
            return raw.decode("ascii")
        if self.encoding is None:
            self.encoding = next((e for e in (UTF8, GB18030) if _decodes(raw, e)), None)
            if self.encoding is None:
                raise NotText("not UTF-8 or GB18030 text")
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise NotText(f"not valid {_NAMES[self.encoding]} text (byte {exc.start + 1} of the line)") from None
        return text.removeprefix("\ufeff")
