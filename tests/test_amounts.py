"""Money is exact or refused, never guessed (issue 12, items 5–7): the number parser, its limits, and
every path an amount comes in by (the entry page, a file, the admin, the database itself)."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from ledger import services
from ledger.forms import StatementForm
from ledger.importing import services as importing
from ledger.models import MONEY, ImportBatch, LedgerLine, LedgerRules, LedgerYear
from ledger.money import (
    MAX_FIGURE,
    MAX_LINE_AMOUNT,
    MAX_STATEMENT_LINES,
    AmountError,
    parse_amount,
)

from .entry_helpers import statement_data, village_year_url
from .factories import item_for_year, make_ledger_year
from .importfiles import xlsx

# Typed text → what is wrong with it, for every class of bad amount; the message must also name the text.
HOSTILE = [
    # exponents: never evaluated (1e+999999999 would be a billion digits)
    ("1e309", "科学计数法"), ("1e+999999999", "科学计数法"), ("1E20", "科学计数法"), ("1.5e-3", "科学计数法"),
    ("-1e20", "科学计数法"), ("１ｅ５", "科学计数法"),
    # more than a line can hold, in every unit
    ("9" * 30, "金额过大"), ("123456789012345678901234567890.12", "金额过大"), ("10000000000.01元", "金额过大"),
    ("1000000.000001万", "金额过大"), ("100.01亿", "金额过大"), ("90000000000000元", "金额过大"),
    # commas that do not group thousands by three
    ("1,5", "千分位逗号位置不对"), ("1,2,3", "千分位逗号位置不对"), ("12,34", "千分位逗号位置不对"),
    ("1,2345", "千分位逗号位置不对"), ("1234,567", "千分位逗号位置不对"), (",123", "千分位逗号位置不对"),
    ("1.234,5", "千分位逗号位置不对"), ("1,234.5,6", "千分位逗号位置不对"), ("12 34", "千分位空格位置不对"),
    # digits of other scripts, and characters NFKC would turn into ASCII digits
    ("١٢٣", "只能用数字 0–9"), ("۱۲۳", "只能用数字 0–9"), ("१२३", "只能用数字 0–9"), ("๑๒๓", "只能用数字 0–9"),
    ("1٢", "只能用数字 0–9"), ("²", "只能用数字 0–9"), ("①", "只能用数字 0–9"), ("𝟏𝟐", "只能用数字 0–9"),
    # neither a number nor a unit
    ("十二万", "不是有效的数字"), ("12..5", "不是有效的数字"), ("1。5", "不是有效的数字"), ("5%", "不是有效的数字"),
    ("--5", "不是有效的数字"), ("100美元", "不是有效的数字"), ("万元", "只有单位没有数字"),
    # finer than a fen, in the unit written in the cell
    ("1.2345678万", "以万元填写时最多 6 位小数"), ("1.234元", "以元填写时最多 2 位小数"),
]


@pytest.mark.parametrize(("typed", "reason"), HOSTILE)
@pytest.mark.parametrize("unit", ["wan", "yuan"])
def test_malformed_or_out_of_range_amounts_are_refused_naming_the_value(typed, reason, unit):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, unit)
    assert reason in str(refused.value) and f"“{typed}”" in str(refused.value)


@pytest.mark.parametrize(("typed", "unit", "yuan"), [
    ("1,234,567.89", "yuan", "1234567.89"), ("1，234", "yuan", "1234.00"), ("１２３．４５", "yuan", "123.45"),
    ("1 234 567", "yuan", "1234567.00"), ("+12", "yuan", "12.00"), (".5", "yuan", "0.50"), ("007", "yuan", "7.00"),
    ("1,234.567891", "wan", "12345678.91"), ("0", "wan", "0.00"), ("  12  ", "wan", "120000.00"),
    # the largest line, exactly, in each unit
    ("10,000,000,000", "yuan", "10000000000.00"), ("1000000", "wan", "10000000000.00"), ("100亿", "yuan", "10000000000.00"),
])
def test_well_formed_amounts_are_read_exactly(typed, unit, yuan):
    assert parse_amount(typed, unit) == Decimal(yuan)
    assert str(parse_amount(typed, unit)) == yuan


@pytest.mark.parametrize(("typed", "unit", "yuan"), [
    ("1500元", "wan", "1500.00"), ("1,500 元", "wan", "1500.00"), ("１５００元", "wan", "1500.00"),
    ("1.5万", "yuan", "15000.00"), ("1.5万元", "yuan", "15000.00"), ("１．５万元", "yuan", "15000.00"),
    ("2亿元", "wan", "200000000.00"), ("0.5亿", "yuan", "50000000.00"), ("3千元", "wan", "3000.00"),
    ("12万元", "wan", "120000.00"), ("12元", "yuan", "12.00"), ("1.234567万", "yuan", "12345.67"),
])
def test_a_unit_written_after_the_number_wins_over_the_pages_or_columns_unit(typed, unit, yuan):
    assert parse_amount(typed, unit) == Decimal(yuan)


@pytest.mark.parametrize("value", [
    Decimal("1e+999999999"), Decimal("-1e+999999999"), Decimal("9e20"), 10**400, 10**30, 1e20, 1e300,
    float("inf"), float("nan"), Decimal("NaN"), Decimal("1e-999999999"), Decimal("0." + "0" * 100 + "1"), True,
])
def test_numbers_from_cells_are_refused_when_huge_not_finite_or_finer_than_a_fen(value):
    with pytest.raises(AmountError):
        parse_amount(value, "wan")


def test_negative_amounts_name_the_value_and_figures_have_their_own_limit():
    with pytest.raises(AmountError, match="金额不能为负数：“-5”"):
        parse_amount("-5", "wan")
    assert parse_amount("-5", "wan", allow_negative=True) == Decimal("-50000.00")
    assert parse_amount("-0", "yuan") == Decimal("0.00") and str(parse_amount("-0", "yuan")) == "0.00"
    # A figure (a file's 本年收益 column, a tier threshold) may be up to MAX_FIGURE, not one line's limit.
    assert parse_amount("-1,000,000,000", "wan", allow_negative=True, limit=MAX_FIGURE) == -MAX_FIGURE
    with pytest.raises(AmountError, match="超过上限 10万亿元"):
        parse_amount("1000000000.01", "wan", limit=MAX_FIGURE)
    with pytest.raises(AmountError, match="超过上限 100亿元"):
        parse_amount("1000000.01", "wan")


def test_the_limits_fit_the_columns_and_round_trip_on_sqlite():
    assert str(MAX_LINE_AMOUNT) == "10000000000.00"  # 100亿元
    assert MAX_LINE_AMOUNT * MAX_STATEMENT_LINES <= MAX_FIGURE
    assert len(str(int(MAX_FIGURE))) <= MONEY["max_digits"] - MONEY["decimal_places"]
    # SQLite keeps decimals as doubles and Django reads them back with 15 significant digits.
    assert len((MAX_FIGURE - Decimal("0.01")).as_tuple().digits) <= 15


# The entry page -------------------------------------------------------------------------------------

def lines_of(village, year):
    return {(line.item.code, line.name): line.amount
            for line in LedgerLine.objects.filter(ledger_year__village=village, ledger_year__year=year)}


@pytest.mark.parametrize(("typed", "reason"), HOSTILE)
def test_entry_page_refuses_each_bad_amount_with_its_message_and_keeps_the_typing(
        client, cadre, village, typed, reason):
    data = statement_data(2025, {("operating_revenue", "厂房租金"): ("80", "3 栋"), ("admin_expense", ""): typed})
    response = client.post(village_year_url(village, 2025), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert reason in page and f"“{typed}”" in page
    assert f'value="{typed}"' in page and 'value="厂房租金"' in page and 'value="3 栋"' in page
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()
    assert not LedgerLine.objects.exists()


@pytest.mark.parametrize(("typed", "unit", "yuan"), [
    ("1500元", "wan", "1500.00"), ("1.5万", "yuan", "15000.00"), ("1.5万元", "yuan", "15000.00"),
    ("2万元", "wan", "20000.00"), ("１，２３４元", "wan", "1234.00"),
])
def test_entry_page_honours_a_unit_typed_in_the_cell(client, cadre, village, typed, unit, yuan):
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {"operating_revenue": typed}, unit=unit))
    assert response.status_code == 302
    assert lines_of(village, 2025) == {("operating_revenue", ""): Decimal(yuan)}


def test_the_largest_lines_are_stored_exactly_and_the_pages_render(client, cadre, village):
    # A county that allows lines up to the limit (by default 1亿元 a line is asked about as a unit slip).
    LedgerRules.objects.create(county_id=village.town.county_id, line_ceiling=MAX_LINE_AMOUNT)
    response = client.post(village_year_url(village, 2024), statement_data(2024, {
        "operating_revenue": "10,000,000,000", "investment_income": "9999999999.99", "admin_expense": "0.01",
    }, unit="yuan"))
    assert response.status_code == 302
    assert lines_of(village, 2024) == {("operating_revenue", ""): MAX_LINE_AMOUNT,
                                       ("investment_income", ""): Decimal("9999999999.99"),
                                       ("admin_expense", ""): Decimal("0.01")}
    ly = LedgerYear.objects.get(village=village, year=2024)
    assert ly.operating_income == Decimal("19999999999.99") and ly.net_income == Decimal("19999999999.98")
    page = client.get(village_year_url(village, 2024) + "?unit=yuan")
    assert page.status_code == 200 and 'value="9999999999.99"' in page.content.decode()
    assert client.get(village_year_url(village, 2025)).status_code == 200  # compares with 2024


@pytest.mark.parametrize("amount", [MAX_LINE_AMOUNT, Decimal("9999999999.99")])
def test_the_largest_statement_keeps_exact_figures_and_its_pages_render(client, cadre, village, amount):
    revenue = item_for_year(2024, "operating_revenue").pk
    ly = services.ledger_year_open(village=village, year=2024, actor=cadre)
    count = MAX_STATEMENT_LINES if amount == MAX_LINE_AMOUNT else MAX_STATEMENT_LINES - 1
    services.ledger_year_replace_lines(ledger_year=ly, actor=cadre, source="form", lines=[
        services.LineInput(item_id=revenue, name=f"厂房{n}", amount=amount) for n in range(count)])
    ly.refresh_from_db()
    assert ly.total_income == amount * count  # 10万亿元, or 9,989,999,999,990.01 (15 digits)
    assert set(LedgerLine.objects.filter(ledger_year=ly).values_list("amount", flat=True)) == {amount}
    assert client.get(village_year_url(village, 2024)).status_code == 200
    assert client.get(village_year_url(village, 2025)).status_code == 200


def test_a_statement_longer_than_the_limit_is_refused_by_the_form(world):
    item = item_for_year(2025, "operating_revenue")
    data = {"unit": "yuan", "version": "0"}
    for n in range(MAX_STATEMENT_LINES + 1):
        data[f"line-{item.pk}-{n}-name"] = f"厂房{n}"
        data[f"line-{item.pk}-{n}-amount"] = "1"
    form = StatementForm(items=[item], unit="yuan", data=data)
    assert not form.is_valid()
    assert form.error_count == 1 and f"最多 {MAX_STATEMENT_LINES} 行明细" in str(form.groups[0].rows[-1].errors)


# Files ------------------------------------------------------------------------------------------------

def csv_bytes(rows) -> bytes:
    """A csv as Excel writes it: cells with commas quoted."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def long_rows(header: str, *amounts) -> list[list]:
    return [["村名", "年度", "科目", "项目", header],
            *[["长胜村", 2023, "经营收入", f"项目{n}", amount] for n, amount in enumerate(amounts)]]


