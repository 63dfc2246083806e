"""`calls.jsonl` and `findings.jsonl`: one JSON object per line, UTF-8, written atomically.

Objects are compact (no spaces after separators) with Chinese as is, exactly as the history
database stores them, so a run's own files are copied from the database text unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from qa_audit.records import to_json
from qa_audit.report.atomic import atomic_path
from qa_audit.report.source import ReportSource

CALLS, FINDINGS = "calls.jsonl", "findings.jsonl"


def write_lines(path: Path, lines: Iterable[str]) -> int:
    """Stream JSON texts to `path`, one per line, atomically; return how many were written."""
    count = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(line)
            out.write("\n")
            count += 1
    return count


def write_jsonl(source: ReportSource, out_dir: Path) -> tuple[int, int]:
    """Write both files from a report source; return (calls, findings) written."""
    calls = write_lines(out_dir / CALLS, map(to_json, source.calls()))
    findings = write_lines(out_dir / FINDINGS, map(to_json, source.findings()))
    return calls, findings
