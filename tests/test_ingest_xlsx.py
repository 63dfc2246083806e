"""Excel exports (.xlsx) read as their sheet's CSV would be: one row per turn."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path

from openpyxl import Workbook, load_workbook

from qa_audit.ingest import fields, read_file, read_inputs
from qa_audit.model import IngestError, Transcript

GREETING = "您好，工号1024，很高兴为您服务，请问有什么可以帮您？"
QUESTION = "我的宽带从昨晚开始就断了。"
ANSWER = "请稍等，我帮您查一下线路。"


def export(path: Path, rows: list[list[object]], title: str | None = "华信通信 客服质检导出 2026-11-29") -> Path:
    """A night's export as call-centre systems write it: a title line, a blank row, the header."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(["会话ID", "坐席工号", "坐席姓名", "渠道", "通话开始时间", "角色", "内容", "开始时间", "结束时间"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_excel_export_is_read_as_its_csv_would_be(tmp_path: Path) -> None:
    start = datetime(2026, 11, 29, 9, 15)
    path = export(tmp_path / "calls_20261129.xlsx", [
        [None, "A2048", "李丽", "在线", None, "客户", "喂，有人吗？", None, None],
        [1001, "A1024", "王小明", "电话", start, "坐席", GREETING, time(9, 15, 2), time(9, 15, 6)],
        [1001, "A1024", "王小明", "电话", start, "客户", QUESTION, time(9, 15, 7), time(9, 15, 12)],
        [1002, "A2048", "李丽", "在线", None, "客服", GREETING, None, None],
        [None, "A2048", "李丽", "在线", None, "客户", "在吗", None, None],
        [1001, "A1024", "王小明", "电话", start, "坐席", ANSWER, time(9, 15, 13), time(9, 15, 16)],
    ])
    call, chat, error = sorted(read_file(path), key=lambda i: getattr(i, "id", "~"))
    assert isinstance(call, Transcript) and isinstance(chat, Transcript)
    assert (call.id, call.agent_id, call.agent_name, call.channel, call.started_at, call.line) == (
        "1001", "A1024", "王小明", "call", "2026-11-29T09:15:00", 5)
    assert [(t.speaker, t.text, t.start, t.end) for t in call.turns] == [
        ("agent", GREETING, 2.0, 6.0), ("customer", QUESTION, 7.0, 12.0), ("agent", ANSWER, 13.0, 16.0)]
    assert (chat.id, chat.channel, [t.speaker for t in chat.turns]) == ("1002", "chat", ["agent", "customer"])
    assert error == IngestError(str(path), 4, "row has no transcript id")  # the row as Excel numbers it


def test_every_sheet_with_the_transcript_columns_is_read_and_its_errors_name_it(tmp_path: Path) -> None:
    path = export(tmp_path / "night.xlsx", [
        [1001, "A1024", "王小明", "电话", None, "坐席", GREETING, None, None],
        [1001, "A1024", "王小明", "电话", None, "客户", QUESTION, None, None],
    ])
    book = load_workbook(path)
    book.active.title = "电话"
    notes = book.create_sheet("说明", 0)
    notes.append(["本表由华信通信质检系统自动导出，每个渠道一个工作表。"])
    chat = book.create_sheet("在线")
    chat.append(["会话ID", "坐席工号", "渠道", "角色", "内容"])
    chat.append([None, "A2048", "在线", "客户", "在吗？"])
    chat.append([2001, "A2048", "在线", "客服", GREETING])
    chat.append([2001, "A2048", "在线", "用户", "我的快递到哪了？"])
    chat.append([2002, "A3001", "在线", "客服", GREETING])
    chat.append([2002, "A3001", "在线", "主持人", "大家好"])
    book.create_sheet("微信").append(["会话ID", "坐席工号", "渠道", "角色", "内容"])  # no chats there tonight
    book.save(path)
    items = list(read_file(path))
    assert [(i.id, i.channel, i.line, len(i.turns)) for i in items if isinstance(i, Transcript)] == [
        ("1001", "call", 4, 2), ("2001", "chat", 3, 2)]
    assert [(i.line, i.reason) for i in items if isinstance(i, IngestError)] == [
        (2, "sheet '在线': row has no transcript id"),
        (5, "sheet '在线': 2002: turn 1 (line 6): unknown speaker '主持人'"),
    ]


