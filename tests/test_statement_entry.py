"""The whole statement on the entry page (issue #11): both halves in the form's order and numbers,
losses and 其中 lines, the carried-forward 年初未分配收益, like with like across 2023 → 2024, and no
year before 2005."""

import re
from decimal import Decimal

import pytest

from ledger.models import LedgerLine, LedgerYear

from .entry_helpers import statement_data, village_year_url
from .factories import item_for_year, make_ledger_year

PRE_2005 = "2005 年以前适用《村合作经济组织会计制度（试行）》（1996 年），本系统不支持该年度的账目。"


def row_labels(page: str) -> list[str]:
    """The statement's rows as shown: "number name" of every item and derived row, top to bottom."""
    rows = re.findall(r'<th scope="row(?:group)?"><span class="line-number">([^<]*)</span> ([^<\n]+)', page)
    return [f"{number} {name.strip()}".strip() for number, name in rows]


def test_2004_page_shows_both_halves_in_the_forms_order_and_numbers(client, cadre, village):
    page = client.get(village_year_url(village, 2023)).content.decode()
    labels = row_labels(page)
    expected = ["1 经营收入", "2 发包及上交收入", "3 投资收益", "4 经营支出", "5 管理费用", "6 其中：干部报酬",
                "7 经营收益", "农业税附加返还收入", "8 补助收入", "9 其他收入", "10 其他支出", "11 本年收益",
                "12 年初未分配收益", "13 其他转入", "14 可分配收益", "15 各项分配", "16 提取公积公益金",
                "17 提取应付福利费", "18 外来投资分利", "19 农户分配", "20 其他", "21 年末未分配收益"]
    assert labels[:len(expected)] == expected
    # The 收益分配 half is its own foldable block, open without the script.
    before, details, _ = page.partition('<details class="distribution-half" open data-fold-on-phone>')
    assert details and "12</span> 年初未分配收益" in _ and "12</span> 年初未分配收益" not in before
    # 其中：干部报酬 is indented under 管理费用.
    assert f'class="item-group part-of" data-item="{item_for_year(2023, "cadre_pay").pk}"' in page


def test_2023_system_page_shows_its_own_rows(client, cadre, village):
    labels = row_labels(client.get(village_year_url(village, 2025)).content.decode())
    assert labels[:20] == ["1 经营收入", "2 经营支出", "3 税金及附加", "4 管理费用", "5 投资收益", "6 经营收益",
                           "7 补助收入", "8 其他收入", "9 公益支出", "10 其他支出", "11 收益总额", "12 所得税费用",
                           "13 净收益", "14 年初未分配收益", "15 其他转入", "16 可分配收益", "17 提取公积公益金",
                           "18 向成员分配收益", "19 其他", "20 年末未分配收益"]


def test_derived_rows_are_computed_by_the_server_without_script(client, cadre, village):
    make_ledger_year(village, 2023, {"operating_revenue": "100000", "investment_income": "-30000",
                                     "admin_expense": "20000", ("cadre_pay", ""): "15000",
                                     "opening_undistributed": "-5000", "reserve_fund": "10000"})
    page = client.get(village_year_url(village, 2023)).content.decode()
    # 经营收益 10−3−2 = 5 万 (其中 never subtracted again); 可分配 5−0.5 = 4.5 万; 年末 4.5−1 = 3.5 万.
    for code, wan in [("operating_profit", "5.00"), ("net_income", "5.00"), ("distributable", "4.50"),
                      ("distributions", "1.00"), ("closing_undistributed", "3.50")]:
        assert f'data-figure="{code}" title="{Decimal(wan) * 10000:,.2f} 元">{wan}<' in page, code


def test_a_loss_is_typed_with_a_minus_sign_on_the_lines_that_may_be_negative(client, cadre, village):
    data = statement_data(2025, {"operating_revenue": "50", "investment_income": "-12.5",
                                 "opening_undistributed": "-3"})
    response = client.post(village_year_url(village, 2025), data)
    assert response.status_code == 302
    ly = LedgerYear.objects.get(village=village, year=2025)
    assert (ly.investment_income, ly.operating_income, ly.opening_undistributed) == (
        Decimal("-125000.00"), Decimal("375000.00"), Decimal("-30000.00"))
    assert ly.closing_undistributed == Decimal("345000.00")


def test_a_minus_sign_on_another_line_is_refused_in_chinese(client, cadre, village):
    response = client.post(village_year_url(village, 2025), statement_data(2025, {"operating_revenue": "-5"}))
    page = response.content.decode()
    assert "金额不能为负数：“-5”。经营收入只能填正数或零" in page
    assert 'value="-5"' in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_cadre_pay_above_admin_expense_is_refused(client, cadre, village):
    data = statement_data(2023, {"admin_expense": "2", "cadre_pay": "3"})
    response = client.post(village_year_url(village, 2023), data)
    page = response.content.decode()
    assert "其中：干部报酬（30,000.00 元）不能大于管理费用（20,000.00 元）。" in page
    assert not LedgerLine.objects.filter(ledger_year__village=village).exists()
    response = client.post(village_year_url(village, 2023), statement_data(2023, {"admin_expense": "3",
                                                                                    "cadre_pay": "3"}))
    assert response.status_code == 302


