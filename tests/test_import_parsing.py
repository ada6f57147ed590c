"""Every format, layout and mess the towns' files have, read by `services.import_check` (nothing written)."""

import codecs
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.importing import services
from ledger.models import LedgerLine, LedgerYear

from . import hostile_files
from .factories import item_for_year
from .importfiles import MESSY_WIDE_MERGES, csv_bytes, messy_wide_rows, ods, xlsx

FILES = Path(__file__).parent / "files"


def amounts(check, village, year):
    lines = check.parsed.statements[(village.pk, year)]
    return {(line.item_id, line.name): line.amount for line in lines.values()}


def test_messy_wide_xlsx_reads_title_year_unit_two_row_header_and_skips_totals_and_footer(world):
    data = xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES)
    check = services.import_check(data=data)  # town and year from the title
    assert check.ok, [str(p) for p in check.problems]
    changsheng = world["villages"]["长胜村"]  # written “长胜” in the file
    assert amounts(check, changsheng, 2023) == {
        (item_for_year(2023, "operating_revenue").pk, ""): Decimal("1205000.00"),
        (item_for_year(2023, "contract_remittance").pk, ""): Decimal("300000.00"),
        (item_for_year(2023, "subsidy_income").pk, ""): Decimal("10000000.00"),  # full-width “１,０００.００”
        (item_for_year(2023, "admin_expense").pk, ""): Decimal("200000.00"),  # “管理费” alias
    }
    assert len(check.parsed.statements) == 2  # 合计 and 填表人 rows are not villages
    assert "宽表" in check.notes[0] and "万元" in check.notes[0]
    assert LedgerYear.objects.count() == 0


def test_derived_column_that_disagrees_with_items_is_reported_with_its_cell(world):
    rows = messy_wide_rows()
    rows[5][7] = 999  # 幸福村 本年收益 should be 84.75
    check = services.import_check(data=xlsx(("收益分配", rows), merges=MESSY_WIDE_MERGES))
    assert not check.ok
    [problem] = check.problems
    assert (problem.sheet, problem.row) == ("收益分配", 6)
    assert problem.column.startswith("H") and "本年收益与各科目不符" in problem.reason


def test_long_csv_in_gbk_with_thousands_separators_and_项目_lines(world):
    rows = [["年度", "乡镇", "村", "科目", "项目", "金额（元）", "备注"],
            [2021, "八桥镇", "长胜村", "发包及上交收入", "标准化厂房租金", '"1,100,000.00"', ""],
            [2021, "八桥镇", "长胜村", "发包及上交收入", "商铺出租", "500000", "6间"],
            [2021, "八桥镇", "幸福", "经营收入", "", "２０００", ""],
            [2021, "八桥镇", "幸福", "其他收入", "", "", ""]]  # blank = no entry
    check = services.import_check(data=csv_bytes(rows, "gb18030"))
    assert check.ok, [str(p) for p in check.problems]
    item = item_for_year(2021, "contract_remittance").pk
    assert amounts(check, world["villages"]["长胜村"], 2021) == {
        (item, "标准化厂房租金"): Decimal("1100000.00"), (item, "商铺出租"): Decimal("500000.00")}
    assert amounts(check, world["villages"]["幸福村"], 2021) == {
        (item_for_year(2021, "operating_revenue").pk, ""): Decimal("2000.00")}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(world, encoding):
    rows = [["区划代码", "村名", "年度", "经营收入", "补助收入"], ["321182103201", "长胜村", "2022", "100", "20"]]
    check = services.import_check(data=csv_bytes(rows, encoding))
    assert check.ok, [str(p) for p in check.problems]
    assert sum(amounts(check, world["villages"]["长胜村"], 2022).values()) == Decimal("120.00")


def test_tab_separated_utf16_text_as_excel_saves_unicode_text(world):
    text = "村名\t年度\t经营收入\r\n长胜村\t2022\t100\r\n"
    check = services.import_check(data=codecs.BOM_UTF16_LE + text.encode("utf-16-le"), town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]


