"""The file layer of every import (issue 13 items 1 and 5): an upload becomes a Book of text cells, or is refused
with a Chinese message before anything heavy is read."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from transfer.book import Column, Sheet
from transfer.files import FileRefused, cell_text, header_key, read_bytes, read_upload

SHEET = Sheet(
    "企业",
    (
        Column("统一社会信用代码", required=True, code=True),
        Column("企业名称", required=True),
        Column("注册地区代码", code=True),
        Column("成立日期"),
    ),
    keys=("统一社会信用代码",),
)
SHEETS = (SHEET,)
HEADER = ["统一社会信用代码*", "企业名称*", "注册地区代码", "成立日期"]


def xlsx(rows, title="企业") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(lines: list[str], encoding: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def refused(data: bytes, name: str = "x.xlsx", sheets=SHEETS) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        read_bytes(data, sheets=sheets, name=name)
    return caught.value


# --- cells -------------------------------------------------------------------------------------------------------


def test_cells_become_text_as_book_says():
    assert cell_text(4501031711200001) == "4501031711200001"
    assert cell_text(4.501031711200001e15) == "4501031711200001"  # a code Excel stored as a number: no exponent
    assert cell_text(1e20) == "100000000000000000000"
    assert cell_text(12.0) == "12"
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"
    assert cell_text(1234.5) == "1234.5"
    assert cell_text(dt.datetime(2017, 11, 20)) == "2017-11-20"
    assert cell_text(dt.date(2017, 11, 20)) == "2017-11-20"
    assert cell_text(dt.datetime(2017, 11, 20, 8, 30)) == "2017-11-20 08:30:00"
    assert cell_text("  南宁 \n") == "南宁"
    assert cell_text("   ") is None
    assert cell_text(None) is None


def test_headers_match_with_a_red_star_and_spaces():
    assert header_key(" 企业名称 * ") == "企业名称"
    assert header_key("企业名称＊") == "企业名称"
    assert header_key("*企业名称") == "企业名称"


# --- XLSX --------------------------------------------------------------------------------------------------------


def test_a_real_xlsx_is_read_with_row_numbers_dates_and_codes():
    data = xlsx(
        [
            HEADER,
            ["91450100000000001X", " 甲公司 ", 450103, dt.datetime(2001, 5, 6)],
            [None, None, None, None],  # a blank row is skipped, the numbers stay the spreadsheet's
            ["914501000000000028", "乙公司", "450103", "=1+1"],
        ]
    )
    book = read_bytes(data, sheets=SHEETS, name="企业.xlsx")
    table = book.tables["企业"]
    assert book.source == "xlsx"
    assert [n for n, _cells in table.rows] == [2, 4]
    assert table.rows[0][1] == {
        "统一社会信用代码": "91450100000000001X",
        "企业名称": "甲公司",
        "注册地区代码": "450103",
        "成立日期": "2001-05-06",
    }
    assert table.rows[1][1]["成立日期"] is None  # a formula never computed has no value (data_only)


def test_a_sheet_of_another_name_is_read_when_the_import_has_one_sheet():
    book = read_bytes(xlsx([HEADER, ["9145", "甲", None, None]], title="Sheet1"), sheets=SHEETS)
    assert book.rows() == 1


def test_optional_columns_may_be_left_out_and_read_as_none():
    book = read_bytes(xlsx([["企业名称", "统一社会信用代码"], ["甲", "9145"]]), sheets=SHEETS)
    assert book.tables["企业"].rows[0][1] == {
        "统一社会信用代码": "9145",
        "企业名称": "甲",
        "注册地区代码": None,
        "成立日期": None,
    }


def test_missing_red_star_column_is_refused():
    error = refused(xlsx([["企业名称", "注册地区代码"], ["甲", "450103"]]))
    assert "统一社会信用代码" in error.message and "必填" in error.message
    assert error.problems[0].sheet == "企业" and error.problems[0].row == 0


def test_unknown_column_is_refused():
    error = refused(xlsx([[*HEADER, "备注"], ["9145", "甲", None, None, "x"]]))
    assert "无法识别的列" in error.message and "备注" in error.message


def test_a_header_twice_is_refused():
    error = refused(xlsx([[*HEADER, "企业名称"], ["9145", "甲", None, None, "甲"]]))
    assert "企业名称" in error.message and "2" in error.message and "E" in error.message


def test_exact_duplicate_rows_are_refused_naming_both_rows():
    error = refused(xlsx([HEADER, ["9145", "甲", None, None], ["9146", "乙", None, None], ["9145", "甲", None, None]]))
    assert "第 4 行" in error.message and "第 2 行" in error.message
    assert error.code == "duplicates"


def test_rows_with_the_same_key_are_refused():
    error = refused(xlsx([HEADER, ["9145", "甲", None, None], ["9145", "乙", None, None]]))
    assert "统一社会信用代码" in error.message and "9145" in error.message
    assert [p.row for p in error.problems] == [3]


def test_an_empty_file_and_a_header_only_file_are_refused():
    assert "空" in refused(b"").message
    assert "没有数据行" in refused(xlsx([HEADER])).message
    assert "没有数据行" in refused(csv_bytes([",".join(HEADER)], "utf-8"), name="a.csv").message


def test_old_xls_is_refused_with_save_as_xlsx():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    message = refused(ole2, name="旧.xls").message
    assert ".xlsx" in message and "另存为" in message


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 this is not really a zip at all",
        b"%PDF-1.4 a pdf named .xlsx",
    ],
)
def test_broken_zip_or_other_content_is_refused(data):
    assert "文件已损坏或不是有效的 Excel 文件" in refused(data, name="x.xlsx").message


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "文件已损坏或不是有效的 Excel 文件" in refused(buffer.getvalue()).message


def test_a_truncated_xlsx_is_refused():
    data = xlsx([HEADER, ["9145", "甲", None, None]])
    assert "文件已损坏或不是有效的 Excel 文件" in refused(data[: len(data) // 2]).message


def test_an_xlsx_bomb_is_refused_from_the_zip_directory(settings):
    """A member inflating 1000 times over: refused by the directory's sizes, before openpyxl reads a byte of it."""
    data = xlsx([HEADER, ["9145", "甲", None, None]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</worksheet>", b"<!--" + b" " * (8 * 1024 * 1024) + b"--></worksheet>")
            archive.writestr(item.filename, content)
    message = refused(buffer.getvalue()).message
    assert "解压" in message
    settings.IMPORT_MAX_RATIO = 10_000
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    assert "解压" in refused(buffer.getvalue()).message  # the sum of the sizes alone refuses it too


def test_too_many_rows_and_columns_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [HEADER] + [[f"914{n}", "甲", None, None] for n in range(5)]
    assert "3 行" in refused(xlsx(rows)).message
    settings.IMPORT_MAX_ROWS = 1000
    settings.IMPORT_MAX_COLUMNS = 10
    assert "10 列" in refused(xlsx([[*HEADER, *["x"] * 20], ["9145", "甲", *["y"] * 22]])).message


def test_the_size_limit_is_checked_before_reading(settings):
    settings.IMPORT_MAX_BYTES = 1024

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read although too big")

    upload = Unreadable(b"x" * 2048)
    upload.size = 2048
    with pytest.raises(FileRefused) as caught:
        read_upload(upload, sheets=SHEETS)
    assert "MB" in caught.value.message and "拆分" in caught.value.message


def test_a_workbook_without_the_sheet_is_refused_for_a_two_sheet_import():
    two = (SHEET, Sheet("联系人", (Column("姓名", required=True),)))
    data = xlsx([HEADER, ["9145", "甲", None, None]])
    assert "联系人" in refused(data, sheets=two).message
    optional = (SHEET, Sheet("联系人", (Column("姓名", required=True),), required=False))
    book = read_bytes(data, sheets=optional)
    assert book.tables["联系人"].rows == []


# --- CSV ---------------------------------------------------------------------------------------------------------

LINES = [",".join(HEADER), "91450100000000001X,南宁市建筑设计院（有限公司）,450103,2001-05-06", "9146,桂林𠮷祥公司,,"]


@pytest.mark.parametrize(
    ("encoding", "source"),
    [("utf-8", "csv:utf-8"), ("utf-8-sig", "csv:utf-8"), ("gbk", "csv:gb18030"), ("gb18030", "csv:gb18030")],
)
def test_csv_in_utf8_or_gbk_is_decoded(encoding, source):
    lines = LINES if encoding != "gbk" else LINES[:2]  # 𠮷 is not in GBK
    book = read_bytes(csv_bytes(lines, encoding), sheets=SHEETS, name="企业.csv")
    assert book.source == source
    assert book.tables["企业"].rows[0][1]["企业名称"] == "南宁市建筑设计院（有限公司）"
    if encoding != "gbk":
        assert book.tables["企业"].rows[1][1]["企业名称"] == "桂林𠮷祥公司"


def test_an_uploaded_gbk_csv_reads_through_read_upload():
    upload = SimpleUploadedFile("企业.csv", csv_bytes(LINES[:2], "gbk"), content_type="text/csv")
    assert read_upload(upload, sheets=SHEETS).tables["企业"].rows[0][1]["注册地区代码"] == "450103"


def test_a_csv_in_neither_encoding_is_refused():
    data = csv_bytes(LINES[:2], "gbk") + b"\x80\xff\xfe"  # not UTF-8, not GB18030
    assert "无法识别文件编码" in refused(data, name="a.csv").message


def test_a_csv_that_decodes_into_mojibake_is_refused():
    """Big5 bytes decode as GB18030, into characters no header of ours has: refused, never imported garbled."""
    data = csv_bytes(["統一社會信用代碼,企業名稱", "9145,甲"], "big5")
    assert "无法识别文件编码" in refused(data, name="a.csv").message
    latin = "统一社会信用代码,企业名称\r\n9145,甲\r\n".encode().decode("latin-1").encode("utf-8")
    assert "无法识别文件编码" in refused(latin, name="a.csv").message


def test_utf16_is_refused_with_advice():
    data = "\r\n".join(LINES).encode("utf-16")
    assert "无法识别文件编码" in refused(data, name="a.csv").message


def test_a_tab_separated_file_is_read():
    data = csv_bytes(["\t".join(HEADER), "9145\t甲\t\t"], "utf-8")
    assert read_bytes(data, sheets=SHEETS, name="a.txt").tables["企业"].rows[0][1]["企业名称"] == "甲"


def test_the_error_column_of_an_error_file_is_ignored():
    data = csv_bytes([",".join([*HEADER, "错误原因"]), "9145,甲,,,代码有误"], "utf-8")
    assert read_bytes(data, sheets=SHEETS, name="a.csv").rows() == 1
