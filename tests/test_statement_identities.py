"""Every identity of both official forms holds on every stored village-year of the demo, written out
here from the forms themselves (not from the metric definitions the code uses), and the 附报 counts.

2004 system (国统制〔2008〕27号 表六 代码; 农业税附加返还收入 added to 本年收益 as the 会计制度 does):
7 = 1+2+3−4−5; 11 = 7+8+9−10 (+农业税附加返还收入); 14 = 11+12+13; 15 = 16+17+18+19+20; 21 = 14−15.
2023 system (财会〔2023〕14号 行次): 6 = 1−2−3−4+5; 11 = 6+7+8−9−10; 13 = 11−12; 16 = 13+14+15;
20 = 16−17−18−19.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from ledger.demo import load_demo
from ledger.models import LedgerLine, LedgerYear
from ledger.reports import APPENDIX, appendix_counts

WAN = Decimal(10000)


@pytest.fixture(scope="module")
def _demo_world(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        load_demo()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_world, db):
    return None


def totals_by_year() -> dict[int, dict[str, Decimal]]:
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for year_id, code, amount in (LedgerLine.objects.values_list("ledger_year_id", "item__code")
                                  .annotate(total=Sum("amount")).order_by()):
        totals[year_id][code] = amount
    return totals


def form_figures(system: str, t: dict[str, Decimal]) -> dict[str, Decimal]:
    if system == "2004":
        line7 = (t["operating_revenue"] + t["contract_remittance"] + t["investment_income"]
                 - t["operating_expense"] - t["admin_expense"])
        line11 = line7 + t["agricultural_tax_rebate"] + t["subsidy_income"] + t["other_income"] - t["other_expense"]
        line14 = line11 + t["opening_undistributed"] + t["other_transfer_in"]
        line15 = (t["reserve_fund"] + t["welfare_fund"] + t["investor_dividend"] + t["household_distribution"]
                  + t["other_distribution"])
        return {"operating_profit": line7, "net_income": line11, "net_profit": line11, "distributable": line14,
                "distributions": line15, "closing_undistributed": line14 - line15}
    line6 = (t["operating_revenue"] - t["operating_expense"] - t["taxes_surcharges"] - t["admin_expense"]
             + t["investment_income"])
    line11 = line6 + t["subsidy_income"] + t["other_income"] - t["public_welfare_expense"] - t["other_expense"]
    line13 = line11 - t["income_tax"]
    line16 = line13 + t["opening_undistributed"] + t["other_transfer_in"]
    distributions = t["reserve_fund"] + t["member_distribution"] + t["other_distribution"]
    return {"operating_profit": line6, "net_income": line11, "net_profit": line13, "distributable": line16,
            "distributions": distributions, "closing_undistributed": line16 - distributions}


def test_every_identity_of_both_forms_holds_on_every_demo_year(demo):
    totals = totals_by_year()
    years = list(LedgerYear.objects.select_related("system"))
    assert len(years) > 2000
    for ly in years:
        expected = form_figures(ly.system.code, totals[ly.pk])
        assert {code: getattr(ly, code) for code in expected} == expected, ly
        assert ly.opening_undistributed == totals[ly.pk]["opening_undistributed"], ly
        # 其中：干部报酬 is part of 管理费用: never larger, never added.
        assert totals[ly.pk]["cadre_pay"] <= totals[ly.pk]["admin_expense"], ly
    # The demo has the whole statement: distributions and 干部报酬 on both systems' years where they exist.
    assert all(ly.distributions > 0 for ly in years if ly.net_profit > 0)
    assert sum(1 for ly in years if totals[ly.pk]["cadre_pay"] > 0 and ly.system.code == "2004") > 1000


def test_demo_carries_each_years_closing_balance_into_the_next(demo):
    balances = {(village_id, year): (opening, closing) for village_id, year, opening, closing in
                LedgerYear.objects.values_list("village_id", "year", "opening_undistributed",
                                               "closing_undistributed")}
    carried = 0
    for (village_id, year), (opening, _) in balances.items():
        previous = balances.get((village_id, year - 1))
        if previous is not None:
            assert opening == previous[1], (village_id, year)
            carried += 1
    assert carried == len(balances) * 5 // 6  # 2020–2024 of 2019–2024, 2023 → 2024 included


def test_demo_has_an_investment_loss_and_only_allowed_lines_are_negative(demo):
    negative = set(LedgerLine.objects.filter(amount__lt=0).values_list("item__code", flat=True))
    assert negative <= {"investment_income", "opening_undistributed"}
    loss = LedgerYear.objects.get(village__name="宋寨村", village__town__name="紫陵镇", year=2020)
    assert loss.investment_income == Decimal("-85000.00")
    assert loss.operating_income < loss.total_income


def test_demo_baqiao_2021_tiers_are_unchanged(demo):
    totals = sorted(LedgerYear.objects.filter(town__code="321182103000", year=2021)
                    .values_list("total_income", flat=True), reverse=True)
    assert sum(t >= 500 * WAN for t in totals) == 1 and sum(300 * WAN <= t < 500 * WAN for t in totals) == 4


def test_appendix_counts_match_a_count_by_hand_on_the_demo(demo, django_assert_num_queries):
    years = LedgerYear.objects.filter(year=2024)
    rows = list(years.values_list("net_income", "operating_profit"))
    with django_assert_num_queries(1):
        counts = appendix_counts(years)
    assert counts == {
        "reported": len(rows),
        "without_income": sum(n <= 0 for n, _ in rows), "with_income": sum(n > 0 for n, _ in rows),
        "with_operating_profit": sum(p > 0 for _, p in rows),
        "profit_below_5": sum(0 < p < 5 * WAN for _, p in rows),
        "profit_5_to_10": sum(5 * WAN <= p < 10 * WAN for _, p in rows),
        "profit_10_and_more": sum(p >= 10 * WAN for _, p in rows),
    }
    # The form's balances: 22 = 23 + 24; 25 = 26 + 27 + 28.
    assert counts["reported"] == counts["without_income"] + counts["with_income"]
    assert counts["with_operating_profit"] == (counts["profit_below_5"] + counts["profit_5_to_10"]
                                               + counts["profit_10_and_more"])
    assert [key for _, key, _ in APPENDIX] == list(counts)