def statement(check, village):
    return {line.name: line.amount for line in check.parsed.statements.get((village.pk, 2023), {}).values()}


@pytest.mark.parametrize(("typed", "reason"), HOSTILE)
def test_import_refuses_each_bad_amount_with_row_column_and_value(world, typed, reason):
    check = importing.import_check(data=csv_bytes(long_rows("金额(万元)", "12", typed)), town=world["baqiao"])
    assert not check.ok
    found = [(p.row, p.column[:1]) for p in check.problems if reason in p.reason and f"“{typed}”" in p.reason]
    assert found == [(3, "E")], [str(p) for p in check.problems]


@pytest.mark.parametrize("cell", [1e20, 1e300, 10**30, 99999999999999.99, 1000001])
def test_import_refuses_numbers_above_a_line_in_xlsx_cells(world, cell):
    check = importing.import_check(data=xlsx(("八桥", long_rows("金额(万元)", cell))), town=world["baqiao"])
    assert not check.ok and any("金额过大" in p.reason for p in check.problems)


@pytest.mark.parametrize(("header", "cells", "expected"), [
    ("金额(万元)", ["1500元", "1.5万", "2"], {"项目0": "1500.00", "项目1": "15000.00", "项目2": "20000.00"}),
    ("金额(元)", ["1.5万", "1.5万元", "1,500"], {"项目0": "15000.00", "项目1": "15000.00", "项目2": "1500.00"}),
    ("金额(千元)", ["2", "3元", "0.5万元"], {"项目0": "2000.00", "项目1": "3.00", "项目2": "5000.00"}),
    ("金额(亿元)", ["0.5", "12万元"], {"项目0": "50000000.00", "项目1": "120000.00"}),
])
def test_import_honours_the_unit_written_in_a_cell_over_the_columns(world, header, cells, expected):
    check = importing.import_check(data=csv_bytes(long_rows(header, *cells)), town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    assert statement(check, world["villages"]["长胜村"]) == {name: Decimal(v) for name, v in expected.items()}


def test_a_sheet_headed_in_thousands_is_read_in_thousands(world):
    rows = [["单位：千元"], ["村名", "年度", "经营收入"], ["长胜村", 2023, "12.5"]]
    check = importing.import_check(data=csv_bytes(rows), town=world["baqiao"])
    assert check.ok and "单位 千元" in check.notes[0]
    assert statement(check, world["villages"]["长胜村"]) == {"": Decimal("12500.00")}


def test_import_refuses_a_statement_longer_than_the_limit(world):
    amounts = ["1"] * (MAX_STATEMENT_LINES + 1)
    check = importing.import_check(data=csv_bytes(long_rows("金额(元)", *amounts)), town=world["baqiao"])
    assert [p.row for p in check.problems if f"超过 {MAX_STATEMENT_LINES} 行" in p.reason] == [MAX_STATEMENT_LINES + 2]


def test_import_stated_totals_beyond_a_figure_are_refused(world):
    rows = [["村名", "年度", "经营收入", "本年收益"], ["长胜村", 2023, "1", "-1e20"], ["幸福村", 2023, "1", "99999999999999"]]
    check = importing.import_check(data=csv_bytes(rows), town=world["baqiao"])
    reasons = {p.value: p.reason for p in check.problems}
    assert "科学计数法" in reasons["-1e20"] and "超过上限 10万亿元" in reasons["99999999999999"]


def test_an_upload_with_a_huge_amount_ends_invalid_with_the_value_not_stuck(client, people, world):
    client.force_login(people["dave"])
    data = xlsx(("八桥", long_rows("金额(元)", 1e20, "1,5")))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("ledger:import_upload"),
                           {"file": SimpleUploadedFile("八桥镇2023.xlsx", data), "town": world["baqiao"].pk})
    assert response.status_code in (200, 302)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    page = client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "金额过大" in page and "千分位逗号位置不对" in page and "1,5" in page
    assert not LedgerLine.objects.exists()