@pytest.mark.parametrize("year", [2004, 2000])
def test_years_before_2005_are_refused_with_the_reason(client, cadre, village, year):
    response = client.get(village_year_url(village, year))
    assert response.status_code == 404
    assert PRE_2005 in response.content.decode()
    response = client.post(village_year_url(village, year), statement_data(2005, {"operating_revenue": "5"}))
    assert response.status_code == 404
    assert not LedgerYear.objects.exists()


def test_opening_balance_is_prefilled_from_last_years_closing_balance(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "300000", "opening_undistributed": "50000",
                                     "reserve_fund": "100000"}, status="approved")  # 年末 25 万
    page = client.get(village_year_url(village, 2025)).content.decode()
    item_id = item_for_year(2025, "opening_undistributed").pk
    assert re.search(rf'name="line-{item_id}-0-amount" value="25.00"', page)
    assert "已按上年年末未分配收益预填" in page
    # A year that states its own 年初未分配收益 keeps it.
    make_ledger_year(village, 2025, {"opening_undistributed": "240000"})
    page = client.get(village_year_url(village, 2025)).content.decode()
    assert re.search(rf'name="line-{item_id}-0-amount" value="24.00"', page)
    assert "已按上年年末未分配收益预填" not in page


def test_no_prefill_without_last_year(client, cadre, village):
    page = client.get(village_year_url(village, 2025)).content.decode()
    item_id = item_for_year(2025, "opening_undistributed").pk
    assert re.search(rf'name="line-{item_id}-0-amount"(?![^>]*value=)', page)


def test_opening_balance_other_than_last_years_closing_needs_an_explanation(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "300000"}, status="approved")  # 年末 30 万
    url = village_year_url(village, 2025)
    response = client.post(url, statement_data(2025, {"operating_revenue": "30", "opening_undistributed": "28"}))
    page = response.content.decode()
    assert "年初未分配收益 28.00 万元，与上年年末未分配收益（30.00 万元）不一致。" in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()
    # The carried balance saves without a question; an explained difference saves and is kept once.
    assert client.post(url, statement_data(2025, {"operating_revenue": "30", "opening_undistributed": "30"})
                       ).status_code == 302
    ly = LedgerYear.objects.get(village=village, year=2025)
    response = client.post(url, statement_data(2025, {"operating_revenue": "30", "opening_undistributed": "28"},
                                               version=ly.version, explanation="上年审计调减 2 万元"))
    assert response.status_code == 302
    ly.refresh_from_db()
    assert ly.opening_undistributed == Decimal("280000.00")
    response = client.post(url, statement_data(2025, {"operating_revenue": "31", "opening_undistributed": "28"},
                                               version=ly.version))
    assert response.status_code == 302  # explained once, not asked again


def test_2024_page_shows_where_2023s_contract_remittance_went(client, cadre, village):
    make_ledger_year(village, 2023, {"operating_revenue": "400000", "contract_remittance": "600000",
                                     "investment_income": "50000"}, status="approved")
    page = client.get(village_year_url(village, 2024)).content.decode()
    assert "2023 年另有发包及上交收入 60.00 万元，2024 年起并入经营收入和投资收益" in page
    revenue = item_for_year(2024, "operating_revenue").pk
    # Last year's 经营收入 is shown, but not compared as if it were the same thing.
    assert f'data-item-last="{revenue}" data-yuan=""' in page
    assert re.search(rf'data-item-change="{revenue}">—<', page)
    # 补助收入 kept its meaning: compared as usual.
    subsidy = item_for_year(2024, "subsidy_income").pk
    assert f'data-item-last="{subsidy}" data-yuan=""' in page  # nothing last year: no number to compare


def test_no_ratio_warning_across_the_change_for_lines_whose_definition_changed(client, cadre, village):
    make_ledger_year(village, 2023, {"operating_revenue": "100000", "contract_remittance": "900000",
                                     "subsidy_income": "100000"}, status="approved")
    # 经营收入 10 万 → 100 万 (the old 发包及上交收入 now in it): no warning; 补助收入 10 → 50 万: a warning.
    response = client.post(village_year_url(village, 2024),
                           statement_data(2024, {"operating_revenue": "100", "subsidy_income": "50"}))
    page = response.content.decode()
    assert "补助收入 50.00 万元，超过上年（10.00 万元）的 3 倍。" in page
    assert "经营收入 100.00 万元" not in page
    response = client.post(village_year_url(village, 2024),
                           statement_data(2024, {"operating_revenue": "100", "subsidy_income": "10"}))
    assert response.status_code == 302


def test_the_income_change_warning_compares_pre_tax_figures_across_the_change(client, cadre, village):
    make_ledger_year(village, 2023, {"operating_revenue": "1000000"}, status="approved")  # 本年收益 100 万
    # 收益总额 100 万 (as last year), 所得税费用 60 万: 净收益 40 万 would be −60 %, but 本年收益 compares
    # with 收益总额, both before tax.
    response = client.post(village_year_url(village, 2024),
                           statement_data(2024, {"operating_revenue": "100", "income_tax": "60"}))
    assert response.status_code == 302
    ly = LedgerYear.objects.get(village=village, year=2024)
    assert (ly.net_income, ly.net_profit) == (Decimal("1000000.00"), Decimal("400000.00"))
