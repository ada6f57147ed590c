"""The statement's rules at the database (issue #11): a line is ≥ 0 unless its item may be negative,
on every path (ORM, bulk insert, update(), raw SQL); derived figures may be negative; no year before 2005.

Run on SQLite and PostgreSQL: each vendor has its own trigger (`ledger.line_sign`).
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from ledger import line_sign, services
from ledger.models import LedgerLine, LedgerYear

from .factories import item_for_year, make_ledger_year


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


INSERT = ("INSERT INTO ledger_ledgerline (ledger_year_id, item_id, name, amount, note) "
          "VALUES (%s, %s, %s, %s, '')")


def test_the_sign_trigger_is_on_the_migrated_database(db):
    # SQLite drops triggers when a migration rebuilds the table: a later migration must re-install it.
    assert line_sign.installed(connection)


@pytest.mark.parametrize("code", ["operating_revenue", "contract_remittance", "admin_expense", "cadre_pay",
                                  "agricultural_tax_rebate", "other_transfer_in", "reserve_fund",
                                  "household_distribution"])
def test_raw_sql_cannot_store_a_negative_amount_on_a_line_that_cannot_be_negative(world, code):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023)
    item = item_for_year(2023, code)
    refused(lambda: raw(INSERT, [ly.pk, item.pk, "", Decimal("-0.01")]))
    assert not LedgerLine.objects.filter(ledger_year=ly).exists()


@pytest.mark.parametrize(("year", "code"), [(2023, "investment_income"), (2023, "opening_undistributed"),
                                            (2025, "investment_income"), (2025, "opening_undistributed")])
def test_raw_sql_stores_a_loss_on_the_lines_that_may_be_negative(world, year, code):
    ly = make_ledger_year(world["villages"]["长胜村"], year)
    raw(INSERT, [ly.pk, item_for_year(year, code).pk, "", Decimal("-1234.56")])
    assert LedgerLine.objects.get(ledger_year=ly).amount == Decimal("-1234.56")


def test_update_and_bulk_create_and_moving_a_loss_to_another_item_are_refused(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "10", "investment_income": "-5"})
    revenue = ly.lines.get(item__code="operating_revenue")
    loss = ly.lines.get(item__code="investment_income")
    refused(lambda: LedgerLine.objects.filter(pk=revenue.pk).update(amount=Decimal("-1")))
    refused(lambda: raw("UPDATE ledger_ledgerline SET amount = %s WHERE id = %s", [Decimal("-2"), revenue.pk]))
    # The same negative amount, moved to an item that cannot be negative.
    refused(lambda: LedgerLine.objects.filter(pk=loss.pk).update(item=item_for_year(2023, "other_income")))
    refused(lambda: LedgerLine.objects.bulk_create([
        LedgerLine(ledger_year=ly, item=item_for_year(2023, "other_income"), amount=Decimal("-0.01"))]))
    assert sorted(ly.lines.values_list("amount", flat=True)) == [Decimal("-5.00"), Decimal("10.00")]


def test_derived_figures_may_be_negative_at_the_database(world):
    # An investment loss larger than everything else: 总收入, 经营性收入 and every balance below zero.
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {
        "operating_revenue": "10", "investment_income": "-100", "opening_undistributed": "-50"})
    ly.refresh_from_db()
    assert (ly.total_income, ly.operating_income, ly.investment_income) == (
        Decimal("-90.00"), Decimal("-90.00"), Decimal("-100.00"))
    assert (ly.net_income, ly.distributable, ly.closing_undistributed) == (
        Decimal("-90.00"), Decimal("-140.00"), Decimal("-140.00"))
    # The sums of lines that are never negative stay checked.
    refused(lambda: LedgerYear.objects.filter(pk=ly.pk).update(subsidy_income=Decimal("-1")))
    refused(lambda: LedgerYear.objects.filter(pk=ly.pk).update(total_expense=Decimal("-1")))


def test_no_village_year_before_2005_at_the_database(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2005)
    refused(lambda: LedgerYear.objects.filter(pk=ly.pk).update(year=2004))


def test_the_services_refuse_years_before_2005_with_the_reason(world):
    message = "2005 年以前适用《村合作经济组织会计制度（试行）》（1996 年），本系统不支持该年度的账目。"
    with pytest.raises(services.LedgerError, match="村合作经济组织会计制度"):
        services.ledger_year_open(village=world["villages"]["长胜村"], year=2004)
    with pytest.raises(services.LedgerError) as caught:
        services.ledger_years_bulk_replace(statements=[
            services.YearStatement(village=world["villages"]["幸福村"], year=2003, lines=[])])
    assert str(caught.value) == message
    assert not LedgerYear.objects.exists()


def test_the_import_check_refuses_a_2004_file_naming_the_reason(world):
    from ledger.importing import services as importing

    from .importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx

    check = importing.import_check(data=xlsx(("收益分配", messy_wide_rows(2004)), merges=MESSY_WIDE_MERGES))
    assert not check.ok
    assert any("2005 年以前适用《村合作经济组织会计制度（试行）》" in problem.reason for problem in check.problems)
    assert not LedgerYear.objects.exists()
