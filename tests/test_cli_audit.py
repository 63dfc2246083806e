"""The `audit`, `check` and `report` commands through click's CliRunner: what a user reads
on the terminal and finds in the output folder. (`rules` is in test_cli_rules.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from qa_audit.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_transcripts"
AGENT_BOOKS = ["A1024_王小明.xlsx", "A1031_李婷.xlsx", "A2015_张伟.xlsx", "A2016_陈静怡.xlsx", "A2019_孙丽.xlsx",
               "A3007_黄美玲.xlsx", "A3008_吴昊.xlsx"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """The 42 good sample conversations (broken/ left out)."""
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("broken"))
    return folder


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- audit ----------------------------------------------------------------------------------


def test_audit_writes_jsonl_workbooks_and_run_log_and_prints_one_summary_line(
    runner: CliRunner, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    result = runner.invoke(main, ["audit", str(inbox), "--out", str(out), "--db", str(tmp_path / "qa.db"),
                                  "--workers", "1"])
    assert result.exit_code == 0, result.output
    calls, findings = rows(out / "calls.jsonl"), rows(out / "findings.jsonl")
    assert len(calls) == 42 and len({c["transcript_id"] for c in calls}) == 42
    assert result.stdout == (f"audited 42 transcript(s), 0 unchanged since the last run, 0 input(s) skipped; "
                             f"42 call(s) and {len(findings)} finding(s) written to {out}\n")
    assert result.stderr == ""
    assert sorted(p.name for p in out.glob("*.xlsx")) == sorted([*AGENT_BOOKS, "overview.xlsx"])
    book = load_workbook(out / "A2016_陈静怡.xlsx", read_only=True)
    assert {"概览", "通话", "问题明细"} <= set(book.sheetnames)

    t1119_07 = [f for f in findings if f["transcript_id"] == "T1119-07"]
    assert [(f["rule_id"], f["turn"], f["matched"]) for f in t1119_07] == [
        ("NAN001", 6, ["不清楚", "您问别人吧"]), ("NAN001", 8, ["会有人联系"]), ("NAN001", 10, ["要看后台的处理进度"])]
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert "INFO run 1 started" in log
    assert "INFO audited 42, unchanged 0, skipped 0 inputs" in log


def test_audit_reads_the_database_path_from_qa_audit_db(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "nightly" / "history.db"
    result = runner.invoke(main, ["audit", str(SAMPLES / "txt" / "T1121-07.txt"), "--out", str(tmp_path / "out"),
                                  "--workers", "1", "--no-xlsx"], env={"QA_AUDIT_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert db.is_file()
    assert rows(tmp_path / "out" / "calls.jsonl")[0]["transcript_id"] == "T1121-07"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".qa-audit-reports", "audit.log", "calls.jsonl",
                                                               "findings.jsonl"]


def test_quiet_prints_nothing_but_still_names_what_was_skipped(runner: CliRunner, tmp_path: Path) -> None:
    clean = runner.invoke(main, ["audit", str(SAMPLES / "2026-11-21_chats.jsonl"), "--out", str(tmp_path / "a"),
                                 "--db", str(tmp_path / "qa.db"), "--workers", "1", "--quiet"])
    assert clean.exit_code == 0
    assert clean.output == ""
    assert len(rows(tmp_path / "a" / "calls.jsonl")) == 6

    broken = SAMPLES / "broken" / "2026-11-21_night_batch.jsonl"
    dirty = runner.invoke(main, ["audit", str(broken), "--out", str(tmp_path / "b"), "--db", str(tmp_path / "qa.db"),
                                 "--workers", "1", "-q"])
    assert dirty.exit_code == 1
    assert dirty.stdout == ""
    assert dirty.stderr.splitlines() == [
        f"skipped: {broken}:2: invalid JSON: Unterminated string starting at (column 281)",
        f"skipped: {broken}:4: B1121-04: record has no agent_id",
    ]
    assert [c["transcript_id"] for c in rows(tmp_path / "b" / "calls.jsonl")] == ["B1121-01", "B1121-02"]


def audit_export(runner: CliRunner, tmp_path: Path, name: str, text: str) -> tuple[Path, Result]:
    """Audit a folder holding one export `name` into tmp_path/o; the export's path and the result."""
    export = tmp_path / "in" / name
    export.parent.mkdir()
    export.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["audit", str(export.parent), "--out", str(tmp_path / "o"),
                                  "--db", str(tmp_path / "h.db"), "--workers", "1", "-q"])
    return export, result