# The admin and the database -----------------------------------------------------------------------------

def admin_post(client, ly, amount: str):
    line = ly.lines.get()
    return client.post(reverse("admin:ledger_ledgeryear_change", args=[ly.pk]), {
        "village": ly.village_id, "year": ly.year, "opened_version": ly.version,  # the page's hidden field
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
        "lines-0-id": line.pk, "lines-0-ledger_year": ly.pk, "lines-0-item": line.item_id, "lines-0-name": "",
        "lines-0-amount": amount, "lines-0-note": "",
        "events-TOTAL_FORMS": 1, "events-INITIAL_FORMS": 1, "events-MIN_NUM_FORMS": 0, "events-MAX_NUM_FORMS": 1000,
        "events-0-id": ly.events.get().pk, "events-0-ledger_year": ly.pk,
    })


@pytest.mark.parametrize(("typed", "reason"), [*HOSTILE[::3], ("", "必填")])
def test_admin_refuses_bad_amounts_on_a_village_year(client, people, village, typed, reason):
    ly = make_ledger_year(village, 2023, {"operating_revenue": "100"})
    client.force_login(people["admin"])
    response = admin_post(client, ly, typed)
    page = response.content.decode()
    assert response.status_code == 200 and reason in page and f'value="{typed}"' in page
    assert ly.lines.get().amount == Decimal("100.00")


