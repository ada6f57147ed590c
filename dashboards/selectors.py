"""Reads for the dashboard pages, each in a fixed number of queries, all from the summary on `LedgerYear`.

Nothing here sums raw ledger lines for a league table: the figures on `LedgerYear` are kept true by
`ledger.services` on every write. Village ranks are computed in Python over one pre-sorted fetch of
the scope's two years (current and previous) so that filters narrow the rows shown without changing
the ranks (a village is 37th in its county whatever the filter).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db import connections
from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from config.db_routers import read_db
from ledger.figures import FIGURES
from ledger.models import MONEY, LedgerLine, LedgerYear, Share
from villages.models import County, Enterprise, PartyOrganization, Town, Village

from .aggregates import Median
from .models import FIGURE_NAMES
from .rules import BELOW_TIERS, Rules, ScopeRules

APPROVED = (LedgerYear.Status.APPROVED,)
APPROVED_AND_SUBMITTED = (LedgerYear.Status.APPROVED, LedgerYear.Status.SUBMITTED)
CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(**MONEY)
ZERO = Decimal("0.00")


def statuses(include_submitted: bool) -> tuple[str, ...]:
    return APPROVED_AND_SUBMITTED if include_submitted else APPROVED


def growth_pct(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Year-on-year growth in %, one decimal; None when there is no positive base to compare with."""
    if current is None or not previous or previous <= 0:
        return None
    return ((current - previous) * 100 / previous).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def mean(total: Decimal | None, count: int) -> Decimal | None:
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP) if count and total is not None else None


@dataclass(frozen=True)
class Scope:
    """The part of the map a page covers: every county (administrators), a county, or a town."""

    county: County | None = None
    town: Town | None = None

    @property
    def level(self) -> str:
        return "town" if self.town else "county" if self.county else "province"

    @property
    def label(self) -> str:
        if self.town:
            return f"{self.town.county.name}{self.town.name}"
        return self.county.name if self.county else "全部县（市、区）"

    @property
    def ledger_filter(self) -> dict:
        if self.town:
            return {"town_id": self.town.pk}
        if self.county:
            return {"county_id": self.county.pk}
        return {}

    @property
    def county_ids(self) -> list[int] | None:
        if self.town:
            return [self.town.county_id]
        return [self.county.pk] if self.county else None

    def ledger_years(self, year_statuses: Sequence[str]):
        return LedgerYear.objects.filter(status__in=year_statuses, **self.ledger_filter)


def available_years(scope: Scope, year_statuses: Sequence[str]) -> list[int]:
    """Years with data in scope, newest first (1 query: min and max come from an index)."""
    bounds = scope.ledger_years(year_statuses).aggregate(first=Min("year"), last=Max("year"))
    if bounds["last"] is None:
        return []
    return list(range(bounds["last"], bounds["first"] - 1, -1))


# Overview ---------------------------------------------------------------------------------------------

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
    as_of: object
    composition: list[tuple[str, Decimal]]

    @property
    def total_growth(self) -> Decimal | None:
        return growth_pct(self.total_income, self.previous_total_income)

    @property
    def operating_mean_growth(self) -> Decimal | None:
        return growth_pct(self.operating_mean, self.previous_operating_mean)


def _count(condition: Q | None) -> Count | Value:
    return Count("pk", filter=condition) if condition is not None else Value(0)


def _summary(scope: Scope, year: int, rules: ScopeRules, units: Sequence["UnitRow"], trend: Sequence[dict]) -> Overview:
    """The headline: the trend's rows of the year and of last year, with the tiers, 薄弱村 and 空壳村
    added up from the year's units (1 query: the villages in scope). No scan of its own."""
    this = next((r for r in trend if r["year"] == year), {})
    last = next((r for r in trend if r["year"] == year - 1), {})
    reporting = this.get("n", 0)
    total_income, operating = this.get("total_income") or ZERO, this.get("operating_income") or ZERO
    investment, subsidy = this.get("investment_income") or ZERO, this.get("subsidy_income") or ZERO
    main = rules.main
    tiers = [(t.label, t.description, sum(u.bands[i] for u in units)) for i, t in enumerate(main.tiers)]
    tiers.append((BELOW_TIERS, "", sum(u.bands[-1] for u in units)))
    return Overview(
        year=year, villages_in_scope=Village.objects.filter(**village_filter(scope)).count(), reporting=reporting,
        total_income=total_income, operating_income=operating, operating_mean=mean(operating, reporting),
        previous_reporting=last.get("n", 0), previous_total_income=last.get("total_income") or ZERO,
        previous_operating_mean=last.get("operating_mean"),
        tier_counts=tiers, weak=sum(u.weak for u in units), shell=sum(u.shell for u in units),
        as_of=this.get("as_of"),
        # 总收入 = 经营收入 + 发包及上交收入 + 投资收益 + 补助收入 + 其他收入, so the parts follow from the summary.
        composition=[
            ("经营及发包收入", operating - investment), ("投资收益", investment), ("补助收入", subsidy),
            ("其他收入", total_income - operating - subsidy),
        ],
    )