def test_a_csv_with_an_unbalanced_quote_skips_one_call_and_audits_the_others(runner: CliRunner,
                                                                           tmp_path: Path) -> None:
    rows_ = ["会话ID,坐席工号,角色,内容"]
    for tid in ("Q-0", "Q-1", "Q-2", "Q-3"):
        opening = "您好，请问有什么可以帮您？"
        rows_ += [f"{tid},A1024,坐席,{chr(34) + opening if tid == 'Q-1' else opening}",
                  f"{tid},A1024,客户,我想查一下这个月的话费。", f"{tid},A1024,坐席,感谢您的来电，再见。"]
    export, result = audit_export(runner, tmp_path, "calls.csv", "\n".join(rows_) + "\n")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"skipped: {export}:5: Q-1: unbalanced quote: a quoted cell opened on this line runs on to the end of the "
        "file, over lines that read as rows of their own; the transcript is skipped, and reading resumes at line 6"]
    assert [c["transcript_id"] for c in rows(tmp_path / "o" / "calls.jsonl")] == ["Q-0", "Q-2", "Q-3"]


def test_a_json_list_with_a_syntax_error_audits_every_transcript_after_it(runner: CliRunner, tmp_path: Path) -> None:
    turns = [{"speaker": "坐席", "text": "您好，请问有什么可以帮您？"}, {"speaker": "客户", "text": "查一下话费"},
             {"speaker": "坐席", "text": "感谢您的来电，再见"}]
    chats = [{"id": f"L-{n}", "agent_id": "A1024", "turns": turns} for n in range(5)]
    broken = json.dumps(chats, ensure_ascii=False, indent=2).replace('"agent_id": "A1024",', '"agent_id": "A1024"', 2)
    export, result = audit_export(runner, tmp_path, "list.json", broken)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"skipped: {export}:5: invalid JSON: Expecting ',' delimiter (column 5); "
        "skipped from line 2 up to the next transcript, on line 38"]
    assert [c["transcript_id"] for c in rows(tmp_path / "o" / "calls.jsonl")] == ["L-2", "L-3", "L-4"]


def test_an_ivr_call_with_numbered_speakers_is_audited_on_the_agents_own_turns(runner: CliRunner,
                                                                             tmp_path: Path) -> None:
    ivr_call = {"id": "IVR-1", "agent_id": "A1024", "channel": "呼入", "turns": [
        {"speaker": "IVR", "text": "您好，欢迎致电，查询话费请按1，人工服务请按0。"},
        {"speaker": "语音导航", "text": "正在为您转接人工客服。"},
        {"speaker": "坐席A", "text": "您好，很高兴为您服务，请问有什么可以帮您？"},
        {"speaker": "客户B", "text": "我想查一下上个月的话费，怎么比平时多了五十多块钱，"
                                    "我也没有打过长途电话，也没有开通什么新业务。"},
        {"speaker": "坐席A", "text": "感谢您的来电，再见。"}]}
    export = tmp_path / "ivr.jsonl"
    export.write_text(json.dumps(ivr_call, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["audit", str(export), "--out", str(tmp_path / "o"), "--db", str(tmp_path / "h.db"),
                                  "--workers", "1", "-q", "--no-xlsx"])
    assert result.exit_code == 0, result.output
    (audited,) = rows(tmp_path / "o" / "calls.jsonl")
    assert (audited["transcript_id"], audited["channel"]) == ("IVR-1", "call")
    findings = rows(tmp_path / "o" / "findings.jsonl")
    assert [(f["rule_id"], f["turn"]) for f in findings] == [("GRT002", 2)]  # no staff number, in the agent's turn


def test_a_big5_export_from_taipei_is_audited_as_written(runner: CliRunner, tmp_path: Path) -> None:
    chat = {"id": "TW-001", "agent_id": "A3007", "agent_name": "黃美玲", "channel": "chat", "turns": [
        {"speaker": "agent", "text": "您好，很高興為您服務，請問有什麼可以幫您？"},
        {"speaker": "customer", "text": "我訂的包裹顯示已經簽收了，可是我根本沒有收到，這是怎麼回事？"},
        {"speaker": "agent", "text": "這個不歸我管，你去問物流公司。"}]}
    export = tmp_path / "in" / "tw.jsonl"
    export.parent.mkdir()
    export.write_bytes((json.dumps(chat, ensure_ascii=False) + "\n").encode("big5"))
    result = runner.invoke(main, ["audit", str(export.parent), "--out", str(tmp_path / "o"),
                                  "--db", str(tmp_path / "h.db"), "--workers", "1", "-q", "--no-xlsx"])
    assert result.exit_code == 0, result.output
    (call,) = rows(tmp_path / "o" / "calls.jsonl")
    assert (call["transcript_id"], call["agent_name"]) == ("TW-001", "黃美玲")
    findings = rows(tmp_path / "o" / "findings.jsonl")
    assert [(f["rule_id"], f["turn"], f["text"]) for f in findings if f["rule_id"] != "TLK001"] == [
        ("GRT002", 0, "您好，很高興為您服務，請問有什麼可以幫您？"),
        ("CLS001", 2, "這個不歸我管，你去問物流公司。"),
        ("NAN001", 2, "這個不歸我管，你去問物流公司。"),
        ("PRO003", 2, "這個不歸我管，你去問物流公司。")]


# --- check ----------------------------------------------------------------------------------


def test_check_prints_findings_under_their_turn_with_the_words_marked(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(SAMPLES / "2026-11-19_calls.jsonl"), "--id", "T1119-07"])
    assert result.exit_code == 1  # findings
    lines = result.stdout.splitlines()
    assert lines[0] == "通话 T1119-07 · 坐席 A2016 陈静怡 · call"
    assert lines[1].startswith("得分 70.0（不合格）") and lines[1].endswith("问题 3 个")
    turn6 = lines.index("  7 [00:59] 坐席：这个我也【不清楚】，【您问别人吧】。")  # turn 6, counted from 1
    assert lines[turn6 + 1].startswith("      ▲ NAN001 major 三不知答复：不清楚、您问别人吧")
    assert lines[turn6 + 2].strip().startswith("依据：第7轮说了 “不清楚”")
    turn8 = lines.index("  9 [01:11] 坐席：【会有人联系】您的。")
    assert lines[turn8 + 1].startswith("      ▲ NAN001 major")
    turn10 = lines.index(" 11 [01:18] 坐席：这个【要看后台的处理进度】。")
    assert lines[turn10 + 1].startswith("      ▲ NAN001 major 三不知答复：要看后台的处理进度")
    assert sum("▲" in line for line in lines) == 3
    assert "T1119-01" not in result.stdout  # --id shows that conversation only


