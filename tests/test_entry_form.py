"""Typing a village-year's statement: units, sub-lines, validation in Chinese, nothing typed is lost,
and suspicious values that need an explanation which is then kept."""

from decimal import Decimal

import pytest

from ledger.models import LedgerLine, LedgerRules, LedgerYear, LedgerYearEvent

from .entry_helpers import statement_data, village_year_url
from .factories import item_for_year, make_ledger_year


def stored(village, year):
    ly = LedgerYear.objects.get(village=village, year=year)
    return {(line.item.code, line.name): (line.amount, line.note)
            for line in LedgerLine.objects.filter(ledger_year=ly).select_related("item")}


def test_amounts_typed_in_wan_are_stored_in_yuan(client, cadre, village):
    response = client.post(village_year_url(village, 2025), statement_data(2025, {
        "operating_revenue": "1,234.5678", ("investment_income", "园区分红"): ("１２", "工业园区年度分红"),
    }))
    assert response.status_code == 302
    assert stored(village, 2025) == {
        ("operating_revenue", ""): (Decimal("12345678.00"), ""),
        ("investment_income", "园区分红"): (Decimal("120000.00"), "工业园区年度分红"),
    }
    ly = LedgerYear.objects.get(village=village, year=2025)
    assert ly.operating_income == Decimal("12465678.00")
    assert ly.status == "draft" and ly.version == 1  # the first save is 第 1 版


def test_amounts_typed_in_yuan_are_stored_as_typed(client, cadre, village):
    client.post(village_year_url(village, 2025),
                statement_data(2025, {"operating_revenue": "123,456.78"}, unit="yuan"))
    assert stored(village, 2025) == {("operating_revenue", ""): (Decimal("123456.78"), "")}


def test_the_page_says_which_unit_and_shows_amounts_in_it(client, cadre, village):
    make_ledger_year(village, 2025, {"operating_revenue": "1234567.89"})
    page = client.get(village_year_url(village, 2025)).content.decode()
    assert 'value="123.456789"' in page and "本年（<span data-unit-label>万元</span>）" in page
    page = client.get(village_year_url(village, 2025) + "?unit=yuan").content.decode()
    assert 'value="1234567.89"' in page and "本年（<span data-unit-label>元</span>）" in page


def test_several_named_sub_lines_per_item_and_removing_one(client, cadre, village):
    client.post(village_year_url(village, 2025), statement_data(2025, {
        ("operating_revenue", "标准化厂房租金"): "80", ("operating_revenue", "商铺出租"): "30",
    }))
    ly = LedgerYear.objects.get(village=village, year=2025)
    assert ly.operating_income == Decimal("1100000.00")
    data = statement_data(2025, {
        ("operating_revenue", "标准化厂房租金"): "80", ("operating_revenue", "商铺出租"): "30",
    }, version=ly.version)
    item_id = item_for_year(2025, "operating_revenue").pk
    data[f"line-{item_id}-1-delete"] = "on"  # 商铺出租
    assert client.post(village_year_url(village, 2025), data).status_code == 302
    assert stored(village, 2025) == {("operating_revenue", "标准化厂房租金"): (Decimal("800000.00"), "")}


def test_add_row_button_without_script_adds_an_empty_row_and_saves_nothing(client, cadre, village):
    data = statement_data(2025, {("operating_revenue", "厂房租金"): "80"})
    item_id = item_for_year(2025, "operating_revenue").pk
    data["add_row"] = str(item_id)
    response = client.post(village_year_url(village, 2025), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="厂房租金"' in page and 'value="80"' in page
    assert f'name="line-{item_id}-1-amount"' in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


@pytest.mark.parametrize(("typed", "unit", "message"), [
    ("十二万", "wan", "“十二万”不是有效的数字。"),
    ("12..5", "wan", "“12..5”不是有效的数字。"),
    # The messages name what was typed (issue 12); the line limit is 100亿元 (ledger.money.MAX_LINE_AMOUNT).
    ("-5", "wan", "金额不能为负数：“-5”。"),
    ("1.2345678", "wan", "金额最多精确到分（以万元填写时最多 6 位小数）：“1.2345678”。"),
    ("100.123", "yuan", "金额最多精确到分（以元填写时最多 2 位小数）：“100.123”。"),
    ("99999999999", "wan", "金额过大：“99999999999”超过上限 100亿元"),
])
def test_bad_amounts_get_a_chinese_message_next_to_the_field_and_keep_the_input(
        client, cadre, village, typed, unit, message):
    data = statement_data(2025, {("operating_revenue", "厂房租金"): ("80", "3 栋"), ("admin_expense", ""): typed},
                          unit=unit)
    response = client.post(village_year_url(village, 2025), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "有 1 处填写需要更正" in page
    # Everything typed is on screen again, the good rows and the bad one.
    assert f'value="{typed}"' in page and 'value="厂房租金"' in page and 'value="3 栋"' in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_a_named_row_without_amount_asks_for_one(client, cadre, village):
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {("operating_revenue", "商铺出租"): ""}))
    assert "请填写金额；不要这一行请勾选“删除”。" in response.content.decode()
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_duplicate_sub_line_names_are_refused(client, cadre, village):
    response = client.post(village_year_url(village, 2025), statement_data(2025, {
        ("operating_revenue", "租金"): "1", ("operating_revenue", "租金 "): "2",
    }))
    assert "同一科目下项目名称重复" in response.content.decode()
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_last_years_figures_and_change_are_shown_beside_each_line(client, cadre, village):
    # 2024 is under the 2023 system, 2025 as well; 2023 under the 2004 system lines up by item code.
    make_ledger_year(village, 2024, {"operating_revenue": "1000000", ("investment_income", "园区分红"): "50000"},
                     status="approved")
    make_ledger_year(village, 2025, {"operating_revenue": "1200000"})
    page = client.get(village_year_url(village, 2025)).content.decode()
    item_id = item_for_year(2025, "operating_revenue").pk
    assert f'data-item-last="{item_id}" data-yuan="1000000.00"' in page
    assert ">+20.00<" in page  # 经营收入 120 万 vs 100 万
    assert ">−5.00<" in page  # 投资收益 0 vs 5 万


