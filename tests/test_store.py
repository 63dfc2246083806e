"""The history database: replace-not-duplicate, skip-unchanged, report sources, and the
failure modes a nightly job meets (a second run, a killed run, a newer database)."""

from __future__ import annotations

import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from qa_audit.clock import centre_day, centre_key
from qa_audit.model import CallResult, Finding, Transcript, Turn
from qa_audit.records import Row, call_row, finding_rows
from qa_audit.report.source import MemorySource, ReportSource
from qa_audit.store import SchemaTooNew, Store, StoreBusy, StoreError, encode
from qa_audit.store.lock import WriterLock
from qa_audit.store.schema import LATEST, MIGRATIONS

RULES = "rules-v1"
AGENTS = {"A1024": ("张伟", "售后一组"), "A2048": ("李娜", "售后二组"), "B0007": ("王芳", "投诉专席")}


def audit(
    tid: str, agent_id: str, started_at: str | None, *, greeting: str = "您好，很高兴为您服务。"
) -> tuple[Row, list[Row]]:
    """A call and its findings as the engine would produce them, through the real row builders."""
    name, team = AGENTS[agent_id]
    transcript = Transcript(
        id=tid,
        agent_id=agent_id,
        agent_name=name,
        team=team,
        started_at=started_at,
        source="calls/2024-05-01.jsonl",
        line=7,
        turns=(
            Turn(0, "agent", greeting, 0.0, 3.5),
            Turn(1, "customer", "我的手机号是13812345678，宽带一直断。", 3.6, 9.0),
            Turn(2, "agent", "这个不归我们管，你自己去营业厅吧。", 9.2, 14.0),
        ),
    )
    findings = (
        Finding(
            "R07",
            "forbidden",
            "major",
            "推诿客户",
            turn=2,
            spans=((0, 8),),
            matched=("这个不归我们管",),
            evidence="坐席说“这个不归我们管”",
            weight=10.0,
        ),
        Finding("R01", "required", "minor", "未核实身份", evidence="全程未核实客户身份", weight=5.0),
        Finding(
            "R09",
            "forbidden",
            "critical",
            "泄露号码",
            turn=1,
            spans=((6, 17),),
            matched=("13812345678",),
            evidence="复述了客户手机号",
            weight=20.0,
            red_line=True,
        ),
    )
    result = CallResult(
        transcript, findings, 0.55, "time", score=65.0, passed=False, red_line=True, deductions=(10.0, 5.0, 20.0)
    )
    return call_row(result), finding_rows(result)


def rows(source: ReportSource) -> tuple[list[str], list[Row], list[Row], list[Row]]:
    return source.agent_ids(), list(source.calls()), list(source.findings()), list(source.errors())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history" / "qa.db"


def test_rows_come_back_exactly_as_saved_and_in_memory_source_order(db: Path) -> None:
    audits = [
        audit("T3", "A2048", "2024-05-01T09:00:00+08:00"),
        audit("T1", "A1024", "2024-05-01T10:30:00+08:00"),
        audit("T2", "A1024", None),
        audit("T0", "B0007", "2024-05-01T09:00:00+08:00"),
    ]
    with Store.open(db) as store:
        run = store.begin_run({"input": Path("calls"), "workers": 4}, RULES)
        for call, findings in audits:
            store.save(run, call, findings, RULES)
        store.add_error(run, "calls/bad.jsonl", 3, "JSON 解析失败")
        store.add_error(run, "calls/empty.txt", None, "空文件")
        store.finish_run(run, {"audited": 4, "skipped_unchanged": 0, "errors": 2})
        got = store.run_source(run)
        expected = MemorySource(
            [c for c, _ in audits],
            [f for _, fs in audits for f in fs],
            [
                {"path": "calls/bad.jsonl", "line": 3, "reason": "JSON 解析失败"},
                {"path": "calls/empty.txt", "line": None, "reason": "空文件"},
            ],
        )
        assert rows(got) == rows(expected)
        for agent in expected.agent_ids():
            assert list(got.calls(agent)) == list(expected.calls(agent))
            assert list(got.findings(agent)) == list(expected.findings(agent))
        assert [c["transcript_id"] for c in got.calls()] == ["T2", "T0", "T3", "T1"]
        assert [f["turn"] for f in got.findings("B0007")] == [None, 1, 2]
        [info] = store.runs()
        assert info["status"] == "finished" and info["options"] == {"input": "calls", "workers": 4}
        assert info["counts"] == {"audited": 4, "skipped_unchanged": 0, "errors": 2}