@dataclass
class OverviewPage:
    summary: Overview
    units: list["UnitRow"]  # the towns of a county, the counties of the province; none for a town
    villages: list["VillageRow"]  # ranked, named: every village of a town or county, the top 10 of the province
    trend: list[dict]


def overview_page(scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules, *,
                  years: Sequence[int] | None = None) -> OverviewPage:
    """Everything the overview shows, in 6 queries (5 for a town; for the province one more without
    `years`, the years with data), whatever the size of the scope.

    The yearly trend is the one read over every year of the scope; the headline comes from the
    trend's rows and the units' rows of the year, not from a scan of its own.
    """
    by = "county" if scope.level == "province" else "town"
    trend = yearly_trend(scope, year_statuses, years, detail_year=year)
    units = unit_table(scope, year, year_statuses, metric, rules, by=by, previous=scope.level != "town")
    # Every village for a county's or a town's treemap; the TOP 10 only for the whole province.
    villages, _ = ranked_villages(scope, year, year_statuses, metric, rules,
                                  limit=10 if scope.level == "province" else None)
    return OverviewPage(summary=_summary(scope, year, rules, units, trend),
                        units=units if scope.level != "town" else [], villages=villages, trend=trend)


def village_filter(scope: Scope) -> dict:
    if scope.town:
        return {"town_id": scope.town.pk}
    if scope.county:
        return {"town__county_id": scope.county.pk}
    return {}


# The overview's headline needs these of its year too (投资收益 and 补助收入 for the composition chart,
# the latest change for "数据截至"): the trend reads them for that year alone.
DETAIL_FIGURES = {"sum_investment": ("investment_income", Sum, MONEY_FIELD),
                  "sum_subsidy": ("subsidy_income", Sum, MONEY_FIELD), "as_of": ("updated_at", Max, DateTimeField())}


def yearly_trend(scope: Scope, year_statuses: Sequence[str], years: Sequence[int] | None = None, *,
                 detail_year: int | None = None) -> list[dict]:
    """Per year: villages reporting, 总收入, 经营性收入 and its mean (1 query; 2 for a province
    without `years`). With `detail_year`, each row also has "investment_income", "subsidy_income" and
    "as_of" (the latest change), None but in that year.

    A town's or a county's years are a few thousand rows, read at once by one GROUP BY. A province's
    are hundreds of thousands: there one SELECT per year, joined by UNION ALL, lets PostgreSQL read
    each year off the covering `dash_ly_year_sums` index (dashboards migration 0003) instead of
    scanning the whole table (about 27 ms instead of 45 for 250,000 village-years).
    """
    def sums(queryset, details: dict):
        # COUNT(*), not COUNT(id): the index does not hold the id.
        return queryset.order_by().values("year").annotate(
            n=Count("*"), sum_total=Sum("total_income"), sum_operating=Sum("operating_income"), **details)

    def details(year: int | None) -> dict:
        if detail_year is None:
            return {}
        if year is None:  # one GROUP BY over every year
            return {name: aggregate(column, filter=Q(year=detail_year))
                    for name, (column, aggregate, _) in DETAIL_FIGURES.items()}
        if year == detail_year:
            return {name: aggregate(column) for name, (column, aggregate, _) in DETAIL_FIGURES.items()}
        return {name: Value(None, output_field=field) for name, (_, _, field) in DETAIL_FIGURES.items()}

    if scope.level != "province":
        rows = sums(scope.ledger_years(year_statuses), details(None))
    else:
        if years is None:
            years = available_years(scope, year_statuses)
        per_year = [sums(scope.ledger_years(year_statuses).filter(year=year), details(year)) for year in years]
        rows = per_year[0].union(*per_year[1:], all=True) if per_year else []
    trend = []
    for r in sorted(rows, key=lambda r: r["year"]):
        row = {"year": r["year"], "n": r["n"], "total_income": _money(r["sum_total"]),
               "operating_income": _money(r["sum_operating"]), "operating_mean": mean(_money(r["sum_operating"]), r["n"])}
        if detail_year is not None:
            row |= {"investment_income": _money(r["sum_investment"]), "subsidy_income": _money(r["sum_subsidy"]),
                    "as_of": r["as_of"]}
        trend.append(row)
    return trend


# Town (and county) league table -------------------------------------------------------------------------

