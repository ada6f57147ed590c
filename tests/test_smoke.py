from decimal import Decimal

from .factories import make_ledger_year


def test_ledger_year_figures_follow_lines(world):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2021, {"operating_revenue": "1000000", "subsidy_income": "200000",
                                          "admin_expense": "300000"})
    assert ly.total_income == Decimal("1200000.00")
    assert ly.operating_income == Decimal("1000000.00")
    assert ly.net_income == Decimal("900000.00")
