"""Whole-word phrase matching through the jieba segmenter, as users see it in findings."""

from __future__ import annotations

import pytest

from qa_audit.engine import Auditor
from qa_audit.rules.phrases import expand
from tests.conftest import conversation


def rule_hits(auditor: Auditor, text: str, check: str) -> list[tuple[str, tuple[str, ...]]]:
    findings = auditor.findings(conversation(f"坐席: {text}"))
    return [(f.rule_id, f.matched) for f in findings if f.check == check]


@pytest.mark.parametrize(
    "text",
    [
        "往下滚动页面到底部，点开滚动条旁边的设置。",
        "电视属于大件笨重商品，不用您寄。",
        "请问您是急什么时候用呢？",
        "不好意思，您那边声音有点不清楚，麻烦您稍微大声一点好吗？",
    ],
)
def test_taboo_characters_inside_other_words_do_not_fire(auditor: Auditor, text: str) -> None:
    assert rule_hits(auditor, text, "prohibited") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("App首页就有，这都找不到，怎么这么笨。", ("这都找不到", "怎么这么笨")),
        ("你有病吧，滚！", ("你有病", "滚")),
        ("這個我也不清楚，不歸我管。", ("不歸我管",)),
    ],
)
def test_taboos_fire_as_whole_words_and_show_the_original_text(
    auditor: Auditor, text: str, words: tuple[str, ...]
) -> None:
    matched = {w for _, ws in rule_hits(auditor, text, "prohibited") for w in ws}
    assert set(words) <= matched


def test_evidence_spans_are_offsets_into_the_original_traditional_text(auditor: Auditor) -> None:
    text = "我不是說過了嗎，左上角，首頁最上面那一行字。"
    (finding,) = [f for f in auditor.findings(conversation(f"坐席: {text}")) if f.check == "prohibited"]
    start, end = finding.spans[0]
    assert text[start:end] == "我不是說過了嗎"
    assert "我不是說過了嗎" in finding.message


def test_customer_words_are_never_the_agents_taboo(auditor: Auditor) -> None:
    conv = conversation("坐席: 您好，请讲。", "客户: 你们都是神经病，滚！", "坐席: 非常抱歉，我马上帮您处理。")
    assert [f for f in auditor.findings(conv) if f.check == "prohibited"] == []


def test_number_slots_match_time_frames(auditor: Auditor) -> None:
    conv = conversation("坐席: 等技术人员联系您吧，两个工作日内一定给您回电。")
    assert [f for f in auditor.findings(conv) if f.check == "non_answer"] == []
    conv = conversation("坐席: 等技术人员联系您吧。")
    assert [f.check for f in auditor.findings(conv) if f.check == "non_answer"] == ["non_answer"]


@pytest.mark.parametrize(
    "text",
    [
        "这个我也说不好，您打多少回都一样。",
        "这个我说不准，你打过去也一样。",
        "这个我不清楚，您打一下试试看吧。",
    ],
)
def test_a_numeral_inside_a_word_is_no_number(auditor: Auditor, text: str) -> None:
    # 一 in 一样 / 一下 once filled the number slot of the remedy 拨打…#, as if the agent
    # had given a phone number, and hid the non-answer
    assert [f.rule_id for f in auditor.findings(conversation(f"坐席: {text}")) if f.check == "non_answer"] == ["NAN001"]


@pytest.mark.parametrize(
    "text",
    [
        "这个我不清楚，第三方扣款的客服专线是0800-222-361，周一到周五九点到六点。",
        "多久能拿证不一定，看您约考顺不顺利，周末班一般是三到四个月。",
        "这个我不清楚，您拨打一二三四五热线问问。",
    ],
)
def test_numbers_in_chinese_numerals_still_fill_number_slots(auditor: Auditor, text: str) -> None:
    assert [f for f in auditor.findings(conversation(f"坐席: {text}")) if f.check == "non_answer"] == []


@pytest.mark.parametrize(("text", "rules"), [("等通知", ["NAN001"]), ("你 等 通知", ["NAN001"]),
                                             ("等通知的人很多，排到您了会打电话。", [])])
def test_a_final_dollar_means_the_end_of_the_turn(auditor: Auditor, text: str, rules: list[str]) -> None:
    # 等(通知|消息|公告)(。|!|~|$): speech recognition writes no full stop, so a turn that is
    # only 等通知 ends without one; the same words inside a sentence are no deferral
    conv = conversation("客户: 什么时候能修好？", f"坐席: {text}")
    assert [f.rule_id for f in auditor.findings(conv) if f.check == "non_answer"] == rules


@pytest.mark.parametrize(("text", "rules"), [("您可以問問旅行社喔。", ["NAN001"]), ("您可以问问旅行社！", ["NAN001"]),
                                             ("您可以问问旅行社", ["NAN001"]),
                                             ("您可以问问旅行社，他们对这条线路很熟。", [])])
def test_a_final_group_of_marks_must_follow_the_phrase_at_once(auditor: Auditor, text: str,
                                                                rules: list[str]) -> None:
    # …(问问|找)(旅行社|…)(吧|喔|)(。|!|$): sending the customer off and stopping there deflects;
    # the same words going on to say something are judged by what follows
    conv = conversation("客户: 这个行程能改吗？", f"坐席: {text}")
    assert [f.rule_id for f in auditor.findings(conv) if f.check == "non_answer"] == rules


def test_a_final_group_of_marks_is_one_pattern_not_one_per_mark() -> None:
    # every pattern is a segmenter word and an automaton entry in every process
    patterns = expand("(您|你)问问旅行社(吧|)(。|！|$)")
    assert len(patterns) == 4
    assert {p.then for p in patterns} == {frozenset({"。", "!", "$"})}