@dataclass
class UnitRow:
    pk: int
    name: str
    code: str
    parent_name: str
    villages: int
    total: Decimal
    previous_total: Decimal | None
    previous_villages: int
    # The statistics (`_unit_statistics`).
    median: Decimal | None = None
    highest: Decimal | None = None
    over_line: list[int] = field(default_factory=list)  # villages over each tier line, by tier position
    bands: list[int] = field(default_factory=list)  # villages in each tier, then below the tiers
    weak: int = 0
    shell: int = 0
    total_income: Decimal | None = None  # 总收入 of its villages, whatever the figure ranked by (treemaps)
    rank: int = 0

    @cached_property  # the sort key by default, read again by the rank and the page
    def mean(self) -> Decimal | None:
        return mean(self.total, self.villages)

    @property
    def previous_mean(self) -> Decimal | None:
        return mean(self.previous_total, self.previous_villages)

    @property
    def growth(self) -> Decimal | None:
        return growth_pct(self.total, self.previous_total)

    @property
    def mean_growth(self) -> Decimal | None:
        return growth_pct(self.mean, self.previous_mean)

    @property
    def over_line_shares(self) -> list[Decimal | None]:
        return [(Decimal(n * 100) / self.villages).quantize(Decimal("0.1")) if self.villages else None
                for n in self.over_line]

    @property
    def weak_share(self) -> Decimal | None:
        return (Decimal(self.weak * 100) / self.villages).quantize(Decimal("0.1")) if self.villages else None


UNIT_SORTS = {
    "mean": ("村均", lambda r: r.mean or ZERO),
    "total": ("合计", lambda r: r.total),
    "median": ("中位数", lambda r: r.median or ZERO),
    "growth": ("增长率", lambda r: r.growth if r.growth is not None else Decimal("-1e9")),
    "weak": ("薄弱村占比（少者在前）", lambda r: -(r.weak_share or ZERO)),
    "villages": ("村数", lambda r: r.villages),
}


def _unit_statistics(rules: ScopeRules, metric: str) -> dict:
    """Per unit: median, highest, villages over each tier line and in each tier, 薄弱村, 空壳村, 总收入."""
    aggregates = {
        "median": Median(metric), "highest": Max(metric), "sum_total_income": Sum("total_income"),
        "weak": _count(rules.q(Rules.weak_q)),
        "shell": _count(rules.q(Rules.shell_q)), "below": _count(rules.q(Rules.below_q)),
    }
    for tier in rules.main.tiers:
        aggregates[f"line_{tier.position}"] = _count(rules.q(lambda r, p=tier.position: r.line_q(p)))
        aggregates[f"band_{tier.position}"] = _count(rules.q(lambda r, p=tier.position: r.band_q(p)))
    return aggregates


def _set_statistics(row: UnitRow, r: dict, rules: ScopeRules) -> None:
    tiers = rules.main.tiers
    row.median, row.highest, row.weak, row.shell = r["median"], r["highest"], r["weak"], r["shell"]
    row.total_income = r["sum_total_income"] or ZERO
    row.over_line = [r[f"line_{t.position}"] for t in tiers]
    row.bands = [*(r[f"band_{t.position}"] for t in tiers), r["below"]]


def _ranked_units(scope: Scope, year: int, year_statuses: Sequence[str], metric: str, *, by: str, sort: str,
                  previous: bool, aggregates: dict) -> tuple[list[UnitRow], dict]:
    """The units with data in `year`, ranked by `sort`, and each unit's row of `aggregates` (3 queries).

    The GROUP BY is on the unit's id alone and the names come in a query of their own: grouping by
    the joined names as well made PostgreSQL sort every village-year by text (10 ms for 1,250 towns).
    """
    assert metric in FIGURE_NAMES and by in ("town", "county")
    current = {r["unit"]: r for r in scope.ledger_years(year_statuses).filter(year=year).order_by()
               .values(unit=F(f"{by}_id")).annotate(villages=Count("pk"), total=Sum(metric), **aggregates)}
    before = {}
    if previous:
        before = {r["unit"]: r for r in scope.ledger_years(year_statuses).filter(year=year - 1).order_by()
                  .values(unit=F(f"{by}_id")).annotate(total=Sum(metric), villages=Count("pk"))}
    # The scope's units rather than `pk IN (…)`: a list of 1,250 town ids took longer than the whole table.
    if by == "town":
        units = Town.objects.filter(**{"pk": scope.town.pk} if scope.town else
                                    {"county_id": scope.county.pk} if scope.county else {})
        units = units.values_list("pk", "name", "code", "county__name")
    else:
        units = County.objects.filter(**{"pk": scope.county.pk} if scope.county else {})
        units = units.values_list("pk", "name", "code", "city")
    names = {pk: (name, code, parent) for pk, name, code, parent in units}
    rows = []
    for unit, r in current.items():
        last = before.get(unit, {})
        name, code, parent = names[unit]
        # The sort may need a statistic before the others are read (中位数, 薄弱村占比).
        rows.append(UnitRow(pk=unit, name=name, code=code, parent_name=parent or "", villages=r["villages"],
                            total=r["total"] or ZERO, previous_total=last.get("total"),
                            previous_villages=last.get("villages", 0), median=r.get("median"), weak=r.get("weak", 0)))
    key = UNIT_SORTS.get(sort, UNIT_SORTS["mean"])[1]
    rows.sort(key=lambda r: (-key(r), r.code))
    _rank(rows, key)
    return rows, current


