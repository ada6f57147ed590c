"""A province's town table lists the towns without figures as 未报送 after the ranked ones (issue 15)."""

from decimal import Decimal

from dashboards import selectors
from dashboards.rules import scope_rules

from .factories import make_ledger_year

WAN = Decimal(10000)


def test_province_town_table_lists_towns_without_figures_after_the_ranked_ones(world):
    make_ledger_year(world["villages"]["长胜村"], 2021, {"operating_revenue": 50 * WAN}, status="approved")
    make_ledger_year(world["villages"]["宋寨村"], 2021, {"operating_revenue": 80 * WAN}, status="approved")
    page, count = selectors.unit_table_page(scope=selectors.Scope(), year=2021, year_statuses=selectors.APPROVED,
                                            metric="operating_income", rules=scope_rules(None), limit=50,
                                            include_empty=True)
    assert [(r.name, r.rank, r.unreported) for r in page] == [
        ("紫陵镇", 1, False), ("八桥镇", 2, False), ("新坝镇", 0, True)]
    assert count == 3
    # Paged: the 未报送 towns continue on the next page.
    page, count = selectors.unit_table_page(scope=selectors.Scope(), year=2021, year_statuses=selectors.APPROVED,
                                            metric="operating_income", rules=scope_rules(None), limit=2, offset=2,
                                            include_empty=True)
    assert [r.name for r in page] == ["新坝镇"] and count == 3
