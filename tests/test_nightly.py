"""Nightly operations (issue 6): a dirty inbox, a killed run, reruns, a busy database, workers.

Each test drives `qa-audit audit` as cron would (CliRunner, or a real subprocess where a
process has to be killed or has to wait), then checks what an operator sees: the exit
code, the `skipped:` lines, audit.log, the 输入错误 sheet, calls.jsonl / findings.jsonl and
the history database itself (read with sqlite3, as a DBA would).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from qa_audit.cli import main
from qa_audit.stopping import Terminated, deferred, on_sigterm
from qa_audit.store import Store
from qa_audit.workers import process_pool

SAMPLES = Path(__file__).resolve().parent.parent / "sample_transcripts"
GREETING = "您好，很高兴为您服务，请问有什么可以帮您？"
CLOSING = "好的，已经帮您登记了，感谢您的来电，再见。"


# --- helpers ------------------------------------------------------------------------------


def sample_records() -> list[dict[str, object]]:
    """The reference-format sample conversations (8 timed calls, 6 chats with system turns)."""
    records = []
    for name in ("2026-11-19_calls.jsonl", "2026-11-21_chats.jsonl"):
        for line in (SAMPLES / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


def generate(path: Path, count: int, prefix: str = "N") -> list[str]:
    """`count` transcripts varied from the samples (new id, another agent); returns their ids."""
    base = sample_records()
    agents = ["A1024", "A1031", "A2015", "A2016", "A2019"]
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            record = dict(base[i % len(base)], id=f"{prefix}{i:05d}", agent_id=agents[i % len(agents)])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            ids.append(record["id"])
    return ids


def call(tid: str, agent_id: str | None = "A1024", customer: str = "我家宽带从昨天开始就断了。",
         **extra: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": tid, "channel": "call", "agent_id": agent_id, "agent_name": "王小明", "team": "售后一组",
        "started_at": "2026-11-21T09:15:02+08:00",
        "turns": [{"speaker": "agent", "text": GREETING}, {"speaker": "customer", "text": customer},
                  {"speaker": "agent", "text": CLOSING}],
    }
    if agent_id is None:
        del record["agent_id"]
    record.update(extra)
    return record


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def audit(*args: object) -> Result:
    return CliRunner().invoke(main, ["audit", *map(str, args)])


def audit_process(*args: object, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qa_audit", "audit", *map(str, args)],
                            text=True, **popen)  # type: ignore[call-overload]


def ids_in(out: Path, name: str = "calls.jsonl") -> list[str]:
    return [json.loads(line)["transcript_id"] for line in (out / name).read_text(encoding="utf-8").splitlines()]


def sorted_lines(path: Path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8").splitlines())


@contextmanager
def database(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db)
    try:
        yield conn
    finally:
        conn.close()


def runs(db: Path) -> list[tuple[str, dict[str, int] | None]]:
    with database(db) as conn:
        rows = conn.execute("SELECT status, counts FROM runs ORDER BY id").fetchall()
    return [(status, json.loads(counts) if counts else None) for status, counts in rows]


def summary(audited: int, unchanged: int, skipped: int) -> str:
    return (f"audited {audited} transcript(s), {unchanged} unchanged since the last run, "
            f"{skipped} input(s) skipped;")


# --- a dirty inbox ------------------------------------------------------------------------


def dirty_inbox(inbox: Path) -> tuple[list[str], list[tuple[str, int | None, str]]]:
    """Good transcripts among every kind of bad input; returns (good ids, expected errors)."""
    inbox.mkdir(parents=True)
    errors: list[tuple[str, int | None, str]] = []

    def put(name: str, content: str | bytes) -> str:
        (inbox / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return str(inbox / name)

    # One line of an otherwise UTF-8 export arrives in GBK.
    gbk_line = json.dumps(call("G004", customer="我的快递显示签收了"), ensure_ascii=False).encode("gbk") + b"\n"
    path = put("a_good.jsonl", jsonl(call("G001"), call("G002"), call("G003")).encode() + gbk_line)
    errors.append((path, 4, "not valid UTF-8 text (byte 71 of the line)"))  # 王 of 王小明

    complete = json.dumps([call("G005"), call("G099")], ensure_ascii=False, indent=2)
    path = put("b_truncated.json", complete[: complete.index('"G099"') + 20])
    errors.append((path, 26, "invalid JSON: Unterminated string starting at (column 5); "
                             "the rest of the file from line 24 is not read (no complete transcript follows)"))

    no_speaker = call("M002")
    no_speaker["turns"] = [{"speaker": "agent", "text": GREETING}, {"text": "我想查一下话费。"}]
    path = put("c_fields.jsonl", jsonl(call("G006"), call("M001", agent_id=None), no_speaker))
    errors += [(path, 2, "M001: record has no agent_id"), (path, 3, "M002: turn 1 has no speaker")]

    errors.append((put("d_empty.csv", b""), None, "empty file"))
    errors.append((put("e_junk.jsonl", random.Random(6).randbytes(3000)), None,
                   "not a text file: contains NUL bytes (binary data or UTF-16)"))
    path = put("f_latin1.csv", "会话ID,坐席工号,角色,内容\n".encode() + b"L001,A1024,agent,Caf\xe9 cr\xe8me\n")
    errors.append((path, 2, "not UTF-8 or GB18030 text"))
    errors.append((put("g_utf16.txt", "坐席工号: A1024\n\n坐席: 您好\n".encode("utf-16")), None,
                   "UTF-16 text is not supported: save the file as UTF-8"))

    # A five-megabyte customer turn is a transcript; a five-megabyte truncated record is not.
    long_turn = call("G007", customer="客户说了很久。" * 250_000)
    cut = json.dumps(call("M003", customer="录音转写失败" * 300_000), ensure_ascii=False)
    truncated = cut[: cut.index("录音") + 1_750_000]  # the customer's text, column 233, never ends
    assert len(truncated.encode()) > 5_000_000
    path = put("h_long.jsonl", jsonl(long_turn, truncated, call("G008")))
    errors.append((path, 2, "invalid JSON: Unterminated string starting at (column 233)"))

    # The same id again: identical content is the same transcript, other content is an error.
    path = put("i_again.jsonl", jsonl(call("G001"), call("G002", customer="我要投诉。")))
    errors.append((path, 2, "duplicate transcript id 'G002' with different content "
                            f"(first seen at {inbox / 'a_good.jsonl'}:2); skipped"))
    (inbox / "README.md").write_text("不是转写文件", encoding="utf-8")  # not a transcript: ignored
    return ["G001", "G002", "G003", "G005", "G006", "G007", "G008"], errors


def test_a_dirty_inbox_audits_every_good_transcript_and_reports_every_bad_item(tmp_path: Path) -> None:
    good, errors = dirty_inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    result = audit(tmp_path / "inbox", "--out", out, "--db", tmp_path / "qa.db", "--workers", 1)

    assert result.exit_code == 1, result.output
    assert sorted(ids_in(out)) == good
    calls = {json.loads(line)["transcript_id"]: json.loads(line) for line in (out / "calls.jsonl").open()}
    assert calls["G002"]["source"] == f"{tmp_path / 'inbox' / 'a_good.jsonl'}:2"  # the first one seen wins
    assert summary(7, 0, len(errors)) in result.stdout

    expected = [f"{path}:{line}: {reason}" if line is not None else f"{path}: {reason}"
                for path, line, reason in errors]
    assert [line.removeprefix("skipped: ") for line in result.stderr.splitlines()] == expected
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert [line.split(" WARNING skipped ", 1)[1] for line in log.splitlines() if " WARNING " in line] == expected

    sheet = load_workbook(out / "overview.xlsx", read_only=True)["输入错误"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("文件", "行号", "原因")
    assert [row[:3] for row in rows[1:]] == errors


def test_an_export_appended_to_in_another_encoding_is_never_audited_as_mojibake(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    gbk_lines = jsonl(call("E001"), call("E002"), call("E003")).encode("gbk")
    (inbox / "a_gbk_plus_utf8.jsonl").write_bytes(gbk_lines + jsonl(call("E004", customer="宽带断了")).encode())
    header = "通话ID,坐席工号,坐席姓名,说话人,文本\n"
    rows = ["C003,A1024,王小明,坐席,您好，请问有什么可以帮您？\n", "C003,A1024,王小明,客户,我想查话费。\n"]
    utf8_row = "C004,A1024,王小明,客户,宽带断了\n"
    (inbox / "b_gbk_plus_utf8.csv").write_bytes((header + "".join(rows)).encode("gbk") + utf8_row.encode())
    english = "id,agent_id,agent_name,speaker,text\nC005,A1024,王小明,agent,您好\nC005,A1024,王小明,customer,宽带断了\n"
    (inbox / "c_utf8_plus_gbk.csv").write_bytes(english.encode() + "C006,A1024,王小明,agent,您好\n".encode("gbk"))

    out = tmp_path / "out"
    result = audit(inbox, "--out", out, "--db", tmp_path / "qa.db", "--workers", 1, "--no-xlsx")
    assert result.exit_code == 1, result.output
    calls = [json.loads(line) for line in (out / "calls.jsonl").open(encoding="utf-8")]
    assert sorted((c["transcript_id"], c["agent_name"]) for c in calls) == [
        ("C003", "王小明"), ("C004", "王小明"), ("E001", "王小明"), ("E002", "王小明"), ("E003", "王小明"),
        ("E004", "王小明")]
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert skipped == [f"skipped: {inbox / 'c_utf8_plus_gbk.csv'}:4: not valid UTF-8 text (byte 12 of the "
                       "line), unlike the rest of the file; save the whole file in one encoding"]


def test_an_inbox_of_only_bad_files_exits_3_and_still_says_why(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.csv").write_bytes(b"")
    (inbox / "junk.jsonl").write_bytes(random.Random(3).randbytes(2000))
    no_agent = "坐席: 您好，请问有什么可以帮您？\n客户: 我想改套餐。\n"
    (inbox / "recording_0412.txt").write_text(no_agent, encoding="utf-8")
    out = tmp_path / "out"
    result = audit(inbox, "--out", out, "--db", tmp_path / "qa.db", "--workers", 1)

    assert result.exit_code == 3, result.output
    assert summary(0, 0, 3) in result.stdout
    assert [line.split(": ", 2)[1] for line in result.stderr.splitlines()] == [
        f"{inbox / 'empty.csv'}", f"{inbox / 'junk.jsonl'}", f"{inbox / 'recording_0412.txt'}"]
    assert "recording_0412: record has no agent_id" in result.stderr
    assert (out / "calls.jsonl").read_text(encoding="utf-8") == ""
    assert runs(tmp_path / "qa.db") == [("finished", {"audited": 0, "unchanged": 0, "errors": 3, "calls": 0,
                                                      "findings": 0})]


def test_a_missing_input_is_a_skipped_input_and_the_rest_of_the_night_is_audited(tmp_path: Path) -> None:
    calls = tmp_path / "exports" / "calls"
    calls.mkdir(parents=True)
    (calls / "night.jsonl").write_text(jsonl(call("K001"), call("K002")), encoding="utf-8")
    late = tmp_path / "exports" / "chats"  # the chat export has not arrived yet
    out = tmp_path / "out"
    result = audit(calls, late, "--out", out, "--db", tmp_path / "qa.db", "--workers", 1)

    assert result.exit_code == 1, result.output
    assert ids_in(out) == ["K001", "K002"]
    assert result.stderr == f"skipped: {late}: no such file or directory\n"
    sheet = load_workbook(out / "overview.xlsx", read_only=True)["输入错误"]
    assert [row[:3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (str(late), None, "no such file or directory")]

    only_late = audit(late, "--out", tmp_path / "out2", "--db", tmp_path / "qa.db", "--workers", 1, "-q")
    assert only_late.exit_code == 3
    assert only_late.stderr == f"skipped: {late}: no such file or directory\n"


def test_reports_written_inside_the_input_folder_are_never_read_back(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "night.jsonl").write_text(jsonl(call("R001"), call("R002", customer="我的电话是13812345678。")),
                                       encoding="utf-8")
    out = inbox / "reports"
    for night in (1, 2):
        result = audit(inbox, "--out", out, "--db", tmp_path / "qa.db", "--workers", 1, "--force")
        assert result.exit_code == 0, (night, result.output)
        assert result.stderr == ""
        assert summary(2, 0, 0) in result.stdout
        assert ids_in(out) == ["R001", "R002"]


def test_an_out_folder_that_is_also_an_input_folder_is_a_usage_error(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "night.jsonl").write_text(jsonl(call("R001")), encoding="utf-8")
    result = audit(inbox, "--out", inbox / ".." / "inbox", "--db", tmp_path / "qa.db")
    assert result.exit_code == 2
    assert result.stderr == (f"error: --out {inbox / '..' / 'inbox'} is also an input folder ({inbox}): the next run "
                             "would read the reports back as transcripts; write them to a folder of their own (a "
                             "subfolder of it is fine)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox"]  # no database, no reports


def test_an_export_that_arrives_as_a_workbook_or_an_archive_is_reported_not_ignored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "calls.jsonl").write_text(jsonl(call("X001")), encoding="utf-8")
    (inbox / "calls_20261121.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / "chats.jsonl.gz").write_bytes(b"\x1f\x8b\x08")
    (inbox / "说明.md").write_text("每晚导出", encoding="utf-8")
    txt = tmp_path / "shared" / "txt"
    txt.mkdir(parents=True)
    (txt / "A2015_20261121_0009.txt").write_text(f"坐席: {GREETING}\n客户: 我想改套餐。\n坐席: {CLOSING}\n",
                                                 encoding="utf-8")
    (inbox / "txt").symlink_to(txt, target_is_directory=True)
    out = tmp_path / "out"
    result = audit(inbox, "--out", out, "--db", tmp_path / "qa.db", "--workers", 1)

    assert result.exit_code == 1, result.output
    assert sorted(ids_in(out)) == ["A2015_20261121_0009", "X001"]
    errors = [(str(inbox / "calls_20261121.xls"), None,
               "this workbook format is not read: save it as .xlsx, or export the sheet as CSV (另存为 CSV UTF-8)"),
              (str(inbox / "chats.jsonl.gz"), None, "compressed files are not read: unpack it into the input folder")]
    assert result.stderr.splitlines() == [f"skipped: {path}: {reason}" for path, _, reason in errors]
    sheet = load_workbook(out / "overview.xlsx", read_only=True)["输入错误"]
    assert [row[:3] for row in sheet.iter_rows(min_row=2, values_only=True)] == errors


def test_check_still_refuses_a_file_that_does_not_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "T0001.jsonl")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_rule_pack_that_is_not_yaml_stops_the_run_before_the_database_is_touched_and_says_why_in_the_log(
    tmp_path: Path,
) -> None:
    generate(tmp_path / "inbox" / "night.jsonl", 3)
    site = tmp_path / "site-rules"
    site.mkdir()
    (site / "GRT002.yaml").write_text("id: GRT002\nenabled: [false\n", encoding="utf-8")
    db = tmp_path / "qa.db"
    result = audit(tmp_path / "inbox", "--out", tmp_path / "out", "--db", db, "--rules", site)
    assert result.exit_code == 2
    assert str(site / "GRT002.yaml") in result.stderr
    assert "nothing was audited" in result.stderr
    assert not db.exists()
    # Under cron stderr may go nowhere: the night's folder holds the reason and no reports.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".qa-audit-reports", "audit.log"]
    log = (tmp_path / "out" / "audit.log").read_text(encoding="utf-8")
    assert f"ERROR rule pack: {site / 'GRT002.yaml'}:3: YAML syntax error" in log
    assert log.rstrip().endswith("a list opened with [ needs its closing ]")


@pytest.mark.parametrize(("option", "complaint"), [
    (["--workers", "0"], "Invalid value for '--workers'"),
    (["--segmenter", "pkuseg"], "Invalid value for '--segmenter'"),
    (["--frobnicate"], "No such option '--frobnicate'"),
])
def test_a_bad_option_exits_2_and_audits_nothing(tmp_path: Path, option: list[str], complaint: str) -> None:
    generate(tmp_path / "inbox" / "night.jsonl", 3)
    db = tmp_path / "qa.db"
    result = audit(tmp_path / "inbox", "--out", tmp_path / "out", "--db", db, *option)
    assert result.exit_code == 2
    assert complaint in result.stderr
    assert not db.exists()
    assert not (tmp_path / "out").exists()


def test_a_history_file_that_is_not_a_database_is_a_configuration_error(tmp_path: Path) -> None:
    generate(tmp_path / "inbox" / "night.jsonl", 3)
    db = tmp_path / "qa.db"
    db.write_text("质检记录：本文件不是数据库。\n" * 40, encoding="utf-8")
    result = audit(tmp_path / "inbox", "--out", tmp_path / "out", "--db", db, "--workers", 1)
    assert db.read_text(encoding="utf-8") == "质检记录：本文件不是数据库。\n" * 40
    assert result.exit_code == 2
    assert f"error: {db} is not a qa-audit history database" in result.stderr


# --- a killed run -------------------------------------------------------------------------


def calls_saved(db: Path) -> int:
    """Calls committed so far, read while the run writes (0 before the schema exists)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM calls").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_run_then_rerun_gives_what_an_uninterrupted_run_gives(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    ids = generate(inbox / "2026-11-21_night.jsonl", 1200)
    db = tmp_path / "history.db"

    proc = audit_process(inbox, "--out", tmp_path / "killed", "--db", db, "--workers", 1, "--no-xlsx",
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Kill as soon as some batches are committed; if the run is already over, the test still holds.
        while proc.poll() is None and calls_saved(db) == 0:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    killed = proc.returncode == -signal.SIGKILL
    survived = calls_saved(db)

    rerun = audit(inbox, "--out", tmp_path / "rerun", "--db", db, "--workers", 1, "--no-xlsx")
    assert rerun.exit_code == 0, rerun.output
    assert summary(len(ids) - survived, survived, 0) in rerun.stdout  # committed work is not redone

    fresh = audit(inbox, "--out", tmp_path / "fresh", "--db", tmp_path / "fresh.db", "--workers", 1, "--no-xlsx")
    assert fresh.exit_code == 0, fresh.output
    for name in ("calls.jsonl", "findings.jsonl"):
        assert sorted_lines(tmp_path / "rerun" / name) == sorted_lines(tmp_path / "fresh" / name)
    assert sorted(ids_in(tmp_path / "rerun")) == ids

    with database(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*), count(DISTINCT transcript_id) FROM calls").fetchone() == (1200, 1200)
        stored = sorted(tid for (tid,) in conn.execute("SELECT transcript_id FROM calls"))
        assert stored == ids
        findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert findings == len(sorted_lines(tmp_path / "fresh" / "findings.jsonl"))
    statuses = [status for status, _ in runs(db)]
    assert statuses == (["interrupted", "finished"] if killed else ["finished", "finished"])


def _live_children(pid: int) -> list[int]:
    """Processes whose parent is `pid` and that are not zombies (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _stopped_mid_run(tmp_path: Path, sig: signal.Signals) -> tuple[subprocess.Popen[str], list[int], Path]:
    """A 2-worker run of 1,200 calls, sent `sig` once its workers are at work; and those workers."""
    inbox = tmp_path / "inbox"
    generate(inbox / "2026-11-21_night.jsonl", 1200)
    db = tmp_path / "history.db"
    proc = audit_process(inbox, "--out", tmp_path / "stopped", "--db", db, "--workers", 2, "--no-xlsx",
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        workers: list[int] = []
        while proc.poll() is None and len(workers) < 2:
            time.sleep(0.01)
            workers = _live_children(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    return proc, workers, db


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux /proc")
def test_a_killed_run_leaves_no_workers_behind_and_the_next_night_runs(tmp_path: Path) -> None:
    proc, workers, db = _stopped_mid_run(tmp_path, signal.SIGKILL)
    if proc.returncode != -signal.SIGKILL:
        pytest.skip("the run finished before it could be killed")
    assert workers, "the run had started its worker processes"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "orphaned workers outlived the killed run"

    rerun = audit(tmp_path / "inbox", "--out", tmp_path / "rerun", "--db", db, "--workers", 2, "--no-xlsx")
    assert rerun.exit_code == 0, rerun.output  # a held writer lock would stop it with exit 2
    assert len(ids_in(tmp_path / "rerun")) == 1200


def _alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_the_run_cleanly_with_exit_143_and_a_line_in_the_log(tmp_path: Path) -> None:
    proc, _, db = _stopped_mid_run(tmp_path, signal.SIGTERM)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be stopped")
    assert proc.returncode == 143
    assert "stopped by SIGTERM" in proc.stderr.read()
    assert "run stopped: stopped by SIGTERM" in (tmp_path / "stopped" / "audit.log").read_text(encoding="utf-8")
    assert [status for status, _ in runs(db)] == ["interrupted"]
    rerun = audit(tmp_path / "inbox", "--out", tmp_path / "rerun", "--db", db, "--workers", 1, "--no-xlsx")
    assert rerun.exit_code == 0, rerun.output
    assert len(ids_in(tmp_path / "rerun")) == 1200


def _signal_before_call(signum: int, number: int, step: Callable[..., Any]) -> Callable[..., Any]:
    """`step`, with `signum` sent to this process just before its `number`th call."""
    calls = 0

    def stopped_before(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == number:
            os.kill(os.getpid(), signum)
        return step(*args)
    return stopped_before


STOPS = [(signal.SIGTERM, on_sigterm, Terminated), (signal.SIGINT, signal.default_int_handler, KeyboardInterrupt)]


@pytest.mark.skipif(not hasattr(ProcessPoolExecutor, "_spawn_process"), reason="Python before 3.10.5 forks lazily")
@pytest.mark.parametrize(("signum", "handler", "stop"), STOPS, ids=["SIGTERM", "Ctrl-C"])
@pytest.mark.parametrize(("owner", "step", "number"), [
    (ProcessPoolExecutor, "_spawn_process", 2),  # one worker forked, the other not yet
    (futures.process._ExecutorManagerThread, "start", 1),  # both forked, the thread that ends them not yet running
], ids=["between-forks", "before-manager-thread"])
def test_a_stop_while_the_worker_pool_starts_ends_the_run_and_every_worker(
    owner: type, step: str, number: int, signum: int, handler: Callable[..., Any], stop: type[BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A stop raises wherever the main thread is; here the signal is made to land at the two
    # moments of a pool's start that cannot be cut. Cut there, the run failed with "cannot
    # join thread before it is started" (exit 4, not 143) or left forked workers waiting
    # forever, and the interpreter's exit with them.
    monkeypatch.setattr(owner, step, _signal_before_call(signum, number, getattr(owner, step)))
    previous = signal.signal(signum, handler)
    try:
        with pytest.raises(stop), process_pool(2, int, ()) as pool:
            pool.submit(int).result()
    finally:
        signal.signal(signum, previous)
        left = multiprocessing.active_children()
        for child in left:
            child.kill()
    assert left == [], "workers outlived the stopped pool"


def test_a_held_stop_acts_once_the_step_is_done_and_only_then() -> None:
    done = []
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        with pytest.raises(Terminated), deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)  # twice: one stop
            done.append("the step finished")
        assert signal.getsignal(signal.SIGTERM) is on_sigterm
        with deferred():
            done.append("nothing held from before")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert done == ["the step finished", "nothing held from before"]


# --- reruns -------------------------------------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """The sample transcripts without broken/: 42 good conversations in every format."""
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("broken"))
    return folder


def test_a_rerun_is_a_no_op_and_force_audits_again(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "qa.db"
    first = audit(inbox, "--out", tmp_path / "first", "--db", db, "--workers", 1)
    assert first.exit_code == 0, first.output
    assert summary(42, 0, 0) in first.stdout

    again = audit(inbox, "--out", tmp_path / "again", "--db", db, "--workers", 1)
    assert again.exit_code == 0, again.output
    assert summary(0, 42, 0) in again.stdout
    for name in ("calls.jsonl", "findings.jsonl"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "again").glob("*.xlsx")) == sorted(
        p.name for p in (tmp_path / "first").glob("*.xlsx"))

    forced = audit(inbox, "--out", tmp_path / "forced", "--db", db, "--workers", 1, "--force", "--no-xlsx")
    assert forced.exit_code == 0, forced.output
    assert summary(42, 0, 0) in forced.stdout
    for name in ("calls.jsonl", "findings.jsonl"):
        assert (tmp_path / "forced" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()

    assert [(status, counts and (counts["audited"], counts["unchanged"])) for status, counts in runs(db)] == [
        ("finished", (42, 0)), ("finished", (0, 42)), ("finished", (42, 0))]
    with database(db) as conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (42,)


def test_a_changed_transcript_is_audited_again_and_replaces_its_results(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "qa.db"
    assert audit(inbox, "--out", tmp_path / "first", "--db", db, "--workers", 1, "--no-xlsx").exit_code == 0
    before = [json.loads(line) for line in (tmp_path / "first" / "findings.jsonl").open()]
    assert [(f["rule_id"], f["turn"]) for f in before if f["transcript_id"] == "T1119-07"] == [
        ("NAN001", 6), ("NAN001", 8), ("NAN001", 10)]

    # The agent now hangs up without 感谢您的来电，再见: the call gains a closing finding.
    path = inbox / "2026-11-19_calls.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    changed = next(r for r in records if r["id"] == "T1119-07")
    assert changed["turns"][-1]["text"] == "感谢您的来电，再见。"
    changed["turns"][-1]["text"] = "就这样吧。"
    path.write_text(jsonl(*records), encoding="utf-8")

    second = audit(inbox, "--out", tmp_path / "second", "--db", db, "--workers", 1, "--no-xlsx")
    assert second.exit_code == 0, second.output
    assert summary(1, 41, 0) in second.stdout
    after = [json.loads(line) for line in (tmp_path / "second" / "findings.jsonl").open()]
    assert [(f["rule_id"], f["turn"]) for f in after if f["transcript_id"] == "T1119-07"] == [
        ("NAN001", 6), ("NAN001", 8), ("NAN001", 10), ("CLS001", 12)]
    assert [f for f in after if f["transcript_id"] != "T1119-07"] == [
        f for f in before if f["transcript_id"] != "T1119-07"]
    calls = [json.loads(line) for line in (tmp_path / "second" / "calls.jsonl").open()]
    assert [c["transcript_id"] for c in calls].count("T1119-07") == 1
    assert next(c for c in calls if c["transcript_id"] == "T1119-07")["score"] < 80.0
    assert sorted(ids_in(tmp_path / "second")) == sorted(ids_in(tmp_path / "first"))
    with database(db) as conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (42,)
        assert conn.execute("SELECT count(*) FROM findings WHERE transcript_id = 'T1119-07'").fetchone() == (4,)
        assert conn.execute("SELECT count(*) FROM findings").fetchone() == (len(after),)


def test_an_id_reused_by_the_next_nights_call_is_skipped_and_the_first_call_kept(tmp_path: Path) -> None:
    # An export that numbers its calls 0001, 0002, ... afresh every night.
    db = tmp_path / "qa.db"
    night1, night2 = tmp_path / "2026-11-20", tmp_path / "2026-11-21"
    night1.mkdir()
    night2.mkdir()
    (night1 / "calls.jsonl").write_text(jsonl(
        call("0001", started_at="2026-11-20T10:00:00+08:00", customer="我要开发票。"),
        call("0002", started_at="2026-11-20T11:00:00+08:00"),
    ), encoding="utf-8")
    (night2 / "calls.jsonl").write_text(jsonl(
        call("0001", agent_id="A2015", customer="我的快递丢了。"),  # 2026-11-21T09:15:02+08:00
        call("1121-0002"),
    ), encoding="utf-8")
    assert audit(night1, "--out", tmp_path / "out1", "--db", db, "--workers", 1, "--no-xlsx").exit_code == 0

    second = audit(night2, "--out", tmp_path / "out2", "--db", db, "--workers", 1)
    assert second.exit_code == 1, second.output
    assert summary(1, 0, 1) in second.stdout
    reason = ("transcript id '0001' already belongs to another call in the history (of 2026-11-20, agent "
              "A1024); this one started 2026-11-21T09:15:02+08:00. Ids must be unique across days (prefix "
              "them with the date); skipped, the stored call is kept")
    assert second.stderr.splitlines() == [f"skipped: {night2 / 'calls.jsonl'}:1: {reason}"]
    assert ids_in(tmp_path / "out2") == ["1121-0002"]  # not night 1's 0001 either
    sheet = load_workbook(tmp_path / "out2" / "overview.xlsx", read_only=True)["输入错误"]
    assert [row[:3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (str(night2 / "calls.jsonl"), 1, reason)]

    month = CliRunner().invoke(main, ["report", "--db", db, "--out", tmp_path / "month",
                                      "--from", "2026-11-20", "--to", "2026-11-21"])
    assert month.exit_code == 0, month.output
    calls = {c["transcript_id"]: c for c in map(json.loads, (tmp_path / "month" / "calls.jsonl").open())}
    assert sorted(calls) == ["0001", "0002", "1121-0002"]
    assert (calls["0001"]["agent_id"], calls["0001"]["started_at"]) == ("A1024", "2026-11-20T10:00:00+08:00")

    forced = audit(night2, "--out", tmp_path / "forced", "--db", db, "--workers", 1, "--no-xlsx", "--force")
    assert forced.exit_code == 0, forced.output
    assert ids_in(tmp_path / "forced") == ["0001", "1121-0002"]
    log = (tmp_path / "forced" / "audit.log").read_text(encoding="utf-8")
    assert f"{night2 / 'calls.jsonl'}:1: transcript id '0001' already belongs to another call" in log
    assert "Replaced, as --force asks" in log


def test_prune_drops_the_oldest_nights_from_the_history_and_nothing_else(tmp_path: Path) -> None:
    db = tmp_path / "qa.db"
    for night, ids in (("2026-11-19", ["1119-01", "1119-02"]), ("2026-11-20", ["1120-01"])):
        inbox = tmp_path / night
        inbox.mkdir()
        records = [call(tid, started_at=f"{night}T10:0{i}:00+08:00") for i, tid in enumerate(ids)]
        (inbox / "calls.jsonl").write_text(jsonl(*records), encoding="utf-8")
        assert audit(inbox, "--out", tmp_path / f"out-{night}", "--db", db, "--no-xlsx").exit_code == 0

    def prune(*args: object) -> Result:
        return CliRunner().invoke(main, ["prune", "--db", str(db), *map(str, args)])

    def history() -> list[str]:
        result = CliRunner().invoke(main, ["report", "--db", db, "--out", tmp_path / "all"])
        assert result.exit_code in (0, 3), result.output  # 3: no calls left
        return ids_in(tmp_path / "all") if result.exit_code == 0 else []

    dry = prune("--before", "2026-11-20", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == ("would delete 2 call(s) started before 2026-11-20 with their findings, and 0 "
                          "skipped-input record(s) of runs before it; 0 call(s) without a start date kept\n")
    assert history() == ["1119-01", "1119-02", "1120-01"]

    done = prune("--before", "2026-11-20")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("deleted 2 call(s) started before 2026-11-20 with their findings")
    assert "now free for the next nights' calls (--vacuum gives them back to the disk)" in done.stdout
    assert history() == ["1120-01"]
    assert [status for status, _ in runs(db)] == ["finished", "finished"]

    future = prune("--before", "2099-01-01")
    assert future.exit_code == 2
    assert "--before 2099-01-01 is after today" in future.stderr
    both = prune("--before", "2026-11-21", "--dry-run", "--vacuum")
    assert both.exit_code == 2
    assert "nothing to --vacuum" in both.stderr
    assert history() == ["1120-01"]

    with Store.open(db):  # an audit is running: a dry run still counts, beside it
        during = prune("--before", "2026-11-21", "--dry-run")
    assert during.exit_code == 0, during.output
    assert during.stdout.startswith("would delete 1 call(s) started before 2026-11-21")

    shrunk = prune("--before", "2026-11-21", "--vacuum")
    assert shrunk.exit_code == 0, shrunk.output
    assert f"{db}: " in shrunk.stdout and " MB -> " in shrunk.stdout
    assert history() == []


def test_changed_rules_audit_everything_again(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "qa.db"
    assert audit(inbox, "--out", tmp_path / "first", "--db", db, "--workers", 1, "--no-xlsx").exit_code == 0
    first = [json.loads(line)["rule_id"] for line in (tmp_path / "first" / "findings.jsonl").open()]
    assert "GRT002" in first

    site = tmp_path / "site-rules"
    site.mkdir()
    (site / "GRT002.yaml").write_text("id: GRT002\nenabled: false\n", encoding="utf-8")
    second = audit(inbox, "--out", tmp_path / "second", "--db", db, "--workers", 1, "--no-xlsx", "--rules", site)
    assert second.exit_code == 0, second.output
    assert summary(42, 0, 0) in second.stdout
    after = [json.loads(line)["rule_id"] for line in (tmp_path / "second" / "findings.jsonl").open()]
    assert sorted(after) == sorted(r for r in first if r != "GRT002")
    with database(db) as conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (42,)
        assert conn.execute("SELECT count(DISTINCT rules_hash) FROM calls").fetchone() == (1,)


PHONE_CALL = call("P0001", customer="我的手机号是13812345678，宽带断了。", turns=[
    {"speaker": "agent", "text": GREETING},
    {"speaker": "customer", "text": "我的手机号是13812345678，宽带断了。"},
    {"speaker": "agent", "text": "我查一下13812345678这个号码。"},
    {"speaker": "customer", "text": "好的。"},
    {"speaker": "agent", "text": CLOSING},
])


def test_masking_is_as_each_run_asks_even_for_unchanged_transcripts(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(jsonl(PHONE_CALL), encoding="utf-8")
    db = tmp_path / "qa.db"
    plain = audit(tmp_path / "in.jsonl", "--out", tmp_path / "plain", "--db", db, "--workers", 1, "--no-mask")
    assert plain.exit_code == 0, plain.output
    assert "13812345678" in (tmp_path / "plain" / "findings.jsonl").read_text(encoding="utf-8")

    masked = audit(tmp_path / "in.jsonl", "--out", tmp_path / "masked", "--db", db, "--workers", 1)
    assert masked.exit_code == 0, masked.output
    findings = (tmp_path / "masked" / "findings.jsonl").read_text(encoding="utf-8")
    assert "138****5678" in findings
    assert "13812345678" not in findings

    again = audit(tmp_path / "in.jsonl", "--out", tmp_path / "again", "--db", db, "--workers", 1, "--no-mask")
    assert again.exit_code == 0, again.output
    assert "13812345678" in (tmp_path / "again" / "findings.jsonl").read_text(encoding="utf-8")


def test_calls_without_a_start_time_are_audited_with_a_warning_that_says_what_they_miss(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(
        jsonl(call("D0001"), call("U0001", started_at=None), call("U0002", started_at="")), encoding="utf-8"
    )
    result = audit(tmp_path / "in.jsonl", "--out", tmp_path / "out", "--db", tmp_path / "qa.db", "--workers", 1)
    assert result.exit_code == 0, result.output
    assert sorted(ids_in(tmp_path / "out")) == ["D0001", "U0001", "U0002"]
    warning = "2 transcript(s) have no start time"
    assert warning in result.stderr and "never pruned" in result.stderr
    assert warning in (tmp_path / "out" / "audit.log").read_text(encoding="utf-8")


def test_a_file_named_by_the_callers_number_is_masked_in_the_run_log(tmp_path: Path) -> None:
    inbox = tmp_path / "13912345678_20261121"
    inbox.mkdir()
    (inbox / "13912345678_20261121.jsonl").write_text(jsonl(PHONE_CALL), encoding="utf-8")
    result = audit(inbox, "--out", tmp_path / "out", "--db", tmp_path / "qa.db", "--workers", 1, "--no-xlsx")
    assert result.exit_code == 0, result.output
    log = (tmp_path / "out" / "audit.log").read_text(encoding="utf-8")
    assert "139****5678_20261121" in log
    assert "13912345678" not in log
    with database(tmp_path / "qa.db") as conn:
        [(options,)] = conn.execute("SELECT options FROM runs").fetchall()
    assert "139****5678_20261121" in options and "13912345678" not in options


def test_results_stored_by_an_older_qa_audit_are_audited_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade may change how a check decides: unchanged transcripts must not keep the
    old verdicts just because the rule pack is the same."""
    (tmp_path / "in.jsonl").write_text(jsonl(call("V0001"), call("V0002")), encoding="utf-8")
    db = tmp_path / "qa.db"
    with monkeypatch.context() as older:
        older.setattr("qa_audit.pipeline.code_digest", lambda: "older-code")
        first = audit(tmp_path / "in.jsonl", "--out", tmp_path / "first", "--db", db, "--workers", 1)
    assert first.exit_code == 0, first.output
    again = audit(tmp_path / "in.jsonl", "--out", tmp_path / "again", "--db", db, "--workers", 1)
    assert "audited 2, unchanged 0" in (tmp_path / "again" / "audit.log").read_text(encoding="utf-8")
    same = audit(tmp_path / "in.jsonl", "--out", tmp_path / "same", "--db", db, "--workers", 1)
    assert "audited 0, unchanged 2" in (tmp_path / "same" / "audit.log").read_text(encoding="utf-8")
    assert again.exit_code == same.exit_code == 0


def test_a_result_stored_by_an_older_masking_is_audited_again_and_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number the masking learned to hide (spelled out by speech recognition) must not be
    reprinted from a row an older version stored in the clear."""
    spoken = call("P0002", customer="我的手机号是一三八一二三四五六七八。", turns=[
        {"speaker": "agent", "text": GREETING},
        {"speaker": "customer", "text": "我的手机号是一三八一二三四五六七八。"},
        {"speaker": "agent", "text": "我查一下一三八一二三四五六七八这个号码。"},
        {"speaker": "customer", "text": "好的。"},
        {"speaker": "agent", "text": CLOSING},
    ])
    (tmp_path / "in.jsonl").write_text(jsonl(spoken), encoding="utf-8")
    db = tmp_path / "qa.db"
    with monkeypatch.context() as older:
        older.setattr("qa_audit.pipeline.MASK_VERSION", 1)
        older.setattr("qa_audit.records.mask_text", lambda text: text)
        first = audit(tmp_path / "in.jsonl", "--out", tmp_path / "first", "--db", db, "--workers", 1)
    assert first.exit_code == 0, first.output
    assert "一三八一二三四五六七八" in (tmp_path / "first" / "findings.jsonl").read_text(encoding="utf-8")

    upgraded = audit(tmp_path / "in.jsonl", "--out", tmp_path / "upgraded", "--db", db, "--workers", 1)
    assert upgraded.exit_code == 0, upgraded.output
    findings = (tmp_path / "upgraded" / "findings.jsonl").read_text(encoding="utf-8")
    assert "一三八****五六七八" in findings
    assert "一三八一二三四五六七八" not in findings
    assert "audited 1, unchanged 0" in (tmp_path / "upgraded" / "audit.log").read_text(encoding="utf-8")


# --- a busy database ----------------------------------------------------------------------


def test_a_second_run_on_a_busy_database_fails_with_exit_2_and_harms_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    ids = generate(inbox / "night.jsonl", 30)
    db = tmp_path / "qa.db"
    assert audit(inbox, "--out", tmp_path / "first", "--db", db, "--workers", 1, "--no-xlsx").exit_code == 0
    generate(inbox / "night.jsonl", 40)  # ten more arrive

    real_open = Store.open
    # The CLI waits 30 s for the writer lock; wait 0.2 s here instead (there is no option for it).
    monkeypatch.setattr(Store, "open", lambda path, **kw: real_open(path, **{**kw, "timeout": 0.2}))
    with real_open(db):  # another qa-audit run holds the database
        second = audit(inbox, "--out", tmp_path / "second", "--db", db, "--workers", 1)
    assert second.exit_code == 2
    assert f"error: database {db} is in use by another qa-audit run (pid {os.getpid()})" in second.stderr
    assert not (tmp_path / "second" / "calls.jsonl").exists()

    with database(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert sorted(t for (t,) in conn.execute("SELECT transcript_id FROM calls")) == ids
    assert [status for status, _ in runs(db)] == ["finished"]
    assert sorted(ids_in(tmp_path / "first")) == ids


def holds_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the waiting process")
def test_a_second_run_waits_for_the_writer_then_completes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    ids = generate(inbox / "night.jsonl", 30)
    db = tmp_path / "qa.db"
    out = tmp_path / "out"
    with Store.open(db):
        proc = audit_process(inbox, "--out", out, "--db", db, "--workers", 1, "--no-xlsx",
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            lock = db.resolve().with_name(db.name + ".lock")
            while proc.poll() is None and not holds_open(proc.pid, lock):
                time.sleep(0.02)
            assert proc.poll() is None, proc.communicate()
            assert not (out / "calls.jsonl").exists()  # it is waiting for the lock, not auditing
        except BaseException:
            proc.kill()
            raise
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert summary(30, 0, 0) in stdout
    assert sorted(ids_in(out)) == ids
    with database(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (30,)


# --- failures inside the batch ---------------------------------------------------------------


def test_a_transcript_the_auditor_fails_on_costs_only_that_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa_audit.engine import Auditor

    real = Auditor.audit

    def fails_on_n00003(self: Auditor, transcript: object) -> object:
        if getattr(transcript, "id", None) == "N00003":
            raise ValueError("unexpected input")
        return real(self, transcript)

    monkeypatch.setattr(Auditor, "audit", fails_on_n00003)
    ids = generate(tmp_path / "in" / "night.jsonl", 10)
    out = tmp_path / "out"
    result = audit(tmp_path / "in", "--out", out, "--db", tmp_path / "h.db", "--workers", "1", "--no-xlsx")
    assert result.exit_code == 1
    assert sorted(ids_in(out)) == sorted(i for i in ids if i != "N00003")
    expected = "N00003: could not be audited (ValueError: unexpected input); details in audit.log"
    assert expected in result.stderr
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert "transcript N00003 could not be audited" in log and "ValueError: unexpected input" in log


_PARENT = os.getpid()


def _killed(batch: list[object]) -> list[object]:
    """A worker's task that dies as the OOM killer leaves it (module level: tasks are pickled by name)."""
    if os.getpid() != _PARENT:
        os._exit(137)
    return []


def test_a_worker_that_dies_stops_the_run_with_a_clear_error_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qa_audit.pipeline._audit_batch", _killed)
    generate(tmp_path / "in" / "night.jsonl", 200)
    db = tmp_path / "h.db"
    result = audit(tmp_path / "in", "--out", tmp_path / "out", "--db", db, "--workers", "2", "--no-xlsx")
    assert result.exit_code == 2
    assert "a worker process died" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT status FROM runs").fetchall() == [("failed",)]


# --- the same reports folder every night ----------------------------------------------------

MARKER = ".qa-audit-reports"
OLD_MARKER = "qa-audit writes its reports here and never reads this folder as input.\n"
"""The whole marker an earlier qa-audit left: the explanation line, no files recorded."""


def night(tmp_path: Path, day: str, *agents: tuple[str, str]) -> Path:
    """A night's export with one call per (agent id, name), in a folder of its own."""
    inbox = tmp_path / day
    inbox.mkdir()
    records = [call(f"{day}-{i}", agent_id=agent_id, agent_name=name, started_at=f"{day}T10:0{i}:00+08:00")
               for i, (agent_id, name) in enumerate(agents)]
    (inbox / "calls.jsonl").write_text(jsonl(*records), encoding="utf-8")
    return inbox


def files_in(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def recorded(out: Path) -> list[str]:
    return [line[2:] for line in (out / MARKER).read_text(encoding="utf-8").splitlines() if line.startswith("- ")]


def user_files(out: Path) -> dict[str, bytes]:
    """A supervisor's own files beside the reports: never qa-audit's to remove."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "归档").mkdir()
    files = {"说明.docx": b"PK\x03\x04", "notes.txt": "张伟的复盘，周五前".encode(), "周报.xlsx": b"PK\x03\x04",
             "归档/A1024_王小明.xlsx": b"PK\x03\x04"}
    for name, content in files.items():
        (out / name).write_bytes(content)
    return files


REPORTS = ["calls.jsonl", "findings.jsonl", "overview.xlsx"]


def test_the_workbook_of_an_agent_without_calls_tonight_is_removed_and_the_log_says_so(tmp_path: Path) -> None:
    db, out = tmp_path / "qa.db", tmp_path / "reports"
    mine = user_files(out)
    first = audit(night(tmp_path, "2026-11-20", ("A1024", "王小明"), ("A2015", "张伟")), "--out", out, "--db", db)
    assert first.exit_code == 0, first.output
    assert recorded(out) == ["calls.jsonl", "findings.jsonl", "A1024_王小明.xlsx", "A2015_张伟.xlsx", "overview.xlsx"]

    second = audit(night(tmp_path, "2026-11-21", ("A2015", "张伟")), "--out", out, "--db", db)
    assert second.exit_code == 0, second.output
    assert files_in(out) == sorted([MARKER, "audit.log", "A2015_张伟.xlsx", *REPORTS, "说明.docx", "notes.txt",
                                    "周报.xlsx", "归档"])
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert ids_in(out) == ["2026-11-21-0"]
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert "INFO removed 1 report file of the previous run that this run did not write: A1024_王小明.xlsx\n" in log
    lines = (out / MARKER).read_text(encoding="utf-8").splitlines()
    assert lines[0] == OLD_MARKER.strip()  # still a note for whoever finds the hidden file
    assert recorded(out) == ["calls.jsonl", "findings.jsonl", "A2015_张伟.xlsx", "overview.xlsx"]


def test_a_run_without_workbooks_removes_the_previous_ones(tmp_path: Path) -> None:
    db, out = tmp_path / "qa.db", tmp_path / "reports"
    inbox = night(tmp_path, "2026-11-20", ("A1024", "王小明"), ("A2015", "张伟"))
    assert audit(inbox, "--out", out, "--db", db).exit_code == 0
    assert audit(inbox, "--out", out, "--db", db, "--no-xlsx").exit_code == 0
    assert files_in(out) == [MARKER, "audit.log", "calls.jsonl", "findings.jsonl"]
    assert ("removed 3 report files of the previous run that this run did not write: A1024_王小明.xlsx, "
            "A2015_张伟.xlsx, overview.xlsx") in (out / "audit.log").read_text(encoding="utf-8")


def test_a_run_that_fails_while_writing_workbooks_removes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, out = tmp_path / "qa.db", tmp_path / "reports"
    assert audit(night(tmp_path, "2026-11-20", ("A1024", "王小明"), ("A2015", "张伟")), "--out", out, "--db", db,
                 "--workers", 1).exit_code == 0
    before = (out / MARKER).read_bytes()
    from qa_audit.report import xlsx

    real = xlsx.write_agent

    def fails_on_a2016(source: object, agent: object, *args: object) -> object:
        if getattr(agent, "agent_id", None) == "A2016":
            raise RuntimeError("disk trouble halfway through the workbooks")
        return real(source, agent, *args)

    monkeypatch.setattr(xlsx, "write_agent", fails_on_a2016)
    tonight = night(tmp_path, "2026-11-21", ("A1024", "王小明"), ("A2016", "陈静怡"))
    crashed = audit(tonight, "--out", out, "--db", db, "--workers", 1)
    assert crashed.exit_code == 4
    assert files_in(out) == sorted([MARKER, "audit.log", "A1024_王小明.xlsx", "A2015_张伟.xlsx", *REPORTS])
    assert (out / MARKER).read_bytes() == before
    assert "removed" not in (out / "audit.log").read_text(encoding="utf-8")

    monkeypatch.undo()  # the rerun finishes, and last night's record still names what to remove
    rerun = audit(tonight, "--out", out, "--db", db, "--workers", 1)
    assert rerun.exit_code == 0, rerun.output
    assert files_in(out) == sorted([MARKER, "audit.log", "A1024_王小明.xlsx", "A2016_陈静怡.xlsx", *REPORTS])


@pytest.mark.parametrize("marker", [OLD_MARKER, ""], ids=["explanation-only", "empty"])
def test_a_folder_marked_by_an_older_version_loses_nothing_and_is_recorded_from_now_on(
    tmp_path: Path, marker: str
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / MARKER).write_text(marker, encoding="utf-8")
    (out / "A1024_王小明.xlsx").write_bytes(b"PK\x03\x04")  # the older version's workbook: not recorded by it
    result = audit(night(tmp_path, "2026-11-21", ("A2015", "张伟")), "--out", out, "--db", tmp_path / "qa.db")
    assert result.exit_code == 0, result.output
    assert files_in(out) == sorted([MARKER, "audit.log", "A1024_王小明.xlsx", "A2015_张伟.xlsx", *REPORTS])
    assert "removed" not in (out / "audit.log").read_text(encoding="utf-8")
    assert (out / MARKER).read_text(encoding="utf-8").startswith(OLD_MARKER)
    assert recorded(out) == ["calls.jsonl", "findings.jsonl", "A2015_张伟.xlsx", "overview.xlsx"]


def test_a_recorded_name_that_is_gone_a_folder_or_outside_the_folder_is_logged_and_the_night_goes_on(
    tmp_path: Path,
) -> None:
    out = tmp_path / "reports"
    mine = user_files(out)
    (tmp_path / "history.txt").write_text("不是报表", encoding="utf-8")
    (out / MARKER).write_text(OLD_MARKER + "".join(f"- {name}\n" for name in (
        "A1024_王小明.xlsx", "../history.txt", "归档", MARKER)), encoding="utf-8")  # edited by hand
    result = audit(night(tmp_path, "2026-11-21", ("A2015", "张伟")), "--out", out, "--db", tmp_path / "qa.db")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (tmp_path / "history.txt").read_text(encoding="utf-8") == "不是报表"
    assert {name: (out / name).read_bytes() for name in mine} == mine
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert "INFO A1024_王小明.xlsx, a report file of the previous run, was already gone\n" in log
    assert "WARNING could not remove 归档, a report file of the previous run that this run did not write" in log
    assert "removed" not in log
    assert recorded(out) == ["calls.jsonl", "findings.jsonl", "A2015_张伟.xlsx", "overview.xlsx", "归档"]


def test_a_marker_that_cannot_be_written_costs_a_warning_and_removes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, out = tmp_path / "qa.db", tmp_path / "reports"
    assert audit(night(tmp_path, "2026-11-20", ("A1024", "王小明"), ("A2015", "张伟")), "--out", out,
                 "--db", db).exit_code == 0

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qa_audit.report.folder._write_marker", disk_full)
    result = audit(night(tmp_path, "2026-11-21", ("A2015", "张伟")), "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "A1024_王小明.xlsx" in files_in(out)  # never removed unless the record of it can be kept
    log = (out / "audit.log").read_text(encoding="utf-8")
    assert ("WARNING could not record this run's report files in .qa-audit-reports ([Errno 28] No space left on "
            "device)\n") in log
    assert "removed" not in log


def test_a_workbook_renamed_only_in_case_replaces_the_old_one_on_a_case_sensitive_disk(tmp_path: Path) -> None:
    from qa_audit.report import folder

    out = tmp_path / "reports"
    folder.prepare(out)
    (out / "A1_王.xlsx").write_bytes(b"PK last night")
    folder.finish(out, [out / "A1_王.xlsx"])
    (out / "a1_王.xlsx").write_bytes(b"PK tonight")
    if (out / "A1_王.xlsx").read_bytes() == b"PK tonight":
        pytest.skip("a case-blind file system: the two names are one file")
    folder.finish(out, [out / "a1_王.xlsx"])
    assert files_in(out) == [MARKER, "a1_王.xlsx"]
    assert recorded(out) == ["a1_王.xlsx"]