def unit_table(scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules, *,
               by: str = "town", sort: str = "mean", previous: bool = True) -> list[UnitRow]:
    """One row per town (or county) of the scope with its statistics, ranked (3 queries: the year,
    last year, the names; `previous=False` skips last year, and growth is then unknown).
    """
    rows, found = _ranked_units(scope, year, year_statuses, metric, by=by, sort=sort, previous=previous,
                                aggregates=_unit_statistics(rules, metric))
    for row in rows:
        _set_statistics(row, found[row.pk], rules)
    return rows


# The sorts whose key the database computes from a unit's sums alone, to the rounding of UNIT_SORTS:
# on PostgreSQL a province's 1,250 towns are then ranked and cut to a page in one query, and only
# the page's rows reach Python (building and sorting every town's row in Python took ~20 ms).
UNIT_SQL_KEYS = {
    "mean": "ROUND(s.total / s.villages, 2)",
    "total": "s.total",
    "villages": "s.villages",
    "growth": "CASE WHEN s.prev_total > 0 THEN ROUND((s.total - s.prev_total) * 100 / s.prev_total, 1) ELSE -1e9 END",
}

UNITS_PAGE_SQL = """
WITH s AS (
    SELECT {unit} AS unit, COUNT(*) FILTER (WHERE year = %s) AS villages,
           SUM({metric}) FILTER (WHERE year = %s) AS total, COUNT(*) FILTER (WHERE year = %s) AS prev_villages,
           SUM({metric}) FILTER (WHERE year = %s) AS prev_total
    FROM {table} WHERE year IN (%s, %s) AND status IN ({statuses})
    GROUP BY {unit}
), ranked AS (
    SELECT s.*, {key} AS sort_key, COUNT(*) OVER () AS units FROM s WHERE s.villages > 0
), numbered AS (
    SELECT ranked.*, RANK() OVER (ORDER BY sort_key DESC) AS rnk FROM ranked
)
SELECT n.unit, n.villages, n.total, n.prev_villages, n.prev_total, n.rnk, n.units, u.name, u.code, {parent}
FROM numbered n JOIN {units_table} u ON u.id = n.unit{parent_join}
ORDER BY n.sort_key DESC, u.code LIMIT %s OFFSET %s
"""


def _units_page_sql(year: int, year_statuses: Sequence[str], metric: str, *, by: str, sort: str, limit: int,
                    offset: int) -> tuple[list["UnitRow"], int]:
    """A page of a province's towns (or counties) ranked by `sort` (one of UNIT_SQL_KEYS), and how
    many there are, in one query (PostgreSQL)."""
    connection = connections[read_db()]
    quote = connection.ops.quote_name
    if by == "town":
        units_table, parent = quote(Town._meta.db_table), "p.name"
        parent_join = f" JOIN {quote(County._meta.db_table)} p ON p.id = u.county_id"
    else:
        units_table, parent, parent_join = quote(County._meta.db_table), "u.city", ""
    sql = UNITS_PAGE_SQL.format(unit=quote(f"{by}_id"), metric=quote(metric), table=quote(LedgerYear._meta.db_table),
                                statuses=", ".join(["%s"] * len(year_statuses)), key=UNIT_SQL_KEYS[sort],
                                units_table=units_table, parent=parent, parent_join=parent_join)
    with connection.cursor() as cursor:
        cursor.execute(sql, (year, year, year - 1, year - 1, year, year - 1, *year_statuses, limit, offset))
        fetched = cursor.fetchall()
    rows = [UnitRow(pk=unit, name=name, code=code, parent_name=parent_name or "", villages=villages,
                    total=_money(total) or ZERO, previous_total=_money(previous_total),
                    previous_villages=previous_villages, rank=rank)
            for unit, villages, total, previous_villages, previous_total, rank, _, name, code, parent_name in fetched]
    return rows, fetched[0][6] if fetched else 0