def test_personal_numbers_stay_masked_in_the_database(db: Path) -> None:
    call, findings = audit("T1", "A1024", "2024-05-01T10:30:00+08:00")
    with Store.open(db) as store:
        store.save(store.begin_run({}, RULES), call, findings, RULES)
        store.flush()
        raw = b"".join(p.read_bytes() for p in db.parent.glob("qa.db*"))  # WAL included
    assert b"13812345678" not in raw
    assert b"138****5678" in raw


def test_save_replaces_earlier_results_without_duplicates(db: Path) -> None:
    first = audit("T1", "A1024", "2024-05-01T10:30:00+08:00")
    second_call, second_findings = audit("T1", "A1024", "2024-05-01T10:30:00+08:00", greeting="喂？")
    second_findings = second_findings[:1]
    with Store.open(db, batch_size=2) as store:
        run = store.begin_run({}, RULES)
        store.save(run, *first, RULES)
        store.save(run, *first, RULES)  # twice in one buffer
        store.flush()
        store.save(run, second_call, second_findings, RULES)  # again after a commit
        source = store.period_source(None, None)
        assert list(source.calls()) == [second_call]
        assert list(source.findings()) == second_findings
        counts = store._conn.execute(
            "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM findings), (SELECT count(*) FROM run_inputs)"
        ).fetchone()
        assert counts == (1, 1, 1)


def test_save_rejects_findings_of_another_transcript(db: Path) -> None:
    call, _ = audit("T1", "A1024", None)
    _, others = audit("T2", "A1024", None)
    with Store.open(db) as store, pytest.raises(ValueError, match="T2"):
        store.save(store.begin_run({}, RULES), call, others, RULES)


def test_is_current_needs_same_content_and_same_rules(db: Path) -> None:
    call, findings = audit("T1", "A1024", "2024-05-01T10:30:00+08:00")
    changed, _ = audit("T1", "A1024", "2024-05-01T10:30:00+08:00", greeting="您好！")
    assert changed["content_hash"] != call["content_hash"]
    with Store.open(db) as store:
        assert not store.is_current("T1", call["content_hash"], RULES)
        store.save(store.begin_run({}, RULES), call, findings, RULES)
        assert store.is_current("T1", call["content_hash"], RULES)  # still buffered
    with Store.open(db) as store:
        assert store.is_current("T1", call["content_hash"], RULES)  # committed
        assert not store.is_current("T1", changed["content_hash"], RULES)
        assert not store.is_current("T1", call["content_hash"], "rules-v2")
        assert not store.is_current("T9", call["content_hash"], RULES)


def test_stored_tells_another_days_call_under_the_same_id(db: Path) -> None:
    call, findings = audit("0001", "A1024", "2024-05-01T10:30:00+08:00")
    undated, _ = audit("0002", "A1024", None)
    with Store.open(db) as store:
        assert store.stored("0001") is None
        run = store.begin_run({}, RULES)
        store.save(run, call, findings, RULES)
        store.save(run, undated, [], RULES)
        buffered = store.stored("0001")
    with Store.open(db) as store:
        stored = store.stored("0001")
        assert stored == buffered == (call["content_hash"], RULES, "A1024", "2024-05-01", "2024-05-01T10:30:00+08:00")
        assert not stored.is_another_call("2024-05-01T23:59:00+08:00")  # a corrected export of it
        assert not stored.is_another_call("2024-04-30T16:30:00-10:00")  # the same moment, another time zone
        assert stored.is_another_call("2024-05-02T08:00:00+08:00")  # the next night's call 0001
        assert not stored.is_another_call(None)
        assert not store.stored("0002").is_another_call("2024-05-02T08:00:00+08:00")  # nothing to compare


def test_a_full_disk_is_a_store_error_naming_the_database(db: Path) -> None:
    # A StoreError is a configuration problem (exit 2), not a bug (exit 4).
    full = re.escape(f"cannot write database {db} or its temporary files: database or disk is full")
    with pytest.raises(StoreError, match=full), Store.open(db) as store:
        run = store.begin_run({}, RULES)
        store._conn.execute("PRAGMA max_page_count = 20")  # the file may not grow: as on a full disk
        for i in range(50):
            store.save(run, *audit(f"T{i}", "A1024", "2024-05-01T10:30:00+08:00", greeting="您好。" * 200), RULES)
        store.flush()
    with Store.open(db) as store:  # nothing half-written: the lock was released, the runs table is intact
        assert [r["status"] for r in store.runs()] == ["interrupted"]