def test_check_a_clean_conversation_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(SAMPLES / "txt" / "T1121-07.txt")])
    assert result.exit_code == 0, result.output
    assert "问题 0 个" in result.stdout
    assert "▲" not in result.stdout
    assert "滚动条" in result.stdout and "【" not in result.stdout  # 滚 inside a word is not a taboo


def test_check_json_puts_each_finding_on_its_turn_with_spans_over_the_words(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(SAMPLES / "2026-11-19_calls.jsonl"), "--id", "T1119-04",
                                  "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["call"]["transcript_id"] == "T1119-04"
    assert document["call"]["findings"] == len(document["findings"]) > 0
    turns = document["turns"]
    assert [t["turn"] for t in turns] == list(range(len(turns)))
    by_rule = {f["rule_id"]: f for f in document["findings"]}
    assert "CLS001" in by_rule  # no courteous close
    for finding in document["findings"]:
        if finding["turn"] is None:
            continue
        said = turns[finding["turn"]]
        assert finding["text"] == said["text"] and finding["speaker"] == said["speaker"]
        assert [said["text"][a:b] for a, b in finding["spans"]] == finding["matched"]
    assert any("我不是说过了吗" in "".join(f["matched"]) for f in document["findings"])


def test_check_json_masks_personal_numbers_unless_told_not_to(runner: CliRunner) -> None:
    path = str(SAMPLES / "2026-11-19_calls.jsonl")
    masked = runner.invoke(main, ["check", path, "--id", "T1119-01", "--format", "json"])
    plain = runner.invoke(main, ["check", path, "--id", "T1119-01", "--format", "json", "--no-mask"])
    masked_text = "".join(t["text"] for t in json.loads(masked.stdout)["turns"])
    plain_text = "".join(t["text"] for t in json.loads(plain.stdout)["turns"])
    assert "****" in masked_text
    assert "****" not in plain_text and plain_text != masked_text


WHY_CALL = """坐席工号: A1024
坐席：您好，请问有什么可以帮您？
客户：我的快递三天没动了，急用。
坐席：这个我不太清楚，我帮您查询一下，请稍等。
客户：好，那到底什么时候能到？
坐席：您着急什么时候用呢？这个我不清楚，物流电话是13812345678。
客户：好的，谢谢。
坐席：不客气，再见。
"""


def test_check_why_says_turn_by_turn_why_a_rule_flagged_nothing(runner: CliRunner, tmp_path: Path) -> None:
    call = tmp_path / "A1024_20261130_0001.txt"
    call.write_text(WHY_CALL, encoding="utf-8")
    result = runner.invoke(main, ["check", str(call), "--why", "NAN001", "--why", "pro001", "--why", "PRO007"])
    assert result.exit_code == 1, result.output  # its findings: talk share, no name in the greeting
    out = result.stdout.split("why not NAN001:\n", 1)[1].splitlines()
    assert out[:2] == ["  第3轮 says “不太清楚”（不知其然）, satisfied in the same turn by “帮您查询一下”（查询/等待）",
                       "  第5轮 says “不清楚”（不知其然）, satisfied in the same turn by “电话是138****5678”（补救）"]
    assert out[2:4] == ["why not PRO001:", "  第5轮 “急什么” is cancelled by the exception “着急什么时候”（不是禁语）"]
    assert out[4] == "why not PRO007:" and out[5].startswith("  the highest score is 0.0")
    assert out[5].endswith(", under the threshold 0.8") and out[6] == ""  # no turn came close: one line
    assert "13812345678" not in result.stdout  # the reasons quote the turn as masked

    document = json.loads(runner.invoke(main, ["check", str(call), "--why", "NAN001", "--format", "json"]).stdout)
    assert document["why_not"]["NAN001"][1].endswith("by “电话是138****5678”（补救）")


def test_check_why_shows_no_number_said_with_spaces(runner: CliRunner, tmp_path: Path) -> None:
    call = tmp_path / "A1024_20261130_0002.txt"
    call.write_text("坐席工号: A1024\n坐席：您好，请问有什么可以帮您？\n客户：我的卡号是6222 0212 3456 7890 123。\n"
                    "坐席：好的，卡号6222 0212 3456 7890 123，我记下了，再见。\n", encoding="utf-8")
    result = runner.invoke(main, ["check", str(call), "--why", "PRO003", "--why", "GRT001", "--format", "json"])
    why = json.loads(result.stdout)["why_not"]
    assert why["PRO003"][0].startswith("no phrase matched") and "卡号 / # / # / # / # / # / ," in why["PRO003"][0]
    assert not any(number in result.stdout for number in ("6222", "0212", "3456", "7890"))
    assert why["GRT001"] == ["第1轮 holds every element: 问候语 “您好”, 服务用语 “有什么可以帮您”"]


def test_check_why_names_a_phrase_the_words_cut_through(runner: CliRunner, tmp_path: Path) -> None:
    # 滚 is a profanity only as a word of its own; 我在查 (a lookup that needs 请稍等) does not
    # stand in 我在/查找. A QA lead who wrote the phrase sees why it did not count.
    call = tmp_path / "A1024_20261201_0001.txt"
    call.write_text("坐席工号: A1024\n坐席：您好，请问有什么可以帮您？\n客户：页面的滚动条拉不动，电报也没找到。\n"
                    "坐席：我在查找电报的记录，您把滚动条拉到底试试。\n客户：好的，谢谢。\n"
                    "坐席：不客气，感谢您的来电，再见。\n", encoding="utf-8")
    result = runner.invoke(main, ["check", str(call), "--why", "HLD001", "--why", "PRO005", "--format", "json"])
    assert json.loads(result.stdout)["why_not"] == {
        "HLD001": ["第3轮 “我在查” is part of other words here (我在 / 查找): a phrase matches whole words only"],
        "PRO005": ["第3轮 “滚” is part of other words here (滚动条): a phrase matches whole words only"],
    }


def test_check_why_hides_a_spelled_out_number_in_the_words_it_shows(runner: CliRunner, tmp_path: Path) -> None:
    # Speech recognition spells the phone number out; cut into words (一 / 三九 / 五七) no mask
    # recognizes it, so the words of a number are shown as #.
    call = tmp_path / "A1024_20261201_0002.txt"
    call.write_text("坐席工号: A1024\n坐席：您好，请问有什么可以帮您？\n客户：我想查一下话费。\n"
                    "坐席：好的，我用手机号一三九五七二四六一零八查找一下。\n", encoding="utf-8")
    result = runner.invoke(main, ["check", str(call), "--why", "HLD001", "--why", "PRO001"])
    assert "第3轮 “我用手机号一三九****六一零八查找一下” is part of other words here (查找 / 一下)" in result.stdout
    assert "第3轮 好 / 的 / , / 我用手机号 / # / # / # / # / # / 查找 / 一下 / 。" in result.stdout  # no phrase matched
    assert not any(digits in result.stdout for digits in ("五七", "二四"))  # the digits the mask hides


def test_check_why_an_unknown_rule_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(SAMPLES / "txt" / "T1121-07.txt"), "--why", "NAN009"])
    assert result.exit_code == 2
    assert "Invalid value for --why: no enabled rule 'NAN009'" in result.output


