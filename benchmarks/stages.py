"""Where a run's time goes: each stage of `qa-audit audit` timed on its own, in one process.

    python benchmarks/stages.py [--conversations 6000] [--corpus DIR]

Builds the same corpus as `throughput.py`, then runs the pipeline's stages one after
another as `qa_audit.pipeline` does with one worker, timing each: loading the rule pack
and the segmenter, reading the JSONL, auditing into rows, storing them in the history
database, writing the JSON Lines and writing the workbooks. Stock `jieba.lcut` over the
same turn texts is timed first, for scale. The README's stage table comes from here.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from throughput import SHARED, build_corpus, time_jieba

T = TypeVar("T")


def timed(name: str, results: list[tuple[str, float]], work: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = work()
    results.append((name, time.perf_counter() - start))
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=6000)
    ap.add_argument("--corpus", type=Path, default=SHARED)
    args = ap.parse_args()

    from qa_audit.engine import Auditor
    from qa_audit.ingest import read_inputs
    from qa_audit.records import call_row, finding_rows
    from qa_audit.report import jsonl
    from qa_audit.report.xlsx import write_workbooks
    from qa_audit.rules.pack import load_pack
    from qa_audit.store import Store, encode

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus, chars = build_corpus(work / "corpus.jsonl", args.conversations, args.corpus)
        jieba_s = time_jieba(corpus)
        results: list[tuple[str, float]] = []

        pack = timed("start-up: rule pack", results, load_pack)
        auditor = timed("start-up: segmenter, phrase automaton", results, lambda: Auditor(pack))
        transcripts = timed("reading and decoding the JSONL", results, lambda: list(read_inputs([corpus])))
        digests = timed("content hashes (skipping unchanged work)", results,
                        lambda: [t.content_hash() for t in transcripts])
        results_ = timed("audit: normalize, segment, match, check, score", results,
                         lambda: [auditor.audit(t) for t in transcripts])  # type: ignore[union-attr]
        encoded = timed("call and finding rows, masked and encoded", results,
                        lambda: [encode(call_row(r), finding_rows(r)) for r in results_])

        rules_hash = pack.digest()

        def store() -> Store:
            db = Store.open(work / "history.db")
            run = db.begin_run({}, rules_hash)
            for transcript, digest in zip(transcripts, digests, strict=True):
                db.mark_input(run, transcript.id)  # type: ignore[union-attr]
                db.is_current(transcript.id, digest, rules_hash)  # type: ignore[union-attr]
            for audit in encoded:
                db.save_encoded(run, audit, rules_hash)
            db.flush()
            return db

        db = timed("history database", results, store)
        source = db.run_source(1)
        out = work / "out"
        out.mkdir()
        timed("calls.jsonl and findings.jsonl", results, lambda: (
            jsonl.write_lines(out / jsonl.CALLS, source.call_lines()),
            jsonl.write_lines(out / jsonl.FINDINGS, source.finding_lines()),
        ))
        books = timed("Excel workbooks", results, lambda: write_workbooks(source, out))
        db.close()

    total = sum(seconds for _, seconds in results)
    findings = sum(len(e.findings) for e in encoded)
    print(f"{args.conversations} conversations, {chars:,} characters, {findings:,} findings, "
          f"{len(books)} workbooks; stock jieba.lcut: {jieba_s:.2f} s")
    for name, seconds in results:
        print(f"  {name:48s} {seconds:6.2f} s  {seconds / total:6.1%}")
    print(f"  {'total':48s} {total:6.2f} s  ({chars / total / (chars / jieba_s):.2f}x jieba.lcut)")


if __name__ == "__main__":
    main()
