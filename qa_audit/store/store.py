"""The `Store` class: opening (lock, migrate, recover), buffered writes, report sources."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from qa_audit.clock import centre_day, centre_key
from qa_audit.records import Row, to_json
from qa_audit.report.source import ReportSource
from qa_audit.store.errors import StoreBusy, StoreError
from qa_audit.store.lock import WriterLock
from qa_audit.store.schema import LATEST, check_known, migrate
from qa_audit.store.sources import PeriodSource, RunSource

_UPSERT_CALL = """
    INSERT INTO calls (transcript_id, content_hash, rules_hash, run_id, agent_id,
                       started_key, started_date, row)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (transcript_id) DO UPDATE SET
        content_hash = excluded.content_hash, rules_hash = excluded.rules_hash,
        run_id = excluded.run_id, agent_id = excluded.agent_id,
        started_key = excluded.started_key, started_date = excluded.started_date,
        row = excluded.row
"""


class Encoded(NamedTuple):
    """A transcript's audit as the database stores it: what `encode` makes of its rows."""

    transcript_id: str
    content_hash: str
    agent_id: str
    started_at: str | None
    call: str
    """The call row as JSON text."""
    findings: tuple[str, ...]
    """The finding rows as JSON text, in report order."""


def encode(call: Row, findings: list[Row]) -> Encoded:
    """A transcript's call and finding rows serialized for `Store.save_encoded`.

    A pure function, so worker processes serialize the rows they made and the one process
    writing the database only stores text. A bad row fails here, not at a later flush.
    """
    transcript_id = call["transcript_id"]
    strays = {f["transcript_id"] for f in findings} - {transcript_id}
    if strays:
        raise ValueError(f"findings of {sorted(strays)} passed with call {transcript_id}")
    # Numbered in report order (call-level findings, then by turn; stable otherwise),
    # so reading back ORDER BY seq needs no sort.
    ordered = sorted(findings, key=lambda f: -1 if f.get("turn") is None else f["turn"])
    return Encoded(
        transcript_id,
        call["content_hash"],
        call["agent_id"],
        call.get("started_at"),
        to_json(call),
        tuple(to_json(f) for f in ordered),
    )


class Stored(NamedTuple):
    """What the history holds under a transcript id: enough to tell an unchanged transcript
    from a changed one, and a changed one from another call that reuses the id."""

    content_hash: str
    rules_hash: str
    agent_id: str
    started_date: str | None
    """The call's day on the centre's clock (`clock.centre_day`), or None."""
    started_key: str
    """The start on the centre's clock (`clock.centre_key`), or '' when the call had none."""

    def is_current(self, content_hash: str, rules_hash: str) -> bool:
        """Audited with the same content and rules: the stored result stands."""
        return (self.content_hash, self.rules_hash) == (content_hash, rules_hash)

    def is_another_call(self, started_at: str | None) -> bool:
        """Whether a transcript starting at `started_at` is another day's call, not this one again.

        The history keeps one result per id, so saving it would silently drop the stored
        call from every later report of its day. Exports whose ids restart every night do
        this. Without a date on either side the two cannot be told apart. Both days are on
        the centre's clock, so the same moment written in another time zone (16:30Z and
        00:30+08:00 the next day) falls on the same day: it is the same call.
        """
        day = centre_day(started_at)
        return day is not None and self.started_date is not None and day != self.started_date


class Pruned(NamedTuple):
    """What `Store.prune` deleted (or, for a dry run, would delete), and what it kept."""

    calls: int
    errors: int
    undated_kept: int
    free_bytes: int
    """Space inside the file now free for the next nights' calls (0 for a dry run)."""


class _Pending(NamedTuple):
    """One buffered save: what `stored` answers for it, and the rows' SQL parameters."""

    stored: Stored
    call: tuple[Any, ...]
    findings: list[tuple[Any, ...]]


