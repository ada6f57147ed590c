from decimal import Decimal

import pytest

from ledger import services
from ledger.models import LedgerLine, LedgerYear

from .factories import item_for_year, make_ledger_year


def statement(village, year, **amounts):
    return services.YearStatement(village=village, year=year, lines=[
        services.LineInput(item_id=item_for_year(year, code).pk, amount=Decimal(a)) for code, a in amounts.items()
    ])


def test_bulk_replace_creates_years_with_figures_and_history(world):
    v1, v2 = world["villages"]["长胜村"], world["villages"]["幸福村"]
    results = services.ledger_years_bulk_replace(statements=[
        statement(v1, 2023, operating_revenue="100.00", contract_remittance="50.00", subsidy_income="10"),
        statement(v2, 2025, operating_revenue="70.00", income_tax="5.00"),
    ], source="import", batch_id=7)
    assert results[(v1.pk, 2023)].added == 3
    ly1 = LedgerYear.objects.get(village=v1, year=2023)
    ly2 = LedgerYear.objects.get(village=v2, year=2025)
    assert (ly1.operating_income, ly1.total_income) == (Decimal("150.00"), Decimal("160.00"))
    # 本年收益（收益总额） is before 所得税费用; 净收益 after it.
    assert (ly2.operating_income, ly2.net_income, ly2.net_profit, ly2.system.code) == (
        Decimal("70.00"), Decimal("70.00"), Decimal("65.00"), "2023")
    history = LedgerLine.history.filter(ledger_year_id=ly1.pk)
    assert history.count() == 3
    assert set(history.values_list("history_source", "history_batch_id")) == {("import", 7)}


def test_bulk_replace_again_changes_nothing(world):
    v1 = world["villages"]["长胜村"]
    services.ledger_years_bulk_replace(statements=[statement(v1, 2023, operating_revenue="100")])
    version = LedgerYear.objects.get(village=v1, year=2023).version
    results = services.ledger_years_bulk_replace(statements=[statement(v1, 2023, operating_revenue="100")])
    assert not results[(v1.pk, 2023)].any
    assert LedgerYear.objects.get(village=v1, year=2023).version == version


def test_bulk_replace_updates_and_deletes_lines_and_figures(world):
    v1 = world["villages"]["长胜村"]
    make_ledger_year(v1, 2023, {"operating_revenue": "100", "other_income": "30"})
    services.ledger_years_bulk_replace(statements=[statement(v1, 2023, operating_revenue="120")])
    ly = LedgerYear.objects.get(village=v1, year=2023)
    assert ly.total_income == Decimal("120.00")
    assert list(ly.lines.values_list("amount", flat=True)) == [Decimal("120.00")]
    assert ly.version == 3


def test_bulk_replace_refuses_whole_call_when_one_year_is_approved(world):
    v1, v2 = world["villages"]["长胜村"], world["villages"]["幸福村"]
    make_ledger_year(v1, 2023, {"operating_revenue": "100"}, status="approved")
    with pytest.raises(services.LedgerLocked):
        services.ledger_years_bulk_replace(statements=[
            statement(v2, 2023, operating_revenue="5"), statement(v1, 2023, operating_revenue="1"),
        ])
    assert not LedgerYear.objects.filter(village=v2).exists()
    assert LedgerYear.objects.get(village=v1).operating_income == Decimal("100.00")


def test_bulk_replace_refuses_items_of_the_other_accounting_system(world):
    v1 = world["villages"]["长胜村"]
    old_item = item_for_year(2023, "contract_remittance")
    with pytest.raises(services.LedgerError, match="财会〔2023〕14号"):
        services.ledger_years_bulk_replace(statements=[services.YearStatement(
            village=v1, year=2025, lines=[services.LineInput(item_id=old_item.pk, amount=Decimal(1))])])
    assert not LedgerYear.objects.exists()
