"""Excel workbooks for supervisors: one per agent, plus `overview.xlsx`.

    from qa_audit.report.xlsx import write_workbooks
    paths = write_workbooks(source, Path("out"), period="2026-11-19 至 2026-11-21")

Memory stays flat however large the batch: one streaming pass over the call rows gathers
per-agent counters (`stats`), then each agent's calls and findings are streamed from the
source straight into write-only sheets; each agent's red-line findings (few) are then
appended to the overview's open write-only sheet. openpyxl writes each sheet's
structure; long tables' rows are serialized directly (`book`, `sheetxml`). Every file is
written to a temporary name and renamed into place (`atomic`), and no cell ever holds a
formula (`cells`).

Agents' workbooks are independent of each other, and writing them is most of a night's
run time, so with `workers > 1` they are written by a pool of processes, each reading
the rows through its own source from `reopen`, opened once per worker (a database
connection must not cross a fork). The overview is still composed in this process, from the agents' results in
agent order, so it is the same whatever the number of workers.

`only` limits which agents' workbooks are written (`qa-audit report --agent`), not what
they are compared with: the totals, ranks and checks come from every call of the source,
and the other agents' findings are still counted for the overview, so an agent's
workbook and the overview are the same as in the report of everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from qa_audit.records import Row
from qa_audit.report.source import ReportSource
from qa_audit.report.standard import Standard
from qa_audit.report.xlsx import atomic
from qa_audit.report.xlsx.agent import write_agent
from qa_audit.report.xlsx.files import OVERVIEW, Names
from qa_audit.report.xlsx.overview import Overview
from qa_audit.report.xlsx.stats import Agent, RuleTally, Settings, Totals, gather, tally_rules
from qa_audit.workers import process_pool

__all__ = ["write_workbooks"]


def write_workbooks(
    source: ReportSource,
    out_dir: Path,
    *,
    standard: Standard | None = None,
    period: str | None = None,
    pass_mark: float = 80.0,
    workers: int = 1,
    reopen: Callable[[], ReportSource] | None = None,
    only: Collection[str] | None = None,
) -> list[Path]:
    """Write each agent's workbook and `overview.xlsx` into `out_dir`; return their paths.

    `period` labels the report ("2026-11-19 至 2026-11-21"); by default it is the first and
    last day of the calls. `pass_mark` is what scores are held against in the summaries
    and the red highlighting. The agents' workbooks come first in the returned list, in `source.agent_ids()` order.
    `workers > 1` writes agents' workbooks in parallel processes that read through
    `reopen()`; without `reopen` they are written here. `only` (agent ids) writes just
    those agents' workbooks; everything in them, and the overview, is still computed
    over every agent in `source` (the overview links only the workbooks written).

    `standard` holds what the rule pack the report is made with says (`report.standard`):
    each of its checks gets a column in every sheet that has one per check, in the same
    place every night, also when nobody hit it (a supervisor's filters and lookups keep
    working; 0% is news too). An audit passes the pack it audited with; `qa-audit report`
    the pack it loads (the default plus its `--rules`, the nights' pack when given the
    nights' `--rules`). That is the simplest honest source: nothing new is stored in the
    history, and a check found in the stored rows that the pack lacks still gets its
    column, so nothing stored is hidden. Without one (tests, library use) the columns are
    the checks found.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    standard = standard or Standard()
    totals = gather(source.calls(), standard)
    settings = Settings(period or totals.period(), pass_mark, standard)
    names = Names()
    agents = [totals.agents[a] for a in source.agent_ids() if a in totals.agents]
    for agent in agents:
        # Every agent takes a name, written or not, so that a chosen agent's file is
        # named as in the report of everyone (two ids may clean up to the same name).
        name = names.take(agent.agent_id, agent.name)
        agent.file_name = name if only is None or agent.agent_id in only else ""

    overview = Overview(totals, settings, source.errors())
    centre: dict[str, RuleTally] = {}
    paths: list[Path] = []
    job = _Job(totals, settings, out_dir)
    with atomic.discarding(overview.wb):
        for agent, (rules, red_lines) in zip(agents, _results(job, agents, source, workers, reopen), strict=True):
            for row in red_lines:
                overview.add_red_line(agent, row)
            for rule_id, rule in rules.items():
                centre.setdefault(rule_id, RuleTally(rule_id, rule.check, rule.severity)).merge(rule)
            if agent.file_name:
                paths.append(out_dir / agent.file_name)
        paths.append(overview.save(centre, out_dir / OVERVIEW))
    return paths


@dataclass(frozen=True)
class _Job:
    """What every agent's workbook needs besides the agent: shared by all workers."""

    totals: Totals
    settings: Settings
    out_dir: Path


_Written = tuple[dict[str, RuleTally], list[Row]]
"""An agent's findings counted per rule, and its red-line findings for the overview."""


def _write(job: _Job, source: ReportSource, agent: Agent) -> _Written:
    return write_agent(source, agent, job.totals, job.settings, job.out_dir / agent.file_name)


def _counted(source: ReportSource, agent: Agent) -> _Written:
    """What the overview needs of an agent whose workbook is not written: the same
    per-rule counts and red-line findings, from the same stream, without the workbook."""
    rules: dict[str, RuleTally] = {}
    red_lines = [row for row in tally_rules(source.findings(agent.agent_id), rules) if row.get("red_line")]
    return rules, red_lines


def _results(
    job: _Job, agents: list[Agent], source: ReportSource, workers: int, reopen: Callable[[], ReportSource] | None
) -> Iterator[_Written]:
    """Each agent's result, in agent order: written for agents with a file name, only counted for the rest."""
    with closing(_written(job, [a for a in agents if a.file_name], source, workers, reopen)) as written:
        for agent in agents:
            yield next(written) if agent.file_name else _counted(source, agent)


def _written(
    job: _Job, agents: list[Agent], source: ReportSource, workers: int, reopen: Callable[[], ReportSource] | None
) -> Iterator[_Written]:
    """Each agent's result, in agent order: from worker processes, or written one by one here."""
    if workers <= 1 or reopen is None or len(agents) < 2:
        for agent in agents:
            yield _write(job, source, agent)
        return
    with process_pool(min(workers, len(agents)), _init_worker, (job, reopen)) as pool:
        yield from pool.map(_write_in_worker, agents)


_WORKER: tuple[_Job, ReportSource] | None = None
"""The job and this worker's own source, set once per worker process by `_init_worker`."""


def _init_worker(job: _Job, reopen: Callable[[], ReportSource]) -> None:
    global _WORKER
    _WORKER = (job, reopen())


def _write_in_worker(agent: Agent) -> _Written:
    assert _WORKER is not None
    job, source = _WORKER
    return _write(job, source, agent)
