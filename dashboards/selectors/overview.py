"""The overview (总览): headline figures, the yearly trend, the towns (or counties) and the villages."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DateTimeField, DecimalField, Max, Q, QuerySet, Sum, Value
from django.utils.translation import gettext

from config.db_routers import read_db
from ledger.figures import FIGURE_NAMES
from ledger.models import MONEY, LedgerYear
from villages.models import Village

from ..rules import ScopeRules, below_tiers
from .scope import ZERO, Scope, available_years, growth_pct, mean, money
from .sql import Params, fetch_all, scope_condition
from .towns import UnitRow, unit_table
from .villages import VillageRow, ranked_villages


@dataclass
class Overview:
    year: int
    villages_in_scope: int
    reporting: int
    total_income: Decimal
    operating_income: Decimal
    operating_mean: Decimal | None
    previous_reporting: int
    previous_total_income: Decimal
    previous_operating_mean: Decimal | None
    tier_counts: list[tuple[str, str, int]]  # (label, description, villages)
    weak: int
    shell: int
    as_of: datetime | None
    composition: list[tuple[str, Decimal]]
    # Like with like: the villages that reported both this year and last, and their sums both years.
    comparable: int = 0
    comparable_total_income: Decimal | None = None
    comparable_previous_total_income: Decimal | None = None
    comparable_operating: Decimal | None = None
    comparable_previous_operating: Decimal | None = None

    @property
    def unreported(self) -> int:
        """Villages of the scope without figures this year (未报送)."""
        return max(0, self.villages_in_scope - self.reporting)

    @property
    def total_growth(self) -> Decimal | None:
        """总收入 growth over the villages that reported both years only."""
        return growth_pct(self.comparable_total_income, self.comparable_previous_total_income)

    @property
    def operating_mean_growth(self) -> Decimal | None:
        """村均经营性收入 growth over the same villages (so, that of their sum)."""
        return growth_pct(self.comparable_operating, self.comparable_previous_operating)


@dataclass
class OverviewPage:
    summary: Overview
    units: list[UnitRow]  # the towns of a county, the counties of the province; none for a town
    villages: list[VillageRow]  # ranked, named: every village of a town or county, the top 10 of the province
    trend: list[dict]


def overview_page(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules,
                  years: Sequence[int] | None = None) -> OverviewPage:
    """Everything the overview shows, in 7 queries (6 for a town; for the province one more without
    `years`, the years with data), whatever the size of the scope.

    The yearly trend is the one read over every year of the scope; the headline comes from the
    trend's rows and the units' rows of the year, not from a scan of its own.
    """
    by = "county" if scope.level == "province" else "town"
    trend = yearly_trend(scope=scope, year_statuses=year_statuses, years=years, detail_year=year)
    units = unit_table(scope=scope, year=year, year_statuses=year_statuses, metric=metric, rules=rules, by=by,
                       previous=scope.level != "town", include_empty=scope.level != "town")
    # Every village for a county's or a town's treemap; the TOP 10 only for the whole province.
    villages, _ = ranked_villages(scope=scope, year=year, year_statuses=year_statuses, metric=metric, rules=rules,
                                  limit=10 if scope.level == "province" else None)
    summary = _summary(scope=scope, year=year, rules=rules, units=units, trend=trend)
    comparable = comparable_sums(scope=scope, year=year, year_statuses=year_statuses)
    this, last = comparable.get(year, {}), comparable.get(year - 1, {})
    summary.comparable = this.get("n", 0)
    summary.comparable_total_income, summary.comparable_previous_total_income = this.get("total"), last.get("total")
    summary.comparable_operating, summary.comparable_previous_operating = this.get("operating"), last.get("operating")
    return OverviewPage(summary=summary, units=units if scope.level != "town" else [], villages=villages,
                        trend=trend)


COMPARABLE_SQL = """
SELECT COUNT(*), SUM(cur.total_income), SUM(prev.total_income), SUM(cur.operating_income),
       SUM(prev.operating_income)
FROM {table} cur JOIN {table} prev
    ON prev.village_id = cur.village_id AND prev.year = %(previous_year)s AND prev.status IN ({statuses})
