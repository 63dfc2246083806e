"""ReportSource implementations over the history database: one run's input, or a period.

A report asks for the agents, then for each of thousands of agents in turn, so every
per-agent query starts from an index range holding just that agent's part of the scope
(`run_inputs_agent` for a run, `calls_agent` for a period) and costs what that part
holds, never the whole history or the whole run. `INDEXED BY` and `CROSS JOIN` pin that
plan: without statistics SQLite prefers an index that spares it a sort, and would walk
the whole run for each agent. Only that small per-agent (or per-transcript) part of the
protocol's order is sorted; rows stream from cursors.

Each method runs its own query, so a source read while a run commits may see the newer
rows in a later call; a run's own report is built after it flushes, so it is consistent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from qa_audit.records import Row, from_json

T = TypeVar("T")


class RunSource:
    """Every transcript the run's input covered, audited then or unchanged from before,
    with its latest stored result, plus the inputs the run could not read."""

    def __init__(self, conn: sqlite3.Connection, run_id: int) -> None:
        self._conn = conn
        self._run_id = run_id

    def agent_ids(self) -> list[str]:
        sql = "SELECT DISTINCT agent_id FROM run_inputs WHERE run_id = ? ORDER BY agent_id"
        return [agent for (agent,) in self._conn.execute(sql, (self._run_id,))]

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        return _rows(self._conn, *self._calls_query(agent_id))

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        return _rows(self._conn, *self._findings_query(agent_id))

    def call_lines(self) -> Iterator[str]:
        """Every row of `calls()` as the JSON text it is stored as: calls.jsonl needs no decoding."""
        return _stream(self._conn, *self._calls_query(None), lambda r: r[0])

    def finding_lines(self) -> Iterator[str]:
        """Every row of `findings()` as its stored JSON text."""
        return _stream(self._conn, *self._findings_query(None), lambda r: r[0])

    def _calls_query(self, agent_id: str | None) -> tuple[str, dict[str, Any]]:
        inputs, where, params = self._scope(agent_id)
        sql = (
            f"SELECT c.row FROM {inputs} CROSS JOIN calls c ON c.transcript_id = i.transcript_id"
            f" WHERE {where} ORDER BY c.started_key, c.transcript_id"
        )
        return sql, params

    def _findings_query(self, agent_id: str | None) -> tuple[str, dict[str, Any]]:
        inputs, where, params = self._scope(agent_id)
        sql = (
            f"SELECT f.row FROM {inputs} CROSS JOIN findings f ON f.transcript_id = i.transcript_id"
            f" WHERE {where} ORDER BY i.transcript_id, f.seq"
        )
        return sql, params

    def errors(self) -> Iterator[Row]:
        sql = "SELECT path, line, reason FROM run_errors WHERE run_id = ? ORDER BY id"
        keys = ("path", "line", "reason")
        return _stream(self._conn, sql, (self._run_id,), lambda r: dict(zip(keys, r, strict=True)))

    def _scope(self, agent_id: str | None) -> tuple[str, str, dict[str, Any]]:
        """The inputs table `i` to start from, its condition, and the parameters."""
        if agent_id is None:
            return "run_inputs i", "i.run_id = :run_id", {"run_id": self._run_id}
        return (
            "run_inputs i INDEXED BY run_inputs_agent",
            "i.run_id = :run_id AND i.agent_id = :agent_id",
            {"run_id": self._run_id, "agent_id": agent_id},
        )


class PeriodSource:
    """Calls whose day on the centre's clock (Beijing time, `clock.centre_day`) is within
    [date_from, date_to] (either bound may be open), optionally only some agents'. Calls
    without a date match only an unbounded period. A period does not know its skipped
    inputs: those belong to the runs (`errors` is None).

    The bounds compare `started_key` so the ordering indexes also serve the range: a call
    with a date has a key that starts with it. `started_date IS NOT NULL` drops calls whose
    key is not a date (no start time, or unparseable text), read from the same index.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        date_from: date | None,
        date_to: date | None,
        agent_ids: Sequence[str],
    ) -> None:
        self._conn = conn
        conditions: list[str] = []
        self._params: dict[str, Any] = {}
        if date_from is not None or date_to is not None:
            conditions.append("c.started_date IS NOT NULL")
        if date_from is not None:
            conditions.append("c.started_key >= :date_from")
            self._params["date_from"] = date_from.isoformat()
        if date_to is not None and date_to < date.max:
            conditions.append("c.started_key < :date_after")
            self._params["date_after"] = (date_to + timedelta(days=1)).isoformat()
        if agent_ids:
            # One JSON parameter rather than one per agent: no limit on how many are asked for.
            conditions.append("c.agent_id IN (SELECT value FROM json_each(:agent_ids))")
            self._params["agent_ids"] = json.dumps(list(agent_ids), ensure_ascii=False)
        self._where = " AND ".join(conditions) or "1"

    def agent_ids(self) -> list[str]:
        sql = f"SELECT DISTINCT c.agent_id FROM calls c WHERE {self._where} ORDER BY 1"
        return [agent for (agent,) in self._conn.execute(sql, self._params)]

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        calls, where, params = self._scope(agent_id)
        sql = f"SELECT c.row FROM {calls} WHERE {where} ORDER BY c.started_key, c.transcript_id"
        return _rows(self._conn, sql, params)

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        calls, where, params = self._scope(agent_id)
        if agent_id is None:
            # All agents: let the planner pick (it walks findings in key order, no sort).
            join = "findings f JOIN calls c ON c.transcript_id = f.transcript_id"
        else:
            join = f"{calls} CROSS JOIN findings f ON f.transcript_id = c.transcript_id"
        sql = f"SELECT f.row FROM {join} WHERE {where} ORDER BY f.transcript_id, f.seq"
        return _rows(self._conn, sql, params)

    def errors(self) -> None:
        """Unknown, not empty: a run's skipped inputs have no call date to fall in a period,
        and a report must not read "nothing skipped" into not having been told."""
        return None

    def _scope(self, agent_id: str | None) -> tuple[str, str, dict[str, Any]]:
        """The calls table `c` to start from, its condition, and the parameters."""
        if agent_id is None:
            return "calls c", self._where, self._params
        return (
            "calls c INDEXED BY calls_agent",
            f"{self._where} AND c.agent_id = :agent_id",
            {**self._params, "agent_id": agent_id},
        )


def _rows(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> Iterator[Row]:
    return _stream(conn, sql, params, lambda r: from_json(r[0]))


def _stream(conn: sqlite3.Connection, sql: str, params: Any, make: Callable[[tuple[Any, ...]], T]) -> Iterator[T]:
    """Yield rows as SQLite steps, closing the cursor even when the reader stops early,
    so an abandoned report does not keep an old WAL snapshot pinned."""
    cursor = conn.execute(sql, params)
    try:
        for record in cursor:
            yield make(record)
    finally:
        cursor.close()
