"""The whole official statement in and out of files: every line of both halves and both systems by
name, variant or 代码, derived rows checked, losses, units, and exports that import back to the fen."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ledger import exports, services
from ledger.importing import services as imports
from ledger.models import LedgerLine, LedgerYear
from ledger.money import WAN, YUAN

from .factories import item_for_year, make_ledger_year
from .importfiles import csv_bytes, xlsx

# A village's whole 2017 statement (2004 system) with an investment loss, an accumulated loss brought
# forward, 其中：干部报酬, 农业税附加返还收入 and every 各项分配 line; fen everywhere.
STATEMENT_2017 = {
    "operating_revenue": "1234567.89", ("contract_remittance", "标准化厂房租金"): "400000.01",
    ("contract_remittance", "商铺出租"): "56789.00", "investment_income": "-12345.67",
    "operating_expense": "300000.50", "admin_expense": "200000.33", "cadre_pay": "80000.07",
    "agricultural_tax_rebate": "1000.01", "subsidy_income": "150000.00", "other_income": "3333.33",
    "other_expense": "4444.44", "opening_undistributed": "-50000.01", "other_transfer_in": "1000.00",
    "reserve_fund": "100000.00", "welfare_fund": "20000.02", "investor_dividend": "0.01",
    "household_distribution": "30000.00", "other_distribution": "999.99",
}
# Its 2025 statement (财会〔2023〕14号) with a loss on 投资收益 and every line of the new form.
STATEMENT_2025 = {
    "operating_revenue": "2345678.91", "operating_expense": "456789.12", "taxes_surcharges": "12345.60",
    "admin_expense": "234567.89", "investment_income": "-23456.78", "subsidy_income": "200000.00",
    "other_income": "1234.56", "public_welfare_expense": "34567.01", "other_expense": "789.00",
    "income_tax": "5678.90", "opening_undistributed": "123456.78", "other_transfer_in": "0.01",
    "reserve_fund": "150000.00", "member_distribution": "300000.00", "other_distribution": "1.23",
}


def stored(ledger_year: LedgerYear) -> dict:
    return {(line.item.code, line.name): line.amount
            for line in LedgerLine.objects.filter(ledger_year=ledger_year).select_related("item")}


def expected(statement: dict) -> dict:
    return {(key if isinstance(key, tuple) else (key, "")): Decimal(amount) for key, amount in statement.items()}


def figures(ledger_year: LedgerYear) -> dict:
    return {code: getattr(ledger_year, code) for code in LedgerYear.FIGURES}


@pytest.fixture
def whole_years(world):
    village = world["villages"]["长胜村"]
    return village, [make_ledger_year(village, 2017, STATEMENT_2017), make_ledger_year(village, 2025, STATEMENT_2025)]


def _export(kind: str, unit: str, years) -> bytes:
    if kind == "long_csv":
        return exports.long_csv(years, unit)
    if kind == "long_xlsx":
        return exports.long_xlsx(years, unit)
    return exports.wide_xlsx(years, unit)


@pytest.mark.parametrize("unit", [YUAN, WAN])
@pytest.mark.parametrize("kind", ["long_xlsx", "long_csv", "wide_xlsx"])
def test_whole_2017_and_2025_statements_come_back_identical_to_the_fen(whole_years, kind, unit):
    village, originals = whole_years
    before = {ly.year: (stored(ly), figures(LedgerYear.objects.get(pk=ly.pk))) for ly in originals}
    data = _export(kind, unit, exports.ledger_years(villages=[village]))
    for ly in originals:
        services.ledger_year_delete(ledger_year=ly, actor=None, reason="测试")
    check, batch = imports.import_ledger_file(data=data, filename=f"export.{kind.split('_')[1]}")
    assert check.ok, [str(p) for p in check.problems]
    for year, (lines, year_figures) in before.items():
        ledger_year = LedgerYear.objects.get(village=village, year=year)
        if kind == "wide_xlsx":  # one column per line: the named sub-lines come back as their line's total
            lines = {(code, ""): sum(a for (c, _), a in lines.items() if c == code) for code, _ in lines}
        assert stored(ledger_year) == lines
        assert figures(ledger_year) == year_figures
    assert LedgerYear.objects.get(village=village, year=2017).closing_undistributed == Decimal("1128899.27")


@pytest.mark.parametrize("kind", ["long_xlsx", "wide_xlsx"])
def test_the_same_file_twice_changes_nothing_no_version_no_history(whole_years, kind):
    village, originals = whole_years
    data = _export(kind, WAN, exports.ledger_years(villages=[village]))
    if kind == "wide_xlsx":  # sub-lines become one line per item: the first import writes that once
        imports.import_ledger_file(data=data, filename="first.xlsx")
    versions = dict(LedgerYear.objects.values_list("pk", "version"))
    history = (LedgerLine.history.count(), LedgerYear.history.count())
    check, batch = imports.import_ledger_file(data=data, filename="again.xlsx")
    assert check.ok, [str(p) for p in check.problems]
    assert check.plan.count("unchanged") == 2 and not check.plan.count("changed")
    assert dict(LedgerYear.objects.values_list("pk", "version")) == versions
    assert (LedgerLine.history.count(), LedgerYear.history.count()) == history


def test_wide_export_has_every_line_in_the_forms_order_with_its_derived_rows(whole_years):
    village, _ = whole_years
    workbook = load_workbook(BytesIO(exports.wide_xlsx(exports.ledger_years(villages=[village]), WAN)))
    headers_2017 = [cell.value for cell in workbook["2017年"][2]]
    assert headers_2017[3:] == ["年度",
        "经营收入(万元)", "发包及上交收入(万元)", "投资收益(万元)", "经营支出(万元)", "管理费用(万元)",
        "其中：干部报酬(万元)", "经营收益(万元)", "农业税附加返还收入(万元)", "补助收入(万元)", "其他收入(万元)",
        "其他支出(万元)", "本年收益(万元)", "年初未分配收益(万元)", "其他转入(万元)", "可分配收益(万元)",
        "各项分配(万元)", "提取公积公益金(万元)", "提取应付福利费(万元)", "外来投资分利(万元)", "农户分配(万元)",
        "其他(万元)", "年末未分配收益(万元)", "总收入(万元)", "经营性收入(万元)", "状态"]
    headers_2025 = [cell.value for cell in workbook["2025年"][2]]
    assert [h.removesuffix("(万元)") for h in headers_2025[4:10]] == [
        "经营收入", "经营支出", "税金及附加", "管理费用", "投资收益", "经营收益"]
    assert "收益总额(万元)" in headers_2025 and "净收益(万元)" in headers_2025 and "向成员分配收益(万元)" in headers_2025
    row = [cell.value for cell in workbook["2025年"][3]]
    assert row[headers_2025.index("投资收益(万元)")] == pytest.approx(-2.345678)


def test_long_export_names_lines_by_their_official_names(whole_years):
    village, _ = whole_years
    text = exports.long_csv(exports.ledger_years(villages=[village])).decode()
    assert ",其中：干部报酬,,80000.07," in text and ",年初未分配收益,,-50000.01," in text
    assert ",向成员分配收益,,300000.00," in text


def test_template_offers_every_line_and_lets_losses_be_negative(world):
    workbook = load_workbook(BytesIO(exports.template_xlsx(town=world["baqiao"], year=2025)))
    sheet = workbook["收益分配表"]
    headers = [cell.value for cell in sheet[3]]
    assert headers[2:] == ["经营收入", "经营支出", "税金及附加", "管理费用", "投资收益", "补助收入", "其他收入",
                           "公益支出", "其他支出", "所得税费用", "年初未分配收益", "其他转入", "提取公积公益金",
                           "向成员分配收益", "其他"]
    minimum = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            minimum[headers[cell_range.min_col - 1]] = Decimal(validation.formula1)
    assert minimum["投资收益"] < 0 and minimum["年初未分配收益"] < 0
    assert all(minimum[name] == 0 for name in headers[2:] if name not in ("投资收益", "年初未分配收益"))
    long = workbook["明细（长表）"]
    [amount_rule] = [v for v in long.data_validations.dataValidation if str(v.sqref).startswith("D")]
    assert Decimal(amount_rule.formula1) < 0


# --- reading every line --------------------------------------------------------------------------------


def lines_of(check, village, year) -> dict:
    return {(line.item_id, line.name): line.amount for line in check.parsed.statements[(village.pk, year)].values()}


def by_code(year: int, amounts: dict) -> dict:
    return {(item_for_year(year, code).pk, ""): Decimal(amount) for code, amount in amounts.items()}


def test_wide_file_with_both_halves_variants_and_a_two_row_header(world):
    rows = [
        ["八桥镇2017年度村集体经济组织收益分配统计表"],
        ["单位：万元"],
        ["村名", "收入", None, None, "支出", None, "干部报酬", "农业税附加返还收入", "收入", None, "支出",
         "年初未分配收益", "其他转入", "各项分配", None, None, None, None, "年末未分配收益", "人口"],
        [None, "经营收入", "发包及上交收入", "投资收益", "经营支出", "管理费用", None, None, "补助收入", "其他",
         "其他", None, None, "提取公积公益金", "提取应付福利费", "外来投资分利", "分配给农户", "其他", None, None],
        ["长胜村", 100, 20, -3.5, 40, 30, 12, 0.5, 10, 1, 2, -5, 1, 10, 2, 0, 30, 1, 9, 2345],
    ]
    check = imports.import_check(data=xlsx(("统计表", rows)))
    assert check.ok, [str(p) for p in check.problems]
    assert lines_of(check, world["villages"]["长胜村"], 2017) == by_code(2017, {
        "operating_revenue": "1000000", "contract_remittance": "200000", "investment_income": "-35000",
        "operating_expense": "400000", "admin_expense": "300000", "cadre_pay": "120000",
        "agricultural_tax_rebate": "5000", "subsidy_income": "100000", "other_income": "10000",
        "other_expense": "20000", "opening_undistributed": "-50000", "other_transfer_in": "10000",
        "reserve_fund": "100000", "welfare_fund": "20000", "investor_dividend": "0",
        "household_distribution": "300000", "other_distribution": "10000"})
    assert any("未导入" in note and "人口" in note for note in check.notes)


def test_wide_file_of_the_2023_system_with_收益总额_净收益_and_the_distribution_half(world):
    rows = [["区划代码", "村名", "年度", "经营收入（万元）", "经营支出（万元）", "税金及附加（万元）", "管理费用（万元）",
             "投资收益（万元）", "经营收益（万元）", "补助收入（万元）", "其他收入（万元）", "公益支出（万元）",
             "其他支出（万元）", "收益总额（万元）", "所得税费用（万元）", "净收益（万元）", "年初未分配收益（万元）",
             "其他转入（万元）", "可分配收益（万元）", "提取公积公益金（万元）", "向成员分配收益（万元）", "其他（万元）",
             "年末未分配收益（万元）"],
            ["321182103201", "长胜村", 2025, 100, 30, 2, 20, -8, 40, 10, 1, 3, 0.5, 47.5, 1.5, 46, -6, 1, 41, 5, 30,
             0.25, 5.75]]
    check = imports.import_check(data=xlsx(("2025", rows)))
    assert check.ok, [str(p) for p in check.problems]
    stated = lines_of(check, world["villages"]["长胜村"], 2025)
    assert stated[(item_for_year(2025, "member_distribution").pk, "")] == Decimal("300000.00")
    assert stated[(item_for_year(2025, "investment_income").pk, "")] == Decimal("-80000.00")
    assert len(stated) == 15


def test_closing_balance_that_disagrees_with_the_lines_is_refused_naming_row_and_column(world):
    rows = [["村名", "年度", "经营收入", "管理费用", "年初未分配收益", "分配给农户", "年末未分配收益"],
            ["长胜村", 2017, 1000, 100, -50, 300, 550],
            ["幸福村", 2017, 1000, 100, -50, 300, 551]]
    check = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"])
    [problem] = check.problems
    assert problem.row == 3 and problem.column == "G（年末未分配收益）"
    assert "年末未分配收益与各科目不符" in problem.reason and "550.00" in problem.reason


@pytest.mark.parametrize("column, value, name", [
    ("收益总额", 47, "收益总额"), ("净收益", 47, "净收益"), ("可分配收益", 40, "可分配收益"), ("各项分配", 1, "各项分配"),
    ("经营收益", 1, "经营收益"), ("总收入", 1, "总收入")])
def test_every_derived_column_of_the_2023_form_is_checked(world, column, value, name):
    rows = [["村名", "年度", "经营收入", "经营支出", "所得税费用", "年初未分配收益", "提取公积公益金", column],
            ["长胜村", 2025, 100, 50, 2, -10, 3, value]]
    check = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"])
    [problem] = check.problems
    assert problem.row == 2 and problem.column.startswith("H")
    assert problem.reason.startswith(f"{name}与各科目不符")


def test_long_layout_by_the_national_forms_代码_with_its_derived_rows_and_附报(world):
    codes = {1: 100, 2: 20, 3: -3, 4: 40, 5: 30, 6: 12, 7: 47, 8: 10, 9: 1, 10: 2, 11: 56, 12: -5, 13: 1, 14: 52,
             15: 43, 16: 10, 17: 2, 18: 0, 19: 30, 20: 1, 21: 9, 22: 1}
    rows = [["村级集体经济收益分配统计表（2017年）"], ["单位：万元"], ["乡镇", "村", "代码", "金额"],
            *[["八桥镇", "长胜村", code, amount] for code, amount in codes.items()]]
    check = imports.import_check(data=xlsx(("表六", rows)))
    assert check.ok, [str(p) for p in check.problems]
    stated = lines_of(check, world["villages"]["长胜村"], 2017)
    assert stated[(item_for_year(2017, "cadre_pay").pk, "")] == Decimal("120000.00")
    assert stated[(item_for_year(2017, "household_distribution").pk, "")] == Decimal("300000.00")
    assert len(stated) == 16  # 1–6, 8–10, 12–13, 16–20; 7, 11, 14, 15, 21 checked; 22 not an amount
    assert any("附报" in note and "未导入" in note for note in check.notes)

    rows[3 + 20][3] = 10  # 21 年末未分配收益 stated 10 万元, the lines say 9
    check = imports.import_check(data=xlsx(("表六", rows)))
    [problem] = check.problems
    assert problem.row == 24 and "年末未分配收益与各科目不符" in problem.reason


def test_long_layout_by_the_2023_statements_行次_and_by_科目_with_代码_beside(world):
    rows = [["年度", "乡镇", "村", "科目", "行次", "金额（元）"],
            [2025, "八桥镇", "长胜村", "经营收入", 1, "1000"],
            [2025, "八桥镇", "长胜村", "", 18, "300"],
            [2025, "八桥镇", "长胜村", "投资收益", 5, "-20"],
            [2025, "八桥镇", "长胜村", "净收益", 13, "980"]]
    check = imports.import_check(data=csv_bytes(rows))
    assert check.ok, [str(p) for p in check.problems]
    assert lines_of(check, world["villages"]["长胜村"], 2025) == by_code(
        2025, {"operating_revenue": "1000", "member_distribution": "300", "investment_income": "-20"})
    rows[1][4] = 2  # 经营收入 is 行次 1, not 2
    [problem] = imports.import_check(data=csv_bytes(rows)).problems
    assert problem.row == 2 and "代码 2 与科目“经营收入”不是同一行" in problem.reason


@pytest.mark.parametrize("label", ["经营收入", "补助收入", "提取公积公益金", "其中：干部报酬"])
def test_a_minus_sign_on_a_line_that_cannot_be_negative_is_refused_naming_the_line(world, label):
    rows = [["村名", "年度", "管理费用", label], ["长胜村", 2017, 1000, -5]]
    [problem] = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"]).problems
    assert problem.row == 2 and problem.column.startswith("D")
    assert f"“{label}”不能为负数" in problem.reason and "投资收益、年初未分配收益" in problem.reason


def test_cadre_pay_above_admin_expense_is_refused_naming_the_row(world):
    rows = [["村名", "年度", "管理费用", "其中：干部报酬"], ["长胜村", 2017, 100, 120]]
    [problem] = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"]).problems
    assert problem.row == 2 and "其中：干部报酬" in problem.reason and "不能大于管理费用" in problem.reason


def test_a_numeric_column_that_is_no_line_is_refused_and_one_without_a_header_too(world):
    rows = [["村名", "年度", "经营收入", "利润总额"], ["长胜村", 2017, 1000, 5]]
    [problem] = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"]).problems
    assert problem.column == "D" and problem.value == "利润总额" and "无法识别的列" in problem.reason
    rows = [["村名", "年度", "经营收入"], ["长胜村", 2017, 1000, 5]]
    [problem] = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"]).problems
    assert problem.column == "D" and "没有列名却有数字" in problem.reason
    rows = [["村名", "年度", "经营收入", "收入"], ["长胜村", 2017, 1000, 1000]]
    [problem] = imports.import_check(data=xlsx(("表", rows)), town=world["baqiao"]).problems
    assert problem.value == "收入"


def test_a_known_column_that_is_no_line_is_named_as_not_imported_in_the_command_output(world, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx(("表", [["村名", "年度", "经营收入", "户数", "上年数"], ["长胜村", 2017, 1000, 320, 900]])))
    call_command("import_ledger", str(path), "--town", "八桥镇")
    out = capsys.readouterr().out
    assert "D 列（户数）" in out and "E 列（上年数）" in out and "未导入" in out
    assert stored(LedgerYear.objects.get(year=2017)) == {("operating_revenue", ""): Decimal("1000.00")}


def test_export_command_writes_万元_that_import_back(whole_years, tmp_path):
    village, originals = whole_years
    before = {ly.year: stored(ly) for ly in originals}
    path = tmp_path / "out.csv"
    call_command("export_ledger", "--output", str(path), "--unit", "万元")
    assert "金额(万元)" in path.read_text(encoding="utf-8").splitlines()[0]
    for ly in originals:
        services.ledger_year_delete(ledger_year=ly, actor=None, reason="测试")
    call_command("import_ledger", str(path))
    assert {ly.year: stored(ly) for ly in LedgerYear.objects.filter(village=village)} == before