def unit_table_page(scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules, *,
                    by: str = "town", sort: str = "mean", limit: int, offset: int = 0) -> tuple[list[UnitRow], int]:
    """A page of `unit_table`, and how many units there are in all (at most 4 queries).

    Ranking takes only counts and sums (and the statistic sorted by, for 中位数 and 薄弱村占比); a
    province's statistics are then read for the page's units alone, which halves the time for its
    1,250 towns, and on PostgreSQL the ranking itself is cut to the page in the database
    (`_units_page_sql`, 2 queries in all). A county's dozen towns are read whole.
    """
    if scope.level != "province":
        rows = unit_table(scope, year, year_statuses, metric, rules, by=by, sort=sort)
        return rows[offset:offset + limit], len(rows)
    statistics = _unit_statistics(rules, metric)
    if connections[read_db()].vendor == "postgresql" and sort in UNIT_SQL_KEYS:
        page, count = _units_page_sql(year, year_statuses, metric, by=by, sort=sort, limit=limit, offset=offset)
    else:
        needed = {"median": ["median"], "weak": ["weak"]}.get(sort, [])
        rows, _ = _ranked_units(scope, year, year_statuses, metric, by=by, sort=sort, previous=True,
                                aggregates={name: statistics[name] for name in needed})
        page, count = rows[offset:offset + limit], len(rows)
    if page:
        found = {r["unit"]: r for r in scope.ledger_years(year_statuses).filter(
            year=year, **{f"{by}_id__in": [row.pk for row in page]}).order_by()
            .values(unit=F(f"{by}_id")).annotate(**statistics)}
        for row in page:
            _set_statistics(row, found[row.pk], rules)
    return page, count


def _rank(rows: list, key) -> None:
    """Competition ranking (1, 2, 2, 4) over rows already sorted best first."""
    previous_value, previous_rank = object(), 0
    for index, row in enumerate(rows, start=1):
        value = key(row)
        row.rank = previous_rank if value == previous_value else index
        previous_value, previous_rank = value, row.rank


# Village league table ------------------------------------------------------------------------------------

@dataclass
class VillageRow:
    village_id: int
    town_id: int
    county_id: int
    status: str
    value: Decimal
    figures: dict
    rank: int = 0
    previous_value: Decimal | None = None
    previous_rank: int | None = None
    tier: str = ""
    weak: bool = False
    shell: bool = False
    name: str = ""
    code: str = ""
    town_name: str = ""

    @property
    def rank_change(self) -> int | None:
        """Places gained since last year (positive: moved up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def growth(self) -> Decimal | None:
        return growth_pct(self.value, self.previous_value)


# Ranks come from window functions over the whole scope (this year and last year), so filters and
# pages narrow the rows shown without changing any rank; only the rows shown leave the database.
RANKED_SQL = """
WITH cur AS (
    SELECT id, village_id, town_id, county_id, status, {metric} AS value{figures},
           RANK() OVER (ORDER BY {metric} DESC) AS rnk
    FROM {table} WHERE year = %s AND status IN ({statuses}){scope}
), prev AS (
    SELECT village_id, {metric} AS value, RANK() OVER (ORDER BY {metric} DESC) AS rnk
    FROM {table} WHERE year = %s AND status IN ({statuses}){scope}
), shown AS (
    SELECT cur.village_id, cur.town_id, cur.county_id, cur.status, cur.value, cur.rnk, prev.value AS prev_value,
           prev.rnk AS prev_rnk, COUNT(*) OVER () AS total{sort_columns}{figure_columns}
    FROM cur LEFT JOIN prev ON prev.village_id = cur.village_id
    WHERE 1 = 1{conditions}
    ORDER BY {order}{limit}
)
SELECT shown.village_id, shown.town_id, shown.county_id, shown.status, shown.value, shown.rnk, shown.prev_value,
       shown.prev_rnk, shown.total{names}{shown_columns}
FROM shown{names_join}
ORDER BY {shown_order}
"""
# The usual page (best first): rank this year with a window, cut the page, and only then find last
# year's rank of the page's villages by counting who was ahead (an index-only count per row) instead
# of ranking the whole previous year.
RANKED_PAGE_SQL = """
WITH cur AS (
    SELECT id, village_id, town_id, county_id, status, {metric} AS value{figures},
           RANK() OVER (ORDER BY {metric} DESC) AS rnk
    FROM {table} WHERE year = %s AND status IN ({statuses}){scope}
), page AS (
    SELECT cur.*, COUNT(*) OVER () AS total FROM cur
    WHERE 1 = 1{conditions}
    ORDER BY cur.rnk, cur.village_id{limit}
)
SELECT page.village_id, page.town_id, page.county_id, page.status, page.value, page.rnk, prev.{metric},
       CASE WHEN prev.id IS NULL THEN NULL ELSE 1 + (
           SELECT COUNT(*) FROM {table} ahead
           WHERE ahead.year = %s AND ahead.status IN ({statuses}){ahead_scope} AND ahead.{metric} > prev.{metric}
       ) END,
       page.total{names}{page_columns}
FROM page LEFT JOIN {table} prev
    ON prev.village_id = page.village_id AND prev.year = %s AND prev.status IN ({statuses}){names_join}