def test_check_reports_an_unknown_id_and_bad_records(runner: CliRunner) -> None:
    missing = runner.invoke(main, ["check", str(SAMPLES / "2026-11-19_calls.jsonl"), "--id", "T9999-99"])
    assert missing.exit_code == 2
    assert missing.stderr == f"error: no transcript T9999-99 could be read from {SAMPLES / '2026-11-19_calls.jsonl'}\n"

    broken = SAMPLES / "broken" / "2026-11-21_night_batch.jsonl"
    result = runner.invoke(main, ["check", str(broken), "--format", "json"])
    assert result.exit_code == 1
    assert f"skipped: {broken}:4: B1121-04: record has no agent_id" in result.stderr
    assert [d["call"]["transcript_id"] for d in json.loads(result.stdout)] == ["B1121-01", "B1121-02"]


# --- report ---------------------------------------------------------------------------------


@pytest.fixture
def history(runner: CliRunner, inbox: Path, tmp_path: Path) -> tuple[Path, list[dict[str, object]]]:
    """A database holding the sample conversations, and the calls the audit wrote."""
    db = tmp_path / "history.db"
    result = runner.invoke(main, ["audit", str(inbox), "--out", str(tmp_path / "nightly"), "--db", str(db),
                                  "--workers", "1", "--no-xlsx"])
    assert result.exit_code == 0, result.output
    return db, rows(tmp_path / "nightly" / "calls.jsonl")