def test_year_and_unit_from_cells_and_header(world):
    rows = [["年度：2022", None, "单位：元"], ["村", "经营收入（万元）", "管理费用"], ["长胜村", 1.5, 300]]
    check = services.import_check(data=xlsx(("表", rows)), town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    got = amounts(check, world["villages"]["长胜村"], 2022)
    assert got[(item_for_year(2022, "operating_revenue").pk, "")] == Decimal("15000.00")  # header says 万元
    assert got[(item_for_year(2022, "admin_expense").pk, "")] == Decimal("300.00")  # line says 元


def test_year_given_by_user_when_file_does_not_say_and_conflict_when_it_does(world):
    rows = [["村", "经营收入"], ["长胜村", 10]]
    assert services.import_check(data=xlsx(("表", rows)), town=world["baqiao"], year=2022).ok
    missing = services.import_check(data=xlsx(("表", rows)), town=world["baqiao"])
    assert "不知道这一行是哪一年的" in missing.problems[0].reason
    titled = [["2021年收益分配表"], *rows]
    conflict = services.import_check(data=xlsx(("表", titled)), town=world["baqiao"], year=2022)
    assert "与指定的 2022 年不符" in conflict.problems[0].reason
    # Named at the cell that says so, like every other problem of the file.
    assert (conflict.problems[0].row, conflict.problems[0].column, conflict.problems[0].value) == (
        1, "A", "2021年收益分配表")


def test_villages_match_by_code_or_by_name_within_the_town(world):
    world_two = world["villages"]["新坝村"]
    rows = [["区划代码", "村名", "年度", "经营收入"], [world_two.code, "", 2022, 5], ["", "长胜村委会", 2022, 6]]
    check = services.import_check(data=xlsx(("表", rows)))
    assert check.ok, [str(p) for p in check.problems]
    assert {key[0] for key in check.parsed.statements} == {world_two.pk, world["villages"]["长胜村"].pk}


def test_2025_file_with_an_item_of_the_old_system_is_refused_plainly(world):
    rows = [["村名", "年度", "经营收入", "发包及上交收入"], ["长胜村", 2025, 5, 6]]
    check = services.import_check(data=xlsx(("表", rows)), town=world["baqiao"])
    assert not check.ok
    assert "2025 年适用的" in check.problems[0].reason and "发包及上交收入" in check.problems[0].reason


def test_every_problem_is_listed_with_sheet_row_column_and_value(world):
    rows = [["村名", "年度", "经营收入", "管理费用"],
            ["长胜村", 2022, "abc", -5],
            ["不存在村", 2022, 1, 1],
            ["幸福村", 2022, "1.2", 1],
            ["幸福村", 2022, "1.5", 1],  # same village again, different amount
            ["八桥村", 2022, "1.234", 1]]  # 元 to the fen only
    check = services.import_check(data=xlsx(("八桥", rows)), town=world["baqiao"])
    found = {(p.sheet, p.row, p.column[:1], p.value) for p in check.problems}
    assert ("八桥", 2, "C", "abc") in found
    assert ("八桥", 2, "D", "-5") in found
    assert ("八桥", 3, "A", "不存在村") in found
    assert ("八桥", 5, "C", "1.50") in found
    assert ("八桥", 6, "C", "1.234") in found
    assert all(p.reason for p in check.problems)


def test_formulas_without_cached_values_are_refused(world):
    rows = [["村名", "年度", "经营收入", "补助收入"], ["长胜村", 2022, 5, "=C2*2"]]
    check = services.import_check(data=xlsx(("表", rows)), town=world["baqiao"])
    assert not check.ok
    assert (check.problems[0].row, check.problems[0].column) == (2, "D")
    assert "公式" in check.problems[0].reason


@pytest.mark.parametrize("data, words", [
    (b"", "空"),
    (b"\x00\x01\x02binary junk" * 10, "无法识别"),
    (b"PK\x03\x04 truncated", "损坏"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "损坏"),
    ("这不是表格，只是一段文字。".encode(), "表头"),
])
def test_corrupt_truncated_and_non_ledger_files_get_a_clear_message(world, data, words):
    check = services.import_check(data=data)
    assert not check.ok and words in check.problems[0].reason


def test_truncated_xlsx_is_refused(world):
    data = xlsx(("表", [["村名", "年度", "经营收入"], ["长胜村", 2022, 5]]))
    check = services.import_check(data=data[: len(data) // 2])
    assert not check.ok and "损坏" in check.problems[0].reason


def test_zip_bomb_is_refused_before_parsing(world, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"0" * (20 * 1024 * 1024))
    check = services.import_check(data=buffer.getvalue())
    assert not check.ok and "压缩炸弹" in check.problems[0].reason


def test_files_over_the_size_limit_are_refused(world, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    check = services.import_check(data=b"a,b\n" * 400_000)
    assert not check.ok and "1 MB" in check.problems[0].reason


def test_content_is_sniffed_not_the_extension(world):
    # An xlsx saved as .csv (or anything else) is still read as xlsx: the name is never consulted.
    data = xlsx(("表", [["村名", "年度", "经营收入"], ["长胜村", 2022, 5]]))
    check = services.import_check(data=data, town=world["baqiao"])
    assert check.file_format == "xlsx" and check.ok


def test_legacy_xls_fixture_is_read(world):
    """tests/files/baqiao_2022.xls was written by xlwt (BIFF8, the format of Excel 97–2003)."""
    check = services.import_check(data=(FILES / "baqiao_2022.xls").read_bytes())
    assert check.file_format == "xls"
    assert check.ok, [str(p) for p in check.problems]
    assert sum(amounts(check, world["villages"]["长胜村"], 2022).values()) == Decimal("1600000.00")


def test_nothing_is_written_by_a_check(world):
    services.import_check(data=xlsx(("收益分配", messy_wide_rows())))
    assert LedgerLine.objects.count() == 0


def test_ods_from_libreoffice_or_wps_is_read(world):
    rows = [["八桥镇2022年收益分配表（单位：万元）"], ["村名", "经营收入", "其他支出"], ["幸福村", 12.5, 1]]
    check = services.import_check(data=ods("Sheet1", rows))
    assert check.file_format == "ods"
    assert check.ok, [str(p) for p in check.problems]
    assert sum(amounts(check, world["villages"]["幸福村"], 2022).values()) == Decimal("135000.00")


# Text files and web pages as people's software writes them (issue #12, item 3) -----------------------------

LONG_HEADER = ["村名", "年度", "科目", "项目", "金额(元)"]


@pytest.mark.parametrize("build", [hostile_files.unicode_text, hostile_files.utf8_tsv], ids=["utf16", "utf8"])
@pytest.mark.parametrize("title", [None, "八桥镇2023年村级集体经济收益明细"])
def test_tab_separated_text_is_read_with_or_without_a_title_line(world, build, title):
    rows = [LONG_HEADER, ["长胜村", 2023, "发包及上交收入", "标准化厂房租金", "1,100,000.00"],
            ["长胜村", 2023, "发包及上交收入", "商铺出租", "500,000"], ["幸福村", 2023, "经营收入", "", "2000"]]
    check = services.import_check(data=build(rows, title=title), town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    item = item_for_year(2023, "contract_remittance").pk
    assert amounts(check, world["villages"]["长胜村"], 2023) == {
        (item, "标准化厂房租金"): Decimal("1100000.00"), (item, "商铺出租"): Decimal("500000.00")}


@pytest.mark.parametrize("delimiter", [";", "，"])
def test_semicolon_and_full_width_comma_separated_text_is_read(world, delimiter):
    lines = [delimiter.join(["村名", "年度", "经营收入", "管理费用"]), delimiter.join(["长胜村", "2022", "100", "20"])]
    check = services.import_check(data="\r\n".join(lines).encode("gb18030"), town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    assert sum(amounts(check, world["villages"]["长胜村"], 2022).values()) == Decimal("120.00")


def test_web_page_saved_as_xls_is_read_as_its_table(world):
    rows = [["村名", "经营收入", "管理费用"], ["长胜村", 1234.5, 20], ["幸福村", 80, 5.25], ["合计", 1314.5, 25.25]]
    data = hostile_files.html_as_xls(rows)
    check = services.import_check(data=data, town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    assert check.file_format == "html"
    assert amounts(check, world["villages"]["长胜村"], 2023) == {  # year from the title, 元 (no unit given)
        (item_for_year(2023, "operating_revenue").pk, ""): Decimal("1234.50"),
        (item_for_year(2023, "admin_expense").pk, ""): Decimal("20.00")}


@pytest.mark.parametrize("data, reason", [
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n\r\n<html></html>", "单个网页文件"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "2003 XML"),
    (b"<html><body><p>\xb5\xc7\xc2\xbc</p></body></html>", "里面没有表格"),
])
def test_other_web_formats_saved_as_xls_are_refused_with_what_to_do(world, data, reason):
    check = services.import_check(data=data)
    [problem] = check.problems
    assert reason in problem.reason and "另存为 .xlsx" in problem.reason


def test_windows_1252_text_inside_a_gbk_csv_is_shown_with_a_warning_naming_the_row(world):
    good = [["村名", "年度", "科目", "项目", "金额"], ["长胜村", "2023", "经营收入", "厂房租金", "100"]]
    # “Smart”Farm Cafés in Windows-1252: each byte above 0x7f takes the next one into a rare GBK character.
    pasted = ["幸福村".encode("gbk") + b",2023," + "经营收入".encode("gbk") + b",\x93Smart\x94Farm Caf\xe9s,200"]
    check = services.import_check(data=hostile_files.gbk_csv_with_windows_1252(good, pasted), town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    [warning] = check.parsed.warnings
    assert warning.row == 3
    assert "揝mart" in warning.reason and "乱码" in warning.reason
    assert any("第 3 行" in note and "揝mart" in note for note in check.notes)


def test_doubtful_decoding_is_shown_on_the_preview_before_confirming(client, people, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    good = [["村名", "年度", "科目", "项目", "金额"], ["长胜村", "2023", "经营收入", "厂房租金", "100"]]
    data = hostile_files.gbk_csv_with_windows_1252(good, [b"\xd0\xd2\xb8\xa3\xb4\xe5,2023,"
                                                          b"\xbe\xad\xd3\xaa\xca\xd5\xc8\xeb,\x93Smart\x94Farm,200"])
    client.force_login(people["dave"])
    page = client.post(reverse("ledger:import_upload"), {"file": SimpleUploadedFile("八桥镇.csv", data)},
                       follow=True).content.decode()
    assert "确认导入" in page
    warning = page[page.index("message-warning"):]
    assert "第 3 行" in warning[:300] and "揝mart" in warning[:400]


def test_gbk_csv_with_only_common_characters_has_no_warning(world):
    rows = [["村名", "年度", "科目", "项目", "金额", "备注"], ["长胜村", "2023", "经营收入", "“标准化”厂房租金", "100", "6间·二期"]]
    check = services.import_check(data=csv_bytes(rows, "gbk"), town=world["baqiao"])
    assert check.ok and not check.parsed.warnings, check.notes


def test_bytes_neither_utf8_nor_gbk_are_refused_naming_the_line(world):
    data = "村名,年度,经营收入\r\n长胜村,2022,100\r\n".encode("gbk") + b"\xff\xff,2022,1\r\n"
    [problem] = services.import_check(data=data).problems
    assert "第 3 行" in problem.reason


# Text longer than the field holds (issue #12, item 4) -----------------------------------------------------

@pytest.mark.parametrize("column, length, stored", [("项目", 100, True), ("项目", 101, False), ("备注", 500, True),
                                                    ("备注", 501, False)])
def test_项目_and_备注_longer_than_the_field_are_refused_with_row_and_column(world, column, length, stored):
    name = "厂" * length if column == "项目" else "租金"
    note = "注" * length if column == "备注" else ""
    rows = [["村名", "年度", "科目", "项目", "金额", "备注"], ["长胜村", 2023, "经营收入", "商铺", 1, ""],
            ["长胜村", 2023, "经营收入", name, 2, note]]
    check = services.import_check(data=xlsx(("明细", rows)), town=world["baqiao"])
    if stored:
        assert check.ok, [str(p) for p in check.problems]
        lines = check.parsed.statements[(world["villages"]["长胜村"].pk, 2023)].values()
        assert {len(line.name if column == "项目" else line.note) for line in lines} >= {length}
    else:
        [problem] = check.problems
        assert problem.row == 3 and column in problem.column
        assert f"最多 {length - 1} 个字" in problem.reason and f"{length} 个字" in problem.reason