def test_admin_reads_amounts_like_the_entry_page(client, people, village):
    ly = make_ledger_year(village, 2023, {"operating_revenue": "100"})
    client.force_login(people["admin"])
    assert admin_post(client, ly, "1.5万").status_code == 302
    assert ly.lines.get().amount == Decimal("15000.00")


def test_the_database_refuses_a_line_or_a_figure_beyond_the_limits(village):
    ly = make_ledger_year(village, 2023, {"operating_revenue": "100"})
    line = ly.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).update(amount=MAX_LINE_AMOUNT + Decimal("0.01"))
    for figure, value in [("total_income", MAX_FIGURE + 1), ("net_income", -MAX_FIGURE - 1)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerYear.objects.filter(pk=ly.pk).update(**{figure: value})
    LedgerLine.objects.filter(pk=line.pk).update(amount=MAX_LINE_AMOUNT)
    assert LedgerLine.objects.get(pk=line.pk).amount == MAX_LINE_AMOUNT


def _cell_amount_the_long_way(value: float, unit: str):
    """What a number cell read as before the fast path: rounded to 8 decimals through its repr, then
    the same checks (anything else through `parse_amount`, for its message)."""
    from ledger.importing.cells import FACTORS as _FACTORS
    from ledger.money import CENT

    number = Decimal(repr(round(value, 8)))
    yuan = number * _FACTORS[unit]
    cents = yuan.quantize(CENT)
    if abs(number) < 10 ** 12 and cents == yuan and abs(cents) <= MAX_FIGURE:
        return cents + 0
    try:
        return parse_amount(number, unit, allow_negative=True, limit=MAX_FIGURE)
    except AmountError:
        return None


def test_number_cells_read_to_the_fen_as_their_rounded_decimal_in_every_unit():
    """Excel's binary floats (12.3 is 12.300000000000000710…) are read as the number the cell shows, in
    元 and 万元, whether they take the fast path (below 10⁷) or the long one; finer than a fen is refused."""
    import random

    from ledger.importing.cells import FACTORS as _FACTORS
    from ledger.importing.cells import cell_amount as _amount

    rng = random.Random(20261202)
    values = [0.1 + 0.2, 12.3, 1234.56, 0.005, 9_999_999.99, 10_000_000.01, 123_456_789_012.34, -0.0, 1e-9,
              *(round(rng.uniform(-2e7, 2e7), rng.choice((2, 4, 6))) for _ in range(20_000))]
    for unit in _FACTORS:
        for value in values:
            expected = _cell_amount_the_long_way(value, unit)
            try:
                got = _amount(value, unit, allow_negative=True, limit=MAX_FIGURE)
            except AmountError:
                got = None
            assert got == expected and (got is None or str(got) == str(expected)), (value, unit, got, expected)