def test_a_workbook_whose_sheets_have_a_header_and_no_rows_is_one_error(tmp_path: Path) -> None:
    path = export(tmp_path / "night.xlsx", [])
    book = load_workbook(path)
    book.create_sheet("在线").append(["会话ID", "坐席工号", "角色", "内容"])
    book.save(path)
    assert list(read_file(path)) == [IngestError(str(path), None, "no rows after the header")]


def test_merged_cells_belong_to_every_row_they_cover(tmp_path: Path) -> None:
    """Read-only openpyxl gives None for the cells a merge covers, as a blank id in a CSV."""
    path = export(tmp_path / "merged.xlsx", [
        ["G4", "A1024", "王小明", "在线", datetime(2026, 11, 29, 9), "客服", GREETING, None, None],
        [None, None, None, None, None, "客户", "我要退货，订单号 20261129。", None, None],
        [None, None, None, None, None, "客服", "好的，已为您提交退货申请，感谢咨询，再见。", None, None],
        ["G5", "A2048", "李丽", "电话", datetime(2026, 11, 29, 9, 5), "坐席", GREETING, None, None],
        [None, None, None, None, None, "客户", QUESTION, None, None],
    ])
    book = load_workbook(path)
    for column in "ABCDE":
        book.active.merge_cells(f"{column}4:{column}6")
        book.active.merge_cells(f"{column}7:{column}8")
    book.save(path)
    items = list(read_file(path))
    assert [(t.id, t.agent_id, t.channel, t.started_at, [x.speaker for x in t.turns])
            for t in items if isinstance(t, Transcript)] == [
        ("G4", "A1024", "chat", "2026-11-29T09:00:00", ["agent", "customer", "agent"]),
        ("G5", "A2048", "call", "2026-11-29T09:05:00", ["agent", "customer"]),
    ]
    assert len(items) == 2


def test_a_summary_row_and_a_repeated_header_are_skipped(tmp_path: Path) -> None:
    header = ["会话ID", "坐席工号", "坐席姓名", "渠道", "通话开始时间", "角色", "内容", "开始时间", "结束时间"]
    path = export(tmp_path / "night.xlsx", [
        [1001, "A1024", "王小明", "电话", None, "坐席", GREETING, None, None],
        [1001, "A1024", "王小明", "电话", None, "客户", QUESTION, None, None],
        header,
        [1002, "A2048", "李丽", "在线", None, "客服", GREETING, None, None],
        [],
        ["总计", None, "2 通", None, None, None, None, None, None],
    ])
    items = list(read_file(path))
    assert [(i.id, len(i.turns)) for i in items if isinstance(i, Transcript)] == [("1001", 2), ("1002", 1)]
    assert len(items) == 2


def test_a_long_id_excel_stored_as_a_number_is_an_error_never_a_merged_call(tmp_path: Path) -> None:
    path = export(tmp_path / "night.xlsx", [
        [2.02611210900001e19, "A1024", "王小明", "电话", None, "坐席", GREETING, None, None],
        [2.02611210900001e19, "A2048", "李丽", "电话", None, "坐席", GREETING, None, None],
        [1003, "A1024", "王小明", "电话", None, "坐席", GREETING, None, None],
    ])
    items = list(read_file(path))
    assert [i.id for i in items if isinstance(i, Transcript)] == ["1003"]
    assert [(i.line, i.reason.split(";")[0]) for i in items if isinstance(i, IngestError)] == [
        (4, "2.02611210900001e+19: transcript id shortened by Excel (scientific notation: its last digits are lost, "
            "and calls that differ only there would be merged)"),
        (5, "2.02611210900001e+19: transcript id shortened by Excel (scientific notation: its last digits are lost, "
            "and calls that differ only there would be merged)"),
    ]


