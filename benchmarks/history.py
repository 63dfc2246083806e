"""How a night's database writes slow down as the history database grows, in one run.

    python benchmarks/history.py [--per-night 50000] [--nights 8] [--corpus DIR]

The history database keeps every night's calls and findings. Its indexes on transcript
ids take each new night's ids wherever they sort, so when an export's ids do not follow
time (hashes, UUIDs, ids of several source systems), every night writes pages scattered
over the whole file, and the WAL checkpoints that move them into it take longer as it
grows. Time-ordered ids (a date or sequence prefix) land at the end of the indexes.

Audits --per-night conversations of the corpus once, then stores them night after night
under fresh ids, each night's calls starting on that night's date, into three databases
side by side: with the corpus's own ids (not time-ordered), with those ids behind a date
prefix, and with time-ordered ids. Each night is what `qa-audit audit` does with the
database: an is-current lookup and a save per transcript, committed every ~1,000. Only
the columns the database indexes change from night to night (id, start time); the stored
JSON rows keep the first night's, which does not change what is timed. Prints each
night's seconds, the stored calls and the file size, and the ratio to the first night.
Then prunes the first night from each database (`qa-audit prune`), stores one more night,
which reuses the freed space instead of growing the file, and vacuums the file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from throughput import SHARED, build_corpus

from qa_audit.engine import Auditor
from qa_audit.ingest import read_inputs
from qa_audit.model import Transcript
from qa_audit.records import call_row, finding_rows
from qa_audit.rules.pack import load_pack
from qa_audit.store import Encoded, Store, encode


def store_night(db: Path, audits: list[Encoded], ids: list[str], day: date, rules_hash: str) -> float:
    """Store one night's audits under `ids`, their calls started on `day`; returns the seconds it took."""
    start = time.perf_counter()
    with Store.open(db) as store:
        run = store.begin_run({}, rules_hash)
        for audit, transcript_id in zip(audits, ids, strict=True):
            started = f"{day.isoformat()}{(audit.started_at or 'T00:00:00')[10:]}"
            store.mark_input(run, transcript_id)
            store.is_current(transcript_id, audit.content_hash, rules_hash)
            store.save_encoded(run, audit._replace(transcript_id=transcript_id, started_at=started), rules_hash)
        store.finish_run(run, {})
    return time.perf_counter() - start


def night_date(night: int) -> date:
    """The date of night `night` (1, 2, ...): its calls start that day."""
    return date(2026, 1, 1) + timedelta(days=night)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-night", type=int, default=50000)
    ap.add_argument("--nights", type=int, default=8)
    ap.add_argument("--corpus", type=Path, default=SHARED)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus, _ = build_corpus(work / "corpus.jsonl", args.per_night, args.corpus)
        pack = load_pack()
        auditor = Auditor(pack)
        transcripts = [t for t in read_inputs([corpus]) if isinstance(t, Transcript)]
        audits = []
        for transcript in transcripts:
            result = auditor.audit(transcript)
            audits.append(encode(call_row(result), finding_rows(result)))
        rules_hash = pack.digest()

        layouts = {
            "corpus ids": lambda night: [f"{a.transcript_id}-n{night}" for a in audits],
            "date-prefixed corpus ids": lambda night: [f"2026{night:04d}-{a.transcript_id}" for a in audits],
            "time-ordered ids": lambda night: [f"2026{night:04d}-{i:07d}" for i in range(len(audits))],
        }
        dbs = {name: work / f"{name.replace(' ', '-')}.db" for name in layouts}
        first: dict[str, float] = {}
        print(f"{len(audits):,} conversations a night")
        print(f"{'night':>5} {'stored calls':>13}  " + "  ".join(f"{name:>26}" for name in layouts))
        for night in range(1, args.nights + 1):
            cells = []
            for name, ids in layouts.items():
                db = dbs[name]
                seconds = store_night(db, audits, ids(night), night_date(night), rules_hash)
                first.setdefault(name, seconds)
                size = db.stat().st_size / 2**20
                cells.append(f"{seconds:5.1f} s x{seconds / first[name]:4.2f} {size:6.0f} MiB")
            print(f"{night:>5} {night * len(audits):>13,}  " + "  ".join(f"{c:>26}" for c in cells), flush=True)

        # Retention: `qa-audit prune` of the first night, one more night into the freed
        # space, then `--vacuum`. Each timed with the store's closing checkpoint.
        steps: dict[str, Callable[[Path, Callable[[int], list[str]]], None]] = {
            "prune night 1": lambda db, _: _with_store(db, lambda store: store.prune(night_date(2))),
            "one more night": lambda db, ids: store_night(
                db, audits, ids(args.nights + 1), night_date(args.nights + 1), rules_hash),
            "vacuum": lambda db, _: _with_store(db, lambda store: store.vacuum()),
        }
        for step, work_on in steps.items():
            cells = []
            for name, ids in layouts.items():
                db = dbs[name]
                before = db.stat().st_size
                start = time.perf_counter()
                work_on(db, ids)
                seconds = time.perf_counter() - start
                cells.append(f"{seconds:5.1f} s {(db.stat().st_size - before) / 2**20:+5.0f} MiB")
            print(f"{step:>19}  " + "  ".join(f"{c:>26}" for c in cells), flush=True)


def _with_store(db: Path, work: Callable[[Store], object]) -> None:
    with Store.open(db) as store:
        work(store)


if __name__ == "__main__":
    main()
