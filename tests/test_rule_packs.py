"""Rule packs as data: validation errors name file and line; site packs override by id."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from qa_audit.engine import Auditor
from qa_audit.rules.pack import PackErrors, load_pack
from qa_audit.rules.schema import KINDS as KIND_LIST
from tests.conftest import conversation

KINDS = ", ".join(KIND_LIST)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pack_errors(*packs: Path) -> list[str]:
    """What a QA lead reads when the packs fail to load: every error, with file and line."""
    with pytest.raises(PackErrors) as caught:
        load_pack(list(packs))
    return [str(e) for e in caught.value.errors]


def test_every_schema_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    rule = write(tmp_path / "site" / "PRO101.yaml", """\
id: PRO101
kind: existence
check: prohibited
message: 服务禁语：%s
rationale: 服务规范
severity: high
weight: -3
phrases: 不归我管
examples:
  fail: [不归我管]
""")
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path / "site"])
    messages = [str(e) for e in caught.value.errors]
    severities = "info, minor, major, critical (提示, 轻微, 严重, 致命)"
    assert f"{rule}:6: 'severity' must be one of {severities}, got 'high'" in messages
    assert f"{rule}:7: 'weight' must be a number >= 0, got -3" in messages
    assert f"{rule}:8: 'phrases' must be a non-empty list of phrases" in messages
    assert f"{rule}:9: 'examples.pass' must be a non-empty list" in messages


def test_missing_keys_unknown_kind_and_yaml_syntax_errors(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "id: ABC001\nkind: regex\n")
    write(tmp_path / "b.yaml", "id: ABC002\nkind: existence\nphrases: [滚\n")
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    text = str(caught.value)
    assert f"{tmp_path / 'a.yaml'}:2: unknown kind 'regex'" in text
    assert f"{tmp_path / 'a.yaml'}:1: missing the required 'message' key" in text
    assert f"{tmp_path / 'b.yaml'}:4: YAML syntax error" in text


def test_a_phrase_indented_one_step_too_far_is_an_error_not_part_of_the_phrase_above(tmp_path: Path) -> None:
    # YAML would fold the second item into the first: "找谁都没用 - 我就这态度", matching neither.
    lexicons = write(tmp_path / "lexicons.yaml", """\
lexicons:
  taboo_dismissive:
    add:
      - 找谁都没用
            - 我就这态度
""")
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    assert f"{lexicons}:4: this list item runs on to line 5: indent the next item like this one" in str(caught.value)


def test_a_rationale_wrapped_over_lines_loads_without_a_stray_space_between_chinese(tmp_path: Path) -> None:
    write(tmp_path / "PRO001.yaml", "id: PRO001\nrationale: 服务规范第三条：\n  不得催促客户。\n")
    write(tmp_path / "CLS001.yaml", "id: CLS001\nrationale: >\n  结束通话前必须有礼貌\n  结束语，见 SOP 3.2\n  节。\n")
    pack = load_pack([tmp_path])
    assert pack.rule("PRO001").rationale == "服务规范第三条：不得催促客户。"
    assert pack.rule("CLS001").rationale == "结束通话前必须有礼貌结束语，见 SOP 3.2 节。"


def taboo_rule_using(lexicon: str) -> str:
    """A site's own taboo rule PRO102 whose phrases are one lexicon."""
    return f"""\
id: PRO102
kind: existence
check: prohibited
message: 禁语 %s
rationale: 服务规范
severity: major
weight: 5
phrases: ["@{lexicon}"]
examples: {{fail: [你磨蹭什么], pass: [您慢慢说]}}
"""


def test_unknown_lexicon_reference_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "PRO102.yaml", taboo_rule_using("no_such_lexicon"))
    with pytest.raises(PackErrors, match=r"PRO102.yaml:1: rule PRO102: unknown lexicon @no_such_lexicon"):
        load_pack([tmp_path])


