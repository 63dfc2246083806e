"""The history database: every audited call, so reruns skip unchanged transcripts and
supervisors can rebuild the report of any run or period.

One SQLite file (stdlib sqlite3, WAL mode, synchronous=NORMAL, foreign keys on), its
schema versioned by `PRAGMA user_version` and migrated on open (see `schema`). One
writer at a time, held by an OS file lock on `<database>.lock` for the writer's lifetime
(see `lock` for why); any number of readers alongside it.

Public API::

    with Store.open(path, timeout=30.0) as store:        # writer: lock, migrate, recover
        run_id = store.begin_run(options, rules_hash)
        for each transcript in the input:
            stored = store.stored(t.id)                  # None, or what the history holds
            if stored and stored.is_another_call(t.started_at):
                skip t                                   # an id reused by another day's call
            store.mark_input(run_id, t.id)               # every input is part of this run
            if not (stored and stored.is_current(t.content_hash(), rules_hash)):
                store.save(run_id, call_row(r), finding_rows(r), rules_hash)
        store.add_error(run_id, path, line, reason)      # for each unreadable input
        store.finish_run(run_id, {"audited": ..., "unchanged": ..., "errors": ...,
                                  "calls": ..., "findings": ...})
        write_report(store.run_source(run_id))

    with Store.open(path, readonly=True) as store:       # `qa-audit report`: no lock needed
        write_report(store.period_source(date(2024, 5, 1), date(2024, 5, 31), ["A1024"]))

- `Store.open(path, *, timeout=30.0, readonly=False, batch_size=2000)`: raises StoreBusy
  when another process holds the writer lock longer than `timeout` seconds, SchemaTooNew
  for a database from a newer qa-audit, StoreError when the file is not a database.
- `save`, `mark_input` and `add_error` are buffered and committed together every
  `batch_size` of them (about a thousand transcripts: a commit has a fixed cost; storing
  6,000 audited transcripts took 0.50 s committed every 1,000 and 0.63 s every 64), by
  `flush()`, `finish_run`, the report sources and `close()`.
  A killed process loses at most that buffer; `is_current` is then false for what was
  lost, so the next run audits it again. Runs a killed process left "running" show as
  "interrupted" once the next writer opens the database.
- `stored(id)` is what the history holds under an id (`Stored`: hashes, agent, date);
  `is_current(id, content_hash, rules_hash)` is `stored(id).is_current(...)`.
- `save` replaces the transcript's earlier call and findings (never duplicates) and also
  records it as the run's input. The stored rows are returned exactly as saved.
  `save_encoded(run_id, encode(call, findings), rules_hash)` is the same in two steps:
  `encode` (pure) serializes the rows where they are made, in a worker process.
- `prune(before, dry_run=False)` deletes calls started before a day (with findings) and
  old runs' skipped-input records, a chunk per transaction, and returns `Pruned`; a dry
  run only counts and works on a read-only store. `vacuum()` shrinks the file (False
  while readers keep the old one).
- `run_source(run_id)` and `period_source(date_from, date_to, agent_ids=())` return
  streaming `ReportSource`s (see `qa_audit.report.source`); `runs()` lists the runs.
"""

from qa_audit.store.errors import SchemaTooNew, StoreBusy, StoreError
from qa_audit.store.store import Encoded, Pruned, Store, Stored, encode

__all__ = ["Encoded", "Pruned", "SchemaTooNew", "Store", "StoreBusy", "StoreError", "Stored", "encode"]
