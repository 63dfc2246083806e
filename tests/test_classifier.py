"""The `classifier` rule kind and its model: taboo wordings no lexicon lists, found and explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_audit.cli import main
from qa_audit.engine import Auditor
from qa_audit.rules.ngram_model import ModelError, NgramModel, load_model, train
from qa_audit.rules.pack import PackErrors, RulePack, load_pack
from qa_audit.text import normalize
from tests.conftest import conversation

RULE = """\
id: PRO901
kind: classifier
check: prohibited
message: 疑似服务禁语：%s
rationale: 站点训练的模型
severity: minor
weight: 5
model: {model}
threshold: {threshold}
examples:
  fail: [你自己弄丢的怪谁呢？]
  pass: [您好，请问有什么可以帮您？]
"""

TABOO = ["你自己弄丢的怪谁呢？", "你自己不看说明书怪谁？", "这都不会，你自己琢磨去吧。",
         "怪谁呢，你自己不注意。", "你自己没看清楚还怪我们？", "自己不小心还好意思来问？"]
POLITE = ["您好，请问有什么可以帮您？", "我帮您查一下，请稍等。", "非常抱歉给您带来不便。", "感谢您的来电，再见。",
          "您的快递今天下午送到。", "已为您登记工单，24小时内联系您。", "好的，我马上为您处理。",
          "请您提供一下订单号。"]


def small_model() -> NgramModel:
    return train([(normalize(t).text, True) for t in TABOO] + [(normalize(t).text, False) for t in POLITE],
                 strength=10.0)


def site_pack(tmp_path: Path, threshold: float = 0.6, model: str = "blame") -> Path:
    site = tmp_path / "site"
    (site / "models").mkdir(parents=True)
    (site / "models" / "blame.json").write_text(small_model().to_json(), encoding="utf-8")
    (site / "PRO901.yaml").write_text(RULE.format(model=model, threshold=threshold), encoding="utf-8")
    return site


def test_training_separates_the_labelled_turns_and_scores_unseen_wording_by_its_words() -> None:
    model = small_model()
    assert all(model.score(normalize(t).text) > 0.5 for t in TABOO)
    assert all(model.score(normalize(t).text) < 0.5 for t in POLITE)
    unseen_blame, unseen_polite = normalize("这是你自己的问题，怪谁呢？").text, normalize("您好，很高兴为您服务").text
    assert model.score(unseen_blame) > 0.5 > model.score(unseen_polite)


def test_a_sequence_said_twice_counts_once_as_in_training() -> None:
    model = NgramModel({"怪谁": 1.0}, 0.0)
    assert model.margin("怪谁怪谁，怪谁") == model.margin("怪谁") == 1.0


def test_training_without_both_kinds_of_turn_is_refused() -> None:
    with pytest.raises(ModelError, match="turns of the check and turns without it"):
        train([(t, False) for t in POLITE])


def test_a_model_file_round_trips_and_a_foreign_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    model = small_model()
    path.write_text(model.to_json(), encoding="utf-8")
    loaded = load_model(path)
    text = normalize("你自己弄丢的怪谁呢？").text
    assert loaded.score(text) == pytest.approx(model.score(text), abs=1e-3)
    assert loaded.digest
    path.write_text(json.dumps({"weights": {}}), encoding="utf-8")
    with pytest.raises(ModelError, match="qa-audit rules train"):
        load_model(path)


def test_the_evidence_is_the_words_that_weighed_most_not_single_characters_or_punctuation() -> None:
    model = small_model()
    text = normalize("这个嘛，你自己弄丢的怪谁呢？").text
    words = [text[s:e] for s, e in model.reasons(text)]
    assert words and all(len(w) > 1 and w.isalnum() for w in words)
    assert any("自己" in w or "怪谁" in w for w in words)


def test_the_default_pack_finds_a_taboo_no_lexicon_lists_and_shows_the_words(auditor: Auditor) -> None:
    transcript = conversation("客户: 手机摔坏了能保修吗？", "坐席: 该不会是您自己摔的吧？")
    findings = [f for f in auditor.findings(transcript) if f.check == "prohibited"]
    assert [(f.rule_id, f.turn, f.severity) for f in findings] == [("PRO007", 1, "minor")]
    finding = findings[0]
    assert "疑似服务禁语" in finding.message and "请复核" in finding.message
    assert "模型 taboo 评分" in finding.evidence and "阈值 0.8）" in finding.evidence
    said = "该不会是您自己摔的吧？"
    assert finding.matched and all(said[s:e] == w for (s, e), w in zip(finding.spans, finding.matched, strict=True))


def test_an_exception_takes_only_its_own_clause_out_of_the_score(auditor: Auditor) -> None:
    """不急 is an exception (a kind reassurance); it must not hide a taboo said in another clause."""
    findings = auditor.findings(conversation("坐席: 该不会是您自己摔的吧？不急，您慢慢想。"))
    assert [f.rule_id for f in findings if f.check == "prohibited"] == ["PRO007"]


def test_an_exception_in_one_speech_recognition_segment_leaves_the_others_scored(auditor: Auditor) -> None:
    """ASR separates segments with spaces or line breaks, which normalization drops: each is a clause."""
    for said in ("该不会是您自己摔的吧 不急 您慢慢想", "该不会是您自己摔的吧\n不急\n您慢慢想"):
        findings = auditor.findings(conversation(f"坐席: {said}"))
        assert [f.rule_id for f in findings if f.check == "prohibited"] == ["PRO007"], said


def test_the_red_words_of_a_spaced_out_asr_turn_are_the_words_said(auditor: Auditor) -> None:
    said = "该 不 会 是 您 自 己 摔 的 吧 ？"
    finding = next(f for f in auditor.findings(conversation(f"坐席: {said}")) if f.rule_id == "PRO007")
    assert finding.matched and all(said[s:e] == w for (s, e), w in zip(finding.spans, finding.matched, strict=True))
    # each red stretch is a run of the words said, spaces between them kept, never a space alone
    assert all(len(w.replace(" ", "")) >= 2 and w.replace(" ", "") in "该不会是您自己摔的吧" for w in finding.matched)


def test_a_turn_a_phrase_rule_found_is_not_charged_again_by_the_model(auditor: Auditor) -> None:
    findings = auditor.findings(conversation("坐席: 你有完没完？该不会是您自己摔的吧？"))
    assert [f.rule_id for f in findings if f.check == "prohibited"] == ["PRO001"]


def test_an_exception_cancels_the_models_suspicion_of_its_clause(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    rule = site / "PRO901.yaml"
    rule.write_text(RULE.format(model="blame", threshold=0.6) + "exceptions: [不是您的错]\n", encoding="utf-8")
    auditor = Auditor(load_pack([site]))
    said = "怪谁呢，你自己不注意。"
    assert [f.rule_id for f in auditor.findings(conversation(f"坐席: {said}"), only={"PRO901"})] == ["PRO901"]
    # said in a clause of its own, the exception leaves the others scored; in the same clause it cancels
    assert auditor.findings(conversation(f"坐席: 不是您的错，{said}"), only={"PRO901"}) != []
    assert auditor.findings(conversation("坐席: 怪谁呢你自己不注意不是您的错"), only={"PRO901"}) == []


def test_polite_service_lines_are_not_suspected(auditor: Auditor) -> None:
    transcript = conversation(
        "坐席: 您好，请问有什么可以帮您？", "客户: 我的快递到哪了？", "坐席: 我帮您查一下，请稍等。",
        "坐席: 您的快递今天下午会送到。", "坐席: 感谢您的来电，再见。")
    assert [f for f in auditor.findings(transcript) if f.check == "prohibited"] == []


def test_a_site_pack_brings_its_own_model_and_threshold(tmp_path: Path) -> None:
    pack = load_pack([site_pack(tmp_path)])
    assert "blame" in pack.models and pack.digest() != load_pack().digest()
    found = Auditor(pack).findings(conversation("坐席: 你自己不注意，怪谁呢？"), only={"PRO901"})
    assert [f.rule_id for f in found] == ["PRO901"]
    strict = load_pack([site_pack(tmp_path / "strict", threshold=0.999)])
    assert Auditor(strict).findings(conversation("坐席: 你自己不注意，怪谁呢？"), only={"PRO901"}) == []


def test_a_retrained_model_changes_the_pack_digest_so_stored_calls_are_audited_again(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    before = load_pack([site]).digest()
    (site / "models" / "blame.json").write_text(
        train([(normalize(t).text, True) for t in TABOO[:3]] + [(normalize(t).text, False) for t in POLITE])
        .to_json(), encoding="utf-8")
    assert load_pack([site]).digest() != before


@pytest.mark.parametrize(("model", "threshold", "says"), [
    ("nosuch", 0.6, "PRO901: no model 'nosuch' in a models/ folder"),
    ("blame", 60, "'threshold' must be a number above 0 and below 1"),
])
def test_a_classifier_rule_without_its_model_or_with_a_percent_threshold_is_an_error(
        tmp_path: Path, model: str, threshold: float, says: str) -> None:
    with pytest.raises(PackErrors) as caught:
        load_pack([site_pack(tmp_path, threshold=threshold, model=model)])
    assert any(says in str(e) and "PRO901.yaml" in str(e) for e in caught.value.errors)


def test_a_model_with_no_word_that_raises_a_score_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(NgramModel({}, 1.0).to_json(), encoding="utf-8")
    with pytest.raises(ModelError, match="judge every turn alike"):
        load_model(path)


def test_a_damaged_model_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    (site / "models" / "blame.json").write_text('{"format": "qa-audit char-ngram', encoding="utf-8")
    with pytest.raises(PackErrors) as caught:
        load_pack([site])
    assert any("blame.json" in str(e) and "not a model file" in str(e) and "qa-audit rules train" in str(e)
               for e in caught.value.errors)


def test_a_model_outside_the_models_folder_is_an_error_not_passed_over(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    (site / "models").rename(site / "model")
    with pytest.raises(PackErrors) as caught:
        load_pack([site])
    assert any("blame.json: not read: a model goes in the pack's models/ folder" in str(e)
               for e in caught.value.errors)


def test_a_site_pack_of_only_a_model_replaces_the_default_model_of_that_name(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "models").mkdir(parents=True)
    (site / "models" / "taboo.json").write_text(small_model().to_json(), encoding="utf-8")
    pack = load_pack([site])
    assert pack.models["taboo"].weights == load_model(site / "models" / "taboo.json").weights
    assert pack.rule("PRO007").params["model"] == "taboo"


def test_an_exception_never_raises_a_score_by_taking_innocent_words_out(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    # 滚轮 weighs against a taboo; blanking its clause (the exception 滚动) would leave 怪谁 alone
    (site / "models" / "blame.json").write_text(NgramModel({"怪谁": 1.0, "滚轮": -3.0}, 0.0).to_json(),
                                                encoding="utf-8")
    rule = site / "PRO901.yaml"
    rule.write_text(RULE.format(model="blame", threshold=0.6) + "exceptions: [滚动]\n", encoding="utf-8")
    auditor = Auditor(load_pack([site]))
    assert auditor.findings(conversation("坐席: 按住再滚动鼠标滚轮，怪谁"), only={"PRO901"}) == []
    assert [f.rule_id for f in auditor.findings(conversation("坐席: 怪谁"), only={"PRO901"})] == ["PRO901"]


def test_words_the_agent_quotes_are_left_out_of_the_score(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    rule = site / "PRO901.yaml"
    rule.write_text(RULE.format(model="blame", threshold=0.6) + "skip_quoted: true\n", encoding="utf-8")
    auditor = Auditor(load_pack([site]))
    said = conversation("坐席: 你自己不注意，怪谁呢？")
    quoted = conversation("坐席: 您说“你自己不注意，怪谁呢？”，这话确实不该说，非常抱歉。")
    assert [f.rule_id for f in auditor.findings(said, only={"PRO901"})] == ["PRO901"]
    assert auditor.findings(quoted, only={"PRO901"}) == []


def test_the_score_in_the_evidence_is_never_shown_above_what_it_is(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    # bias + weight of 怪谁 (and nothing else) gives log-odds 0.8468: a score of 0.69996
    model = NgramModel({"怪谁": 1.0}, -0.1532)
    assert 0.6995 < model.score("怪谁") < 0.7
    (site / "models" / "blame.json").write_text(model.to_json(), encoding="utf-8")
    found = Auditor(load_pack([site])).findings(conversation("坐席: 怪谁"), only={"PRO901"})
    assert "评分 0.69，阈值 0.6）" in found[0].evidence


def test_a_threshold_is_shown_as_written_so_a_score_never_seems_below_it(tmp_path: Path) -> None:
    site = site_pack(tmp_path, threshold=0.6995)
    (site / "models" / "blame.json").write_text(NgramModel({"怪谁": 1.0}, -0.1532).to_json(), encoding="utf-8")
    found = Auditor(load_pack([site])).findings(conversation("坐席: 怪谁"), only={"PRO901"})
    assert "评分 0.69，阈值 0.6995）" in found[0].evidence


def test_rules_train_writes_a_model_a_site_rule_can_use(tmp_path: Path, pack: RulePack) -> None:
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    lines = [*TABOO, *POLITE]
    transcript = {"id": "L1", "channel": "chat", "turns": [{"speaker": "agent", "text": t} for t in lines]}
    (labelled / "transcripts.jsonl").write_text(json.dumps(transcript, ensure_ascii=False) + "\n", encoding="utf-8")
    labels = {"id": "L1", "greeting": False, "closing": False, "prohibited": list(range(len(TABOO))),
              "non_answer": [], "hold": []}
    (labelled / "labels.jsonl").write_text(json.dumps(labels) + "\n", encoding="utf-8")
    out = tmp_path / "site" / "models" / "blame.json"
    result = CliRunner().invoke(main, ["rules", "train", str(labelled), "--check", "prohibited", "--out", str(out),
                                       "--strength", "10"])
    assert result.exit_code == 0, result.output
    assert "warning: few examples" in result.output
    trained = load_model(out).trained
    assert trained["sets"] == ["labelled"] and trained["positives"] >= len(TABOO)
    (tmp_path / "site" / "PRO901.yaml").write_text(RULE.format(model="blame", threshold=0.6), encoding="utf-8")
    found = Auditor(load_pack([tmp_path / "site"])).findings(conversation("坐席: 你自己没看清楚还怪我们？"),
                                                              only={"PRO901"})
    assert [f.rule_id for f in found] == ["PRO901"]


def labelled(folder: Path, transcripts: list[dict], labels: list[dict] | str) -> Path:
    folder.mkdir(parents=True)
    (folder / "transcripts.jsonl").write_text(
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in transcripts), encoding="utf-8")
    text = labels if isinstance(labels, str) else "".join(json.dumps(x) + "\n" for x in labels)
    (folder / "labels.jsonl").write_text(text, encoding="utf-8")
    return folder


CALL = {"id": "L1", "turns": [{"speaker": "customer", "text": "能退吗？"},
                              {"speaker": "agent", "text": "你自己弄丢的怪谁？"}]}


@pytest.mark.parametrize(("transcripts", "labels", "says"), [
    ([CALL], '{"id": "L1", "prohibited": [1]\n', "labels.jsonl:1: not JSON"),
    ([CALL], [{"id": "L1", "prohibited": 1}], "labels.jsonl:1: 'prohibited' must be a list of turn numbers"),
    ([CALL], [{"id": "L2", "prohibited": [1]}], "transcripts.jsonl:1: transcript 'L1' has no line in labels.jsonl"),
    ([CALL], [{"id": "L1", "prohibited": [0]}], "labels.jsonl:1: prohibited turn(s) [0] of 'L1' are not agent turns"),
    ([{"id": "L1", "turns": "坐席：你好"}], [{"id": "L1", "prohibited": []}], "transcripts.jsonl:1: no 'turns' list"),
])
def test_rules_train_reports_every_bad_training_line_and_trains_nothing(
        tmp_path: Path, transcripts: list[dict], labels: list[dict] | str, says: str) -> None:
    folder = labelled(tmp_path / "set", transcripts, labels)
    out = tmp_path / "models" / "m.json"
    result = CliRunner().invoke(main, ["rules", "train", str(folder), "--check", "prohibited", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(("content", "says"), [
    ("", "set: no transcripts in transcripts.jsonl"),
    (json.dumps(CALL, ensure_ascii=False) + "\n" + json.dumps(CALL, ensure_ascii=False) + "\n",
     "transcripts.jsonl:2: transcript 'L1' twice (first at line 1)"),
    (json.dumps({"turns": CALL["turns"]}, ensure_ascii=False) + "\n",
     "transcripts.jsonl:1: the transcript has no 'id'"),
])
def test_rules_train_reports_an_empty_or_doubled_set(tmp_path: Path, content: str, says: str) -> None:
    folder = labelled(tmp_path / "set", [], [{"id": "L1", "prohibited": [1]}] if content else [])
    (folder / "transcripts.jsonl").write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "train", str(folder), "--check", "prohibited",
                                       "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and says in result.output, result.output


def test_rules_train_says_to_save_a_gbk_training_file_as_utf8(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "set", [CALL], [{"id": "L1", "prohibited": [1]}])
    (folder / "transcripts.jsonl").write_bytes(json.dumps(CALL, ensure_ascii=False).encode("gbk") + b"\n")
    result = CliRunner().invoke(main, ["rules", "train", str(folder), "--check", "prohibited",
                                       "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and "not UTF-8; save it as UTF-8" in result.output
    assert "Traceback" not in result.output


def test_rules_train_refuses_a_set_given_twice(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "set", [CALL], [{"id": "L1", "prohibited": [1]}])
    result = CliRunner().invoke(main, ["rules", "train", str(folder), str(folder), "--check", "prohibited",
                                       "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and "given twice" in result.output


def test_a_broken_line_of_the_passing_calls_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = labelled(tmp_path / "set", [CALL], [{"id": "L1", "prohibited": [1]}])
    calls = tmp_path / "passed.jsonl"
    calls.write_text(json.dumps(CALL, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "train", str(folder), "--check", "prohibited",
                                       "--negatives", str(calls), "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and "passed.jsonl:2: not JSON" in result.output


def test_a_borrowed_example_a_phrase_rule_finds_is_not_the_models_to_judge(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    (site / "PRO002.yaml").write_text("id: PRO002\nexamples: {pass: [你有完没完？]}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "test", str(site), "--rule", "PRO901"])
    assert "你有完没完" not in result.output, result.output


def test_rules_test_runs_a_model_rule_on_the_hard_cases_of_its_checks_other_rules(tmp_path: Path) -> None:
    site = site_pack(tmp_path)
    (site / "PRO002.yaml").write_text("id: PRO002\nexamples: {pass: [自己的事自己办。]}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "test", str(site), "--rule", "PRO901"])
    assert result.exit_code == 1
    assert "should not fire on: 自己的事自己办。 (a pass example of PRO002)" in result.output