def test_a_lexicon_file_with_a_syntax_error_is_the_one_error_reported(tmp_path: Path) -> None:
    write(tmp_path / "lexicons.yaml", """\
lexicons:
  site_taboo:
    description: 本站禁语 — slow: an unquoted colon
    phrases: [你磨蹭什么]
""")
    write(tmp_path / "PRO102.yaml", taboo_rule_using("site_taboo"))
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    errors = [str(e) for e in caught.value.errors]
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path / 'lexicons.yaml'}:3: YAML syntax error")


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_and_compiling_leave_the_cycle_collector_as_they_found_it(tmp_path: Path, collecting: bool) -> None:
    """Both pause Python's cycle collector for speed (qa_audit.longlived); a program that
    loads packs, good or broken, gets its collector back as it was."""
    write(tmp_path / "PRO102.yaml", taboo_rule_using("no_such_lexicon"))
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        with pytest.raises(PackErrors):
            load_pack([tmp_path])
        assert gc.isenabled() is collecting
        Auditor(load_pack())
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()


def test_a_broken_rule_file_does_not_hide_a_mistyped_lexicon(tmp_path: Path) -> None:
    write(tmp_path / "GRT001.yaml", "id: GRT001\nmessage: 开场白不完整: 缺少 %s\n")
    write(tmp_path / "PRO001.yaml", 'id: PRO001\nphrases: ["@taboo_impatinet"]\n')
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    errors = [str(e) for e in caught.value.errors]
    assert any(e.startswith(f"{tmp_path / 'GRT001.yaml'}:2: YAML syntax error") for e in errors)
    assert any("unknown lexicon @taboo_impatinet" in e for e in errors)


def test_a_site_pack_adds_a_taboo_phrase_changes_a_weight_and_disables_a_rule(tmp_path: Path) -> None:
    write(tmp_path / "lexicons.yaml", "lexicons:\n  taboo_impatient:\n    add: [你磨蹭什么]\n")
    write(tmp_path / "PRO001.yaml", "id: PRO001\nweight: 20\n")
    write(tmp_path / "HLD001.yaml", "id: HLD001\nenabled: false\n")
    pack = load_pack([tmp_path])
    assert pack.rule("PRO001").weight == 20
    assert not pack.rule("HLD001").enabled
    auditor = Auditor(pack)
    findings = auditor.findings(conversation("坐席: 你磨蹭什么，我帮您查一下。"))
    assert [(f.rule_id, f.matched) for f in findings if f.check in ("prohibited", "hold")] == [
        ("PRO001", ("你磨蹭什么",))
    ]
    assert pack.digest() != load_pack().digest()


def test_second_exceptions_cancel_the_satisfying_phrase_they_overlap(tmp_path: Path) -> None:
    """可以吗？ asks back: its 可以 must not satisfy the rule, as 可以，… does."""
    write(tmp_path / "ANS101.yaml", """\
id: ANS101
kind: conditional
check: unanswered
message: 未答复：%s
rationale: 测试
severity: minor
weight: 1
first: [不清楚]
second: [可以]
second_exceptions: [可以吗]
within: next_turn
examples:
  fail: [["坐席: 我不清楚。", "客户: 那怎么办？", "坐席: 可以吗？"]]
  pass: [["坐席: 我不清楚。", "客户: 那怎么办？", "坐席: 可以，明天到。"]]
""")
    auditor = Auditor(load_pack([tmp_path]))

    def flagged(reply: str) -> list[int | None]:
        lines = ("客户: 能退吗？", "坐席: 这个我不清楚。", "客户: 那怎么办？", f"坐席: {reply}")
        return [f.turn for f in auditor.findings(conversation(*lines), only={"ANS101"})]

    assert flagged("可以，七天内都能退。") == []
    assert flagged("可以吗？我也不确定。") == [1]


def test_per_channel_threshold_from_a_site_pack(tmp_path: Path) -> None:
    write(tmp_path / "TLK001.yaml", "id: TLK001\nper_channel: {chat: 0.6}\n")
    auditor = Auditor(load_pack([tmp_path]))
    lines = ("坐席: 您好，请问有什么可以帮您？", "客户: 我想查一下这个月的话费账单")  # agent share 0.5
    assert [f.check for f in auditor.findings(conversation(*lines, channel="call"))].count("talk_ratio") == 1
    assert [f.check for f in auditor.findings(conversation(*lines, channel="chat"))].count("talk_ratio") == 0


