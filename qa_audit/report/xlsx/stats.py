"""The numbers of a report, gathered in one streaming pass over the call rows.

A night's batch can hold thousands of agents and a million findings, so nothing here
keeps a list of calls: each agent has a `Tally` of sums and counts, teams and the whole
centre are sums of those, and the per-agent detail is streamed again later, one agent at
a time. The memory this takes grows with the number of agents, checks, and teams times days
(for the trend sheets), never with the number of calls or findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from qa_audit.clock import centre_time
from qa_audit.labels import order_checks
from qa_audit.records import Row
from qa_audit.report.standard import Standard
from qa_audit.report.xlsx.style import display_width

NO_TEAM = "未分组"


@dataclass(frozen=True)
class Settings:
    """What the caller decides about a report: its period label, the pass mark, and talk share.

    Talk share has a target (30%: the 7:3 listening standard) and a limit above which
    the rule flags a call (40% in the default pack). A supervisor must be able to tell
    them apart: the target is what the notes measure an agent's average against, and
    only the calls the rule flags are highlighted.
    """

    period: str
    pass_mark: float
    standard: Standard = field(default_factory=Standard)
    """What the rule pack says (`report.standard`): the talk-share rule's check, target and
    limit, the per-call caps."""

    @property
    def talk_target(self) -> float:
        return self.standard.talk_target

    def deduction_note(self, rule_id: str, deduction: object) -> str:
        """Why a finding cost less than its rule's weight, or '' when it did not."""
        weight, cap = self.standard.caps.get(rule_id, (0.0, 0.0))
        if not isinstance(deduction, (int, float)) or deduction >= weight:
            return ""
        if deduction == 0:
            return f"（本规则每通最多扣 {cap:g} 分，已扣满，此条不再扣分）"
        return f"（本规则每通最多扣 {cap:g} 分，此条只扣 {deduction:g} 分）"

    def talk_standard(self) -> str:
        """The subtitle's words for talk share: the target, and the limit when it is known."""
        target, limit = f"说话占比目标 {self.talk_target:.0%}", self.standard.talk_limit
        return target if limit is None else f"{target}，单通超过 {limit} 记为问题"

    def talk_note(self, tally: Tally) -> str:
        """A set of calls' average talk share against the target, in 个百分点, and how many
        calls the rule flagged: the average alone says nothing about the limit."""
        share = tally.avg_talk
        if share is None:
            return "无说话时长或字数数据"
        gap = (share - self.talk_target) * 100
        if abs(gap) < 0.05:
            note = f"目标 {self.talk_target:.0%}，正好达标"
        else:
            note = f"目标 {self.talk_target:.0%}，{'高出' if gap > 0 else '低于'}目标 {abs(gap):.1f} 个百分点"
        limit = self.standard.talk_limit
        if limit is None:
            return note
        over = tally.check_calls[self.standard.talk_check]
        if not over:
            return f"{note}；没有通话超过 {limit}"
        return f"{note}；{over} 通超过 {limit}，记为问题"


@dataclass(slots=True)
class Tally:
    """Sums over a set of calls (one agent's, a team's, everyone's)."""

    calls: int = 0
    scored: int = 0
    score_sum: float = 0.0
    passed: int = 0
    red_line: int = 0
    talk_n: int = 0
    talk_sum: float = 0.0
    findings: int = 0
    check_calls: Counter[str] = field(default_factory=Counter)
    """Per check, the calls with at least one finding of it."""
    check_exempt: Counter[str] = field(default_factory=Counter)
    """Per check, the calls of a channel it does not look at (`Standard.channels`)."""

    def add_call(self, row: Row, standard: Standard) -> None:
        """Count one call; `standard` says which checks do not look at its channel. A check
        limited to other channels counts neither the call nor its findings (a report rebuilt
        with a site pack over history audited before the limit), so a rate stays a share."""
        self.calls += 1
        channel = row.get("channel")
        self.check_exempt.update(c for c in standard.channels if not standard.applies(c, channel))
        if row.get("score") is not None:
            self.scored += 1
            self.score_sum += row["score"]
        self.passed += bool(row.get("passed"))
        self.red_line += bool(row.get("red_line"))
        if row.get("agent_talk_share") is not None:
            self.talk_n += 1
            self.talk_sum += row["agent_talk_share"]
        self.findings += int(row.get("findings") or 0)
        self.check_calls.update(
            check for check, n in (row.get("violations") or {}).items() if n and standard.applies(check, channel)
        )

    def merge(self, other: Tally) -> None:
        self.calls += other.calls
        self.scored += other.scored
        self.score_sum += other.score_sum
        self.passed += other.passed
        self.red_line += other.red_line
        self.talk_n += other.talk_n
        self.talk_sum += other.talk_sum
        self.findings += other.findings
        self.check_calls.update(other.check_calls)
        self.check_exempt.update(other.check_exempt)

    @property
    def avg_score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.calls if self.calls else None

    @property
    def avg_talk(self) -> float | None:
        return self.talk_sum / self.talk_n if self.talk_n else None

    def rate(self, check: str) -> float | None:
        """Share of the calls `check` looks at with at least one finding of it (None: no such call)."""
        looked_at = self.calls - self.check_exempt[check]
        return self.check_calls[check] / looked_at if looked_at else None


