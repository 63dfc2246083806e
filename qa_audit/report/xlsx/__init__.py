"""Excel workbooks for supervisors: one per agent, plus `overview.xlsx`.

    from qa_audit.report.xlsx import write_workbooks
    paths = write_workbooks(source, Path("out"), period="2026-11-19 至 2026-11-21")

Memory stays flat however large the batch: one streaming pass over the call rows gathers
per-agent counters (`stats`), then each agent's calls and findings are streamed from the
source straight into write-only sheets, and the overview's red-line list is streamed into
its own open write-only sheet along the way. Every file is written to a temporary name and
renamed into place (`atomic`), and no cell ever holds a formula (`cells`).
"""

from __future__ import annotations

from pathlib import Path

from qa_audit.report.source import ReportSource
from qa_audit.report.xlsx import atomic
from qa_audit.report.xlsx.agent import write_agent
from qa_audit.report.xlsx.files import OVERVIEW, Names
from qa_audit.report.xlsx.overview import Overview
from qa_audit.report.xlsx.stats import RuleTally, Settings, gather

__all__ = ["write_workbooks"]


def write_workbooks(
    source: ReportSource,
    out_dir: Path,
    *,
    period: str | None = None,
    pass_mark: float = 80.0,
    talk_target: float = 0.30,
) -> list[Path]:
    """Write each agent's workbook and `overview.xlsx` into `out_dir`; return their paths.

    `period` labels the report ("2026-11-19 至 2026-11-21"); by default it is the first and
    last day of the calls. `pass_mark` and `talk_target` are what scores and talk shares
    are held against in the summaries and the red/amber highlighting. The agents'
    workbooks come first in the returned list, in `source.agent_ids()` order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    totals = gather(source.calls())
    settings = Settings(period or totals.period(), pass_mark, talk_target)
    names = Names()
    agents = [totals.agents[a] for a in source.agent_ids() if a in totals.agents]
    for agent in agents:
        agent.file_name = names.take(agent.agent_id, agent.name)

    overview = Overview(totals, settings, source.errors())
    centre: dict[str, RuleTally] = {}
    paths: list[Path] = []
    with atomic.discarding(overview.wb):
        for agent in agents:
            path = out_dir / agent.file_name
            for rule_id, rule in write_agent(source, agent, totals, settings, path, overview.add_red_line).items():
                centre.setdefault(rule_id, RuleTally(rule_id, rule.check, rule.severity)).merge(rule)
            paths.append(path)
        paths.append(overview.save(centre, out_dir / OVERVIEW))
    return paths