def test_run_source_covers_unchanged_transcripts_from_earlier_runs(db: Path) -> None:
    a, b, c = (audit(t, "A1024", f"2024-05-0{i}T08:00:00+08:00") for i, t in enumerate("ABC", 1))
    d = audit("D", "A2048", "2024-05-04T08:00:00+08:00")
    with Store.open(db) as store:
        first = store.begin_run({}, RULES)
        for call, findings in (a, b, c):
            store.save(first, call, findings, RULES)
        store.add_error(first, "calls/old.jsonl", 1, "缺少 agent_id")
        store.finish_run(first, {"audited": 3, "skipped_unchanged": 0, "errors": 1})
    with Store.open(db) as store:
        second = store.begin_run({}, RULES)
        for call, findings in (a, b, d):
            if store.is_current(call["transcript_id"], call["content_hash"], RULES):
                store.mark_input(second, call["transcript_id"])
            else:
                store.save(second, call, findings, RULES)
        store.finish_run(second, {"audited": 1, "skipped_unchanged": 2, "errors": 0})
        agents, calls, findings, errors = rows(store.run_source(second))
        assert agents == ["A1024", "A2048"]
        assert [x["transcript_id"] for x in calls] == ["A", "B", "D"]
        assert {f["transcript_id"] for f in findings} == {"A", "B", "D"}
        assert errors == []
        assert [x["transcript_id"] for x in store.run_source(first).calls()] == ["A", "B", "C"]
        assert list(store.run_source(first).errors()) == [
            {"path": "calls/old.jsonl", "line": 1, "reason": "缺少 agent_id"}
        ]
        with pytest.raises(StoreError, match="no run 99"):
            store.run_source(99)


def test_a_transcript_moved_to_another_agent_moves_in_earlier_runs_too(db: Path) -> None:
    with Store.open(db) as store:
        first = store.begin_run({}, RULES)
        store.save(first, *audit("T1", "A1024", "2024-05-01T08:00:00+08:00"), RULES)
        store.save(first, *audit("T2", "A1024", "2024-05-01T09:00:00+08:00"), RULES)
        second = store.begin_run({}, RULES)
        store.save(second, *audit("T1", "B0007", "2024-05-01T08:00:00+08:00"), RULES)  # corrected
        source = store.run_source(first)
        assert source.agent_ids() == ["A1024", "B0007"]
        assert [c["transcript_id"] for c in source.calls("A1024")] == ["T2"]
        assert [(c["transcript_id"], c["agent_name"]) for c in source.calls("B0007")] == [("T1", "王芳")]
        assert {f["agent_id"] for f in source.findings("B0007")} == {"B0007"}


def test_period_source_filters_dates_inclusively_and_by_agent(db: Path) -> None:
    audits = [
        audit("T1", "A1024", "2024-04-30T23:59:59+08:00"),
        audit("T2", "A1024", "2024-05-01T00:00:00+08:00"),
        audit("T3", "A2048", "2024-05-01T12:00:00+08:00"),
        audit("T4", "B0007", "2024-05-31T23:59:59+08:00"),
        audit("T5", "A2048", "2024-06-01 00:00:00"),
        audit("T6", "B0007", None),
        audit("T7", "A1024", "昨天下午"),
    ]
    with Store.open(db) as store:
        run = store.begin_run({}, RULES)
        for call, findings in audits:
            store.save(run, call, findings, RULES)
        store.add_error(run, "calls/bad.jsonl", 2, "编码错误")

    def ids(source: ReportSource, agent: str | None = None) -> list[str]:
        calls = [c["transcript_id"] for c in source.calls(agent)]
        assert sorted({f["transcript_id"] for f in source.findings(agent)}) == sorted(calls)
        return calls

    with Store.open(db, readonly=True) as store:
        may = store.period_source(date(2024, 5, 1), date(2024, 5, 31))
        assert ids(may) == ["T2", "T3", "T4"]
        assert may.agent_ids() == ["A1024", "A2048", "B0007"]
        assert ids(may, "A2048") == ["T3"]
        assert may.errors() is None  # not known to a period: not the same as none skipped
        assert ids(store.period_source(date(2024, 5, 1), date(2024, 5, 1))) == ["T2", "T3"]
        assert ids(store.period_source(None, date(2024, 4, 30))) == ["T1"]
        assert ids(store.period_source(date(2024, 5, 31), None)) == ["T4", "T5"]
        assert ids(store.period_source(None, None)) == ["T6", "T1", "T2", "T3", "T4", "T5", "T7"]
        some = store.period_source(date(2024, 4, 1), date(2024, 6, 30), ["B0007", "A2048", "X999"])
        assert some.agent_ids() == ["A2048", "B0007"]
        assert ids(some) == ["T3", "T4", "T5"]
        assert ids(store.period_source(None, None, ["B0007"])) == ["T6", "T4"]
        assert ids(store.period_source(date(2024, 5, 1), date.max)) == ["T2", "T3", "T4", "T5"]


