"""The spaCy zh pipeline over the rule-aware jieba segmenter.

The audit matches on the segmenter's words; the spaCy `Doc` must carry exactly those
words, and every rule phrase must come out as one word so matching can insist on word
boundaries (滚 never inside 滚动条).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_audit.cli import main
from qa_audit.engine import Auditor
from qa_audit.text import normalize

SENTENCES = [
    "您往下滑动滚动条就能看到。",
    "滚！别再打来了。",
    "这个包裹比较笨重，需要两个人搬。",
    "这个我也不清楚，您问别人吧。",
    "好的，我帮您查一下，请稍等。",
    "感谢您的来电，祝您生活愉快，再见！",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_the_spacy_doc_has_the_words_the_audit_matches_on(auditor: Auditor, sentence: str) -> None:
    text = normalize(sentence).text
    doc = auditor.nlp(text)
    assert [token.text for token in doc] == auditor.segmenter.cut(text)
    assert doc.text == text


def test_rule_phrases_segment_as_whole_words(auditor: Auditor) -> None:
    assert "滚动条" in [t.text for t in auditor.nlp("您往下滑动滚动条就能看到")]
    assert "滚" in [t.text for t in auditor.nlp("滚!别再打来了")]
    assert "笨重" in [t.text for t in auditor.nlp("这个包裹比较笨重")]
    assert "请稍等" in [t.text for t in auditor.nlp("好的,我帮您查一下,请稍等")]


def test_a_latin_word_stays_whole_though_a_rule_phrase_begins_it(auditor: Auditor) -> None:
    # the default pack lists App (您在App里…): Apple is one word, not app / le
    words = [t.text for t in auditor.nlp(normalize("建议先打Apple客服0800-095-988确认").text)]
    assert "apple" in words
    assert "app" not in words


def test_check_tokens_shows_each_turns_words(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("通话ID: T1\n坐席工号: A1024\n\n坐席: 您往下滑动滚動條就能看到。\n客户: 好的。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--tokens"])
    assert "  1 坐席：您往下滑动滚動條就能看到。" in result.stdout
    assert "      分词：您 / 往 / 下 / 滑动 / 滚动条 / 就 / 能 / 看到 / 。" in result.stdout
