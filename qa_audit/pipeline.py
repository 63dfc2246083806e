"""The nightly batch: discover -> audit -> store -> export.

Inputs are streamed: transcripts are read one at a time, audited in bounded batches
(in worker processes when `workers > 1`), and their rows go straight into the history
database. Reports are then written from the database, so they cover every transcript
of the input, whether audited now or unchanged since an earlier run, and a night's batch
is never held in memory.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa_audit import exit_codes
from qa_audit.clock import centre_day, centre_key
from qa_audit.engine import Auditor, code_digest
from qa_audit.ingest import read_inputs
from qa_audit.mask import VERSION as MASK_VERSION
from qa_audit.mask import mask_text
from qa_audit.model import IngestError, Transcript
from qa_audit.progress import Progress
from qa_audit.records import call_row, finding_rows
from qa_audit.report import jsonl
from qa_audit.report.standard import standard_of
from qa_audit.report.xlsx import write_workbooks
from qa_audit.rules.pack import RulePack
from qa_audit.store import Encoded, Store, Stored, encode
from qa_audit.workers import process_pool

log = logging.getLogger("qa_audit")

BATCH = 512
"""Transcripts per task sent to a worker. Small tasks left the workers waiting on the
process that reads and stores: with two workers, 15,000 conversations were audited in
4.9 s with tasks of 64 and in 3.7 s with tasks of 512. At most workers + 1 tasks are
in flight, so memory holds a few thousand transcripts at most."""


@dataclass
class RunOptions:
    """Everything one `qa-audit audit` run was asked to do (recorded in the run log and database)."""

    inputs: list[Path]
    out_dir: Path
    db_path: Path
    rule_paths: list[Path] = field(default_factory=list)
    mask: bool = True
    workers: int = 1
    backend: str = "rjieba"
    force: bool = False
    quiet: bool = False
    xlsx: bool = True

    def describe(self) -> dict[str, object]:
        """The run's options for the run log and the history: paths masked like every other
        output unless the run was asked not to (an export named by the caller's number)."""
        shown = mask_text if self.mask else str
        return {
            "inputs": [shown(str(p)) for p in self.inputs],
            "out": shown(str(self.out_dir)),
            "rules": [str(p) for p in self.rule_paths],
            "mask": self.mask,
            "workers": self.workers,
            "segmenter": self.backend,
            "force": self.force,
        }


@dataclass
class RunSummary:
    """What a run did; `exit_code` follows the README's table."""

    run_id: int
    audited: int = 0
    unchanged: int = 0
    errors: list[IngestError] = field(default_factory=list)
    calls: int = 0
    findings: int = 0
    outputs: list[Path] = field(default_factory=list)
    """The report files the run wrote into --out, all of them: the reports folder records
    them, and a file of the previous run not among them is removed (`report.folder`)."""
    undated: int = 0
    """Transcripts of the input without a readable start time: in this run's reports, but
    never in a dated period report, never pruned, and not told from another day's call."""

    def counts(self) -> dict[str, int]:
        """What the history database records of the run."""
        return {"audited": self.audited, "unchanged": self.unchanged, "errors": len(self.errors),
                "calls": self.calls, "findings": self.findings}

    @property
    def exit_code(self) -> int:
        if self.audited + self.unchanged == 0:
            return exit_codes.NOTHING
        return exit_codes.SKIPPED if self.errors else exit_codes.OK


# Set in the parent before the pool forks, so workers inherit the compiled pack instead
# of rebuilding it; with the spawn start method each worker builds its own once.
_AUDITOR: Auditor | None = None
_MASK = True


def _init_worker(pack: RulePack, backend: str, mask: bool) -> None:
    global _AUDITOR, _MASK
    if _AUDITOR is None or _AUDITOR.pack is not pack:
        _AUDITOR = Auditor(pack, backend=backend)
    _MASK = mask


Audited = Encoded | IngestError
"""A transcript's call and finding rows serialized for the database, or why it could not be audited."""


def _audit_batch(batch: list[Transcript]) -> list[Audited]:
    """Audit a batch into its call and finding rows: what a worker does with one task.

    The rows come back serialized: JSON text is what the database stores, and text is
    cheaper to pass between processes than dictionaries, so the process writing the
    database (the bottleneck with several workers) only stores it.

    A transcript the auditor fails on (a bug meeting unusual input) costs that transcript
    only: it is reported like a bad record, with the traceback in the run log, and the
    rest of the night is still audited.
    """
    assert _AUDITOR is not None
    rows: list[Audited] = []
    for transcript in batch:
        try:
            result = _AUDITOR.audit(transcript)
            rows.append(encode(call_row(result, mask=_MASK), finding_rows(result, mask=_MASK)))
        except Exception as exc:
            log.exception("transcript %s could not be audited", transcript.id)
            reason = f"{transcript.id}: could not be audited ({type(exc).__name__}: {exc}); details in audit.log"
            rows.append(IngestError(transcript.source, transcript.line, reason))
    return rows


@contextmanager
def _pool(options: RunOptions, pack: RulePack) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for `--workers` above 1 (none for one: the audit runs in this process)."""
    if options.workers <= 1:
        yield None
        return
    with process_pool(options.workers, _init_worker, (pack, options.backend, options.mask)) as pool:
        yield pool


def _batches(items: Iterable[Transcript], size: int) -> Iterator[list[Transcript]]:
    batch: list[Transcript] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_audit(options: RunOptions, pack: RulePack, store: Store) -> RunSummary:
    """Audit every transcript of the inputs into `store`, then write the reports.

    The run is recorded as "failed" when anything stops it: what was committed stays, and
    a rerun takes it up (see the incremental rules in `_pending`).
    """
    # Stored rows are masked or not as their run was asked; a run takes a stored result
    # as current only when it was made with the same rules and the same masking, so a
    # masked run never reprints numbers an earlier --no-mask run stored in the clear, nor
    # numbers an older version of the masking did not know; and made by the same code
    # (an upgrade that changes how a check decides audits everything again once).
    masking = f"mask{MASK_VERSION}" if options.mask else "unmasked"
    rules_hash = f"{pack.digest()}+{code_digest()}+{masking}"
    described = options.describe()
    run_id = store.begin_run(described, rules_hash)
    summary = RunSummary(run_id)
    log.info("run %d started: %s", run_id, described)
    try:
        _audit(options, pack, store, rules_hash, summary)
        if summary.undated:
            log.warning("%s", undated_warning(summary.undated))
        _export(options, pack, store, summary)
    except Exception:
        store.finish_run(run_id, summary.counts(), status="failed")
        raise
    store.finish_run(run_id, summary.counts())
    return summary


def _audit(options: RunOptions, pack: RulePack, store: Store, rules_hash: str, summary: RunSummary) -> None:
    """Audit what needs auditing into the store, in this process or in worker processes."""
    global _AUDITOR
    run_id = summary.run_id
    progress = Progress(options.inputs, enabled=not options.quiet)
    pending = _pending(options, store, run_id, rules_hash, summary, progress)
    _init_worker(pack, options.backend, options.mask)
    started = time.monotonic()

    def save(rows: list[Audited]) -> None:
        for audited in rows:
            if isinstance(audited, IngestError):
                _skip(store, run_id, summary, audited, options.mask)
                continue
            store.save_encoded(run_id, audited, rules_hash)
            summary.audited += 1
        progress.calls(len(rows))

    # Up to one batch per worker is in flight beyond the one being saved: the workers audit
    # while this process reads the next batch and saves the last, and memory stays bounded.
    in_flight: deque[Future[list[Audited]]] = deque()
    try:
        with _pool(options, pack) as pool:
            for batch in _batches(pending, BATCH):
                if pool is None:
                    save(_audit_batch(batch))
                    continue
                in_flight.append(pool.submit(_audit_batch, batch))
                if len(in_flight) > options.workers:
                    save(in_flight.popleft().result())
            while in_flight:
                save(in_flight.popleft().result())
    finally:
        _AUDITOR = None
    store.flush()
    progress.close()
    elapsed = time.monotonic() - started
    log.info(
        "audited %d, unchanged %d, skipped %d inputs in %.1fs",
        summary.audited,
        summary.unchanged,
        len(summary.errors),
        elapsed,
    )


def undated_warning(count: int) -> str:
    """What a QA lead should know about calls without a start time, and the fix."""
    return (f"{count} transcript(s) have no start time: they are in this run's reports, but never in a "
            "dated `report` period nor a trend sheet, never pruned, and a reused id cannot be told from "
            "another day's call; give the export a start-time column (README: Input formats)")


def _export(options: RunOptions, pack: RulePack, store: Store, summary: RunSummary) -> None:
    """Write the run's JSONL files and workbooks from the store: every transcript of its input."""
    run_id = summary.run_id
    started = time.monotonic()
    source = store.run_source(run_id)
    # Copied as stored: the rows were masked (or not) as this run asked when they were saved.
    summary.calls = jsonl.write_lines(options.out_dir / jsonl.CALLS, source.call_lines())
    summary.findings = jsonl.write_lines(options.out_dir / jsonl.FINDINGS, source.finding_lines())
    summary.outputs = [options.out_dir / jsonl.CALLS, options.out_dir / jsonl.FINDINGS]
    log.info(
        "wrote %d calls and %d findings as JSON Lines in %.1fs",
        summary.calls,
        summary.findings,
        time.monotonic() - started,
    )
    if options.xlsx:
        started = time.monotonic()
        books = write_workbooks(
            source,
            options.out_dir,
            standard=standard_of(pack),
            pass_mark=pack.scoring.pass_mark,
            workers=options.workers,
            reopen=lambda: Store.open(options.db_path, readonly=True).run_source(run_id),
        )
        summary.outputs += books
        log.info("wrote %d workbooks in %.1fs", len(books), time.monotonic() - started)


def _pending(
    options: RunOptions, store: Store, run_id: int, rules_hash: str, summary: RunSummary, progress: Progress
) -> Iterator[Transcript]:
    """The transcripts that need auditing; errors, duplicates, reused ids and unchanged ones are dealt with here."""
    seen: dict[str, tuple[str, str]] = {}
    # The --out folder is never read back: the command marked it before the run (REPORTS_MARKER).
    for item in read_inputs(options.inputs):
        progress.reached(item.path if isinstance(item, IngestError) else item.source)
        if isinstance(item, IngestError):
            _skip(store, run_id, summary, item, options.mask)
            continue
        digest = item.content_hash()
        where = f"{item.source}:{item.line}" if item.line is not None else item.source
        first = seen.get(item.id)
        if first is not None:
            if first[0] != digest:
                _skip(
                    store,
                    run_id,
                    summary,
                    IngestError(
                        item.source,
                        item.line,
                        f"duplicate transcript id {item.id!r} with different content"
                        f" (first seen at {first[1]}); skipped",
                    ),
                    options.mask,
                )
            continue
        seen[item.id] = (digest, where)
        stored = store.stored(item.id)
        if stored is not None and stored.is_another_call(item.started_at):
            error = _another_call(item, stored, where, options)
            if error is not None:
                _skip(store, run_id, summary, error, options.mask)
                continue
        store.mark_input(run_id, item.id)
        if centre_day(item.started_at) is None:
            summary.undated += 1
        if not options.force and stored is not None and stored.is_current(digest, rules_hash):
            summary.unchanged += 1
            continue
        yield item


def _another_call(item: Transcript, stored: Stored, where: str, options: RunOptions) -> IngestError | None:
    """Why a transcript whose id belongs to another day's stored call is skipped; None when
    --force replaces that call instead (the run log says so).

    The stored call's day is on the centre's clock, so this call's start is given on that
    clock too, with the export's own text beside it when that was written in another zone.
    """
    started = centre_key(item.started_at)
    if started != item.started_at:
        started += f" (exported as {item.started_at})"
    another = (
        f"transcript id {item.id!r} already belongs to another call in the history"
        f" (of {stored.started_date}, agent {stored.agent_id}); this one started {started}."
    )
    if options.force:
        replaced = f"{where}: {another} Replaced, as --force asks"
        log.warning("%s", mask_text(replaced) if options.mask else replaced)
        return None
    reason = f"{another} Ids must be unique across days (prefix them with the date); skipped, the stored call is kept"
    return IngestError(item.source, item.line, reason)


def _skip(store: Store, run_id: int, summary: RunSummary, error: IngestError, mask: bool) -> None:
    """Count and record a skipped input. Paths and reasons can quote a record (a phone
    number in a file name or a broken line), so they are masked like every other output."""
    if mask:
        error = IngestError(mask_text(error.path), error.line, mask_text(error.reason))
    summary.errors.append(error)
    store.add_error(run_id, error.path, error.line, error.reason)
    log.warning("skipped %s", error)