def test_report_rebuilds_one_agents_period(runner: CliRunner, history: tuple[Path, list], tmp_path: Path) -> None:
    db, audited = history
    out = tmp_path / "week"
    result = runner.invoke(main, ["report", "--db", str(db), "--out", str(out), "--from", "2026-11-20",
                                  "--to", "2026-11-21", "--agent", "A1024"])
    assert result.exit_code == 0, result.output
    expected = sorted(c["transcript_id"] for c in audited
                      if c["agent_id"] == "A1024" and c["started_at"][:10] in ("2026-11-20", "2026-11-21"))
    assert len(expected) == 4
    calls = rows(out / "calls.jsonl")
    assert sorted(c["transcript_id"] for c in calls) == expected
    assert calls == sorted((c for c in audited if c["transcript_id"] in expected),
                           key=lambda c: (c["started_at"], c["transcript_id"]))  # as audited, not re-audited
    assert {f["transcript_id"] for f in rows(out / "findings.jsonl")} <= set(expected)
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["A1024_王小明.xlsx", "overview.xlsx"]
    assert result.stdout.startswith("4 call(s), ")
    assert result.stdout.endswith(f"2 workbook(s) written to {out}\n")


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet of a workbook, row by row, as values."""
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in load_workbook(path).worksheets}


def note(sheet: list[tuple[object, ...]], label: str) -> tuple[object, object]:
    """The value and the note beside `label` on a 概览 sheet."""
    return next((row[1], row[2]) for row in sheet if row[0] == label)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_one_agents_report_compares_him_with_everyone_in_the_period(
    runner: CliRunner, history: tuple[Path, list], tmp_path: Path, workers: str
) -> None:
    """A coaching book pulled with --agent is the book of the full report, cell for cell."""
    db, _ = history
    everyone = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "all"), "--workers", "1"])
    assert everyone.exit_code == 0, everyone.output
    chosen = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "one"), "--workers", workers,
                                  "--agent", "A1024", "--agent", "A3008"])
    assert chosen.exit_code == 0, chosen.output
    assert sorted(p.name for p in (tmp_path / "one").glob("*.xlsx")) == [
        "A1024_王小明.xlsx", "A3008_吴昊.xlsx", "overview.xlsx"]

    book = cells(tmp_path / "one" / "A1024_王小明.xlsx")
    summary = book["概览"]
    assert note(summary, "团队") == ("售后一组", "共 2 名坐席")
    assert note(summary, "平均得分")[1] == "合格线 80 分；团队平均 93.7"
    assert note(summary, "团队排名") == ("第 1 名 / 共 2 人", "按平均得分；全体第 2 名 / 共 7 人")
    assert note(summary, "辅导重点") == ("服务禁语", "平均每通扣 2.5 分；6 通中 1 通（16.7%），团队 16.7%")
    assert "三不知" in [row[0] for row in summary]  # a check only other agents hit is still listed
    for name in ("A1024_王小明.xlsx", "A3008_吴昊.xlsx"):
        assert cells(tmp_path / "one" / name) == cells(tmp_path / "all" / name), name

    # The overview is the period's, as without --agent; it links only the books written here.
    overview, full = cells(tmp_path / "one" / "overview.xlsx"), cells(tmp_path / "all" / "overview.xlsx")
    assert note(overview["概览"], "坐席数") == (7, "分属 3 个团队")
    assert [row[-1] for row in overview["坐席排名"][1:] if row[-1]] == ["A1024_王小明.xlsx", "A3008_吴昊.xlsx"]
    assert [row[:-1] for row in overview["坐席排名"]] == [row[:-1] for row in full["坐席排名"]]
    assert {k: v for k, v in overview.items() if k != "坐席排名"} == {k: v for k, v in full.items() if k != "坐席排名"}


def test_a_rebuilt_day_has_a_column_for_every_check_of_the_pack_even_at_zero(
    runner: CliRunner, history: tuple[Path, list], tmp_path: Path
) -> None:
    """Nobody missed a greeting or a staff number on 2026-11-21: the rebuilt day still has
    those columns, at 0.0%, in the same places as the whole history's report."""
    db, _ = history
    day = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "day"), "--workers", "1",
                               "--from", "2026-11-21", "--to", "2026-11-21"])
    assert day.exit_code == 0, day.output
    whole = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "all"), "--workers", "1"])
    assert whole.exit_code == 0, whole.output
    ranking = cells(tmp_path / "day" / "overview.xlsx")["坐席排名"]
    head = [h.replace("\n", "") for h in ranking[0]]
    assert [h.removesuffix("违规率") for h in head if h.endswith("违规率")] == [
        "开场问候", "自报工号", "结束语", "服务禁语", "三不知", "等待礼仪", "说话占比超标"]
    assert {row[head.index("开场问候违规率")] for row in ranking[1:]} == {0}
    assert ranking[0] == cells(tmp_path / "all" / "overview.xlsx")["坐席排名"][0]
    book = cells(tmp_path / "day" / "A1024_王小明.xlsx")
    assert book["通话"][0] == cells(tmp_path / "all" / "A1024_王小明.xlsx")["通话"][0]