def test_prune_deletes_calls_before_a_day_a_chunk_at_a_time_and_keeps_the_rest(db: Path) -> None:
    audits = [
        audit("T1", "A1024", "2024-04-29T10:00:00+08:00"),
        audit("T2", "A2048", "2024-04-30T23:59:59+08:00"),
        audit("T3", "A1024", "2024-04-30T08:00:00+08:00"),
        audit("T4", "A1024", "2024-05-01T00:00:00+08:00"),
        audit("T5", "B0007", None),
        audit("T6", "A2048", "昨天下午"),
    ]
    with Store.open(db) as store:
        old_run = store.begin_run({}, RULES)
        for call, findings in audits[:3]:
            store.save(old_run, call, findings, RULES)
        store.add_error(old_run, "calls/bad.jsonl", 2, "编码错误")
        store.finish_run(old_run, {})
        new_run = store.begin_run({}, RULES)
        for call, findings in audits[3:]:
            store.save(new_run, call, findings, RULES)
        store.add_error(new_run, "calls/worse.jsonl", 5, "不是 JSON")
        store.finish_run(new_run, {})
    with closing(sqlite3.connect(db)) as conn:  # the first run was a night in April
        conn.execute("UPDATE runs SET started_at = '2024-04-30T01:30:00+08:00' WHERE id = ?", (old_run,))
        conn.commit()

    with Store.open(db) as store:
        assert store.prune(date(2024, 5, 1), dry_run=True) == (3, 1, 2, 0)
        assert [c["transcript_id"] for c in store.period_source(None, None).calls()] == [
            "T5", "T1", "T3", "T2", "T4", "T6"]  # nothing deleted
        pruned = store.prune(date(2024, 5, 1), chunk=2)
        assert pruned[:3] == (3, 1, 2)
        assert pruned.free_bytes > 0
        assert store.prune(date(2024, 5, 1)) == (0, 0, 2, pruned.free_bytes)  # done: nothing more to do
        agents, calls, findings, errors = rows(store.run_source(new_run))
        assert agents == ["A1024", "A2048", "B0007"]
        assert [c["transcript_id"] for c in calls] == ["T5", "T4", "T6"]
        assert {f["transcript_id"] for f in findings} == {"T4", "T5", "T6"}
        assert errors == [{"path": "calls/worse.jsonl", "line": 5, "reason": "不是 JSON"}]
        assert rows(store.run_source(old_run))[1:] == ([], [], [])
        assert [r["id"] for r in store.runs()] == [new_run, old_run]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM findings WHERE transcript_id < 'T4'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM run_inputs WHERE run_id = ?", (old_run,)).fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_vacuum_gives_the_freed_space_back_to_the_disk(db: Path) -> None:
    with Store.open(db) as store:
        run = store.begin_run({}, RULES)
        for i in range(300):
            call, findings = audit(f"T{i:03d}", "A1024", "2024-04-30T10:00:00+08:00", greeting="您好。" * 100)
            store.save(run, call, findings, RULES)
        store.save(run, *audit("KEEP", "A1024", "2024-05-02T10:00:00+08:00"), RULES)
        assert store.prune(date(2024, 5, 1)).calls == 300
    pruned = db.stat().st_size  # closed: everything is in the file, the free pages too
    with Store.open(db) as store:
        store.vacuum()
        assert [c["transcript_id"] for c in store.period_source(None, None).calls()] == ["KEEP"]
    assert db.stat().st_size < pruned / 4