ORDER BY page.rnk, page.village_id
"""
# The first pages of a whole province, unfiltered (the overview's TOP 10, the table as it opens): read
# the page straight off the ranking index and give each row its rank by counting who is ahead, this
# year and last (index-only counts as short as the rank), instead of ranking the whole year.
TOP_SQL = """
WITH page AS (
    SELECT id, village_id, town_id, county_id, status, {metric} AS value{figures}
    FROM {table} WHERE year = %s AND status IN ({statuses})
    ORDER BY {metric} DESC, village_id{limit}
)
SELECT page.village_id, page.town_id, page.county_id, page.status, page.value,
       1 + (SELECT COUNT(*) FROM {table} ahead
            WHERE ahead.year = %s AND ahead.status IN ({statuses}) AND ahead.{metric} > page.value),
       prev.{metric},
       CASE WHEN prev.id IS NULL THEN NULL ELSE 1 + (
           SELECT COUNT(*) FROM {table} ahead
           WHERE ahead.year = %s AND ahead.status IN ({statuses}) AND ahead.{metric} > prev.{metric}
       ) END,
       (SELECT COUNT(*) FROM {table} WHERE year = %s AND status IN ({statuses})){names}{page_columns}
FROM page LEFT JOIN {table} prev
    ON prev.village_id = page.village_id AND prev.year = %s AND prev.status IN ({statuses}){names_join}