def test_a_site_threshold_is_the_limit_the_message_names(tmp_path: Path) -> None:
    write(tmp_path / "TLK001.yaml", "id: TLK001\nmax: 0.45\n")
    auditor = Auditor(load_pack([tmp_path]))
    lines = ("坐席: 您好，请问有什么可以帮您？", "客户: 我想查一下这个月的话费账单")  # agent share 46%
    [finding] = [f for f in auditor.findings(conversation(*lines)) if f.check == "talk_ratio"]
    assert finding.message == "坐席说话占比 46%，超过上限 45%（说听比 7:3）"


METRIC_RULE = """\
id: TLK101
kind: metric
check: talk_ratio
message: 坐席说话占比过高：%s
rationale: 七三法则，多听少说
severity: minor
weight: 5
metric: agent_talk_share
max: 0.4
examples: {fail: [您好，请问有什么可以帮您？], pass: [您好]}
"""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[chat]", "'per_channel' must map channels to a max, e.g. {chat: 0.5}"),
        ("chat", "'per_channel' must map channels to a max, e.g. {chat: 0.5}"),
        ("0.5", "'per_channel' must map channels to a max, e.g. {chat: 0.5}"),
        ("", "'per_channel' must map channels to a max, e.g. {chat: 0.5}"),
        ("{chat: '0.5'}", "threshold 'chat' must be a number from 0 to 1 (0.50 for 50%)"),
        ("{chat: }", "threshold 'chat' must be a number from 0 to 1 (0.50 for 50%)"),
        ("{chat: [0.5]}", "threshold 'chat' must be a number from 0 to 1 (0.50 for 50%)"),
        ("{微信: 0.5}", "'per_channel' keys must be channels: call, chat"),
    ],
)
def test_a_per_channel_that_is_not_a_mapping_of_numbers_is_an_error_with_file_and_line(
    tmp_path: Path, value: str, message: str
) -> None:
    rule = write(tmp_path / "TLK101.yaml", METRIC_RULE + f"per_channel: {value}\n")
    assert pack_errors(tmp_path) == [f"{rule}:11: {message}"]


