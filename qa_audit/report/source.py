"""What a report reads: the rows of one period, grouped by agent, streamed.

The Excel writer never holds a night's batch in memory. It asks a `ReportSource` for the
agents, then streams each agent's rows in turn. The history database implements this
protocol (so `qa-audit report` rebuilds any period), and so does `MemorySource` for
small in-process runs and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from qa_audit.clock import centre_key
from qa_audit.records import Row, mask_call, mask_finding


class ReportSource(Protocol):
    """Rows for one report. See `qa_audit.records` for the keys of call and finding rows."""

    def agent_ids(self) -> list[str]:
        """Every agent with at least one call in the period, sorted."""
        ...

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        """Call rows (all, or one agent's), ordered by start (`clock.centre_key`) then transcript_id."""
        ...

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        """Finding rows (all, or one agent's), ordered by transcript, then turn."""
        ...

    def errors(self) -> Iterator[Row] | None:
        """Inputs that were skipped: rows with path, line (or None) and reason.

        None when the source cannot know them (a period rebuilt from the history: skipped
        inputs belong to the nightly runs), so a report never says "none were skipped"
        when it simply was not told.
        """
        ...


class MemorySource:
    """A `ReportSource` over rows already in memory: for tests and small batches."""

    def __init__(self, calls: Iterable[Row], findings: Iterable[Row], errors: Iterable[Row] = ()) -> None:
        # In the history database's order: by the start on the centre's clock, so calls
        # exported in different time zones still come in the order they happened.
        self._calls = sorted(calls, key=lambda r: (centre_key(r.get("started_at")), r["transcript_id"]))
        self._findings = sorted(
            findings, key=lambda r: (r["transcript_id"], -1 if r.get("turn") is None else r["turn"])
        )
        self._errors = list(errors)

    def agent_ids(self) -> list[str]:
        return sorted({r["agent_id"] for r in self._calls})

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        return (r for r in self._calls if agent_id is None or r["agent_id"] == agent_id)

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        return (r for r in self._findings if agent_id is None or r["agent_id"] == agent_id)

    def errors(self) -> Iterator[Row]:
        return iter(self._errors)


class MaskedSource:
    """Another source's rows with personal numbers masked.

    The history database holds rows as the run that audited them wrote them: masked, or
    not when that run was asked for `--no-mask`. A report rebuilt from it masks them again
    (masking is idempotent), so a report is unmasked only when its own command says so.
    """

    def __init__(self, source: ReportSource) -> None:
        self._source = source

    def agent_ids(self) -> list[str]:
        return self._source.agent_ids()

    def calls(self, agent_id: str | None = None) -> Iterator[Row]:
        return map(mask_call, self._source.calls(agent_id))

    def findings(self, agent_id: str | None = None) -> Iterator[Row]:
        return map(mask_finding, self._source.findings(agent_id))

    def errors(self) -> Iterator[Row] | None:
        return self._source.errors()
