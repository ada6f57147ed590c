"""The town (and county) league table, 镇比拼晾晒: per unit its villages, sum, mean, median, highest,
share over each tier line, tiers, 薄弱村 and 空壳村, growth; ranked by one of `UNIT_SORTS`."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import connections
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum, Value
from django.utils.translation import gettext_lazy as _

from config.db_routers import read_db
from ledger.figures import FIGURE_NAMES
from ledger.models import LedgerYear
from villages.models import County, Town

from ..aggregates import Median
from ..rules import Rules, ScopeRules
from .scope import ZERO, Scope, growth_pct, mean, money, rank_in_place
from .sql import Params, fetch_all, figure_column

UNITS = ("town", "county")


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
    # Like with like: this year's sum over the villages that also reported last year (whose sum
    # last year is `previous_total`, over `previous_villages` villages). None: not read.
    comparable_total: Decimal | None = None

    @property
    def unreported(self) -> bool:
        """No village of the unit has figures this year (listed as 未报送, not left out)."""
        return self.villages == 0

    @cached_property  # the sort key by default, read again by the rank and the page
    def mean(self) -> Decimal | None:
        return mean(self.total, self.villages)

    @property
    def previous_mean(self) -> Decimal | None:
        return mean(self.previous_total, self.previous_villages)

    @property
    def growth(self) -> Decimal | None:
        """Growth of the sum over the villages that reported both years."""
        current = self.total if self.comparable_total is None else self.comparable_total
        return growth_pct(current, self.previous_total)

    @property
    def mean_growth(self) -> Decimal | None:
        """Growth of the mean over the same villages."""
        if self.comparable_total is None:
            return growth_pct(self.mean, self.previous_mean)
        return growth_pct(mean(self.comparable_total, self.previous_villages), self.previous_mean)

    @property
    def over_line_shares(self) -> list[Decimal | None]:
        return [(Decimal(n * 100) / self.villages).quantize(Decimal("0.1")) if self.villages else None
                for n in self.over_line]

    @property
    def weak_share(self) -> Decimal | None:
        return (Decimal(self.weak * 100) / self.villages).quantize(Decimal("0.1")) if self.villages else None


# Sort → (label, key: best first when sorted by -key).
UNIT_SORTS: dict[str, tuple[str, Callable[[UnitRow], Decimal | int]]] = {
    "mean": (_("村均"), lambda r: r.mean or ZERO),
    "total": (_("合计"), lambda r: r.total),
    "median": (_("中位数"), lambda r: r.median or ZERO),
    "growth": (_("增长率"), lambda r: r.growth if r.growth is not None else Decimal("-1e9")),
    "weak": (_("薄弱村占比（少者在前）"), lambda r: -(r.weak_share or ZERO)),
    "villages": (_("村数"), lambda r: r.villages),
}


def _count(condition: Q | None) -> Count | Value:
    return Count("pk", filter=condition) if condition is not None else Value(0)


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


def _ranked_units(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str, by: str, sort: str,
                  previous: bool, aggregates: dict, include_empty: bool = False) -> tuple[list[UnitRow], dict]:
    """The units with data in `year`, ranked by `sort`, and each unit's row of `aggregates` (3 queries).

    The GROUP BY is on the unit's id alone and the names come in a query of their own: grouping by
    the joined names as well made PostgreSQL sort every village-year by text (10 ms for 1,250 towns).
    """
    assert metric in FIGURE_NAMES and by in UNITS
    reported = {y: scope.ledger_years(year_statuses).filter(year=y).values("village_id") for y in (year, year - 1)}
    comparable = {}
    if previous:
        # Like with like: growth compares the villages that reported both years.
        comparable = {"comparable_total": Sum(metric, filter=Q(village_id__in=reported[year - 1]))}
    current = {r["unit"]: r for r in scope.ledger_years(year_statuses).filter(year=year).order_by()
               .values(unit=F(f"{by}_id")).annotate(villages=Count("pk"), total=Sum(metric), **comparable,
                                                    **aggregates)}
    before = {}
    if previous:
        before = {r["unit"]: r for r in scope.ledger_years(year_statuses).filter(
            year=year - 1, village_id__in=reported[year]).order_by()
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
                            previous_villages=last.get("villages", 0), median=r.get("median"), weak=r.get("weak", 0),
                            comparable_total=(money(r["comparable_total"]) or ZERO) if previous else None))
    key = UNIT_SORTS.get(sort, UNIT_SORTS["mean"])[1]
    rows.sort(key=lambda r: (-key(r), r.code))
    rank_in_place(rows, key)
    if include_empty:
        # Units without a single village's figures: listed last as 未报送, unranked.
        rows += [UnitRow(pk=pk, name=name, code=code, parent_name=parent or "", villages=0, total=ZERO,
                         previous_total=None, previous_villages=0, bands=[], rank=0)
                 for pk, (name, code, parent) in sorted(names.items(), key=lambda item: item[1][1])
                 if pk not in current]
    return rows, current


def unit_table(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules,
               by: str = "town", sort: str = "mean", previous: bool = True,
               include_empty: bool = False) -> list[UnitRow]:
    """One row per town (or county) of the scope with its statistics, ranked (3 queries: the year,
    last year, the names; `previous=False` skips last year, and growth is then unknown). Growth
    compares the villages that reported both years. `include_empty`: the units without figures
    follow, unranked, as 未报送.
    """
    rows, found = _ranked_units(scope=scope, year=year, year_statuses=year_statuses, metric=metric, by=by, sort=sort,
                                previous=previous, aggregates=_unit_statistics(rules, metric),
                                include_empty=include_empty)
    for row in rows:
        if row.pk in found:
            _set_statistics(row, found[row.pk], rules)
        else:
            row.bands = [0] * (len(rules.main.tiers) + 1)
            row.over_line = [0] * len(rules.main.tiers)
    return rows


# The sorts whose key the database computes from a unit's sums alone, to the rounding of UNIT_SORTS:
# on PostgreSQL a province's 1,250 towns are then ranked and cut to a page in one query, and only
# the page's rows reach Python (building and sorting every town's row in Python took ~20 ms).
UNIT_SQL_KEYS = {
    "mean": "ROUND(s.total / s.villages, 2)",
    "total": "s.total",
    "villages": "s.villages",
    "growth": ("CASE WHEN s.prev_total > 0 THEN ROUND((COALESCE(s.comparable_total, 0) - s.prev_total) * 100"
               " / s.prev_total, 1) ELSE -1e9 END"),
}

UNITS_PAGE_SQL = """
WITH cur AS (
    SELECT {unit} AS unit, village_id, {metric} AS value FROM {table}
    WHERE year = %(year)s AND status IN ({statuses})
), prev AS (
    SELECT village_id, {metric} AS value FROM {table} WHERE year = %(previous_year)s AND status IN ({statuses})
), s AS (
    -- Like with like: last year's villages and sums are those of the villages that reported this year.
    SELECT cur.unit, COUNT(*) AS villages, SUM(cur.value) AS total,
           SUM(CASE WHEN prev.village_id IS NOT NULL THEN cur.value END) AS comparable_total,
           COUNT(prev.village_id) AS prev_villages, SUM(prev.value) AS prev_total
    FROM cur LEFT JOIN prev ON prev.village_id = cur.village_id
    GROUP BY cur.unit
), ranked AS (
    SELECT s.*, {key} AS sort_key, COUNT(*) OVER () AS units FROM s WHERE s.villages > 0
), numbered AS (
    SELECT ranked.*, RANK() OVER (ORDER BY sort_key DESC) AS rnk FROM ranked
)
SELECT n.unit, n.villages, n.total, n.prev_villages, n.prev_total, n.rnk, n.units, u.name, u.code, {parent},
       n.comparable_total