def test_line_over_three_times_last_year_needs_an_explanation(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    data = statement_data(2025, {"operating_revenue": "400"})
    response = client.post(village_year_url(village, 2025), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "经营收入 400.00 万元，超过上年（100.00 万元）的 3 倍。" in page
    assert "请填写变动说明后再保存" in page
    assert 'value="400"' in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_line_under_a_third_of_last_year_needs_an_explanation(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    response = client.post(village_year_url(village, 2025), statement_data(2025, {"operating_revenue": "30"}))
    assert "经营收入 30.00 万元，不足上年（100.00 万元）的 3 分之一。" in response.content.decode()
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_explained_warning_saves_and_the_explanation_is_kept(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {"operating_revenue": "400"}, explanation="新建标准厂房 3 栋全部出租"))
    assert response.status_code == 302
    ly = LedgerYear.objects.get(village=village, year=2025)
    assert ly.operating_income == Decimal("4000000.00")
    event = LedgerYearEvent.objects.get(ledger_year=ly, action="save")
    assert event.reason.startswith("新建标准厂房 3 栋全部出租")
    assert "超过上年（100.00 万元）的 3 倍" in event.reason
    line_history = LedgerLine.history.get(ledger_year_id=ly.pk)
    assert line_history.history_change_reason == "新建标准厂房 3 栋全部出租"
    page = client.get(village_year_url(village, 2025)).content.decode()
    assert "新建标准厂房 3 栋全部出租" in page


def test_an_explained_value_is_not_questioned_again_on_the_next_save(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    client.post(village_year_url(village, 2025),
                statement_data(2025, {"operating_revenue": "400"}, explanation="新厂房出租"))
    ly = LedgerYear.objects.get(village=village, year=2025)
    response = client.post(village_year_url(village, 2025), statement_data(
        2025, {"operating_revenue": "400", "admin_expense": "10"}, version=ly.version))
    assert response.status_code == 302


def test_net_income_jump_over_the_county_limit_needs_an_explanation(client, cadre, village, world):
    LedgerRules.objects.create(county=world["yangzhong"], net_income_change_percent=Decimal("20"))
    make_ledger_year(village, 2024, {"operating_revenue": "1000000", "admin_expense": "200000"},
                     status="approved")  # 本年收益 80 万
    # Each line within 3×, but 本年收益 100 → +25 %.
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {"operating_revenue": "110", "admin_expense": "10"}))
    page = response.content.decode()
    assert "本年收益 100.00 万元，较上年（80.00 万元）增加 25%，超过本县设定的 20%。" in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_net_income_change_within_the_default_limit_saves_without_explanation(client, cadre, village):
    make_ledger_year(village, 2024, {"operating_revenue": "1000000", "admin_expense": "200000"}, status="approved")
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {"operating_revenue": "110", "admin_expense": "10"}))
    assert response.status_code == 302


def test_no_warnings_in_a_villages_first_year(client, cadre, village):
    # Just under the county's ceiling per line (1亿元 by default): nothing to compare with, nothing asked.
    response = client.post(village_year_url(village, 2025), statement_data(2025, {"operating_revenue": "9999"}))
    assert response.status_code == 302


def test_submitted_year_refuses_changes_and_keeps_the_typing(client, cadre, village):
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"}, status="submitted")
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {"operating_revenue": "987"}, version=ly.version))
    page = response.content.decode()
    assert response.status_code == 409
    assert "当前状态为“已提交”，不能修改" in page and 'value="987"' in page
    ly.refresh_from_db()
    assert ly.operating_income == Decimal("1000000.00")
