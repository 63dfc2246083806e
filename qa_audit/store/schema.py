"""The history database's schema, as an ordered list of migration steps.

`PRAGMA user_version` records how many steps a database has had. Opening applies the
missing ones in a single transaction (SQLite DDL is transactional), so a crash mid-
migration leaves the old version intact. Steps are append-only: never edit one that has
shipped, add the next one instead. A step that must rebuild a table with foreign keys
(which `PRAGMA foreign_keys` cannot switch off inside a transaction) needs special care.

Design notes for step 1:
- `calls` keeps the latest result per transcript (the row as JSON plus the columns the
  queries filter and sort on). Saving a transcript again UPSERTs it: never use INSERT OR
  REPLACE, whose delete would cascade to the transcript's `run_inputs` history.
- `started_key` is `started_at` or '' so reports walk the (agent_id, started_key,
  transcript_id) index in the order the ReportSource protocol asks for. `started_date`
  is the call's date (YYYY-MM-DD) or NULL; it trails the indexes so a period filter is
  decided from the index without reading the row. (Both on the centre's clock since
  step 2.)
- `findings.seq` is the finding's position in report order (call-level first, then by
  turn), so `ORDER BY transcript_id, seq` is the protocol's order.
- `run_inputs` copies the call's agent so one agent's part of one run is an index range
  (a nightly report asks for each of thousands of agents in turn); the trigger keeps
  that copy equal to `calls.agent_id` if a later audit moves the transcript.

Step 2 puts `started_key` and `started_date` on the centre's clock (`clock.centre_key`,
`clock.centre_day`), as new rows are written since: a start written with another offset
or Z was filed under its day and time as written (2026-11-20T23:30:00Z on the 20th) and
becomes the same moment at +08:00 (2026-11-21T07:30:00+08:00, on the 21st). Without it
such a call would stay on the old day for good, since an unchanged transcript is never
saved again, and an older qa-audit would go on filing calls by the written clock into a
history that files them by Beijing time; the new version makes it refuse the database.
Starts at +08:00 or without an offset keep their keys: a history of the centre's own
exports reads as before. The step converts the forms ingest has always written
(`ingest.fields.started_at`: whole seconds, then Z or ±HH:MM) with SQLite's date
functions, which agree with `clock.centre_key` on them (tested). It reads the whole
calls table once and rewrites the keys it changes (400,000 calls: about 1 s when none
change, 8 s when all do). The calls' rows keep `started_at` as exported.
"""

from __future__ import annotations

import sqlite3

from qa_audit.store.errors import SchemaTooNew

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            options TEXT NOT NULL,
            rules_hash TEXT NOT NULL,
            counts TEXT,
            status TEXT NOT NULL
                CHECK (status IN ('running', 'finished', 'failed', 'interrupted'))
        )""",
        """CREATE TABLE calls (
            transcript_id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            rules_hash TEXT NOT NULL,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            agent_id TEXT NOT NULL,
            started_key TEXT NOT NULL,
            started_date TEXT,
            row TEXT NOT NULL
        )""",
        "CREATE INDEX calls_agent ON calls (agent_id, started_key, transcript_id, started_date)",
        "CREATE INDEX calls_started ON calls (started_key, transcript_id, started_date)",
        """CREATE TABLE findings (
            transcript_id TEXT NOT NULL REFERENCES calls(transcript_id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            row TEXT NOT NULL,
            PRIMARY KEY (transcript_id, seq)
        )""",
        """CREATE TABLE run_inputs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            transcript_id TEXT NOT NULL REFERENCES calls(transcript_id) ON DELETE CASCADE,
            agent_id TEXT NOT NULL,
            PRIMARY KEY (run_id, transcript_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX run_inputs_agent ON run_inputs (run_id, agent_id, transcript_id)",
        "CREATE INDEX run_inputs_transcript ON run_inputs (transcript_id)",
        """CREATE TRIGGER calls_agent_changed AFTER UPDATE OF agent_id ON calls
            WHEN OLD.agent_id IS NOT NEW.agent_id
            BEGIN
                UPDATE run_inputs SET agent_id = NEW.agent_id WHERE transcript_id = NEW.transcript_id;
            END""",
        """CREATE TABLE run_errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            line INTEGER,
            reason TEXT NOT NULL
        )""",
        "CREATE INDEX run_errors_run ON run_errors (run_id, id)",
    ),
    (
        """UPDATE calls
            SET started_key = strftime('%Y-%m-%dT%H:%M:%S', started_key, '+8 hours') || '+08:00',
                started_date = strftime('%Y-%m-%d', started_key, '+8 hours')
            WHERE (started_key GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'
                OR started_key GLOB
                    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9]:[0-9][0-9]')
                AND started_key NOT GLOB '*+08:00'
                AND strftime('%Y-%m-%d', started_key, '+8 hours') IS NOT NULL""",
    ),
)

LATEST = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    """The number of migration steps applied to this database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_known(conn: sqlite3.Connection, where: str) -> int:
    """Refuse a database from a newer qa-audit rather than misread or damage it."""
    found = version(conn)
    if found > LATEST:
        raise SchemaTooNew(
            f"database {where} has schema version {found}, but this qa-audit knows only up to "
            f"{LATEST}; upgrade qa-audit to use it"
        )
    return found


def migrate(conn: sqlite3.Connection, where: str) -> None:
    """Apply the missing steps in one transaction. The caller holds the writer lock."""
    if check_known(conn, where) == LATEST:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again inside the transaction: the version cannot change under us now.
        for steps in MIGRATIONS[check_known(conn, where) :]:
            for sql in steps:
                conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {LATEST}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
