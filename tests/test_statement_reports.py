"""附报 (代码 22–28) by hand, the 空壳村 default, and recomputing a whole statement's figures."""

from decimal import Decimal

from django.db.models import F

from dashboards.models import DEFAULT_SHELL
from ledger import services
from ledger.models import LedgerYear
from ledger.reports import appendix_counts

from .factories import make_ledger_year, make_village

WAN = Decimal(10000)


def test_appendix_bands_include_the_lower_bound(world):
    town = world["baqiao"]
    amounts = {  # 经营收益 in 元 (经营收入 only); 本年收益 the same, one village with a loss via 管理费用
        "a": {"operating_revenue": "0"}, "b": {"operating_revenue": "10000", "admin_expense": "30000"},
        "c": {"operating_revenue": "49999.99"}, "d": {"operating_revenue": "50000"},
        "e": {"operating_revenue": "99999.99"}, "f": {"operating_revenue": "100000"},
        "g": {"operating_revenue": "1000", "admin_expense": "2000", "subsidy_income": "5000"},
    }
    for n, lines in enumerate(amounts.values()):
        make_ledger_year(make_village(town, 300 + n), 2023, lines)
    counts = appendix_counts(LedgerYear.objects.filter(town=town, year=2023))
    # a: 0 (no income); b: −2万 (loss); g: 经营收益 −0.1万 but 本年收益 +0.4万 (有收益, no 经营收益).
    assert counts == {"reported": 7, "without_income": 2, "with_income": 5, "with_operating_profit": 4,
                      "profit_below_5": 1, "profit_5_to_10": 2, "profit_10_and_more": 1}


def test_appendix_counts_2024_by_pre_tax_income(world):
    # 收益总额 1万, 所得税费用 2万: 净收益 −1万, yet 当年有收益 by 本年收益（收益总额）, as 2023's 本年收益.
    ly = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "10000", "income_tax": "20000"})
    assert ly.net_profit < 0 < ly.net_income
    assert appendix_counts(LedgerYear.objects.filter(pk=ly.pk))["with_income"] == 1


def test_shell_village_default_is_the_national_definition():
    assert DEFAULT_SHELL == ("operating_profit", 5 * WAN)


def test_recompute_keeps_every_figure_of_a_whole_statement(world):
    ly = make_ledger_year(world["villages"]["幸福村"], 2023, {
        "operating_revenue": "100", "investment_income": "-20", "admin_expense": "30", "cadre_pay": "10",
        "opening_undistributed": "-5", "other_transfer_in": "2", "reserve_fund": "8", "other_distribution": "1"})
    LedgerYear.objects.filter(pk=ly.pk).update(closing_undistributed=F("closing_undistributed") + 1)
    assert services.ledger_year_recompute(ledger_year=ly) is True
    assert (ly.operating_profit, ly.distributable, ly.distributions, ly.closing_undistributed) == (
        Decimal("50.00"), Decimal("47.00"), Decimal("9.00"), Decimal("38.00"))
