"""Normalization: one rule matches both scripts and both widths, and offsets map back."""

from __future__ import annotations

import pytest

from qa_audit.text import normalize


@pytest.mark.parametrize(
    ("original", "normalized"),
    [
        ("這個我也不清楚，您問別人吧。", "这个我也不清楚,您问别人吧。"),
        ("我不是說過了嗎？", "我不是说过了吗?"),
        ("ＡＰＰ　首頁", "app首页"),
        ("Wi-Fi 密码", "wi-fi密码"),
        ("iPhone 13 Pro", "iphone 13 pro"),
        ("我 帮 您 查 一下", "我帮您查一下"),
        ("請問有甚麼可以幫到您？", "请问有什么可以帮到您?"),
        ("他甚至沒問", "他甚至没问"),
        ("你去醫保局問吧.", "你去医保局问吧。"),  # an ASCII full stop after Chinese ends the sentence
        ("退款3.5元.", "退款3.5元。"),
        ("打开App.", "打开app."),
        ("嗯...我看看", "嗯...我看看"),
        ("你自己看著辦", "你自己看着办"),
        ("這本著作很著名", "这本著作很著名"),
        ("妳有沒有在聽啊？", "你有没有在听啊?"),
        ("我幫您調一下利率紀錄", "我帮您调一下利率记录"),
    ],
)
def test_scripts_widths_and_spaces_fold(original: str, normalized: str) -> None:
    assert normalize(original).text == normalized


def test_offsets_point_back_to_the_original_words() -> None:
    original = "好的，我 帮 您 查 一下，請稍候。"
    norm = normalize(original)
    start = norm.text.index("查一下")
    span = norm.to_original(start, start + 3)
    assert original[span[0]:span[1]] == "查 一下"
    start = norm.text.index("请稍候")
    span = norm.to_original(start, start + 3)
    assert original[span[0]:span[1]] == "請稍候"


def test_unchanged_text_needs_no_offset_table() -> None:
    norm = normalize("您好，很高兴为您服务")
    assert norm.offsets is None
    assert norm.to_original(3, 6) == (3, 6)