WHERE cur.year = %(year)s AND cur.status IN ({statuses}){scope}
"""


def comparable_sums(*, scope: Scope, year: int, year_statuses: Sequence[str]) -> dict[int, dict]:
    """For the villages that reported both `year` and the year before: per year, how many, and their
    总收入 and 经营性收入 (1 query: the two years joined by village, off the index of dashboards
    migration 0006 on PostgreSQL). Growth compares these, never two different sets of villages."""
    quote = connections[read_db()].ops.quote_name
    params = Params(year=year, previous_year=year - 1)
    sql = COMPARABLE_SQL.format(table=quote(LedgerYear._meta.db_table), statuses=params.values("status", year_statuses),
                                scope=scope_condition(scope.ledger_filter, params, quote, alias="cur"))
    ((n, total, previous_total, operating, previous_operating),) = fetch_all(sql, params)
    return {year: {"n": n, "total": money(total), "operating": money(operating)},
            year - 1: {"n": n, "total": money(previous_total), "operating": money(previous_operating)}}


def _summary(*, scope: Scope, year: int, rules: ScopeRules, units: Sequence[UnitRow],
             trend: Sequence[dict]) -> Overview:
    """The headline: the trend's rows of the year and of last year, with the tiers, 薄弱村 and 空壳村
    added up from the year's units (1 query: the villages in scope). No scan of its own."""
    this = next((r for r in trend if r["year"] == year), {})
    last = next((r for r in trend if r["year"] == year - 1), {})
    reporting = this.get("n", 0)
    total_income, operating = this.get("total_income") or ZERO, this.get("operating_income") or ZERO
    investment, subsidy = this.get("investment_income") or ZERO, this.get("subsidy_income") or ZERO
    main = rules.main
    tiers = [(t.label, t.description, sum(u.bands[i] for u in units)) for i, t in enumerate(main.tiers)]
    tiers.append((below_tiers(), "", sum(u.bands[-1] for u in units)))
    return Overview(
        year=year, villages_in_scope=Village.objects.filter(**scope.village_filter).count(), reporting=reporting,
        total_income=total_income, operating_income=operating, operating_mean=mean(operating, reporting),
        previous_reporting=last.get("n", 0), previous_total_income=last.get("total_income") or ZERO,
        previous_operating_mean=last.get("operating_mean"),
        tier_counts=tiers, weak=sum(u.weak for u in units), shell=sum(u.shell for u in units),
        as_of=this.get("as_of"),
        # 总收入 = 经营收入 + 发包及上交收入 + 投资收益 + 补助收入 + 其他收入, so the parts follow from the summary.
        composition=[
            (gettext("经营及发包收入"), operating - investment), (FIGURE_NAMES["investment_income"], investment),
            (FIGURE_NAMES["subsidy_income"], subsidy), (gettext("其他收入"), total_income - operating - subsidy),
        ],
    )


# The overview's headline needs these of its year too (投资收益 and 补助收入 for the composition chart,
# the latest change for "数据截至"): the trend reads them for that year alone.
# Key in the trend's row → (LedgerYear column, aggregate, output field).
DETAIL_COLUMNS = {
    "investment_income": ("investment_income", Sum, DecimalField(**MONEY)),
    "subsidy_income": ("subsidy_income", Sum, DecimalField(**MONEY)),
    "as_of": ("updated_at", Max, DateTimeField()),
}


def yearly_trend(*, scope: Scope, year_statuses: Sequence[str], years: Sequence[int] | None = None,
                 detail_year: int | None = None) -> list[dict]:
    """Per year: villages reporting, 总收入, 经营性收入 and its mean (1 query; 2 for a province
    without `years`). With `detail_year`, each row also has "investment_income", "subsidy_income" and
    "as_of" (the latest change), None but in that year.

    A town's or a county's years are a few thousand rows, read at once by one GROUP BY. A province's
    are hundreds of thousands: there one SELECT per year, joined by UNION ALL, lets PostgreSQL read
    each year off the covering `dash_ly_year_sums` index (dashboards migration 0003) instead of
    scanning the whole table (about 27 ms instead of 45 for 250,000 village-years).
    """
    def sums(queryset: QuerySet, details: dict) -> QuerySet:
        # COUNT(*), not COUNT(id): the index does not hold the id.
        return queryset.order_by().values("year").annotate(
            n=Count("*"), sum_total=Sum("total_income"), sum_operating=Sum("operating_income"), **details)

    def details(year: int | None) -> dict:
        if detail_year is None:
            return {}
        if year is None:  # one GROUP BY over every year
            return {f"detail_{key}": aggregate(column, filter=Q(year=detail_year))
                    for key, (column, aggregate, _) in DETAIL_COLUMNS.items()}
        if year == detail_year:
            return {f"detail_{key}": aggregate(column) for key, (column, aggregate, _) in DETAIL_COLUMNS.items()}
        return {f"detail_{key}": Value(None, output_field=output) for key, (_, _, output) in DETAIL_COLUMNS.items()}

    if scope.level != "province":
        rows = sums(scope.ledger_years(year_statuses), details(None))
    else:
        if years is None:
            years = available_years(scope=scope, year_statuses=year_statuses)
        per_year = [sums(scope.ledger_years(year_statuses).filter(year=year), details(year)) for year in years]
        rows = per_year[0].union(*per_year[1:], all=True) if per_year else []
    trend = []
    for r in sorted(rows, key=lambda r: r["year"]):
        operating = money(r["sum_operating"])
        row = {"year": r["year"], "n": r["n"], "total_income": money(r["sum_total"]), "operating_income": operating,
               "operating_mean": mean(operating, r["n"])}
        if detail_year is not None:
            row |= {"investment_income": money(r["detail_investment_income"]),
                    "subsidy_income": money(r["detail_subsidy_income"]), "as_of": r["detail_as_of"]}
        trend.append(row)
    return trend
