"""`calls.jsonl` and `findings.jsonl`: one JSON object per line, UTF-8, written atomically."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from qa_audit.records import Row
from qa_audit.report.atomic import atomic_path
from qa_audit.report.source import ReportSource


def write_rows(path: Path, rows: Iterable[Row]) -> int:
    """Stream rows to `path` atomically; return how many were written."""
    count = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


def write_jsonl(source: ReportSource, out_dir: Path) -> tuple[int, int]:
    """Write both files from a report source; return (calls, findings) written."""
    calls = write_rows(out_dir / "calls.jsonl", source.calls())
    findings = write_rows(out_dir / "findings.jsonl", source.findings())
    return calls, findings