FROM numbered n JOIN {units_table} u ON u.id = n.unit{parent_join}
ORDER BY n.sort_key DESC, u.code LIMIT %(limit)s OFFSET %(offset)s
"""


def _units_page_sql(*, year: int, year_statuses: Sequence[str], metric: str, by: str, sort: str, limit: int,
                    offset: int) -> tuple[list[UnitRow], int]:
    """A page of a province's towns (or counties) ranked by `sort` (one of UNIT_SQL_KEYS), and how
    many there are, in one query (PostgreSQL: ranks by a window function)."""
    assert by in UNITS
    quote = connections[read_db()].ops.quote_name
    if by == "town":
        units_table, parent = quote(Town._meta.db_table), "p.name"
        parent_join = f" JOIN {quote(County._meta.db_table)} p ON p.id = u.county_id"
    else:
        units_table, parent, parent_join = quote(County._meta.db_table), "u.city", ""
    params = Params(year=year, previous_year=year - 1, limit=int(limit), offset=int(offset))
    sql = UNITS_PAGE_SQL.format(unit=quote(f"{by}_id"), metric=figure_column(metric, quote),
                                table=quote(LedgerYear._meta.db_table), statuses=params.values("status", year_statuses),
                                key=UNIT_SQL_KEYS[sort], units_table=units_table, parent=parent,
                                parent_join=parent_join)
    fetched = fetch_all(sql, params)
    rows = [UnitRow(pk=unit, name=name, code=code, parent_name=parent_name or "", villages=villages,
                    total=money(total) or ZERO, previous_total=money(previous_total),
                    previous_villages=previous_villages, rank=rank,
                    comparable_total=money(comparable_total) or ZERO)
            for unit, villages, total, previous_villages, previous_total, rank, _, name, code, parent_name,
            comparable_total in fetched]
    return rows, fetched[0][6] if fetched else 0


def unit_table_page(*, scope: Scope, year: int, year_statuses: Sequence[str], metric: str, rules: ScopeRules,
                    by: str = "town", sort: str = "mean", limit: int, offset: int = 0,
                    include_empty: bool = False) -> tuple[list[UnitRow], int]:
    """A page of `unit_table`, and how many units there are in all (at most 4 queries).

    Ranking takes only counts and sums (and the statistic sorted by, for 中位数 and 薄弱村占比); a
    province's statistics are then read for the page's units alone, which halves the time for its
    1,250 towns, and on PostgreSQL the ranking itself is cut to the page in the database
    (`_units_page_sql`, 2 queries in all). A county's dozen towns are read whole.
    """
    if scope.level != "province":
        rows = unit_table(scope=scope, year=year, year_statuses=year_statuses, metric=metric, rules=rules, by=by,
                          sort=sort, include_empty=include_empty)
        return rows[offset:offset + limit], len(rows)
    statistics = _unit_statistics(rules, metric)
    if connections[read_db()].vendor == "postgresql" and sort in UNIT_SQL_KEYS:
        page, count = _units_page_sql(year=year, year_statuses=year_statuses, metric=metric, by=by, sort=sort,
                                      limit=limit, offset=offset)
    else:
        needed = {"median": ["median"], "weak": ["weak"]}.get(sort, [])
        rows, _ = _ranked_units(scope=scope, year=year, year_statuses=year_statuses, metric=metric, by=by, sort=sort,
                                previous=True, aggregates={name: statistics[name] for name in needed})
        page, count = rows[offset:offset + limit], len(rows)
    if page:
        found = {r["unit"]: r for r in scope.ledger_years(year_statuses).filter(
            year=year, **{f"{by}_id__in": [row.pk for row in page]}).order_by()
            .values(unit=F(f"{by}_id")).annotate(**statistics)}
        for row in page:
            _set_statistics(row, found[row.pk], rules)
    if include_empty:
        # The units without figures follow the ranked ones as 未报送 (2 queries, only for the pages
        # that reach them, and the count).
        model = Town if by == "town" else County
        reported = LedgerYear.objects.filter(year=year, status__in=year_statuses, **{f"{by}_id": OuterRef("pk")})
        empty = model.objects.filter(~Exists(reported)).order_by("code")
        if not page and offset:  # past the ranked units, the page query could not say how many there are
            count = (LedgerYear.objects.filter(year=year, status__in=year_statuses).order_by()
                     .values(f"{by}_id").distinct().count())
        start = max(0, offset - count)
        room = limit - len(page)
        if room > 0:
            parent = "county__name" if by == "town" else "city"
            page = page + [UnitRow(pk=pk, name=name, code=code, parent_name=parent_name or "", villages=0, total=ZERO,
                                   previous_total=None, previous_villages=0, rank=0,
                                   bands=[0] * (len(rules.main.tiers) + 1), over_line=[0] * len(rules.main.tiers))
                           for pk, name, code, parent_name in empty.values_list("pk", "name", "code", parent)
                           [start:start + room]]
        count += empty.count()
    return page, count
