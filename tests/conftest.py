"""Shared fixtures: the default pack and its auditor are built once per test session."""

from __future__ import annotations

import pytest

from qa_audit.engine import Auditor
from qa_audit.model import Transcript, Turn
from qa_audit.rules.pack import RulePack, load_pack


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack()


@pytest.fixture(scope="session")
def auditor(pack: RulePack) -> Auditor:
    return Auditor(pack)


def conversation(*lines: str, channel: str = "call", tid: str = "T1") -> Transcript:
    """A transcript from lines written `坐席: …` / `客户: …` / `系统: …`."""
    roles = {"坐席": "agent", "客户": "customer", "系统": "system"}
    turns = []
    for i, line in enumerate(lines):
        role, _, text = line.partition(": ")
        turns.append(Turn(i, roles[role], text))
    return Transcript(id=tid, agent_id="A1001", agent_name="陈静", team="客服一组", turns=tuple(turns), channel=channel)