def test_a_rebuilt_report_does_not_claim_that_nothing_was_skipped(runner: CliRunner, tmp_path: Path) -> None:
    """The night skipped three broken inputs; the period report is not told, and says so."""
    db = tmp_path / "history.db"
    night = runner.invoke(main, ["audit", str(SAMPLES), "--out", str(tmp_path / "nightly"), "--db", str(db),
                                 "--workers", "1", "--quiet"])
    assert night.exit_code == 1, night.output
    nightly = cells(tmp_path / "nightly" / "overview.xlsx")
    assert note(nightly["概览"], "跳过的输入") == (3, "明细见「输入错误」")
    assert len(nightly["输入错误"]) == 4

    rebuilt = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "period"), "--workers", "1"])
    assert rebuilt.exit_code == 0, rebuilt.output
    overview = cells(tmp_path / "period" / "overview.xlsx")
    assert note(overview["概览"], "跳过的输入") == (
        "未列出", "重建的周期报告不含跳过的输入，见每晚审核输出目录中的 overview.xlsx（「输入错误」）和 audit.log")
    assert overview["输入错误"] == [
        ("文件", "行号", "原因"),
        ("本报告由 qa-audit report 从历史数据库重建，不列出跳过的输入（不表示没有跳过）。"
         "跳过的文件和记录见每晚审核输出目录中的 overview.xlsx（「输入错误」）和 audit.log。", None, None),
    ]


def test_a_report_over_the_whole_history_writes_the_same_json_lines_as_the_audit(
    runner: CliRunner, history: tuple[Path, list], tmp_path: Path
) -> None:
    """The audit copies the stored JSON text; a report decodes and re-encodes it: same bytes."""
    db, _ = history
    result = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "all"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    for name in ("calls.jsonl", "findings.jsonl"):
        audited = (tmp_path / "nightly" / name).read_text(encoding="utf-8")
        assert "陈静怡" in audited and "\\u" not in audited  # Chinese kept as is, not escaped
        assert (tmp_path / "all" / name).read_text(encoding="utf-8") == audited