@pytest.mark.parametrize(
    ("rule_id", "override", "message"),
    [
        ("TLK001", "per_channel: [chat]", "'per_channel' must map channels to a max, e.g. {chat: 0.5}"),
        ("NAN001", "second_exceptions: 能不能", "'second_exceptions' must be a non-empty list of phrases"),
    ],
)
def test_a_site_pack_overriding_a_key_with_the_wrong_shape_is_an_error_with_file_and_line(
    tmp_path: Path, rule_id: str, override: str, message: str
) -> None:
    rule = write(tmp_path / f"{rule_id}.yaml", f"id: {rule_id}\n{override}\n")
    assert pack_errors(tmp_path) == [f"{rule}:2: {message}"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("kind", "", f"unknown kind None; use one of {KINDS}"),
        ("kind", "[existence]", f"unknown kind ['existence']; use one of {KINDS}"),
        ("weight", "'5'", "'weight' must be a number >= 0, got '5'"),
        ("weight", "", "'weight' must be a number >= 0, got None"),
        ("cap", "{max: 10}", "'cap' must be a number >= 0, got {'max': 10}"),
        ("channels", "{chat: true}", "'channels' must be a list drawn from call, chat"),
        ("channels", "", "'channels' must be a list drawn from call, chat"),
        ("aliases", "PRO009", "'aliases' must be a list of rule codes"),
        ("phrases", "{滚: 1}", "'phrases' must be a non-empty list of phrases"),
        ("phrases", "", "'phrases' must be a non-empty list of phrases"),
        ("exceptions", "[[不归我管]]", "'exceptions' must be a non-empty list of phrases"),
        ("examples", "[滚]", "'examples' must be a mapping with 'fail' and 'pass' lists"),
        ("red_line", "", "'red_line' must be true or false"),
        ("severity", "[major]",
         "'severity' must be one of info, minor, major, critical (提示, 轻微, 严重, 致命), got ['major']"),
    ],
)
def test_values_of_the_wrong_shape_are_errors_with_file_and_line(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    rule_lines = {
        "id": "PRO101", "kind": "existence", "check": "prohibited", "message": "服务禁语：%s",
        "rationale": "服务规范", "severity": "major", "weight": "3", "phrases": "[不归我管]",
        "examples": "{fail: [这事不归我管], pass: [我帮您转给负责的同事]}",
    }
    rule_lines[key] = value
    text = "".join(f"{k}: {v}\n" for k, v in rule_lines.items())
    rule = write(tmp_path / "PRO101.yaml", text)
    line = list(rule_lines).index(key) + 1
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    assert f"{rule}:{line}: {message}" in [str(e) for e in caught.value.errors]


def test_a_required_rule_with_elements_as_a_mapping_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    rule = write(tmp_path / "GRT101.yaml", """\
id: GRT101
kind: required
check: greeting
message: 缺少开场问候
rationale: 服务规范：首句问候
severity: major
weight: 5
position: first
turns: '2'
elements: {问候语: [您好]}
examples: {fail: [喂], pass: [您好，请问有什么可以帮您？]}
""")
    assert pack_errors(tmp_path) == [
        f"{rule}:9: 'turns' must be a whole number >= 1",
        f"{rule}:10: 'elements' must be a non-empty list of {{name, phrases}}",
    ]


def test_a_key_that_is_not_a_name_is_an_error_with_its_line(tmp_path: Path) -> None:
    write(tmp_path / "c.yaml", "id: ABC003\nkind: existence\n[phrases]: [滚]\n")
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    assert f"{tmp_path / 'c.yaml'}:3: a key must be a name, not list" in str(caught.value)


def test_a_typo_in_the_id_of_a_rule_to_change_is_one_error_that_names_the_likely_rule(tmp_path: Path) -> None:
    override = write(tmp_path / "GRT009.yaml", "id: GRT009\nenabled: false\n")
    lexicon = write(tmp_path / "lexicons.yaml", "lexicons:\n  taboo_impatiant:\n    add: [你磨蹭什么]\n")
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    assert sorted(str(e) for e in caught.value.errors) == sorted([
        f"{override}:1: no rule GRT009 in the packs loaded before this one to change; did you mean GRT002? "
        "(a new rule needs 'kind' and the other required keys)",
        f"{lexicon}:2: lexicon 'taboo_impatiant' has no 'phrases' and extends nothing; did you mean 'taboo_impatient'?",
    ])


def test_removing_a_phrase_written_in_traditional_removes_it(tmp_path: Path) -> None:
    write(tmp_path / "lexicons.yaml", "lexicons:\n  taboo_impatient:\n    remove: [磨嘰]\n")
    pack = load_pack([tmp_path])
    assert "磨叽" not in pack.lexicons["taboo_impatient"]
    findings = Auditor(pack).findings(conversation("坐席: 您别磨叽了，我帮您查一下。"))
    assert [f.matched for f in findings if f.check == "prohibited"] == []


def test_a_remove_that_would_remove_nothing_is_an_error_that_says_why(tmp_path: Path) -> None:
    lexicons = write(tmp_path / "lexicons.yaml", """\
lexicons:
  taboo_impatient:
    remove: [磨唧]
  taboo_standard_lines:
    remove: [大声点]
""")
    assert pack_errors(tmp_path) == [
        f"{lexicons}:2: lexicon 'taboo_impatient' has no phrase '磨唧' to remove; did you mean '磨磨唧唧'?",
        f"{lexicons}:4: lexicon 'taboo_standard_lines': '大声点' is one form of its phrase "
        "'大声(一点|点|一点儿|点儿)'; remove '大声(一点|点|一点儿|点儿)' and add back the forms to keep",
    ]


def test_a_lexicon_emptied_by_a_site_pack_is_an_error_not_a_rule_that_never_fires(tmp_path: Path) -> None:
    lexicons = write(tmp_path / "lexicons.yaml", "lexicons:\n  taboo_standard_lines:\n    phrases: []\n")
    assert pack_errors(tmp_path) == [
        f"{lexicons}:2: lexicon 'taboo_standard_lines' has no phrases left; to stop the rules that use it, "
        "set enabled: false on them"]


def test_a_phrase_written_as_a_regular_expression_is_an_error(tmp_path: Path) -> None:
    lexicons = write(tmp_path / "lexicons.yaml", "lexicons:\n  taboo_standard_lines:\n    add: [不.*知道]\n")
    assert pack_errors(tmp_path) == [
        f"{lexicons}:2: lexicon 'taboo_standard_lines': '不.*知道' looks like a regular expression, but phrases "
        "are words: write 不…知道 for words in between, # for a number and 说明书(吧|啊) for alternatives"]
    emoji = write(tmp_path / "emoji" / "lexicons.yaml", "lexicons:\n  taboo_impatient:\n    add: ['[白眼]']\n")
    assert "[白眼]" in load_pack([emoji.parent]).lexicons["taboo_impatient"]  # a chat's emoji code is a word


def test_one_rule_set_in_two_files_of_a_pack_is_an_error_naming_both(tmp_path: Path) -> None:
    first = write(tmp_path / "TLK001.yaml", "id: TLK001\nmax: 0.50\n")
    copy = write(tmp_path / "TLK001 - 副本.yaml", "id: TLK001\nmax: 0.45\n")
    assert pack_errors(tmp_path) == [
        f"{first}:1: rule TLK001 is also set in {copy}: a pack sets each rule in one file"]


def test_rule_files_the_loader_would_pass_over_are_errors(tmp_path: Path) -> None:
    write(tmp_path / "site" / "HLD001.YAML", "id: HLD001\nenabled: false\n")
    notepad = write(tmp_path / "site" / "GRT002.yaml.txt", "id: GRT002\nenabled: false\n")
    write(tmp_path / "site" / "说明.md", "本站点规则包\n")
    (tmp_path / "nothing").mkdir()
    assert pack_errors(tmp_path / "site", tmp_path / "nothing") == [
        f"{notepad}: not read: a rule pack file's name must end in .yaml; rename it",
        f"{tmp_path / 'nothing'}: no rule files (.yaml) or models (models/*.json) in this folder"]
    notepad.unlink()
    assert not load_pack([tmp_path / "site"]).rule("HLD001").enabled  # .YAML is read


@pytest.mark.parametrize(("pass_mark", "error"), [
    (850, "scoring.pass_mark 850 is above the start score 100: no call could pass"),
    (0.85, "scoring.pass_mark 0.85 looks like a share; the pass mark is in points, e.g. 85"),
])
def test_a_pass_mark_no_call_could_meet_or_written_as_a_share_is_an_error(
    tmp_path: Path, pass_mark: float, error: str
) -> None:
    settings = write(tmp_path / "pack.yaml", f"scoring:\n  pass_mark: {pass_mark}\n")
    assert pack_errors(tmp_path) == [f"{settings}:1: {error}"]


@pytest.mark.parametrize(("content", "line", "says"), [
    ("id: HLD001\n\tenabled: false\n", 2, "indent with spaces, not tabs"),
    ("lexicons:\n  taboo_impatient:\n    add: [@taboo_dismissive]\n", 3,
     'quote a lexicon reference: "@taboo_impatient"'),
    ("lexicons:\n  taboo_impatient:\n    add: [你磨蹭什么]\n   remove: [磨叽]\n", 4,
     "check the indentation: the keys of one mapping, and the items of one list, start in the same column"),
])
def test_a_yaml_slip_says_what_to_do(tmp_path: Path, content: str, line: int, says: str) -> None:
    path = write(tmp_path / "site.yaml", content)
    with pytest.raises(PackErrors) as caught:
        load_pack([tmp_path])
    (error,) = caught.value.errors
    assert str(error).startswith(f"{path}:{line}: YAML syntax error: ") and str(error).endswith(f"; {says}")


def test_a_rule_file_saved_in_gbk_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "PRO001.yaml"
    path.write_bytes("id: PRO001\nrationale: 服务规范\n".encode("gbk"))
    assert pack_errors(tmp_path) == [
        f"{path}:2: not UTF-8 text: save the file as UTF-8 (in Notepad: 另存为, 编码 UTF-8)"]


def test_examples_in_a_site_override_add_to_the_rules_own(tmp_path: Path) -> None:
    write(tmp_path / "lexicons.yaml", "lexicons:\n  taboo_standard_lines:\n    add: [你自己看说明书]\n")
    write(tmp_path / "PRO006.yaml", "id: PRO006\nexamples:\n  fail: [你自己看说明书吧。]\n")
    default = load_pack().rule("PRO006")
    site = load_pack([tmp_path]).rule("PRO006")
    assert site.fail_examples == (*default.fail_examples, "你自己看说明书吧。")
    assert site.pass_examples == default.pass_examples


def test_a_rule_may_use_the_words_the_reports_show(tmp_path: Path) -> None:
    write(tmp_path / "PRO101.yaml", """\
id: PRO101
kind: existence
check: prohibited
message: 服务禁语：%s
rationale: 华信银行服务规范第三条
severity: 严重
weight: 10
scope: 坐席
channels: [在线]
red_line: 否
phrases: [你自己看说明书]
examples:
  fail: [你自己看说明书。]
  pass: [说明书第三页有图示，我陪您一起看。]
""")
    write(tmp_path / "HLD001.yaml", "id: HLD001\nenabled: 否\n")
    write(tmp_path / "TLK001.yaml", "id: TLK001\nper_channel: {在线: 0.45}\n")
    pack = load_pack([tmp_path])
    assert pack.rule("TLK001").params["per_channel"] == {"chat": 0.45}
    rule = pack.rule("PRO101")
    assert (rule.severity, rule.scope, rule.channels, rule.red_line) == ("major", "agent", ("chat",), False)
    assert not pack.rule("HLD001").enabled


def test_an_editors_backup_beside_a_rule_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "HLD001.yaml", "id: HLD001\nenabled: false\n")
    write(tmp_path / "HLD001.yaml.bak", "id: HLD001\nenabled: true\n")
    write(tmp_path / "HLD001.yaml~", "id: HLD001\nweight: [\n")
    assert not load_pack([tmp_path]).rule("HLD001").enabled


def test_one_lexicon_set_in_two_files_of_a_pack_is_an_error_naming_both(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", "lexicons:\n  taboo_impatient:\n    phrases: [急什么]\n")
    second = write(tmp_path / "b.yaml", "lexicons:\n  taboo_impatient:\n    phrases: [催什么]\n")
    assert pack_errors(tmp_path) == [
        f"{second}:2: lexicon 'taboo_impatient' is also set in {first}: a pack sets each lexicon in one file"]


def test_a_site_that_makes_a_default_fail_example_pass_says_so_in_its_pass_list(tmp_path: Path) -> None:
    default = load_pack().rule("PRO001")
    sentence = default.fail_examples[0]
    write(tmp_path / "PRO001.yaml", f"id: PRO001\nexamples:\n  pass: ['{sentence}']\n")
    site = load_pack([tmp_path]).rule("PRO001")
    assert site.fail_examples == default.fail_examples[1:]
    assert site.pass_examples == (*default.pass_examples, sentence)


def test_a_rule_id_written_in_lower_case_means_that_rule(tmp_path: Path) -> None:
    write(tmp_path / "PRO007.yaml", "{id: pro007, threshold: 0.7}\n")
    assert load_pack([tmp_path]).rule("PRO007").params["threshold"] == 0.7
