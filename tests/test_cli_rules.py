"""The `rules` commands through click's CliRunner: exit codes and what a user reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qa_audit.cli import main
from qa_audit.rules.pack import load_pack


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_rules_lists_every_rule_with_id_check_severity_weight_and_message(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "check", "severity", "weight", "message"]
    pro005 = next(line for line in lines if line.startswith("PRO005"))
    assert pro005.split()[:4] == ["PRO005", "prohibited", "critical", "100"]
    assert "[红线]" in pro005
    assert any(line.startswith("NAN001") and "non_answer" in line for line in lines)


def test_rules_show_explains_message_rationale_configuration_and_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "show", "nan001"])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("NAN001  non_answer  (conditional)")
    assert "三不知" in out and "服务规范" in out
    assert "@ignorance: 不知道" in out
    assert "✗ 这个我也不清楚，您问别人吧。" in out
    assert "✓ 不知道您还有其他问题吗？" in out


@pytest.mark.parametrize("where", ["before show", "after the id"])
def test_rules_show_explains_the_rule_as_a_site_pack_leaves_it(runner: CliRunner, tmp_path: Path, where: str) -> None:
    (tmp_path / "TLK001.yaml").write_text("id: TLK001\nmax: 0.50\n", encoding="utf-8")
    args = (["rules", "--rules", str(tmp_path), "show", "TLK001"] if where == "before show"
            else ["rules", "show", "TLK001", "--rules", str(tmp_path)])
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "  max: 0.5\n" in result.output


def test_rules_show_unknown_id_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "show", "XYZ999"])
    assert result.exit_code == 2
    assert "no rule or lexicon 'XYZ999'" in result.output


def test_rules_validate_reports_every_error_with_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "PRO201.yaml"
    bad.write_text("id: PRO201\nkind: existence\ncheck: prohibited\nseverity: loud\n", encoding="utf-8")
    result = runner.invoke(main, ["rules", "validate", str(tmp_path)])
    assert result.exit_code == 1
    severities = "info, minor, major, critical (提示, 轻微, 严重, 致命)"
    assert f"{bad}:4: 'severity' must be one of {severities}, got 'loud'" in result.output
    assert f"{bad}:1: missing the required 'message' key" in result.output


def test_rules_validate_accepts_the_default_pack(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "validate"])
    assert result.exit_code == 0
    assert result.output.startswith("ok: ")
    assert "warning" not in result.output


def test_rules_validate_warns_of_a_phrase_whose_alternatives_multiply(runner: CliRunner, tmp_path: Path) -> None:
    # 2 x 4 x 3 x 10 x 4 x 2 x 7 = 13,440 patterns, each a word every audit process loads
    wide = ("(您|你)(可以|还是|最好|)(跟|和|与)(店家|商家|卖家|厂家|商户|门店|酒店|房东|物业|银行)"
            "(联系|沟通|协商|商量)(一下|)(吧|哈|啊|呗|。|!|$)")
    (tmp_path / "lexicons.yaml").write_text(
        yaml.safe_dump({"lexicons": {"site_deflection": {"description": "推给商家", "phrases": [wide, "您找商家吧"]}}},
                       allow_unicode=True),
        encoding="utf-8")
    result = runner.invoke(main, ["rules", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    assert f"warning: @site_deflection: “{wide}” expands into 13,440 patterns" in result.output
    assert "“您找商家吧”" not in result.output


def test_rules_test_passes_on_the_default_pack(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("rules)")
    assert ", 0 failed" in result.output


def test_rules_test_fails_loudly_when_an_example_misbehaves(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "PRO001.yaml").write_text(
        "id: PRO001\nexamples:\n  fail: [您好，很高兴为您服务。]\n  pass: [急什么。]\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["rules", "test", str(tmp_path), "--rule", "PRO001"])
    assert result.exit_code == 1
    assert "FAIL PRO001" in result.output
    assert "should fire on: 您好，很高兴为您服务。" in result.output
    assert "should not fire on: 急什么。" in result.output
    default = load_pack().rule("PRO001")  # the default pack's own examples, which the site's join
    own = len(default.fail_examples) + len(default.pass_examples)
    assert own >= 8 and result.output.rstrip().endswith(f"{own} passed, 2 failed (1 rules)")


@pytest.mark.parametrize(("rule_id", "example", "why"), [
    ("PRO001", "我着急什么时候到呢。", "第1轮 “急什么” is cancelled by the exception “着急什么时候”（不是禁语）"),
    ("PRO001", "您说“急什么”，我没说过。",
     "第1轮 “急什么” is inside quotation marks, which the rule skips (skip_quoted)"),
    ("PRO001", "您这样说我也很为难。",
     "no phrase matched: a phrase matches whole words, and the parts of a phrase with … within one sentence, "
     "at most 12 characters apart (the words: 第1轮 您 / 这样 / 说 / 我 / 也 / 很 / 为难 / 。)"),
    ("PRO005", "商品详情页往下拉，滚动条拉到底也有说明。",
     "第1轮 “滚” is part of other words here (滚动条): a phrase matches whole words only"),
    ("PRO001", ["客户: 你急什么？", "坐席: 不好意思。"],
     "第1轮 “急什么” is said by the customer, whom the rule does not read"),
    ("PRO007", ["客户: 你当我们是你家保姆啊？"],
     "no agent turn says anything (in an example, a line without 客户: or 系统: is the agent's)"),
    ("NAN001", "这个我也不清楚，我帮您查询一下。",
     "第1轮 says “不清楚”（不知其然）, satisfied in the same turn by “帮您查询一下”（查询/等待）"),
    ("NAN001", ["坐席: 这个我不清楚。", "客户: 哦。", "坐席: 查到了，明天到。"],
     "第1轮 says “不清楚”（不知其然）, satisfied in 第3轮 by “查到了”（补救）、“明天”（时限）"),
    # words that name a matter, and why the answer before them still counts for the trigger
    ("NAN001", ["客户: 退款什么时候能到账？", "坐席: 预计三个工作日到账。退款的话银行那边我这边也说不准。"],
     "第2轮 says “说不准”（不知其然）, satisfied in the same turn by “预计三个工作日”（时限） "
     "(“退款的话” is not read as another matter: the customer asked about nothing else since the agent last answered)"),
    ("NAN001", ["客户: 快递什么时候到？能送货上门吗？",
                "坐席: 预计明天下午送到，可以送货上门。快递几点到我这边不太确定。"],
     "第2轮 says “不太确定”（不知其然）, satisfied in the same turn by “明天下午”（时限）、“可以”（直接答复） "
     "(“快递几点” is not read as another matter: “几点” makes it a detail of, or a caveat on, the answer given)"),
    ("NAN001", ["客户: 快递什么时候到？能送货上门吗？", "坐席: 明天下午送到，可以送货上门。运费的话我这边不太清楚。"],
     "第2轮 says “不太清楚”（不知其然）, satisfied in the same turn by “明天下午”（时限）、“可以”（直接答复） "
     "(“运费的话” is not read as another matter: the customer did not ask about it)"),
    ("NAN001", ["客户: 押金能退吗？什么时候退？", "坐席: 押金可以退，三个工作日内到账，押金利息这个我不太清楚。"],
     "第2轮 says “不太清楚”（不知其然）, satisfied in the same turn by “三个工作日内”（时限） "
     "(“押金利息” is not read as another matter: what the turn said before it names it too (“押金”))"),
    ("GRT001", "您好，请问有什么可以帮您？", "第1轮 holds every element: 问候语 “您好”, 服务用语 “有什么可以帮您”"),
    ("TLK001", ["坐席: 好的。", "客户: 我想问一下我的快递到哪里了，已经三天没动了。"],
     "the agent's share is 9.1% (按字数), within the limit 40%"),
    ("PRO007", "好的，我帮您看一下。", "the highest score is 0.00 (第1轮), under the threshold 0.8"),
])
def test_rules_test_says_why_a_rule_missed_a_fail_example(runner: CliRunner, tmp_path: Path, rule_id: str,
                                                         example: str | list[str], why: str) -> None:
    (tmp_path / f"{rule_id}.yaml").write_text(
        yaml.safe_dump({"id": rule_id, "examples": {"fail": [example]}}, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(main, ["rules", "test", str(tmp_path), "--rule", rule_id])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"FAIL {rule_id} ") and lines[1] == f"     why not: {why}"
    assert lines[-1].endswith(", 1 failed (1 rules)")


def test_a_broken_rule_pack_stops_an_audit_with_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "X.yaml").write_text("id: BAD\n", encoding="utf-8")
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["audit", str(transcript), "--out", str(tmp_path / "out"), "--rules", str(tmp_path)])
    assert result.exit_code == 2
    assert "'id' must look like PRO001" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".qa-audit-reports", "audit.log"]  # no reports


@pytest.mark.parametrize("command", [[], ["audit"], ["check"], ["rules"], ["rules", "show"], ["rules", "validate"],
                                     ["rules", "test"], ["report"]])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert len(result.output.splitlines()) > 4


def test_rules_show_lists_a_lexicon_whole_as_a_site_must_write_its_phrases(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "show", "@taboo_impatient"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "@taboo_impatient  不耐烦"
    assert "  磨叽" in lines and "  急什么" in lines  # every phrase, not a sample cut at 8
    assert lines[-1] == "使用 Used by: PRO001"