class Store:
    """The history database. Use `Store.open`; see the package docstring for the contract."""

    def __init__(self, conn: sqlite3.Connection, path: Path, lock: WriterLock | None, batch_size: int) -> None:
        self._conn = conn
        self.path = path
        self._lock = lock
        self._batch_size = batch_size
        self._closed = False
        self._running: set[int] = set()
        # Buffered writes, committed together by flush(). Calls are keyed by transcript so
        # a transcript saved twice before a flush is written once, with its latest result.
        self._calls: dict[str, _Pending] = {}
        self._inputs: set[tuple[int, str]] = set()
        self._errors: list[tuple[int, str, int | None, str]] = []
        self._buffered = 0

    @classmethod
    def open(cls, path: Path | str, *, timeout: float = 30.0, readonly: bool = False, batch_size: int = 2000) -> Store:
        """Open (creating and migrating) the database at `path`.

        A writer takes the writer lock for its lifetime, waiting up to `timeout` seconds
        before raising StoreBusy, and marks runs left "running" by a dead process as
        "interrupted" (holding the lock proves their process is gone). A reader
        (`readonly=True`, for report rebuilds) takes no lock and can read while a run
        writes; it needs an existing database and takes the lock only to upgrade an
        older schema.
        """
        path = Path(path).resolve()
        if readonly:
            if not path.is_file():
                raise StoreError(f"no history database at {path}")
            conn = _connect(path, timeout)
            try:
                with _translated(path):
                    if check_known(conn, str(path)) < LATEST:
                        lock = WriterLock.acquire(path, timeout)
                        try:
                            _prepare(conn, path)
                        finally:
                            lock.release()
                conn.execute("PRAGMA query_only = ON")
            except BaseException:
                conn.close()
                raise
            return cls(conn, path, None, batch_size)

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = WriterLock.acquire(path, timeout)
        try:
            conn = _connect(path, timeout)
            try:
                with _translated(path):
                    _prepare(conn, path)
                    conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            except BaseException:
                conn.close()
                raise
        except BaseException:
            lock.release()
            raise
        return cls(conn, path, lock, batch_size)

    def close(self) -> None:
        """Flush, mark this store's unfinished runs "interrupted", release the lock. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._lock is not None:
                self.flush()
                if self._running:
                    with self._transaction() as conn:
                        conn.executemany(
                            "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ?",
                            [(_now(), run_id) for run_id in self._running],
                        )
        finally:
            self._conn.close()
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, options: dict[str, Any], rules_hash: str) -> int:
        """Record a new run as "running" and return its id. Non-JSON options (paths) become text."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, options, rules_hash, status) VALUES (?, ?, ?, 'running')",
                (_now(), _json(options, default=str), rules_hash),
            )
        run_id = cursor.lastrowid
        assert run_id is not None  # always set by an INSERT into a rowid table
        self._running.add(run_id)
        return run_id

    def finish_run(self, run_id: int, counts: dict[str, int], status: str = "finished") -> None:
        """Flush the buffer, then close the run with its counts and status ("finished" or "failed")."""
        if status not in ("finished", "failed"):
            raise ValueError(f"a run finishes as 'finished' or 'failed', not {status!r}")
        self.flush()
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET finished_at = ?, counts = ?, status = ? WHERE id = ? AND status = 'running'",
                (_now(), _json(counts), status, run_id),
            )
        if cursor.rowcount != 1:
            raise StoreError(f"run {run_id} is not running in {self.path}")
        self._running.discard(run_id)

    def runs(self) -> list[Row]:
        """Every run, newest first: id, started_at, finished_at, options, rules_hash, counts, status.

        An "interrupted" run has finished_at only when its own process closed the store.
        """
        keys = ("id", "started_at", "finished_at", "options", "rules_hash", "counts", "status")
        rows = []
        for record in self._conn.execute(f"SELECT {', '.join(keys)} FROM runs ORDER BY id DESC"):
            row = dict(zip(keys, record, strict=True))
            row["options"] = json.loads(row["options"])
            row["counts"] = None if row["counts"] is None else json.loads(row["counts"])
            rows.append(row)
        return rows

    # -- writing ------------------------------------------------------------------------

    def stored(self, transcript_id: str) -> Stored | None:
        """What the history (buffer included) holds under this id, or None."""
        pending = self._calls.get(transcript_id)
        if pending is not None:
            return pending.stored
        found = self._conn.execute(
            "SELECT content_hash, rules_hash, agent_id, started_date, started_key FROM calls WHERE transcript_id = ?",
            (transcript_id,),
        ).fetchone()
        return None if found is None else Stored(*found)

    def is_current(self, transcript_id: str, content_hash: str, rules_hash: str) -> bool:
        """True when this transcript was audited with the same content and rules (buffer included)."""
        stored = self.stored(transcript_id)
        return stored is not None and stored.is_current(content_hash, rules_hash)

    def save(self, run_id: int, call: Row, findings: list[Row], rules_hash: str) -> None:
        """Buffer a transcript's audit, replacing any earlier one; it also counts as the run's input."""
        self.save_encoded(run_id, encode(call, findings), rules_hash)

    def save_encoded(self, run_id: int, audit: Encoded, rules_hash: str) -> None:
        """`save` for rows already serialized by `encode` (in a worker process, say)."""
        self._require_writer()
        stored = Stored(
            audit.content_hash,
            rules_hash,
            audit.agent_id,
            centre_day(audit.started_at),
            centre_key(audit.started_at),
        )
        call_params = (
            audit.transcript_id,
            audit.content_hash,
            rules_hash,
            run_id,
            audit.agent_id,
            stored.started_key,
            stored.started_date,
            audit.call,
        )
        finding_params = [(audit.transcript_id, seq, row) for seq, row in enumerate(audit.findings)]
        self._calls[audit.transcript_id] = _Pending(stored, call_params, finding_params)
        self._inputs.add((run_id, audit.transcript_id))
        self._buffered += 1
        self._flush_if_full()

    def mark_input(self, run_id: int, transcript_id: str) -> None:
        """Buffer that this run's input covered a transcript (needed for unchanged, skipped ones).

        Only transcripts with a stored result can be part of a run's report, so one the
        store does not hold (its audit was never saved) is left out at the flush.
        """
        self._require_writer()
        self._inputs.add((run_id, transcript_id))
        self._buffered += 1
        self._flush_if_full()

    def add_error(self, run_id: int, path: str, line: int | None, reason: str) -> None:
        """Buffer an input the run could not read, for that run's report."""
        self._require_writer()
        self._errors.append((run_id, path, line, reason))
        self._buffered += 1
        self._flush_if_full()

    def flush(self) -> None:
        """Commit every buffered write in one transaction: all of it survives a crash, or none."""
        if not self._buffered:
            return
        with self._transaction() as conn:
            conn.executemany(_UPSERT_CALL, [pending.call for pending in self._calls.values()])
            conn.executemany("DELETE FROM findings WHERE transcript_id = ?", [(t,) for t in self._calls])
            conn.executemany(
                "INSERT INTO findings (transcript_id, seq, row) VALUES (?, ?, ?)",
                [params for pending in self._calls.values() for params in pending.findings],
            )
            # After the upsert, so the input's agent comes from its stored call. ON CONFLICT
            # DO NOTHING, not OR IGNORE: that would also silently skip NOT NULL violations.
            conn.executemany(
                "INSERT INTO run_inputs (run_id, transcript_id, agent_id)"
                " SELECT ?, transcript_id, agent_id FROM calls WHERE transcript_id = ?"
                " ON CONFLICT DO NOTHING",
                self._inputs,
            )
            conn.executemany("INSERT INTO run_errors (run_id, path, line, reason) VALUES (?, ?, ?, ?)", self._errors)
        self._calls.clear()
        self._inputs.clear()
        self._errors.clear()
        self._buffered = 0

    # -- reading ------------------------------------------------------------------------

    def run_source(self, run_id: int) -> ReportSource:
        """The report rows of one run: every transcript of its input, plus its errors.

        A transcript audited again by a later run shows its latest result here.
        """
        self.flush()
        if self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            raise StoreError(f"no run {run_id} in {self.path}")
        return RunSource(self._conn, run_id)

    def period_source(
        self, date_from: date | None, date_to: date | None, agent_ids: Sequence[str] = ()
    ) -> ReportSource:
        """The report rows of calls started within [date_from, date_to] (either may be open;
        days on the centre's clock), optionally only for `agent_ids`. Calls without a start
        time appear only when neither bound is given. A period does not know its skipped
        inputs: those belong to runs, so its `errors()` is None."""
        self.flush()
        return PeriodSource(self._conn, date_from, date_to, agent_ids)

    # -- retention ----------------------------------------------------------------------

    def prune(self, before: date, *, dry_run: bool = False, chunk: int = 5000) -> Pruned:
        """Delete the calls that started before `before` (a day on the centre's clock), with
        their findings, and the skipped-input records of the runs that started before it.

        Calls are deleted `chunk` at a time, each chunk its own transaction, so the
        write-ahead log stays small whatever the history's size, and a prune that is
        killed leaves a sound history (run it again to finish). Calls without a start date
        belong to no day and are kept; run records stay too (a few hundred bytes a night).
        The file does not shrink: SQLite reuses the freed pages for the next nights' calls,
        and `vacuum` gives them back to the disk.
        """
        self.flush()
        params = {"cutoff": before.isoformat(), "chunk": chunk}
        # `started_key` starts with the call's date when it has one, so the range is read
        # from the index, past the undated calls' '' keys; `started_date` drops keys that
        # are not dates (see PeriodSource).
        old_calls = (
            "FROM calls INDEXED BY calls_started"
            " WHERE started_key >= '0' AND started_key < :cutoff AND started_date IS NOT NULL"
        )
        old_errors = "FROM run_errors WHERE run_id IN (SELECT id FROM runs WHERE substr(started_at, 1, 10) < :cutoff)"
        undated = self._conn.execute("SELECT count(*) FROM calls WHERE started_date IS NULL").fetchone()[0]
        if dry_run:
            calls = self._conn.execute(f"SELECT count(*) {old_calls}", params).fetchone()[0]
            errors = self._conn.execute(f"SELECT count(*) {old_errors}", params).fetchone()[0]
            return Pruned(calls, errors, undated, 0)
        self._require_writer()
        calls = 0
        while True:
            with self._transaction() as conn:
                deleted = conn.execute(
                    f"DELETE FROM calls WHERE rowid IN (SELECT rowid {old_calls} LIMIT :chunk)", params
                ).rowcount
            calls += deleted
            if deleted < chunk:
                break
        with self._transaction() as conn:
            errors = conn.execute(f"DELETE {old_errors}", params).rowcount
        pages, page_size = (self._conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("freelist_count", "page_size"))
        return Pruned(calls, errors, undated, pages * page_size)

    def vacuum(self) -> bool:
        """Rewrite the file without its free pages, giving them back to the disk.

        SQLite writes the new file beside the old one (in the temporary directory) and
        through the write-ahead log: up to twice the file's size in free disk, for about
        as long as copying it. The writer lock keeps runs out, not readers: while a
        `report` reads, the file cannot shrink yet. Returns whether it did.
        """
        self._require_writer()
        self.flush()
        with _translated(self.path):
            self._conn.execute("VACUUM")
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    # -- internals ----------------------------------------------------------------------

    def _require_writer(self) -> None:
        if self._lock is None:
            raise StoreError(f"database {self.path} was opened read-only")

    def _flush_if_full(self) -> None:
        if self._buffered >= self._batch_size:
            self.flush()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._require_writer()
        with _translated(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                # SQLite already rolls back on some errors (disk full); don't mask them.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN/COMMIT ourselves), with the pragmas
    every connection needs: foreign keys are per connection, and synchronous=NORMAL is safe
    in WAL mode (a power cut may drop the last commits, never corrupts; a killed process
    loses nothing committed)."""
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot open history database {path}: {exc}") from exc
    try:
        with _translated(path):
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Bring a database to the current schema in WAL mode (persistent, but cheap to repeat).
    Needs the writer lock."""
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, str(path))


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """Turn SQLite's terse errors into ones that say which database and what to do.

    Matched on the message because `sqlite_errorcode` needs Python 3.11.
    """
    try:
        yield
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "locked" in message:
            raise StoreBusy(f"database {path} is locked by another program (not a qa-audit run): {message}") from exc
        if "not a database" in message:
            raise StoreError(f"{path} is not a qa-audit history database: {message}") from exc
        if any(cause in message for cause in ("disk is full", "readonly", "unable to open")):
            raise StoreError(f"cannot write database {path} or its temporary files: {message}") from exc
        raise


def _json(value: Any, default: Any = None) -> str:
    """Compact JSON that keeps Chinese readable in the database, for run records (rows: `to_json`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
