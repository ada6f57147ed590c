"""The village league table (村排行): villages ranked by a figure, with last year's rank, in one query.

Ranks are computed by the database, by window functions (`RANK() OVER …`) over the whole scope's
year and previous year, or for a province's first pages by counting who is ahead off the ranking
index; filters and pages then narrow the rows returned without changing any rank (a village is 37th
in its county whatever the filter), and only the rows shown leave the database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from config.db_routers import read_db
from ledger.models import LedgerYear
from villages.models import Town, Village

from ..rules import Rules, ScopeRules
from .scope import Scope, growth_pct, money
from .sql import Params, fetch_all, figure_column, scope_condition


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
    # Like with like: this year's rank among the villages that reported both years (last year's rank,
    # `previous_rank`, is among the same villages).
    comparable_rank: int | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since last year among the villages that reported both years (positive: up)."""
        if self.previous_rank is None or self.comparable_rank is None:
            return None
        return self.previous_rank - self.comparable_rank

    @property
    def growth(self) -> Decimal | None:
        return growth_pct(self.value, self.previous_value)


# Ranks come from window functions over the whole scope (this year and last year), so filters and
# pages narrow the rows shown without changing any rank; only the rows shown leave the database.
RANKED_SQL = """
WITH cur AS (
    SELECT id, village_id, town_id, county_id, status, {metric} AS value{figures},
           RANK() OVER (ORDER BY {metric} DESC) AS rnk
    FROM {table} WHERE year = %(year)s AND status IN ({statuses}){scope}
), prev AS (
    -- Last year's ranks among the villages that reported this year too (like with like).
    SELECT village_id, {metric} AS value, RANK() OVER (ORDER BY {metric} DESC) AS rnk
    FROM {table} WHERE year = %(previous_year)s AND status IN ({statuses}){scope}
      AND village_id IN (SELECT village_id FROM cur)
), paired AS (
    SELECT cur.village_id, RANK() OVER (ORDER BY cur.value DESC) AS rnk
    FROM cur JOIN prev ON prev.village_id = cur.village_id
), shown AS (
    SELECT cur.village_id, cur.town_id, cur.county_id, cur.status, cur.value, cur.rnk, prev.value AS prev_value,
           prev.rnk AS prev_rnk, COUNT(*) OVER () AS total, paired.rnk AS paired_rnk{sort_columns}{figure_columns}
    FROM cur LEFT JOIN prev ON prev.village_id = cur.village_id LEFT JOIN paired ON paired.village_id = cur.village_id
    WHERE 1 = 1{conditions}
    ORDER BY {order}{limit}
)
SELECT shown.village_id, shown.town_id, shown.county_id, shown.status, shown.value, shown.rnk, shown.prev_value,
       shown.prev_rnk, shown.total{names}, shown.paired_rnk{shown_columns}
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
    FROM {table} WHERE year = %(year)s AND status IN ({statuses}){scope}
), page AS (
    SELECT cur.*, COUNT(*) OVER () AS total FROM cur
    WHERE 1 = 1{conditions}
    ORDER BY cur.rnk, cur.village_id{limit}
)
SELECT page.village_id, page.town_id, page.county_id, page.status, page.value, page.rnk, prev.{metric},
       paired.prev_rnk, page.total{names}, paired.cur_rnk{page_columns}
FROM page LEFT JOIN {table} prev
    ON prev.village_id = page.village_id AND prev.year = %(previous_year)s AND prev.status IN ({statuses})
LEFT JOIN ({paired}) paired ON paired.village_id = page.village_id{names_join}
ORDER BY page.rnk, page.village_id
"""
# The first pages of a whole province, unfiltered (the overview's TOP 10, the table as it opens): read
# the page straight off the ranking index and give each row its rank by counting who is ahead, this
# year and last (index-only counts as short as the rank), instead of ranking the whole year.
TOP_SQL = """
WITH page AS (
    SELECT id, village_id, town_id, county_id, status, {metric} AS value{figures}
    FROM {table} WHERE year = %(year)s AND status IN ({statuses})
    ORDER BY {metric} DESC, village_id{limit}
)
SELECT page.village_id, page.town_id, page.county_id, page.status, page.value,
       1 + (SELECT COUNT(*) FROM {table} ahead
            WHERE ahead.year = %(year)s AND ahead.status IN ({statuses}) AND ahead.{metric} > page.value),
       prev.{metric},
       CASE WHEN prev.id IS NULL THEN NULL ELSE 1 + (
           SELECT COUNT(*) FROM {table} ahead
           WHERE ahead.year = %(previous_year)s AND ahead.status IN ({statuses}) AND ahead.{metric} > prev.{metric}
             AND ({other_year_this}) IS NOT NULL
       ) END,
       (SELECT COUNT(*) FROM {table} WHERE year = %(year)s AND status IN ({statuses})){names},
       CASE WHEN prev.id IS NULL THEN NULL ELSE 1 + (
           SELECT COUNT(*) FROM {table} ahead
           WHERE ahead.year = %(year)s AND ahead.status IN ({statuses}) AND ahead.{metric} > page.value
             AND ({other_year_last}) IS NOT NULL
       ) END{page_columns}
FROM page LEFT JOIN {table} prev
    ON prev.village_id = page.village_id AND prev.year = %(previous_year)s AND prev.status IN ({statuses}){names_join}
ORDER BY page.value DESC, page.village_id
"""
# Like with like, for the province's pages: both years' ranks among the villages that reported both
# (one join of the two years, ranked twice), joined to the page's rows.
PAIRED_SQL = """
SELECT c.village_id, RANK() OVER (ORDER BY c.{metric} DESC) AS cur_rnk,
       RANK() OVER (ORDER BY p.{metric} DESC) AS prev_rnk
FROM {table} c JOIN {table} p
    ON p.village_id = c.village_id AND p.year = %(previous_year)s AND p.status IN ({statuses})
WHERE c.year = %(year)s AND c.status IN ({statuses}){scope}
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
    "change": (("(prev.rnk - paired.rnk)", "DESC NULLS LAST"), *TIES),
    "-change": (("(prev.rnk - paired.rnk)", "ASC NULLS LAST"), *TIES),
    "town": (("cur.town_id", "ASC"), *TIES),
}


def ranked_villages(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules,
                    villages: QuerySet[Village] | None = None, condition: Q | None = None, sort: str = "rank",
                    limit: int | None = None, offset: int = 0) -> tuple[list[VillageRow], int]:
    """Villages of the scope with data in `year`, ranked by `metric`, with last year's rank and their
    names (1 query).

    `villages` (a Village queryset) and `condition` (on this year's LedgerYear rows: a tier, 薄弱村)
    narrow the rows returned; `sort`, `limit` and `offset` page them. Returns the rows and how
    many rows matched in all.
    """
    assert sort in SQL_SORTS
    alias = read_db()
    quote = connections[alias].ops.quote_name
    metric_sql = figure_column(metric, quote)
    # The figures the tiers and 薄弱村/空壳村 lines need, besides the one ranked by.
    figures = sorted(set().union(*(r.metrics for r in rules.by_county.values()), rules.fallback.metrics,
                                 {"total_income"}) - {metric})
    figure_sql = "".join(f", {figure_column(f, quote)}" for f in figures)
    params = Params(year=year, previous_year=year - 1)
    statuses_sql = params.values("status", year_statuses)
    scope_sql = scope_condition(scope.ledger_filter, params, quote)
    conditions = ""
    if villages is not None:
        conditions += f" AND cur.village_id IN ({params.queryset('villages', villages.values('pk'), using=alias)})"
    if condition is not None:
        matching = LedgerYear.objects.filter(condition, year=year, status__in=year_statuses, **scope.ledger_filter)
        conditions += f" AND cur.id IN ({params.queryset('condition', matching.values('pk'), using=alias)})"
    limit_sql = ""
    if limit is not None:
        limit_sql = f" LIMIT {params.value('limit', int(limit))} OFFSET {params.value('offset', int(offset))}"
    table = quote(LedgerYear._meta.db_table)
    page_columns = "".join(f", page.{figure_column(f, quote)}" for f in figures)
    # The names of the rows shown, joined once the page is cut.
    names = ", named_village.name, named_village.code, named_town.name"

    def names_join(rows: str) -> str:
        return (f" JOIN {quote(Village._meta.db_table)} named_village ON named_village.id = {rows}.village_id"
                f" JOIN {quote(Town._meta.db_table)} named_town ON named_town.id = named_village.town_id")

    # A town or a county holds a few hundred villages: ranking both years in full is cheapest there
    # (counting who is ahead row by row took 16 ms for a county's first page, the windows 1 ms).
    paged = sort == "rank" and limit is not None and scope.level == "province"
    # Like with like, counted row by row for the first pages: only villages that reported both years are
    # ahead. A scalar lookup (LIMIT 1), not EXISTS: PostgreSQL would turn EXISTS into a semi-join that
    # hashes the whole other year again for every row of the page.
    other_year_this = (f"SELECT 1 FROM {table} other WHERE other.village_id = ahead.village_id"
                       f" AND other.year = %(year)s AND other.status IN ({statuses_sql}) LIMIT 1")
    other_year_last = (f"SELECT 1 FROM {table} other WHERE other.village_id = ahead.village_id"
                       f" AND other.year = %(previous_year)s AND other.status IN ({statuses_sql}) LIMIT 1")
    paired = PAIRED_SQL.format(metric=metric_sql, table=table, statuses=statuses_sql,
                               scope=scope_condition(scope.ledger_filter, params, quote, alias="c"))
    if paged and not conditions and offset + limit <= TOP_DEPTH:
        sql = TOP_SQL.format(metric=metric_sql, table=table, statuses=statuses_sql, figures=figure_sql,
                             page_columns=page_columns, limit=limit_sql, names=names, names_join=names_join("page"),
                             other_year_this=other_year_this, other_year_last=other_year_last)
    elif paged:
        sql = RANKED_PAGE_SQL.format(
            metric=metric_sql, table=table, statuses=statuses_sql, scope=scope_sql,
            ahead_scope=scope_condition(scope.ledger_filter, params, quote, alias="ahead"), figures=figure_sql,
            page_columns=page_columns, conditions=conditions, limit=limit_sql, names=names,
            names_join=names_join("page"), paired=paired,
        )
    else:
        # The sort keys become columns, so that the page is sorted again after the names are joined.
        keys = SQL_SORTS[sort]
        sql = RANKED_SQL.format(
            metric=metric_sql, table=table, statuses=statuses_sql, scope=scope_sql, figures=figure_sql,
            figure_columns="".join(f", cur.{figure_column(f, quote)}" for f in figures),
            shown_columns="".join(f", shown.{figure_column(f, quote)}" for f in figures),
            sort_columns="".join(f", {expression} AS sort_{i}" for i, (expression, _) in enumerate(keys)),
            order=", ".join(f"sort_{i} {direction}" for i, (_, direction) in enumerate(keys)),
            shown_order=", ".join(f"shown.sort_{i} {direction}" for i, (_, direction) in enumerate(keys)),
            conditions=conditions, limit=limit_sql, names=names, names_join=names_join("shown"),
        )
    fetched = fetch_all(sql, params)
    rows, total = [], fetched[0][8] if fetched else 0
    for (village_id, town_id, county_id, status, value, rank, previous_value, previous_rank, _, name, code, town_name,
         comparable_rank, *rest) in fetched:
        value = money(value)
        row = VillageRow(village_id=village_id, town_id=town_id, county_id=county_id, status=status, value=value,
                         figures={metric: value, **{f: money(v) for f, v in zip(figures, rest, strict=True)}},
                         rank=rank, previous_value=money(previous_value), previous_rank=previous_rank, name=name,
                         code=code, town_name=town_name, comparable_rank=comparable_rank)
        county_rules = rules.for_county(county_id)
        row.tier = county_rules.tier_of(row.figures)
        row.weak = county_rules.is_weak(row.figures)
        row.shell = county_rules.is_shell(row.figures)
        rows.append(row)
    return rows, total


def village_ranking(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str,
                    rules: ScopeRules) -> list[VillageRow]:
    """Every village of the scope with data in `year`, ranked (1 query)."""
    return ranked_villages(scope=scope, year=year, year_statuses=year_statuses, metric=metric, rules=rules)[0]


def village_condition(rules: ScopeRules, *, tier: str = "", weak_only: bool = False) -> Q | None:
    """The tier and 薄弱村 filters as one condition on LedgerYear rows, each county by its own rules."""
    condition = None
    if tier:
        condition = rules.q(lambda r: r.label_q(tier)) or Q(pk__in=[])
    if weak_only:
        weak = rules.q(Rules.weak_q)
        condition = weak if condition is None else condition & weak
    return condition


@dataclass
class Unreported:
    """The villages of a scope without figures for a year (未报送): how many, and the first of them."""

    count: int
    villages: list[tuple[int, str, str]]  # (village id, name, town name), by code


def unreported_villages(*, scope: Scope, year: int, year_statuses: Sequence[str], limit: int = 200) -> Unreported:
    """Villages of the scope with no village-year counted for `year` (2 queries)."""
    counted = LedgerYear.objects.filter(village_id=OuterRef("pk"), year=year, status__in=year_statuses)
    missing = Village.objects.filter(~Exists(counted), **scope.village_filter)
    return Unreported(count=missing.count(),
                      villages=list(missing.order_by("code").values_list("pk", "name", "town__name")[:limit]))