@dataclass(slots=True)
class Agent:
    """One agent: who, in which team, their tally and where their workbook goes."""

    agent_id: str
    name: str
    team: str
    tally: Tally = field(default_factory=Tally)
    id_width: float = 0.0
    """Widest call id, so the id column fits without holding the ids."""
    rank: int = 0
    team_rank: int = 0
    file_name: str = ""
    """The agent's workbook in the output folder; empty when this report does not write it."""
    first_day: date | None = None
    last_day: date | None = None
    """The first and last day with a dated call: two dates tell whether a trend is worth a sheet."""

    @property
    def several_days(self) -> bool:
        """Whether the agent's dated calls fall on two or more days."""
        return self.first_day is not None and self.first_day != self.last_day

    @property
    def display(self) -> str:
        """王小明（A1024）, or the id alone when the rows carry no name."""
        return f"{self.name}（{self.agent_id}）" if self.name else self.agent_id

    def attention(self, pass_mark: float) -> str:
        """Why a supervisor should look at this agent first ("红线 1 通；平均分低于合格线"),
        or "" when nothing calls for it.

        A red line (一票否决) or an average below the pass mark is what a centre acts on
        whatever the ranking says: the last of 60 agents can be fine, the tenth can have
        sworn at a customer.
        """
        reasons = []
        if self.tally.red_line:
            reasons.append(f"红线 {self.tally.red_line} 通")
        if self.tally.avg_score is not None and shown_score(self.tally.avg_score) < pass_mark:
            reasons.append("平均分低于合格线")
        return "；".join(reasons)


@dataclass(slots=True)
class Totals:
    """Everything the summaries need, from one pass over the call rows."""

    agents: dict[str, Agent]
    checks: list[str]
    """The checks with a column, in `labels.order_checks` order: the pack's and any found in the rows."""
    teams: dict[str, Tally]
    overall: Tally
    first_day: str | None
    last_day: str | None
    team_sizes: Counter[str]
    rule_width: float
    team_days: dict[str, dict[date, Tally]]
    """Per team, per day: what each agent's daily figures are held against on the trend sheet."""

    def ranking(self) -> list[Agent]:
        """Agents best first: by average score as shown (`shown_score`), then pass rate,
        fewer red lines, id."""
        return sorted(
            self.agents.values(),
            key=lambda a: (
                -_shown_or_last(a),
                -(a.tally.pass_rate or 0.0),
                a.tally.red_line,
                a.agent_id,
            ),
        )

    def needing_attention(self, pass_mark: float) -> list[Agent]:
        """The agents with a reason for attention (`Agent.attention`), worst first: the
        most red-line calls, then the lowest average score."""
        return sorted(
            (a for a in self.agents.values() if a.attention(pass_mark)),
            key=lambda a: (-a.tally.red_line, _shown_or_last(a), a.agent_id),
        )

    def period(self) -> str:
        """The label from the calls' own first and last day ("2026-11-19 至 2026-11-21")."""
        if self.first_day is None or self.last_day is None:
            return "—"
        if self.first_day == self.last_day:
            return self.first_day
        return f"{self.first_day} 至 {self.last_day}"


def parse_time(value: object) -> datetime | None:
    """`started_at` as the centre's wall clock (Beijing time), or None if unreadable.

    Excel cells have no time zone, and a supervisor reads start times and days on the
    centre's clock (08:00 is when the morning shift starts), so an offset is converted to
    UTC+8 (`clock.centre_time`) and then dropped; a time without one is shown as written.
    """
    moment = centre_time(value)
    return None if moment is None else moment.replace(tzinfo=None)


def day_of(row: Row) -> date | None:
    """The day a call started on, on the centre's clock (as `parse_time`), or None."""
    started = parse_time(row.get("started_at"))
    return None if started is None else started.date()


