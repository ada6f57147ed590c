"""Slips the entry page catches: a unit slip is asked about (not explained away), a double click saves
once and says so, amounts show two decimals, the first save is 第 1 版, and last year's 项目 come back."""

from decimal import Decimal

import pytest

from ledger.checks import Warning, statement_warnings
from ledger.models import LedgerLine, LedgerRules, LedgerYear, LedgerYearEvent, LineItem

from .entry_helpers import statement_data, village_year_url
from .factories import item_for_year, make_ledger_year


@pytest.fixture
def last_year(village):
    # 382.93 万元 of 经营收入 and 20 万元 of 管理费用 in 2024.
    return make_ledger_year(village, 2024, {"operating_revenue": "3829300", "admin_expense": "200000"},
                            status="approved")


def amounts(village, year):
    return {(line.item.code, line.name): line.amount
            for line in LedgerLine.objects.filter(ledger_year__village=village, ledger_year__year=year)
            .select_related("item")}


def test_unit_slips_are_found_by_the_pure_check_with_the_converted_value(village, last_year):
    items = list(LineItem.objects.filter(system__code=last_year.system.code))
    by_code = {item.code: item for item in items}
    rules = LedgerRules(county_id=village.town.county_id)
    warnings = statement_warnings(
        items=items, new={by_code["operating_revenue"].pk: Decimal("3531600000000.00"),  # 元 typed in 万元
                          by_code["admin_expense"].pk: Decimal("20.00")},  # 20 万元 typed on a 元 page
        stored={}, last_year_by_code={"operating_revenue": Decimal("3829300"), "admin_expense": Decimal("200000")},
        last_year_net_income=None, rules=rules)
    slips = {w.key: w for w in warnings if w.kind == Warning.UNIT}
    assert slips["operating_revenue"].suggested == Decimal("353160000.00")
    assert slips["operating_revenue"].question.startswith("是否按元填写？")
    assert slips["admin_expense"].suggested == Decimal("200000.00")
    assert slips["admin_expense"].question.startswith("是否按万元填写？")
    # No ratio warning on top of the unit question for the same line.
    assert [w.key for w in warnings].count("operating_revenue") == 1
    # The county's ceiling per line applies without a last year too.
    ceiling = statement_warnings(items=items, new={by_code["operating_revenue"].pk: Decimal("200000000")}, stored={},
                                 last_year_by_code=None, last_year_net_income=None, rules=rules)
    assert [(w.key, w.kind) for w in ceiling] == [("operating_revenue", Warning.UNIT)]


