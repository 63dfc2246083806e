"""The agent's talk share, as LABELING.md defines it, on both bases."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from qa_audit.model import Transcript, Turn
from qa_audit.talk import counted_chars, talk_share


def test_character_basis_counts_letters_and_digits_of_every_script_only() -> None:
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert counted_chars(ch) == (unicodedata.category(ch)[0] in "LN"), hex(cp)
    assert counted_chars("您好，iPhone 13！請稍候。") == 2 + 6 + 2 + 3


def test_time_basis_when_every_turn_is_timed_overlaps_included() -> None:
    t = Transcript("T", "A1", (
        Turn(0, "agent", "您好", 0.0, 4.0),
        Turn(1, "customer", "我想问一下话费", 3.0, 15.0),
        Turn(2, "system", "（排队提示）", None, None),
    ))
    share, basis = talk_share(t)
    assert basis == "time"
    assert share == pytest.approx(4 / 16)


def test_character_basis_when_some_turn_has_no_times() -> None:
    t = Transcript("T", "A1", (
        Turn(0, "agent", "您好，请讲。", 0.0, 2.0),
        Turn(1, "customer", "我的宽带断了", None, None),
    ))
    assert talk_share(t) == (pytest.approx(4 / 10), "chars")


def test_no_talk_at_all_has_no_share() -> None:
    assert talk_share(Transcript("T", "A1", (Turn(0, "system", "会话已结束"),))) == (None, "chars")