def test_an_abandoned_stream_does_not_pin_the_wal(db: Path) -> None:
    with Store.open(db, timeout=0.2) as writer:  # the checkpoint waits for readers that long
        run = writer.begin_run({}, RULES)
        for i in range(120):
            writer.save(run, *audit(f"T{i:03}", "A1024", "2024-05-01T08:00:00+08:00"), RULES)
        writer.flush()

        def checkpoint_blocked() -> bool:
            return writer._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 1

        with Store.open(db, readonly=True) as reader:
            calls = reader.period_source(None, None).calls()
            assert next(calls)["transcript_id"] == "T000"
            assert checkpoint_blocked()  # a half-read stream holds its snapshot...
            calls.close()
            assert not checkpoint_blocked()  # ...until the reader lets go of it
            assert sum(1 for _ in reader.run_source(run).findings("A1024")) == 120 * 3


def test_migrates_an_empty_file_once(db: Path) -> None:
    db.parent.mkdir()
    db.touch()
    with Store.open(db) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        run = store.begin_run({}, RULES)
        store.save(run, *audit("T1", "A1024", None), RULES)
    with Store.open(db) as store:  # reopening keeps the data, migrates nothing
        assert [c["transcript_id"] for c in store.period_source(None, None).calls()] == ["T1"]
    fresh = db.with_name("fresh.db")
    fresh.touch()
    with Store.open(fresh, readonly=True) as reader:  # a reader upgrades too, under the lock
        assert reader.runs() == [] and reader.period_source(None, None).agent_ids() == []


def test_migration_puts_calls_stored_before_on_the_centres_clock(db: Path) -> None:
    # A history written before step 2: keys and dates as the export wrote them.
    starts = {
        "Z": "2026-11-20T23:30:00Z",
        "UTC": "2026-11-20T23:45:00+00:00",
        "TOKYO": "2026-11-21T08:50:00+09:00",
        "HONOLULU": "2026-11-20T13:00:00-10:00",
        "DELHI": "2026-11-21T01:00:00+05:30",
        "NEW_YEAR": "2026-12-31T16:00:00Z",
        "BEIJING": "2026-11-20T22:10:00+08:00",
        "NAIVE": "2026-11-20T23:55:00",
        "DAY": "2026-11-20",
        "NONE": None,
    }
    db.parent.mkdir()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        for sql in MIGRATIONS[0]:
            conn.execute(sql)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO runs VALUES (1, '2026-11-21T02:00:00+08:00', NULL, '{}', ?, NULL, 'finished')",
                     (RULES,))  # fmt: skip
        for tid, started_at in starts.items():
            encoded = encode(*audit(tid, "A1024", started_at))
            conn.execute("INSERT INTO calls VALUES (?, ?, ?, 1, 'A1024', ?, ?, ?)",
                         (tid, encoded.content_hash, RULES, started_at or "", started_at and started_at[:10],
                          encoded.call))  # fmt: skip
            conn.executemany("INSERT INTO findings VALUES (?, ?, ?)",
                             [(tid, seq, row) for seq, row in enumerate(encoded.findings)])  # fmt: skip
    with Store.open(db, readonly=True) as store:  # a report upgrades the database too
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        stored = {tid: store.stored(tid) for tid in starts}
        the_21st = [c["transcript_id"] for c in store.period_source(date(2026, 11, 21), date(2026, 11, 21)).calls()]
        every = {c["transcript_id"]: c["started_at"] for c in store.period_source(None, None).calls()}
    # Exactly what this version writes for new rows; the rows themselves keep the export's text.
    assert {tid: (s.started_key, s.started_date) for tid, s in stored.items()} == {
        tid: (centre_key(started_at), centre_day(started_at)) for tid, started_at in starts.items()}  # fmt: skip
    assert stored["Z"][3:] == ("2026-11-21", "2026-11-21T07:30:00+08:00")
    assert stored["NEW_YEAR"][3:] == ("2027-01-01", "2027-01-01T00:00:00+08:00")
    assert stored["BEIJING"][3:] == ("2026-11-20", "2026-11-20T22:10:00+08:00")
    assert the_21st == ["DELHI", "HONOLULU", "Z", "UTC", "TOKYO"]  # 03:30, 07:00, 07:30, 07:45, 07:50
    assert every == starts