def tally_days(calls: Iterable[Row], into: dict[date, Tally], standard: Standard) -> Iterable[Row]:
    """Pass `calls` through unchanged while summing the dated ones per day into `into`."""
    for row in calls:
        day = day_of(row)
        if day is not None:
            into.setdefault(day, Tally()).add_call(row, standard)
        yield row


def shown_score(score: float) -> float:
    """`score` as a cell formatted 0.0 shows it: rounded half up on its first 15 digits.

    Ranks follow what the supervisor reads: two agents shown at 88.2 share a rank even
    when one averages 88.24 and the other 88.2 (ranks 4, 4, 6, 6 over four rows of 88.2
    look like a mistake). Excel and LibreOffice show the 15 significant digits they
    keep, rounded half away from zero: 88.25 is shown as 88.3 (Python's round() gives
    88.2, half to even), and so is 88.24999999999999, a sum's rounding error.
    """
    return float(Decimal(f"{score:.15g}").quantize(Decimal("0.1"), ROUND_HALF_UP))


def _shown_or_last(agent: Agent) -> float:
    """An agent's shown average score; an agent without scores ranks last."""
    return -1.0 if agent.tally.avg_score is None else shown_score(agent.tally.avg_score)


def _competition_ranks(agents: list[Agent]) -> list[int]:
    """1, 2, 2, 4: agents with the same average score, as shown, share a rank."""
    ranks: list[int] = []
    for i, agent in enumerate(agents):
        if i and _shown_or_last(agent) == _shown_or_last(agents[i - 1]):
            ranks.append(ranks[-1])
        else:
            ranks.append(i + 1)
    return ranks


def gather(calls: Iterable[Row], standard: Standard) -> Totals:
    """One pass over every call row: per-agent tallies, team sums (also per day), checks, period.

    `standard.checks` are the checks of the rule pack the report is made with: each gets its
    column even when no call of the period hit it, so the columns of a night's workbooks
    are those of every other night (a supervisor's filters and lookups keep working, and
    a check at 0% is shown as good news, not left out). A check found in the rows but not
    in them (calls audited with an older or a site pack) gets its column too.
    """
    agents: dict[str, Agent] = {}
    seen: set[str] = set(standard.checks)
    first: datetime | None = None
    last: datetime | None = None
    rule_width = 0.0
    team_days: dict[str, dict[date, Tally]] = {}
    for row in calls:
        agent_id = str(row["agent_id"])
        agent = agents.get(agent_id)
        if agent is None:
            agent = Agent(agent_id, str(row.get("agent_name") or ""), str(row.get("team") or NO_TEAM))
            agents[agent_id] = agent
        agent.tally.add_call(row, standard)
        agent.id_width = max(agent.id_width, display_width(str(row["transcript_id"])))
        seen.update(row.get("violations") or ())
        rule_width = max([rule_width, *(display_width(r) for r in row.get("rules") or ())])
        started = parse_time(row.get("started_at"))
        if started is not None:
            first = started if first is None or started < first else first
            last = started if last is None or started > last else last
            day = started.date()
            agent.first_day = day if agent.first_day is None or day < agent.first_day else agent.first_day
            agent.last_day = day if agent.last_day is None or day > agent.last_day else agent.last_day
            team_days.setdefault(agent.team, {}).setdefault(day, Tally()).add_call(row, standard)

    teams: dict[str, Tally] = {}
    overall = Tally()
    for agent in agents.values():
        teams.setdefault(agent.team, Tally()).merge(agent.tally)
        overall.merge(agent.tally)
    totals = Totals(
        team_sizes=Counter(a.team for a in agents.values()),
        agents=agents,
        checks=order_checks(seen),
        teams=dict(sorted(teams.items())),
        overall=overall,
        first_day=first.date().isoformat() if first else None,
        last_day=last.date().isoformat() if last else None,
        rule_width=rule_width,
        team_days=team_days,
    )
    ranked = totals.ranking()
    for agent, rank in zip(ranked, _competition_ranks(ranked), strict=True):
        agent.rank = rank
    members: dict[str, list[Agent]] = {}
    for agent in ranked:
        members.setdefault(agent.team, []).append(agent)
    for team_members in members.values():
        for agent, rank in zip(team_members, _competition_ranks(team_members), strict=True):
            agent.team_rank = rank
    return totals


_MESSAGE_KINDS = 50
"""Distinct messages a rule's tally keeps counts of: a rule fills in a few kinds of words
(what is missing, the phrase said), so this bounds memory, not what is shown."""

_BOUNDARY = "：:，,；;、（()）。 "