ORDER BY page.value DESC, page.village_id
"""
# Counting who is ahead costs as much as the rank: past this depth the window above is cheaper.
TOP_DEPTH = 1000
# "* 1.0": SQLite keeps whole-yuan amounts as integers and would divide them as integers.
GROWTH_SQL = "CASE WHEN prev.value > 0 THEN (cur.value - prev.value) * 1.0 / prev.value END"
# Each sort as its keys (expression, direction), the last ones breaking ties.
TIES = (("cur.rnk", "ASC"), ("cur.village_id", "ASC"))
SQL_SORTS = {
    "rank": TIES,
    "-rank": (("cur.rnk", "DESC"), ("cur.village_id", "ASC")),
    "growth": ((GROWTH_SQL, "DESC NULLS LAST"), *TIES),
    "-growth": ((GROWTH_SQL, "ASC NULLS LAST"), *TIES),
    "change": (("(prev.rnk - cur.rnk)", "DESC NULLS LAST"), *TIES),
    "-change": (("(prev.rnk - cur.rnk)", "ASC NULLS LAST"), *TIES),
    "town": (("cur.town_id", "ASC"), *TIES),
}


def _money(value) -> Decimal | None:
    # PostgreSQL returns Decimal; SQLite returns int or float for the same column.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENT)


def _subquery(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def ranked_villages(scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules, *,
                    villages=None, condition: Q | None = None, sort: str = "rank", limit: int | None = None,
                    offset: int = 0) -> tuple[list[VillageRow], int]:
    """Villages of the scope with data in `year`, ranked by `metric`, with last year's rank and their
    names (1 query).

    `villages` (a Village queryset) and `condition` (on this year's LedgerYear rows: a tier, 薄弱村)
    narrow the rows returned; `sort`, `limit` and `offset` page them. Returns the rows and how
    many rows matched in all.
    """
    assert metric in FIGURE_NAMES and sort in SQL_SORTS
    connection = connections[read_db()]
    quote = connection.ops.quote_name
    figures = sorted(set().union(*(r.metrics for r in rules.by_county.values()), rules.fallback.metrics,
                                 {"total_income"}) - {metric})
    scope_sql, scope_params = "", ()
    for column, value in scope.ledger_filter.items():
        scope_sql += f" AND {quote(column)} = %s"
        scope_params += (value,)
    placeholders = ", ".join(["%s"] * len(year_statuses))
    conditions, condition_params = "", ()
    if villages is not None:
        sql, params = _subquery(villages.values("pk"))
        conditions += f" AND cur.village_id IN ({sql})"
        condition_params += params
    if condition is not None:
        sql, params = _subquery(LedgerYear.objects.filter(condition, year=year, status__in=year_statuses,
                                                          **scope.ledger_filter).values("pk"))
        conditions += f" AND cur.id IN ({sql})"
        condition_params += params
    limit_sql = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    table, figure_sql = quote(LedgerYear._meta.db_table), "".join(f", {quote(f)}" for f in figures)
    page_columns = "".join(f", page.{quote(f)}" for f in figures)
    # The names of the rows shown, joined once the page is cut.
    names = ", named_village.name, named_village.code, named_town.name"

    def names_join(rows: str) -> str:
        return (f" JOIN {quote(Village._meta.db_table)} named_village ON named_village.id = {rows}.village_id"
                f" JOIN {quote(Town._meta.db_table)} named_town ON named_town.id = named_village.town_id")

    # A town or a county holds a few hundred villages: ranking both years in full is cheapest there
    # (counting who is ahead row by row took 16 ms for a county's first page, the windows 1 ms).
    paged = sort == "rank" and limit is not None and scope.level == "province"
    if paged and not conditions and offset + limit <= TOP_DEPTH:
        sql = TOP_SQL.format(metric=quote(metric), table=table, statuses=placeholders, figures=figure_sql,
                             page_columns=page_columns, limit=limit_sql, names=names, names_join=names_join("page"))
        params = (year, *year_statuses, year, *year_statuses, year - 1, *year_statuses, year, *year_statuses,
                  year - 1, *year_statuses)
    elif paged:
        sql = RANKED_PAGE_SQL.format(
            metric=quote(metric), table=table, statuses=placeholders, scope=scope_sql,
            ahead_scope=scope_sql.replace(" AND ", " AND ahead."), figures=figure_sql,
            page_columns=page_columns, conditions=conditions, limit=limit_sql, names=names,
            names_join=names_join("page"),
        )
        params = (year, *year_statuses, *scope_params, *condition_params, year - 1, *year_statuses, *scope_params,
                  year - 1, *year_statuses)
    else:
        # The sort keys become columns, so that the page is sorted again after the names are joined.
        keys = SQL_SORTS[sort]
        sql = RANKED_SQL.format(
            metric=quote(metric), table=table, statuses=placeholders, scope=scope_sql, figures=figure_sql,
            figure_columns="".join(f", cur.{quote(f)}" for f in figures),
            shown_columns="".join(f", shown.{quote(f)}" for f in figures),
            sort_columns="".join(f", {expression} AS sort_{i}" for i, (expression, _) in enumerate(keys)),
            order=", ".join(f"sort_{i} {direction}" for i, (_, direction) in enumerate(keys)),
            shown_order=", ".join(f"shown.sort_{i} {direction}" for i, (_, direction) in enumerate(keys)),
            conditions=conditions, limit=limit_sql, names=names, names_join=names_join("shown"),
        )
        params = (year, *year_statuses, *scope_params, year - 1, *year_statuses, *scope_params, *condition_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows, total = [], fetched[0][8] if fetched else 0
    for (village_id, town_id, county_id, status, value, rank, previous_value, previous_rank, _, name, code, town_name,
         *rest) in fetched:
        value = _money(value)
        row = VillageRow(village_id=village_id, town_id=town_id, county_id=county_id, status=status, value=value,
                         figures={metric: value, **{f: _money(v) for f, v in zip(figures, rest, strict=True)}},
                         rank=rank, previous_value=_money(previous_value), previous_rank=previous_rank, name=name,
                         code=code, town_name=town_name)
        county_rules = rules.for_county(county_id)
        row.tier = county_rules.tier_of(row.figures)
        row.weak = county_rules.is_weak(row.figures)
        row.shell = county_rules.is_shell(row.figures)
        rows.append(row)
    return rows, total


def village_ranking(scope: Scope, year: int, year_statuses: Sequence[str], metric: str,
                    rules: ScopeRules) -> list[VillageRow]:
    """Every village of the scope with data in `year`, ranked (1 query)."""
    return ranked_villages(scope, year, year_statuses, metric, rules)[0]


def village_condition(rules: ScopeRules, *, tier: str = "", weak_only: bool = False) -> Q | None:
    """The tier and 薄弱村 filters as one condition on LedgerYear rows, each county by its own rules."""
    condition = None
    if tier:
        condition = rules.q(lambda r: r.label_q(tier)) or Q(pk__in=[])
    if weak_only:
        weak = rules.q(Rules.weak_q)
        condition = weak if condition is None else condition & weak
    return condition


# Party organisations and clusters ---------------------------------------------------------------------

@dataclass
class OrganizationRow:
    pk: int
    name: str
    kind: str
    industry: str
    members: int
    reporting: int
    total: Decimal
    previous_total: Decimal | None
    rank: int = 0

    @property
    def mean(self) -> Decimal | None:
        return mean(self.total, self.reporting)

    @property
    def growth(self) -> Decimal | None:
        return growth_pct(self.total, self.previous_total)


def organization_ranking(scope: Scope, year: int, year_statuses: Sequence[str], metric: str, *,
                         kinds: Sequence[str] = PartyOrganization.SPANNING_KINDS, sort: str = "total"
                         ) -> list[OrganizationRow]:
    """Organisations spanning villages, ranked by the sum or the per-village mean of their villages (2 queries).

    Only villages inside the scope count, so a town user never sees other towns' figures.
    """
    assert metric in FIGURE_NAMES
    organizations = PartyOrganization.objects.filter(kind__in=kinds)
    if scope.town:
        organizations = organizations.filter(Q(town=scope.town) | Q(villages__town=scope.town)).distinct()
    elif scope.county:
        organizations = organizations.filter(county=scope.county)
    organizations = list(organizations.annotate(members=Count("memberships", distinct=True))
                         .values("pk", "name", "kind", "industry", "members"))
    figures = {
        r["org"]: r for r in scope.ledger_years(year_statuses).filter(
            year__in=[year, year - 1],
            village__party_memberships__organization_id__in=[o["pk"] for o in organizations],
        ).order_by().values(org=F("village__party_memberships__organization_id")).annotate(
            total=Sum(metric, filter=Q(year=year)), reporting=Count("pk", filter=Q(year=year)),
            previous_total=Sum(metric, filter=Q(year=year - 1)),
        )
    }
    kind_names = dict(PartyOrganization.Kind.choices)
    rows = []
    for o in organizations:
        f = figures.get(o["pk"], {})
        rows.append(OrganizationRow(pk=o["pk"], name=o["name"], kind=kind_names.get(o["kind"], o["kind"]),
                                    industry=o["industry"], members=o["members"], reporting=f.get("reporting", 0),
                                    total=f.get("total") or ZERO, previous_total=f.get("previous_total")))
    key = (lambda r: r.mean or ZERO) if sort == "mean" else (lambda r: r.total)
    rows.sort(key=lambda r: (-key(r), r.name))
    _rank(rows, key)
    return rows


# Village profile ----------------------------------------------------------------------------------------

@dataclass
class ProfileYear:
    ledger_year: LedgerYear
    county_rank: int | None
    county_count: int
    town_rank: int | None
    town_count: int
    tier: str


@dataclass
class StatementRow:
    label: str
    amounts: dict  # year → 元
    level: int = 0  # 0 item, 1 sub-line (项目), 2 figure
    kind: str = ""


@dataclass
class Profile:
    village: Village
    metric: str
    years: list[ProfileYear]
    statement: list[StatementRow]
    shares: list[Share]
    dividends: dict  # (share id, year) → 元
    organizations: list[PartyOrganization]
    enterprises: list[Enterprise]
    composition: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def year_numbers(self) -> list[int]:
        return [y.ledger_year.year for y in self.years]


def _rank_subquery(metric: str, year_statuses: Sequence[str], area: str, above: bool):
    condition = {f"{metric}__gt": OuterRef(metric)} if above else {}
    counted = (LedgerYear.objects.filter(status__in=year_statuses, year=OuterRef("year"),
                                         **{f"{area}_id": OuterRef(f"{area}_id")}, **condition)
               .order_by().values(f"{area}_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


PROFILE_FIGURES = FIGURES


def village_profile(village: Village, year_statuses: Sequence[str], metric: str, rules: Rules) -> Profile:
    """A village's years with its rank in county and town each year, its statement, shares and groups (6 queries)."""
    assert metric in FIGURE_NAMES
    years = list(
        LedgerYear.objects.filter(village=village, status__in=year_statuses).order_by("year").annotate(
            county_above=_rank_subquery(metric, year_statuses, "county", True),
            county_count=_rank_subquery(metric, year_statuses, "county", False),
            town_above=_rank_subquery(metric, year_statuses, "town", True),
            town_count=_rank_subquery(metric, year_statuses, "town", False),
        )
    )
    profile_years = [
        ProfileYear(ledger_year=ly, county_rank=ly.county_above + 1, county_count=ly.county_count,
                    town_rank=ly.town_above + 1, town_count=ly.town_count,
                    tier=rules.tier_of({f: getattr(ly, f) for f in FIGURE_NAMES}))
        for ly in years
    ]
    lines = (LedgerLine.objects.filter(ledger_year__in=[ly.pk for ly in years])
             .values_list("ledger_year__year", "item__name", "item__kind", "item__line_number", "name", "amount",
                          "share_id"))
    items: dict[str, StatementRow] = {}
    sub_lines: dict[tuple[str, str], StatementRow] = {}
    order: dict[str, tuple] = {}
    dividends: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for year, item_name, kind, line_number, name, amount, share_id in lines:
        row = items.setdefault(item_name, StatementRow(label=item_name, amounts={}, kind=kind))
        row.amounts[year] = row.amounts.get(year, ZERO) + amount
        order[item_name] = min(order.get(item_name, (9, 99)), (0 if kind == "income" else 1, line_number))
        if name:
            sub = sub_lines.setdefault((item_name, name), StatementRow(label=name, amounts={}, level=1, kind=kind))
            sub.amounts[year] = sub.amounts.get(year, ZERO) + amount
        if share_id:
            dividends[(share_id, year)] += amount
    statement = []
    for item_name in sorted(items, key=lambda n: order[n]):
        statement.append(items[item_name])
        statement += [row for (parent, _), row in sorted(sub_lines.items()) if parent == item_name]
    for code in PROFILE_FIGURES:
        statement.append(StatementRow(label=FIGURE_NAMES[code], level=2,
                                      amounts={ly.year: getattr(ly, code) for ly in years}))
    latest = years[-1] if years else None
    composition = []
    if latest is not None:
        composition = [(row.label, row.amounts.get(latest.year, ZERO)) for row in statement
                       if row.level == 0 and row.kind == "income" and row.amounts.get(latest.year)]
    return Profile(
        village=village, metric=metric, years=profile_years, statement=statement,
        shares=list(Share.objects.filter(holder=village).select_related("enterprise")),
        dividends=dict(dividends),
        organizations=list(village.party_organizations.all()),
        enterprises=list(Enterprise.objects.filter(village=village)),
        composition=composition,
    )

