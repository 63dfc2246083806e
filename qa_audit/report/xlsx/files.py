"""File names a supervisor's Windows machine (and Excel) can open and link to.

Agent names and ids come from upstream systems and may hold anything. Windows refuses
< > : " / \\ | ? * and control characters, Excel refuses [ ] (and the link to the file,
which is XML, cannot hold U+FFFE or U+FFFF), and in a relative
hyperlink # and % would be read as a fragment or an escape; spaces become "_" so a link
needs no escaping either. Names are compared case-blind, because Windows file names are.
"""

from __future__ import annotations

import re

OVERVIEW = "overview.xlsx"

_UNSAFE = re.compile(r'[<>:"/\\|?*\[\]#%\x00-\x1f\x7f\s\ufffe\uffff]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_MAX_STEM = 120
"""Leaves room for the output folder within Windows' 260-character path limit."""
_MAX_STEM_BYTES = 180
"""Linux and macOS limit a file name to 255 bytes, and a CJK character takes 3 in UTF-8:
120 of them would not fit. The rest leaves room for "_2.xlsx" and the temporary name a
workbook is written under before it is renamed into place."""


def safe_stem(text: str) -> str:
    """`text` as a file name stem: unsafe runs become one "_", no leading/trailing dots,
    short enough for every file system (a name of 200 characters is a shifted CSV column,
    not a reason to lose the night's workbooks)."""
    stem = _UNSAFE.sub("_", text).strip("._ ")[:_MAX_STEM]
    stem = stem.encode("utf-8")[:_MAX_STEM_BYTES].decode("utf-8", errors="ignore").rstrip("._ ")
    if not stem:
        return "_"
    if stem.split(".")[0].upper() in _RESERVED:
        return f"_{stem}"
    return stem


class Names:
    """Hands out distinct workbook names within one output folder."""

    def __init__(self) -> None:
        self._taken = {OVERVIEW.casefold()}

    def take(self, agent_id: str, agent_name: str) -> str:
        """`A1024_王小明.xlsx`; a second agent that sanitizes to the same name gets `_2`."""
        stem = safe_stem(f"{agent_id}_{agent_name}" if agent_name else agent_id)
        name, n = f"{stem}.xlsx", 1
        while name.casefold() in self._taken:
            n += 1
            name = f"{stem}_{n}.xlsx"
        self._taken.add(name.casefold())
        return name
