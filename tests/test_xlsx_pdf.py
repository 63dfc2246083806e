"""The workbooks open and print in LibreOffice: converted to PDF headless, Chinese intact.

This is what a reader other than Excel makes of the files (and how CI sees the print
setup). It needs `soffice` (Debian: libreoffice-calc, with fonts-noto-cjk for the glyphs);
without it the test is skipped, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qa_audit.report.source import MemorySource
from qa_audit.report.xlsx import write_workbooks
from tests.test_xlsx import ERRORS, build_rows

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc fonts-noto-cjk"
)


def to_pdf(book: Path, out: Path, profile: Path) -> Path:
    """Convert with a private LibreOffice profile, so a desktop instance or a parallel run can't interfere."""
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(book)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    pdf = out / f"{book.stem}.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.is_file(), f"no PDF from {book.name}: {result.stdout} {result.stderr}"
    return pdf


def test_agent_workbook_and_overview_convert_to_pdf(tmp_path: Path) -> None:
    books = write_workbooks(MemorySource(*build_rows(), ERRORS), tmp_path / "books")
    agent, overview = books[0], books[-1]
    for book in (agent, overview):
        pdf = to_pdf(book, tmp_path / "pdf", tmp_path / "profile")
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 10_000
        if shutil.which("pdftotext"):  # poppler-utils: read the text back, glyphs and all
            text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout  # fmt: skip
            expected = ("坐席质检报告", "王小明", "不是说过了吗") if book == agent else ("质检总览", "坐席排名")
            for words in expected:
                assert words in text, words
