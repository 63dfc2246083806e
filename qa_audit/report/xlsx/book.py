"""The report workbook: openpyxl for the sheets' structure, `sheetxml` for long tables' rows.

openpyxl writes everything a sheet has besides its data rows: styles, column widths,
frozen panes, print setup, conditional formats, autofilters, charts, links, the header
row. A table's data rows are serialized by `sheetxml` into a temporary file per sheet as
they stream past (disk, not memory, grows with the table), and `write` splices each into
its sheet's `<sheetData>` as openpyxl writes its package into the final file.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from datetime import datetime, timezone
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from qa_audit.report.xlsx import style
from qa_audit.report.xlsx.sheetxml import RowWriter

_END = b"</sheetData>"
_CHUNK = 1 << 20
COMPRESSION = 1
"""zlib level of the package: the workbooks of 15,000 conversations took 3.4 s and 9.0 MB
at level 1, 3.9 s and 6.9 MB at the default 6 (three rounds side by side). An agent's
workbook stays small either way."""


class Book(Workbook):
    """A write-only workbook in the report's styles whose tables stream their rows as XML to temporary files."""

    def __init__(self) -> None:
        super().__init__(write_only=True)
        style.prepare(self)
        self._arrays: dict[str, StyleArray] = {}
        self._ids: dict[tuple[str, bool], int] = {}
        self._tables: dict[WriteOnlyWorksheet, tuple[IO[str], RowWriter]] = {}

    def style_array(self, name: str) -> StyleArray:
        """The style array of named style `name`, for openpyxl cells.

        Assigning a named style to a cell looks it up among the workbook's styles by name;
        copying a prepared array costs a fraction of that.
        """
        array = self._arrays.get(name)
        if array is None:
            array = self._arrays[name] = StyleArray(self._named_styles[name].as_tuple())
        return array

    def style_id(self, name: str, quoted: bool) -> int:
        """The cell-format index of named style `name`, quote-prefixed or not (see `cells`)."""
        sid = self._ids.get((name, quoted))
        if sid is None:
            array = StyleArray(self.style_array(name))
            array.quotePrefix = int(quoted)
            sid = self._ids[(name, quoted)] = self._cell_styles.add(array)
        return sid

    def rows(self, ws: WriteOnlyWorksheet, styles: list[str]) -> RowWriter:
        """The writer of `ws`'s data rows (which follow the rows openpyxl writes)."""
        spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed by write or discard)
        writer = RowWriter(spool, styles, self.style_id, self.epoch)
        self._tables[ws] = (spool, writer)
        return writer

    def link(self, ws: WriteOnlyWorksheet, ref: str, target: str) -> None:
        """Make cell `ref` of `ws` open `target` (a relative path): openpyxl writes the link."""
        ws._hyperlinks.append(Hyperlink(ref=ref, target=target))

    def write(self, out: IO[bytes]) -> None:
        """Write the complete package to `out`: openpyxl's parts, with the tables' rows spliced in.

        openpyxl's writer fills a `_Package` directly (as `Workbook.save` does, a zip
        file of its own): each part is compressed once, at COMPRESSION, where saving a
        package first and copying it over inflated and deflated every part again.
        """
        if not self.worksheets:
            self.create_sheet()  # as Workbook.save: a package needs a sheet
        self.properties.modified = datetime.now(tz=timezone.utc).replace(tzinfo=None)
        spools = {ws: spool for ws, (spool, _) in self._tables.items()}
        with _Package(out, spools) as package:
            ExcelWriter(self, package).write_data()
        self.discard()

    def discard(self) -> None:
        """Delete the tables' temporary files (a `TemporaryFile` has no name to leave behind)."""
        for spool, _ in self._tables.values():
            with contextlib.suppress(OSError, ValueError):
                spool.close()
        self._tables.clear()


class _Package(zipfile.ZipFile):
    """The workbook's zip file, writing each table's spooled rows into its sheet's part.

    openpyxl adds a write-only sheet's part from the file it streamed the sheet to; here
    the rows go in before the sheet's `</sheetData>` as that part is written. A sheet's
    part name is only known then: openpyxl numbers the sheets as it writes them.
    """

    def __init__(self, out: IO[bytes], spools: dict[WriteOnlyWorksheet, IO[str]]) -> None:
        super().__init__(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION)
        self._spools = spools

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        spool = next((spool for ws, spool in self._spools.items() if ws.path.lstrip("/") == arcname), None)
        if spool is None:
            super().write(filename, arcname, *args, **kwargs)
            return
        with open(filename, "rb") as part:
            head, end, tail = part.read().rpartition(_END)
        if not end:
            raise ValueError(f"{arcname} has no sheet data to add rows to")
        with self.open(arcname, "w", force_zip64=True) as sheet:  # size unknown ahead
            sheet.write(head)
            _copy(spool, sheet)
            sheet.write(end + tail)


def _copy(spool: IO[str], sheet: IO[bytes]) -> None:
    """The spooled rows into the sheet, as the UTF-8 bytes they were written as."""
    spool.flush()
    raw = spool.buffer  # type: ignore[attr-defined]
    raw.seek(0)
    shutil.copyfileobj(raw, sheet, _CHUNK)