@dataclass(slots=True)
class RuleTally:
    """How often one rule fired in a set of findings, and how to describe it in one line."""

    rule_id: str
    check: str
    severity: str
    findings: int = 0
    calls: int = 0
    agents: int = 0
    points: float = 0.0
    """Points the findings deducted (caps applied): what the rule cost in scores."""
    red_lines: int = 0
    """Findings that were red lines (一票否决)."""
    words: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)
    _last_call: object = field(default=None, init=False, repr=False)

    def add(self, row: Row) -> None:
        """Count one finding; rows arrive grouped by call, so a new call id is a new call."""
        self.findings += 1
        self.points += float(row.get("deduction") or 0.0)
        self.red_lines += bool(row.get("red_line"))
        if row["transcript_id"] != self._last_call:
            self.calls += 1
            self._last_call = row["transcript_id"]
        self.words.update(w for w in row.get("matched") or () if w)
        self._count_message(str(row.get("message") or ""), 1)

    def merge(self, other: RuleTally) -> None:
        """Fold one agent's tally into the centre's: that agent is one more who hit the rule."""
        self.findings += other.findings
        self.calls += other.calls
        self.agents += 1
        self.points += other.points
        self.red_lines += other.red_lines
        self.words.update(other.words)
        for message, count in other.messages.items():
            self._count_message(message, count)

    def _count_message(self, message: str, count: int) -> None:
        if message in self.messages or len(self.messages) < _MESSAGE_KINDS:
            self.messages[message] += count

    @property
    def message(self) -> str:
        """The rule's message without the part that differs from finding to finding.

        Messages fill words in ("服务禁语（不耐烦）：急什么", "坐席说话占比 49%，超过上限 40%");
        across findings the common beginning and end describe the rule, cut at punctuation
        so no word is cut in half ("三不知答复：…", "坐席说话占比 …，超过上限 40%（说听比 7:3）").
        """
        if len(self.messages) <= 1:
            return next(iter(self.messages), "")
        head, tail = _common_ends(list(self.messages))
        if not head and not tail:
            return "（说明因问题而异）"
        return f"{head}…{tail}"

    def top_words(self, n: int = 3) -> str:
        """The words most often found, with counts: "急什么×5、有完没完×2".

        A rule that finds no words (a greeting lacking its offer of help) is summed up by
        what its messages fill in instead, when those are a few names: "服务用语×12、问候语、
        服务用语×2"; measured values (a talk share) are not words and are left out.
        """
        if self.words:
            return _with_counts(self.words.most_common(n))
        if not 1 < len(self.messages) <= n:
            return ""
        head, tail = _common_ends(list(self.messages))
        parts: Counter[str] = Counter()
        for message, count in self.messages.items():
            parts[message[len(head):len(message) - len(tail)]] += count
        if any(ch.isdigit() for part in parts for ch in part):
            return ""
        return _with_counts(parts.most_common(n))


def _with_counts(counted: list[tuple[str, int]]) -> str:
    return "、".join(f"{w}×{c}" if c > 1 else w for w, c in counted)


def _common_ends(messages: list[str]) -> tuple[str, str]:
    """The longest beginning and end all `messages` share, each cut back to punctuation."""
    head = min(messages, key=len)
    for message in messages:
        n = 0
        while n < len(head) and head[n] == message[n]:
            n += 1
        head = head[:n]
    while head and head[-1] not in _BOUNDARY:
        head = head[:-1]
    rest = [m[len(head):] for m in messages]
    tail = min(rest, key=len)
    for message in rest:
        n = 0
        while n < len(tail) and tail[-1 - n] == message[-1 - n]:
            n += 1
        tail = tail[len(tail) - n:]
    while tail and tail[0] not in _BOUNDARY:
        tail = tail[1:]
    return head, tail


def tally_rules(findings: Iterable[Row], into: dict[str, RuleTally]) -> Iterable[Row]:
    """Pass `findings` through unchanged while counting them per rule into `into`."""
    for row in findings:
        rule_id = str(row["rule_id"])
        rule = into.get(rule_id)
        if rule is None:
            rule = into[rule_id] = RuleTally(rule_id, str(row.get("check") or ""), str(row.get("severity") or ""))
        rule.add(row)
        yield row


def top_rules(rules: dict[str, RuleTally], n: int | None = None) -> list[RuleTally]:
    """Most frequent first; ties by rule id so reruns put them in the same order."""
    ranked = sorted(rules.values(), key=lambda r: (-r.findings, r.rule_id))
    return ranked if n is None else ranked[:n]