def test_a_report_for_one_agent_into_the_folder_of_everyones_leaves_only_its_own_reports(
    runner: CliRunner, history: tuple[Path, list], tmp_path: Path
) -> None:
    """The folder holds one report: the other agents' workbooks of the earlier one would be
    taken for part of it. A report that writes nothing removes nothing."""
    db, _ = history
    out = tmp_path / "coaching"
    out.mkdir()
    (out / "说明.docx").write_bytes(b"PK\x03\x04")  # the team lead's own file
    everyone = runner.invoke(main, ["report", "--db", str(db), "--out", str(out), "--workers", "1"])
    assert everyone.exit_code == 0, everyone.output
    assert sorted(p.name for p in out.glob("*.xlsx")) == sorted([*AGENT_BOOKS, "overview.xlsx"])

    empty = runner.invoke(main, ["report", "--db", str(db), "--out", str(out), "--from", "2027-01-01"])
    assert empty.exit_code == 3
    assert sorted(p.name for p in out.glob("*.xlsx")) == sorted([*AGENT_BOOKS, "overview.xlsx"])

    one = runner.invoke(main, ["report", "--db", str(db), "--out", str(out), "--agent", "A1024"])
    assert one.exit_code == 0, one.output
    assert sorted(p.name for p in out.iterdir()) == sorted([".qa-audit-reports", "A1024_王小明.xlsx", "calls.jsonl",
                                                            "findings.jsonl", "overview.xlsx", "说明.docx"])
    assert one.stdout.splitlines()[0] == ("removed 6 report files of the previous run that this run did not write: "
                                          f"{', '.join(AGENT_BOOKS[1:])}")
    assert one.stderr == ""


def test_report_on_an_empty_period_or_a_reversed_one(runner: CliRunner, history: tuple[Path, list],
                                                       tmp_path: Path) -> None:
    db, _ = history
    empty = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "e"), "--from", "2027-01-01"])
    assert empty.exit_code == 3
    assert "no calls in the database for that period and agents; nothing written" in empty.stderr
    assert not (tmp_path / "e").exists()

    nobody = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "n"), "--agent", "X999"])
    assert nobody.exit_code == 3
    assert not (tmp_path / "n").exists()  # not even an overview of everyone else

    typo = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "t"),
                                "--agent", "A1024", "--agent", "A1O24"])
    assert typo.exit_code == 0, typo.output
    assert "warning: no calls of agent A1O24 in that period" in typo.stderr

    backwards = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "b"),
                                     "--from", "2026-11-21", "--to", "2026-11-19"])
    assert backwards.exit_code == 2
    assert "error: --from is after --to" in backwards.stderr
    assert not (tmp_path / "b").exists()


# --- help -----------------------------------------------------------------------------------


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


@pytest.mark.parametrize(("path", "command"), [
    pytest.param(path, command, id=" ".join(path) or "qa-audit") for path, command in commands(main)])
def test_every_commands_help_mentions_each_of_its_options(runner: CliRunner, path: tuple[str, ...],
                                                           command: click.Command) -> None:
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    options = [opt for param in command.params if isinstance(param, click.Option) for opt in param.opts]
    assert [opt for opt in options if opt not in result.stdout] == []
    summary = " ".join((command.help or "").split("\n")[0].split())
    assert summary and summary in " ".join(result.stdout.split())  # the command says what it does


def test_audit_help_names_every_documented_option(runner: CliRunner) -> None:
    result = runner.invoke(main, ["audit", "--help"])
    for option in ("--out", "--rules", "--db", "--workers", "--force", "--no-mask", "--quiet", "--no-xlsx",
                   "--segmenter"):
        assert option in result.stdout
    assert "QA_AUDIT_DB" in result.stdout


