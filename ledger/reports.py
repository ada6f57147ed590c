"""The 附报 of the national 收益分配统计表 (国统制〔2008〕27号 表六, 代码 22–28) for any set of village-years.

From the figures kept on `LedgerYear`, in one aggregate query whatever the number of villages:
22 汇入本表村数 = 23 当年无收益的村 (本年收益 ≤ 0) + 24 当年有收益的村 (本年收益 > 0); 25 其中：有集体经营收益
的村 (经营收益 > 0) = 26 + 27 + 28, the bands of 经营收益 among them: below 5万, 5万 up to (not including)
10万, 10万 and more (统计惯例：以上含本数，以下不含本数). 本年收益 is `net_income`, pre-tax in both systems
(2024 起 收益总额), so the counts of 2023 and 2025 mean the same.
"""

from django.db.models import Count, Q, QuerySet

from .models import LedgerYear
from .money import YUAN_PER_WAN

BAND_LOW = 5 * YUAN_PER_WAN
BAND_HIGH = 10 * YUAN_PER_WAN

# (代码, key, 指标名称), in the form's order.
APPENDIX: tuple[tuple[int, str, str], ...] = (
    (22, "reported", "汇入本表村数"),
    (23, "without_income", "当年无收益的村"),
    (24, "with_income", "当年有收益的村"),
    (25, "with_operating_profit", "其中：有集体经营收益的村"),
    (26, "profit_below_5", "集体收益5万元以下的村"),
    (27, "profit_5_to_10", "集体收益5-10万元的村"),
    (28, "profit_10_and_more", "集体收益10万元以上的村"),
)


def appendix_aggregates() -> dict[str, Count]:
    """The 附报 counts as aggregate expressions over LedgerYear (keys of `APPENDIX`), for a query that
    sums other figures in the same pass (`ledger.annual_report`)."""
    profit = Q(operating_profit__gt=0)
    return {
        "reported": Count("pk"),
        "without_income": Count("pk", filter=Q(net_income__lte=0)),
        "with_income": Count("pk", filter=Q(net_income__gt=0)),
        "with_operating_profit": Count("pk", filter=profit),
        "profit_below_5": Count("pk", filter=profit & Q(operating_profit__lt=BAND_LOW)),
        "profit_5_to_10": Count("pk", filter=Q(operating_profit__gte=BAND_LOW, operating_profit__lt=BAND_HIGH)),
        "profit_10_and_more": Count("pk", filter=Q(operating_profit__gte=BAND_HIGH)),
    }


def appendix_counts(ledger_years: QuerySet[LedgerYear]) -> dict[str, int]:
    """The 附报 counts (keys of `APPENDIX`) of the village-years in `ledger_years`: one query."""
    return ledger_years.order_by().aggregate(**appendix_aggregates())
