"""`qa-audit check FILE` output: one conversation as a QA reviewer reads it on a terminal.

Each turn shows its number (counted from 1, as the evidence and the workbooks count),
speaker and time; the findings about a turn are printed
under it with the offending words marked (bold red on a colour terminal, 【…】 when
colour is off) and the rule id, message and evidence. Transcript-level findings
(greeting, closing, talk ratio) come first, with the score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import click

from qa_audit.labels import BASIS_NAMES, speaker_name
from qa_audit.records import Row

SEVERITY_COLOURS = {"critical": "red", "major": "red", "minor": "yellow", "info": "cyan"}


def mark(text: str, spans: Sequence[Sequence[int]], colour: bool) -> str:
    """`text` with each span highlighted, spans in original-text offsets."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        words = text[start:end]
        out.append(click.style(words, fg="red", bold=True) if colour else f"【{words}】")
        last = end
    out.append(text[last:])
    return "".join(out)


def _clock(seconds: float | None) -> str:
    """[mm:ss], or [h:mm:ss] from the first hour on, as a player shows the recording's position."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"[{hours}:{minutes:02d}:{secs:02d}] " if hours else f"[{minutes:02d}:{secs:02d}] "


def render(
    call: Row,
    findings: list[Row],
    turns: Sequence[tuple[str, str, float | None]],
    colour: bool,
    tokens: Sequence[list[str]] | None = None,
) -> str:
    """The terminal view of one audited call; `turns` are (speaker, text, start) as shown,
    `tokens` each turn's words as matched, printed under it when given."""
    by_turn: dict[int | None, list[Row]] = defaultdict(list)
    for f in findings:
        by_turn[f["turn"]].append(f)
    share = call["agent_talk_share"]
    share_text = "—" if share is None else f"{share:.0%}"
    verdict = "红线" if call["red_line"] else ("合格" if call["passed"] else "不合格")
    lines = [
        f"通话 {call['transcript_id']} · 坐席 {call['agent_id']} {call['agent_name']} · {call['channel']}",
        f"得分 {call['score']:.1f}（{verdict}） · 坐席说话占比 {share_text}"
        f"（{BASIS_NAMES.get(call['talk_basis'], call['talk_basis'])}） · 问题 {len(findings)} 个",
    ]
    for f in by_turn.get(None, []):
        lines.append(_finding_line(f, colour, indent=""))
    lines.append("")
    for index, (speaker, text, start) in enumerate(turns):
        spans = [s for f in by_turn.get(index, []) for s in f["spans"]]
        lines.append(f"{index + 1:>3} {_clock(start)}{speaker_name(speaker)}：{mark(text, spans, colour)}")
        if tokens is not None:
            lines.append(f"      分词：{' / '.join(tokens[index])}")
        for f in by_turn.get(index, []):
            lines.append(_finding_line(f, colour, indent="      "))
    return "\n".join(lines)


def _finding_line(f: Row, colour: bool, indent: str) -> str:
    code = f"{f['rule_id']} {f['severity']}"
    if colour:
        code = click.style(code, fg=SEVERITY_COLOURS.get(f["severity"], "white"), bold=True)
    line = f"{indent}▲ {code} {f['message']}"
    if f.get("deduction"):
        line += f"（扣 {f['deduction']:g} 分）"
    if f.get("evidence"):
        line += f"\n{indent}  依据：{f['evidence']}"
    return line
