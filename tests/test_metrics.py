"""The policy figures, defined once as data, for both accounting systems."""

from decimal import Decimal

import pytest

from ledger.models import AccountingSystem, LineItem, Metric

from .factories import make_ledger_year

OLD = {"operating_revenue": "100", "contract_remittance": "200", "investment_income": "30",
       "operating_expense": "40", "admin_expense": "50", "subsidy_income": "60", "other_income": "7",
       "other_expense": "8"}
NEW = {"operating_revenue": "300", "investment_income": "30", "operating_expense": "40",
       "taxes_surcharges": "4", "admin_expense": "50", "subsidy_income": "60", "other_income": "7",
       "public_welfare_expense": "9", "other_expense": "8", "income_tax": "3"}


def test_2023_and_earlier_use_the_2004_system_and_2024_on_the_2023_system(db):
    assert AccountingSystem.for_year(2023).document == "财会〔2004〕12号"
    assert AccountingSystem.for_year(2024).document == "财会〔2023〕14号"
    assert not LineItem.objects.filter(system__code="2023", name="发包及上交收入").exists()
    assert set(LineItem.objects.filter(system__code="2023").values_list("name", flat=True)) >= {
        "公益支出", "税金及附加", "所得税费用"}


def test_figures_of_a_2004_system_year(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, OLD)
    assert ly.total_income == Decimal("397.00")  # 1+2+3+8+9
    assert ly.operating_income == Decimal("330.00")  # 1+2+3
    assert ly.operating_profit == Decimal("240.00")  # 1+2+3−4−5
    assert ly.net_income == Decimal("299.00")  # 7+8+9−10
    assert ly.total_expense == Decimal("98.00")
    assert ly.investment_income == Decimal("30.00")
    assert ly.subsidy_income == Decimal("60.00")


def test_figures_of_a_2023_system_year_compare_like_with_like(world):
    old = make_ledger_year(world["villages"]["长胜村"], 2023, OLD)
    new = make_ledger_year(world["villages"]["长胜村"], 2025, NEW)
    # The same money, with 发包及上交收入 now booked as 经营收入: the same 经营性收入 and 总收入.
    assert new.operating_income == old.operating_income == Decimal("330.00")
    assert new.total_income == old.total_income
    assert new.operating_profit == Decimal("236.00")  # 300+30−40−4−50
    # 本年收益（收益总额） is pre-tax in both systems: 收益总额 here, 净收益 after 所得税费用.
    assert new.net_income == Decimal("286.00")  # 236+60+7−9−8
    assert new.net_profit == Decimal("283.00")  # 286−3
    assert new.total_expense == Decimal("114.00")


def test_every_metric_is_defined_for_both_systems(db):
    for metric in Metric.objects.prefetch_related("terms__item__system"):
        assert {t.item.system.code for t in metric.terms.all()} == {"2004", "2023"}, metric.code


def test_figures_change_when_a_line_changes(world):
    from ledger import services

    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "100"})
    line = ly.lines.get()
    services.ledger_year_replace_lines(ledger_year=ly, lines=[
        services.LineInput(item_id=line.item_id, amount=Decimal("150.50"))])
    ly.refresh_from_db()
    assert ly.operating_income == Decimal("150.50")
    assert ly.version == 3


@pytest.mark.parametrize("year", [2021, 2025])
def test_summary_equals_recomputation_from_lines(world, year):
    from ledger import services

    ly = make_ledger_year(world["villages"]["幸福村"], year, OLD if year < 2024 else NEW)
    before = {f: getattr(ly, f) for f in ly.FIGURES}
    assert services.ledger_year_recompute(ledger_year=ly) is False
    assert {f: getattr(ly, f) for f in ly.FIGURES} == before


def test_wide_export_shows_the_derived_rows_in_the_forms_order_and_the_figures_after_the_items(world):
    from io import BytesIO

    from openpyxl import load_workbook

    from ledger.exports import wide_xlsx
    from ledger.models import LedgerYear

    ly = make_ledger_year(world["villages"]["长胜村"], 2023, OLD)
    sheet = load_workbook(BytesIO(wide_xlsx(LedgerYear.objects.filter(pk=ly.pk)))).active
    headers, row = [c.value for c in sheet[2]], [c.value for c in sheet[3]]
    assert headers.index("其中：干部报酬(元)") < headers.index("经营收益(元)") < headers.index("农业税附加返还收入(元)")
    assert headers.index("其他支出(元)") < headers.index("本年收益(元)") < headers.index("年初未分配收益(元)")
    assert headers[-3:] == ["总收入(元)", "经营性收入(元)", "状态"]
    value = {header: row[index] for index, header in enumerate(headers)}
    assert [Decimal(str(value[h])) for h in ("总收入(元)", "经营性收入(元)", "经营收益(元)", "本年收益(元)")] == [
        ly.total_income, ly.operating_income, ly.operating_profit, ly.net_income]