def test_a_workbook_without_the_columns_or_not_a_workbook_is_a_skipped_input_saying_why(tmp_path: Path) -> None:
    roster = Workbook()
    roster.active.append(["工号", "姓名", "班组"])
    roster.active.append(["A1024", "王小明", "售后一组"])
    roster.save(tmp_path / "roster.xlsx")
    (tmp_path / "calls.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    export(tmp_path / "night.xlsx", [[1001, "A1024", "王小明", "电话", None, "坐席", GREETING, None, None]], None)
    items = list(read_inputs([tmp_path]))
    assert [t.id for t in items if isinstance(t, Transcript)] == ["1001"]
    assert [(Path(i.path).name, i.reason) for i in items if isinstance(i, IngestError)] == [
        ("calls.xlsx", "not a readable Excel workbook (File is not a zip file): save it again as .xlsx without a "
                       "password, or export the sheet as CSV"),
        ("roster.xlsx", "no sheet has a header row with the transcript columns "
                        f"({fields.expected_columns(['id', 'agent_id', 'text'])}); the first sheet starts "
                        "with 工号, 姓名, 班组"),
    ]


def _rewrite_sheet(source: Path, target: Path, change: Callable[[bytes], bytes]) -> Path:
    """`source` with its first sheet's XML changed as a faulty exporter or a broken copy leaves it."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return target


def test_a_sheet_whose_size_tag_is_wrong_is_still_read_whole(tmp_path: Path) -> None:
    rows = [[f"T{n}", "A1024", "王小明", "电话", None, "坐席", GREETING, None, None] for n in range(10)]
    good_book = export(tmp_path / "good.xlsx", rows, None)
    wrong = _rewrite_sheet(good_book, tmp_path / "wrong.xlsx",
                           lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:I3"', xml))
    assert [t.id for t in read_file(wrong) if isinstance(t, Transcript)] == [f"T{n}" for n in range(10)]


def test_a_damaged_sheet_is_a_skipped_input_and_the_night_goes_on(tmp_path: Path) -> None:
    good_book = export(tmp_path / "good.xlsx", [[1001, "A1024", "王小明", "电话", None, "坐席", GREETING, None, None]])
    (tmp_path / "inbox").mkdir()
    _rewrite_sheet(good_book, tmp_path / "inbox" / "damaged.xlsx", lambda xml: xml[: len(xml) // 2])
    (tmp_path / "inbox" / "calls.csv").write_text(f"会话ID,坐席工号,角色,内容\nC1,A1024,坐席,{GREETING}\n",
                                                   encoding="utf-8")
    items = list(read_inputs([tmp_path / "inbox"]))
    assert [t.id for t in items if isinstance(t, Transcript)] == ["C1"]
    (error,) = [i for i in items if isinstance(i, IngestError)]
    assert Path(error.path).name == "damaged.xlsx" and error.reason.startswith("damaged Excel workbook (")


def test_a_sheet_whose_compressed_data_rotted_is_a_skipped_input(tmp_path: Path) -> None:
    rows = [[f"T{n}", "A1024", "王小明", "电话", None, "坐席", GREETING * 3, None, None] for n in range(200)]
    path = export(tmp_path / "rotted.xlsx", rows, None)
    with zipfile.ZipFile(path) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 10  # inside the deflate stream: zlib cannot decode it
    data[middle:middle + 60] = bytes(b ^ 0x5A for b in data[middle:middle + 60])  # bit rot on a share
    path.write_bytes(bytes(data))
    (error,) = [i for i in read_file(path) if isinstance(i, IngestError)]  # never an exception ending the night
    assert "Excel workbook (Error -3 while decompressing data" in error.reason