def test_a_yuan_figure_typed_in_wan_is_asked_about_and_an_explanation_does_not_clear_it(client, cadre, village,
                                                                                       last_year):
    url = village_year_url(village, 2025)
    response = client.post(url, statement_data(2025, {"operating_revenue": "353,160", "admin_expense": "20"},
                                               explanation="确认"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "是否按元填写？按元即 35.32 万元。" in page
    assert "按换算后的值保存（35.32 万元）" in page and "按原值保存（353,160.00 万元）" in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_the_issues_slip_too_large_for_any_line_is_asked_about_and_converted(client, cadre, village, last_year):
    # 3,531,600 元 typed on the 万元 page: 353亿元, beyond what a line may hold; the page asks the question.
    url = village_year_url(village, 2025)
    data = statement_data(2025, {"operating_revenue": "3,531,600", "admin_expense": "20"})
    page = client.post(url, data).content.decode()
    assert "是否按元填写？按元即 353.16 万元。" in page and "按换算后的值保存（353.16 万元）" in page
    data["unit_choice"] = "operating_revenue:convert"
    assert client.post(url, data).status_code == 302
    assert amounts(village, 2025)[("operating_revenue", "")] == Decimal("3531600.00")


def test_the_converted_value_is_saved_when_chosen(client, cadre, village, last_year):
    url = village_year_url(village, 2025)
    data = statement_data(2025, {"operating_revenue": "382.93", "admin_expense": "200,000"})  # 管理费用 in 元
    data["unit_choice"] = "admin_expense:convert"
    response = client.post(url, data)
    assert response.status_code == 302
    assert amounts(village, 2025)[("admin_expense", "")] == Decimal("200000.00")
    page = client.get(url).content.decode()
    assert "管理费用已按换算后的值 20.00 万元填入。" in page and "已保存（第 1 版）" in page


def test_the_typed_value_is_saved_only_when_chosen_and_the_choice_is_kept_in_the_history(client, cadre, village,
                                                                                        last_year):
    url = village_year_url(village, 2025)
    data = statement_data(2025, {"operating_revenue": "353,160", "admin_expense": "20"})
    data["unit_choice"] = "operating_revenue:keep"
    # The choice answers the unit question; 本年收益's jump still needs its explanation.
    response = client.post(url, data)
    assert response.status_code == 200 and "是否按元填写？" not in response.content.decode()
    assert 'name="unit_keep" value="operating_revenue:3531600000.00"' in response.content.decode()
    data = statement_data(2025, {"operating_revenue": "353,160", "admin_expense": "20"}, explanation="新建园区整体出租")
    data["unit_keep"] = "operating_revenue:3531600000.00"
    assert client.post(url, data).status_code == 302
    assert amounts(village, 2025)[("operating_revenue", "")] == Decimal("3531600000.00")
    event = LedgerYearEvent.objects.get(ledger_year__village=village, ledger_year__year=2025, action="save")
    assert "按原值保存" in event.reason and "经营收入" in event.reason
    # Saved as typed: not asked again on the next save of the same amount.
    data = statement_data(2025, {"operating_revenue": "353,160", "admin_expense": "21"}, version=1)
    assert client.post(url, data).status_code == 302


def test_an_answer_for_one_amount_does_not_cover_another(client, cadre, village, last_year):
    url = village_year_url(village, 2025)
    data = statement_data(2025, {"operating_revenue": "353,160", "admin_expense": "20"})
    data["unit_keep"] = "operating_revenue:3000000000.00"  # answered for another amount
    response = client.post(url, data)
    assert response.status_code == 200 and "是否按元填写？" in response.content.decode()


def test_a_wan_figure_typed_on_a_yuan_page_is_asked_the_reverse_question(client, cadre, village, last_year):
    url = village_year_url(village, 2025)
    response = client.post(url, statement_data(2025, {"operating_revenue": "382.93", "admin_expense": "200000"},
                                               unit="yuan"))
    assert "是否按万元填写？按万元即 382.93 万元。" in response.content.decode()
    data = statement_data(2025, {"operating_revenue": "382.93", "admin_expense": "200000"}, unit="yuan")
    data["unit_choice"] = "operating_revenue:convert"
    assert client.post(url, data).status_code == 302
    assert amounts(village, 2025)[("operating_revenue", "")] == Decimal("3829300.00")


def test_a_line_over_the_countys_ceiling_is_asked_about_in_a_first_year(client, cadre, village):
    LedgerRules.objects.create(county_id=village.town.county_id, line_ceiling=Decimal("5000000"))
    response = client.post(village_year_url(village, 2025), statement_data(2025, {"operating_revenue": "600"}))
    assert response.status_code == 200
    assert "超过本县设定的单行上限 500.00 万元" in response.content.decode()


def test_a_double_click_saves_once_and_the_second_page_says_it_was_saved(client, cadre, village):
    url = village_year_url(village, 2025)
    data = statement_data(2025, {"operating_revenue": "395.2"})
    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True)
    page = second.content.decode()
    ly = LedgerYear.objects.get(village=village, year=2025)
    assert ly.version == 1  # the first save is 第 1 版, and the repeat made no new version
    assert "长胜村 2025 年账目已保存（第 1 版）" in page and "没有改动" not in page
    assert LedgerYearEvent.objects.filter(ledger_year=ly, action="save").count() == 1
    assert "第 1 版" in page and "第 2 版" not in page
    # Amounts in inputs have two decimals.
    assert 'value="395.20"' in page


def test_a_different_late_post_is_still_a_conflict(client, cadre, village):
    url = village_year_url(village, 2025)
    assert client.post(url, statement_data(2025, {"operating_revenue": "395.2"})).status_code == 302
    assert client.post(url, statement_data(2025, {"operating_revenue": "400"})).status_code == 409


def test_last_years_named_lines_are_offered_with_their_own_last_year_amount(client, cadre, village):
    make_ledger_year(village, 2024, {("operating_revenue", "标准化厂房租金"): "1200000",
                                     ("operating_revenue", "菜场摊位费"): "300000"}, status="approved")
    url = village_year_url(village, 2025)
    page = client.get(url).content.decode()
    item_id = item_for_year(2025, "operating_revenue").pk
    assert 'value="标准化厂房租金"' in page and 'value="菜场摊位费"' in page
    row = page[page.index('value="标准化厂房租金"'):]
    row = row[:row.index("</tr>")]
    assert ">120.00<" in row and ">150.00<" not in row  # its own 上年, not the item's total
    # Offered rows left empty are not lines and not errors; filled ones are saved under their name.
    data = statement_data(2025, {("operating_revenue", "标准化厂房租金"): "130", ("operating_revenue", "菜场摊位费"): ""})
    data[f"line-{item_id}-1-offered"] = "1"
    assert client.post(url, data).status_code == 302
    assert amounts(village, 2025) == {("operating_revenue", "标准化厂房租金"): Decimal("1300000.00")}
