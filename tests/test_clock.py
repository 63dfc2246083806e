"""The centre's clock: a call's start is shown and filed under a day in Beijing time
(UTC+8), whatever zone the export wrote it in; the JSON Lines keep it as exported."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from qa_audit.cli import main
from qa_audit.clock import centre_day, centre_key, centre_time
from tests.test_nightly import sample_records
from tests.test_xlsx import data_rows, header

# One night shift of 王小明's, exported by systems that write times differently. In
# Beijing time the first two calls are on the 20th and the last three on the 21st.
NIGHT = {
    "N2210": "2026-11-20T22:10:00+08:00",  # the centre's own export: as written
    "N2355": "2026-11-20T23:55:00",  # no offset: the centre's clock already
    "N0730": "2026-11-20T23:30:00Z",  # a vendor in UTC: 07:30 on the 21st
    "N0745": "2026-11-20T23:45:00+00:00",  # UTC written as an offset: 07:45 on the 21st
    "N0750": "2026-11-21T08:50:00+09:00",  # a system on Tokyo time: 07:50 on the 21st
}
SHOWN = {
    "N2210": datetime(2026, 11, 20, 22, 10),
    "N2355": datetime(2026, 11, 20, 23, 55),
    "N0730": datetime(2026, 11, 21, 7, 30),
    "N0745": datetime(2026, 11, 21, 7, 45),
    "N0750": datetime(2026, 11, 21, 7, 50),
}


@pytest.mark.parametrize(
    ("started_at", "shown", "key"),
    [
        ("2026-11-20T23:30:00Z", datetime(2026, 11, 21, 7, 30), "2026-11-21T07:30:00+08:00"),
        ("2026-11-20T23:30:00+00:00", datetime(2026, 11, 21, 7, 30), "2026-11-21T07:30:00+08:00"),
        ("2026-11-21T08:30:00+09:00", datetime(2026, 11, 21, 7, 30), "2026-11-21T07:30:00+08:00"),
        ("2026-12-31T18:00:00-10:00", datetime(2027, 1, 1, 12, 0), "2027-01-01T12:00:00+08:00"),
        ("2026-11-21T07:30:00+08:00", datetime(2026, 11, 21, 7, 30), "2026-11-21T07:30:00+08:00"),
        ("2026-11-21T07:30:00", datetime(2026, 11, 21, 7, 30), "2026-11-21T07:30:00"),
        ("2026-11-21", datetime(2026, 11, 21), "2026-11-21"),
    ],
)
def test_a_start_on_the_centres_clock(started_at: str, shown: datetime, key: str) -> None:
    moment = centre_time(started_at)
    assert moment is not None and moment.replace(tzinfo=None) == shown
    assert centre_key(started_at) == key
    assert centre_day(started_at) == shown.date().isoformat()


def test_no_start_or_no_date_and_time_is_left_alone() -> None:
    assert centre_time(None) is None and centre_key(None) == "" and centre_day(None) is None
    assert centre_time("昨晚") is None and centre_key("昨晚") == "昨晚" and centre_day("昨晚") is None


def night_export(path: Path, starts: dict[str, str]) -> Path:
    """Real sample conversations, all 王小明's, with the given ids and start times."""
    base = [r for r in sample_records() if r["channel"] == "call"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i, (tid, started_at) in enumerate(starts.items()):
            record = dict(base[i % len(base)], id=tid, agent_id="A1024", agent_name="王小明", team="售后一组",
                          started_at=started_at)  # fmt: skip
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def run(*args: object) -> Result:
    result = CliRunner().invoke(main, [*map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def calls_of(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "calls.jsonl").read_text(encoding="utf-8").splitlines()]


def started_column(book: Path) -> dict[str, object]:
    """The 通话 sheet's start time per call id, as a supervisor sees it."""
    ws = load_workbook(book)["通话"]
    column = header(ws).index("开始时间（北京时间）")
    return {row[0]: row[column] for row in data_rows(ws)}


def trend_days(book: Path) -> list[tuple[object, object]]:
    ws = load_workbook(book)["趋势"]
    return [(row[0], row[1]) for row in data_rows(ws)]


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The night audited into a history database; returns (database, the run's output folder)."""
    tmp = tmp_path_factory.mktemp("night")
    export = night_export(tmp / "exports" / "night.jsonl", NIGHT)
    run("audit", export, "--out", tmp / "out", "--db", tmp / "qa.db", "--workers", 1)
    return tmp / "qa.db", tmp / "out"


def test_the_workbook_shows_and_dates_every_call_in_beijing_time(night: tuple[Path, Path]) -> None:
    _, out = night
    book = out / "A1024_王小明.xlsx"
    assert started_column(book) == SHOWN
    assert trend_days(book) == [(datetime(2026, 11, 20), 2), (datetime(2026, 11, 21), 3)]


def test_the_json_lines_keep_the_start_as_exported(night: tuple[Path, Path]) -> None:
    _, out = night
    assert {c["transcript_id"]: c["started_at"] for c in calls_of(out)} == NIGHT


def test_a_report_picks_and_orders_calls_by_their_beijing_day(night: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = night
    run("report", "--db", db, "--out", tmp_path / "21", "--from", "2026-11-21", "--to", "2026-11-21")
    assert [c["transcript_id"] for c in calls_of(tmp_path / "21")] == ["N0730", "N0745", "N0750"]
    assert {c["transcript_id"]: c["started_at"] for c in calls_of(tmp_path / "21")} == {
        tid: NIGHT[tid] for tid in ("N0730", "N0745", "N0750")}  # fmt: skip
    book = tmp_path / "21" / "A1024_王小明.xlsx"
    assert started_column(book) == {tid: SHOWN[tid] for tid in ("N0730", "N0745", "N0750")}
    assert "趋势" not in load_workbook(book).sheetnames  # one day

    run("report", "--db", db, "--out", tmp_path / "20", "--from", "2026-11-20", "--to", "2026-11-20")
    assert [c["transcript_id"] for c in calls_of(tmp_path / "20")] == ["N2210", "N2355"]

    run("report", "--db", db, "--out", tmp_path / "all")  # in the order the calls were taken
    assert [c["transcript_id"] for c in calls_of(tmp_path / "all")] == list(SHOWN)


def test_prune_drops_calls_by_their_beijing_day(night: tuple[Path, Path]) -> None:
    db, _ = night
    dry = run("prune", "--db", db, "--before", "2026-11-21", "--dry-run")
    assert dry.stdout.startswith("would delete 2 call(s) started before 2026-11-21 ")


def test_an_id_reused_by_the_next_nights_call_of_a_utc_export_is_told_by_the_beijing_day(tmp_path: Path) -> None:
    # A vendor in UTC that numbers each night's calls afresh. Its two calls 0001 were
    # written on the same UTC day, but were taken on two nights of the centre.
    db = tmp_path / "qa.db"
    first = night_export(tmp_path / "21" / "calls.jsonl", {"0001": "2026-11-21T01:00:00Z"})  # 09:00 on the 21st
    run("audit", first, "--out", tmp_path / "out21", "--db", db, "--workers", 1, "--no-xlsx")
    second = night_export(tmp_path / "22" / "calls.jsonl", {"0001": "2026-11-21T23:00:00Z"})  # 07:00 on the 22nd
    result = CliRunner().invoke(main, ["audit", str(second), "--out", str(tmp_path / "out22"), "--db", str(db),
                                       "--workers", "1", "--no-xlsx"])  # fmt: skip
    assert result.exit_code == 3, result.output  # nothing else in that export
    assert result.stderr.splitlines() == [
        f"skipped: {second}:1: transcript id '0001' already belongs to another call in the history (of "
        "2026-11-21, agent A1024); this one started 2026-11-22T07:00:00+08:00 (exported as 2026-11-21T23:00:00Z). "
        "Ids must be unique across days (prefix them with the date); skipped, the stored call is kept"]  # fmt: skip

    # The first call exported again by the centre's own system: the same moment, so the same call.
    again = night_export(tmp_path / "again" / "calls.jsonl", {"0001": "2026-11-21T09:00:00+08:00"})
    result = run("audit", again, "--out", tmp_path / "again-out", "--db", db, "--workers", 1, "--no-xlsx")
    assert "0 input(s) skipped" in result.stdout
    assert [c["started_at"] for c in calls_of(tmp_path / "again-out")] == ["2026-11-21T09:00:00+08:00"]
