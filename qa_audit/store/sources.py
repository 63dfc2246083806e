"""ReportSource implementations over the history database: one run's input, or a period.

Both are the same three queries over `calls` narrowed by a scope (a join and a condition
on the call alias `c`); only the scope and the errors differ. Every query streams from a
cursor, and each is shaped so an index delivers the protocol's order without a sort:
calls by (agent_id, started_key, transcript_id) or (started_key, transcript_id), findings
by (agent_id, transcript_id, seq) or their primary key (transcript_id, seq).

Each method runs its own query, so a source read while a run commits may see the newer
rows in a later call; a run's own report is built after it flushes, so it is consistent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from qa_audit.records import Row


class DbSource:
    """The rows of the calls a scope selects, streamed in the ReportSource protocol's order."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        join: str,
        where: str,
        params: dict[str, Any],
        run_id: int | None,
    ) -> None:
        self._conn = conn
        self._join = join
        self._where = where
        self._params = params
        self._run_id = run_id

    def agent_ids(self) -> list[str]:
        """Every agent with at least one call in scope, sorted (a few thousand at most)."""
        sql = f"SELECT DISTINCT c.agent_id FROM calls c {self._join} WHERE {self._where} ORDER BY 1"
        return [agent for (agent,) in self._conn.execute(sql, self._params)]

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        """Call rows, ordered by started_at (missing first) then transcript_id."""
        where, params = self._for_agent("c", agent_id)
        sql = f"SELECT c.row FROM calls c {self._join} WHERE {where} ORDER BY c.started_key, c.transcript_id"
        return _rows(self._conn, sql, params)

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        """Finding rows, ordered by transcript, then turn (call-level findings first)."""
        where, params = self._for_agent("f", agent_id)
        sql = (
            "SELECT f.row FROM findings f JOIN calls c ON c.transcript_id = f.transcript_id"
            f" {self._join} WHERE {where} ORDER BY f.transcript_id, f.seq"
        )
        return _rows(self._conn, sql, params)

    def errors(self) -> Iterator[Row]:
        """The run's unreadable inputs in the order met; a period has none (errors belong to runs)."""
        if self._run_id is None:
            return iter(())
        sql = "SELECT path, line, reason FROM run_errors WHERE run_id = ? ORDER BY id"
        return _stream(
            self._conn, sql, (self._run_id,), lambda r: dict(zip(("path", "line", "reason"), r, strict=True))
        )

    def _for_agent(self, alias: str, agent_id: str | None) -> tuple[str, dict[str, Any]]:
        if agent_id is None:
            return self._where, self._params
        return f"{self._where} AND {alias}.agent_id = :agent_id", {**self._params, "agent_id": agent_id}


def run_source(conn: sqlite3.Connection, run_id: int) -> DbSource:
    """Every transcript the run's input covered, audited then or unchanged from before."""
    join = "JOIN run_inputs i ON i.transcript_id = c.transcript_id AND i.run_id = :run_id"
    return DbSource(conn, join, "1", {"run_id": run_id}, run_id)


def period_source(
    conn: sqlite3.Connection, date_from: date | None, date_to: date | None, agent_ids: Sequence[str]
) -> DbSource:
    """Calls whose started_at date is within [date_from, date_to], optionally for some agents.

    The bounds are written on `started_key` rather than `started_date` so the ordering
    indexes also serve the range; for a call with a date, its key starts with that date,
    so the two agree. Calls without a date only match an unbounded period.
    """
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if date_from is not None or date_to is not None:
        conditions.append("c.started_date IS NOT NULL")
    if date_from is not None:
        conditions.append("c.started_key >= :date_from")
        params["date_from"] = date_from.isoformat()
    if date_to is not None and date_to < date.max:
        conditions.append("c.started_key < :date_after")
        params["date_after"] = (date_to + timedelta(days=1)).isoformat()
    if agent_ids:
        conditions.append("c.agent_id IN (SELECT value FROM json_each(:agent_ids))")
        params["agent_ids"] = json.dumps(list(agent_ids), ensure_ascii=False)
    return DbSource(conn, "", " AND ".join(conditions) or "1", params, None)


def _rows(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> Iterator[Row]:
    return _stream(conn, sql, params, lambda r: json.loads(r[0]))


def _stream(conn: sqlite3.Connection, sql: str, params: Any, make: Callable[[tuple[Any, ...]], Row]) -> Iterator[Row]:
    """Yield rows as SQLite steps, closing the cursor even when the reader stops early,
    so an abandoned report does not keep an old WAL snapshot pinned."""
    cursor = conn.execute(sql, params)
    try:
        for record in cursor:
            yield make(record)
    finally:
        cursor.close()