def test_refuses_a_newer_schema_and_a_file_that_is_not_a_database(db: Path) -> None:
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    for readonly in (False, True):
        with pytest.raises(SchemaTooNew, match=f"schema version {LATEST + 1}.*upgrade qa-audit"):
            Store.open(db, readonly=readonly)
    WriterLock.acquire(db, timeout=0).release()  # the refusal let go of the lock
    text = db.with_name("notes.db")
    text.write_text("坐席质检备注\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="not a qa-audit history database"):
        Store.open(text)
    with pytest.raises(StoreError, match="no history database"):
        Store.open(db.with_name("missing.db"), readonly=True)


def test_a_reader_cannot_write(db: Path) -> None:
    Store.open(db).close()
    with Store.open(db, readonly=True) as store, pytest.raises(StoreError, match="read-only"):
        store.begin_run({}, RULES)


def test_runs_left_running_are_interrupted(db: Path) -> None:
    with Store.open(db) as store:
        done = store.begin_run({}, RULES)
        store.finish_run(done, {"audited": 0, "skipped_unchanged": 0, "errors": 0}, status="failed")
        store.begin_run({}, RULES)
        with pytest.raises(ValueError):
            store.finish_run(done, {}, status="running")
        with pytest.raises(StoreError, match=f"run {done} is not running"):
            store.finish_run(done, {})
    with Store.open(db, readonly=True) as store:
        statuses = [(r["status"], r["finished_at"] is not None) for r in store.runs()]
    assert statuses == [("interrupted", True), ("failed", True)]


# -- other processes ------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from qa_audit.store import Store
    sys.path.insert(0, {tests!r})
    from test_store import RULES, audit

    store = Store.open({db!r}, batch_size={batch})
    run = store.begin_run({{"child": True}}, RULES)
    print("ready", flush=True)
    if {hold}:
        sys.stdin.readline()
        store.close()
        sys.exit()
    i = 0
    while True:
        store.save(run, *audit(f"T{{i:06}}", "A1024", "2024-05-01T08:00:00+08:00"), RULES)
        i += 1
        if i % {batch} == 0:
            print("committed", i, flush=True)
    """
)


class Child:
    """A writer in another process, with its output read on a thread so waits are bounded."""

    def __init__(self, db: Path, *, hold: bool, batch: int = 40) -> None:
        code = CHILD.format(tests=str(Path(__file__).parent), db=str(db), batch=batch, hold=hold)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("EOF")

    def expect(self, prefix: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            assert line != "EOF", f"child exited with {self.proc.wait()}"
            if line.startswith(prefix):
                return line

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def test_a_second_writer_waits_then_fails_with_store_busy(db: Path) -> None:
    child = Child(db, hold=True)
    try:
        child.expect("ready")
        started = time.monotonic()
        with pytest.raises(StoreBusy, match=rf"in use by another qa-audit run \(pid {child.proc.pid}\)"):
            Store.open(db, timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 5
        with Store.open(db, readonly=True) as reader:  # reports can still be rebuilt
            assert reader.runs()[0]["status"] == "running"
        assert child.proc.stdin is not None
        child.proc.stdin.write("\n")
        child.proc.stdin.flush()
        assert child.proc.wait(timeout=10) == 0
    finally:
        child.kill()
    with Store.open(db, timeout=5) as store:
        assert store.runs()[0]["status"] == "interrupted"


def test_a_second_store_in_the_same_process_is_busy_too(db: Path) -> None:
    with Store.open(db), pytest.raises(StoreBusy):
        Store.open(db, timeout=0)
    Store.open(db, timeout=0).close()


def test_sigkill_mid_run_keeps_committed_batches_and_a_sound_database(db: Path) -> None:
    batch = 40
    child = Child(db, hold=False, batch=batch)
    try:
        child.expect("ready")
        committed = int(child.expect("committed").split()[1])
        with Store.open(db, readonly=True) as reader:  # a report read during the run
            assert sum(1 for _ in reader.period_source(None, None).calls()) >= committed
        child.expect(f"committed {committed + 3 * batch}")
    finally:
        child.kill()
    assert child.proc.returncode == -signal.SIGKILL

    with Store.open(db, timeout=5) as store:
        conn = store._conn
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        saved = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
        assert saved >= committed + 3 * batch and saved % batch == 0  # whole batches only
        per_call = conn.execute("SELECT DISTINCT count(*) FROM findings GROUP BY transcript_id").fetchall()
        assert per_call == [(3,)]
        assert store.runs()[0]["status"] == "interrupted"
        call, _ = audit(f"T{saved - 1:06}", "A1024", "2024-05-01T08:00:00+08:00")
        assert store.is_current(call["transcript_id"], call["content_hash"], RULES)
        lost, _ = audit(f"T{saved:06}", "A1024", "2024-05-01T08:00:00+08:00")
        assert not store.is_current(lost["transcript_id"], lost["content_hash"], RULES)