def test_report_masks_numbers_that_a_no_mask_run_stored(runner: CliRunner, tmp_path: Path) -> None:
    call = {"id": "M1", "agent_id": "A1024", "agent_name": "王小明", "started_at": "2026-11-21T10:00:00+08:00",
            "turns": [{"speaker": "agent", "text": "急什么，回电号码13812345678你自己记一下。"},
                      {"speaker": "customer", "text": "好。"}]}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(call, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "history.db"
    audited = runner.invoke(main, ["audit", str(source), "--out", str(tmp_path / "raw"), "--db", str(db),
                                   "--no-mask", "--no-xlsx", "--workers", "1"])
    assert audited.exit_code == 0, audited.output
    assert "13812345678" in (tmp_path / "raw" / "findings.jsonl").read_text(encoding="utf-8")

    masked = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "masked"), "--workers", "1"])
    assert masked.exit_code == 0, masked.output
    texts = {f["text"] for f in rows(tmp_path / "masked" / "findings.jsonl") if f["text"]}
    assert texts == {"急什么，回电号码138****5678你自己记一下。"}
    sheet = load_workbook(tmp_path / "masked" / "A1024_王小明.xlsx")["问题明细"]
    assert not any("13812345678" in str(c) for row in sheet.iter_rows(values_only=True) for c in row)

    plain = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "plain"), "--no-mask"])
    assert plain.exit_code == 0, plain.output
    assert "13812345678" in (tmp_path / "plain" / "findings.jsonl").read_text(encoding="utf-8")


def test_an_output_folder_that_cannot_be_created_is_a_configuration_error(
    runner: CliRunner, inbox: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    result = runner.invoke(main, ["audit", str(inbox), "--out", str(blocker / "nightly"), "--db",
                                  str(tmp_path / "history.db")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and str(blocker / "nightly") in result.stderr
    assert "Traceback" not in result.stderr


def test_an_internal_error_exits_4_with_the_traceback_in_the_run_log(
    runner: CliRunner, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the workbook writer")

    monkeypatch.setattr("qa_audit.pipeline.write_workbooks", broken)
    out = tmp_path / "nightly"
    result = runner.invoke(main, ["audit", str(inbox), "--out", str(out), "--db", str(tmp_path / "history.db"),
                                  "--workers", "1", "--quiet"])
    assert result.exit_code == 4  # never 1, which a scheduler reads as "some inputs skipped"
    assert "internal error" in result.stderr and "a bug in the workbook writer" in result.stderr
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert "run stopped by an internal error" in log and "RuntimeError: a bug in the workbook writer" in log


def test_a_folder_without_transcripts_says_what_was_looked_for(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "exports"
    empty.mkdir()
    (empty / "readme.md").write_text("导出说明", encoding="utf-8")
    result = runner.invoke(main, ["audit", str(empty), "--out", str(tmp_path / "o"), "--db", str(tmp_path / "h.db")])
    assert result.exit_code == 3
    looked_for = ".csv .json .jsonl .ndjson .tsv .txt .xlsm .xlsx"
    assert f"error: no transcript files in {empty} (looked for {looked_for})" in result.stderr


def test_reports_are_as_readable_as_any_file_the_user_creates(runner: CliRunner, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "nightly"
    result = runner.invoke(main, ["audit", str(inbox), "--out", str(out), "--db", str(tmp_path / "h.db"), "--quiet"])
    assert result.exit_code == 0, result.output
    plain = tmp_path / "plain.txt"
    plain.write_text("对照", encoding="utf-8")
    expected = plain.stat().st_mode & 0o777
    reports = [out / "calls.jsonl", out / "findings.jsonl", out / "overview.xlsx", out / "A1024_王小明.xlsx"]
    assert {path.name: path.stat().st_mode & 0o777 for path in reports} == dict.fromkeys(
        (p.name for p in reports), expected
    )


def test_check_shows_turns_after_the_first_hour_in_hours(runner: CliRunner, tmp_path: Path) -> None:
    long_call = tmp_path / "A1024_20261121_0001.txt"
    long_call.write_text(
        "[00:00] 坐席: 您好，很高兴为您服务，请问有什么可以帮您？\n"
        "[59:59] 客户: 我的宽带还是断的。\n"
        "[1:06:45] 坐席: 好的，我帮您报修，感谢您的来电，再见。\n"
        "[1:07:02]\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["check", str(long_call)])
    assert "  2 [59:59] 客户：我的宽带还是断的。" in result.stdout.splitlines()
    assert "  3 [1:06:45] 坐席：好的，我帮您报修，感谢您的来电，再见。" in result.stdout.splitlines()


def test_check_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path: Path) -> None:
    day = (SAMPLES / "2026-11-19_calls.jsonl").read_text(encoding="utf-8")
    many = tmp_path / "many.jsonl"
    many.write_text("".join(day.replace('"id": "T', f'"id": "N{n}-T') for n in range(40)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "qa_audit", "check", str(many)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # `| head -1`
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert first.startswith("通话 N0-T1119-01")
    assert process.stderr.read() == ""  # no "error: [Errno 32] Broken pipe", no traceback
