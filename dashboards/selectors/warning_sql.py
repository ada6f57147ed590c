"""The 三色预警 checks, as one SQL statement over a year's and last year's `LedgerYear` figures.

Each check is one condition; each village gets two bit masks, the red and the yellow checks it
fails (bit i: `CHECK_CODES[i]`). The database evaluates them for a province's 25,000 villages in
one pass, so Python only reads the villages that have a warning, and writes sentences only for the
warnings a page shows (`warnings.describe`). This is the one definition of what each check means.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections

from config.db_routers import read_db
from ledger.figures import FIGURE_NAMES
from ledger.models import LedgerYear, LedgerYearEvent, Share
from villages.models import Town, Village

from ..rules import Rules, ScopeRules
from .progress import REPORTED
from .sql import Params, fetch_all, figure_column

# The checks, worst first within a colour; a check's bit is its position.
CHECK_CODES = ("not_reported", "unit_slip", "net_loss", "operating_drop", "net_income_drop", "shell", "weak",
               "carry_forward", "investment_no_share", "share_no_dividend", "reopened")
BIT = {code: 1 << i for i, code in enumerate(CHECK_CODES)}
# The figures a 100× jump (or a fall to 1/100) most likely comes from: 万元 typed as 元, or back.
SLIP_FIGURES = ("total_income", "operating_income", "total_expense")
DROP_FIGURES = {"operating_drop": "operating_income", "net_income_drop": "net_income"}


@dataclass(frozen=True)
class Limits:
    """A county's 三色预警 limits (`models.WarningRules`, or its defaults)."""

    drop_percent: Decimal
    red_drop_percent: Decimal
    jump_ratio: Decimal


WARNINGS_SQL = """
WITH lim(county_id, drop_pct, red_pct, ratio) AS (VALUES {limits}),
base AS (
    SELECT v.id AS village_id, v.town_id AS town_id, t.county_id AS county_id, cur.id AS ly_id,
           cur.status AS status, {cur_columns}, {prev_columns}, prev.id AS prev_id,
           CAST(COALESCE(lim.drop_pct, %(drop_pct)s) AS NUMERIC) AS drop_pct,
           CAST(COALESCE(lim.red_pct, %(red_pct)s) AS NUMERIC) AS red_pct,
           CAST(COALESCE(lim.ratio, %(ratio)s) AS NUMERIC) AS ratio,
           CASE WHEN sh.holder_id IS NULL THEN 0 ELSE 1 END AS has_share,
           CASE WHEN ro.ledger_year_id IS NULL THEN 0 ELSE 1 END AS reopened
    FROM {village} v JOIN {town} t ON t.id = v.town_id
    LEFT JOIN {table} cur ON cur.village_id = v.id AND cur.year = %(year)s
    LEFT JOIN {table} prev ON prev.village_id = v.id AND prev.year = %(previous_year)s AND prev.status IN ({statuses})
    LEFT JOIN lim ON lim.county_id = t.county_id
    -- Joined as small sets rather than EXISTS per village: the checks read them several times.
    LEFT JOIN (SELECT DISTINCT s.holder_id FROM {share} s WHERE s.start_year <= %(year)s
               AND (s.end_year IS NULL OR s.end_year >= %(year)s)) sh ON sh.holder_id = v.id
    LEFT JOIN (SELECT DISTINCT e.ledger_year_id FROM {event} e WHERE e.action = 'reopen') ro
        ON ro.ledger_year_id = cur.id
    WHERE 1 = 1{scope}
), prim AS {materialized}(
    -- Each condition once per village (PostgreSQL keeps this step apart, so the masks below do not
    -- compute the numeric arithmetic again for every check that reads it).
    SELECT base.village_id, base.town_id, base.county_id, base.ly_id, base.status, base.drop_pct, base.red_pct,
           {primitives}
    FROM base
), flagged AS (
    SELECT prim.village_id, prim.town_id, prim.county_id, prim.ly_id, prim.status,
           {red} AS red, {yellow} AS yellow
    FROM prim
)
SELECT village_id, town_id, county_id, ly_id, status, red, yellow FROM flagged
WHERE red <> 0 OR yellow <> 0
ORDER BY town_id, village_id
"""


def _bits(conditions: Sequence[tuple[str, str]]) -> str:
    """Σ bit of each check whose condition holds (a NULL condition, as for a missing year, does not)."""
    if not conditions:
        return "0"
    return " + ".join(f"(CASE WHEN {condition} THEN {BIT[code]} ELSE 0 END)" for code, condition in conditions)


def _below(rules: ScopeRules, alias: str, which: str, params: Params) -> str:
    """The year's (`alias` "cur") or last year's ("prev") figure under the 薄弱村 (`which="weak"`) or
    空壳村 line of the village's county."""
    def condition(r: Rules, name: str) -> str:
        metric, line = (r.weak_metric, r.weak_line) if which == "weak" else (r.shell_metric, r.shell_line)
        assert metric in FIGURE_NAMES, metric
        # CAST: SQLite is handed Decimal parameters as text, which would compare as text.
        return f"base.{alias}_{metric} < CAST({params.value(name, line)} AS NUMERIC)"

    groups: dict[Rules, list[int]] = {}
    for county_id, r in rules.by_county.items():
        if rules.complete or r != rules.fallback:
            groups.setdefault(r, []).append(county_id)
    if rules.complete and len(groups) == 1:
        return condition(next(iter(groups)), f"{which}_{alias}_line")
    parts = []
    for i, (r, county_ids) in enumerate(groups.items()):
        ids = params.values(f"{which}_{alias}_c{i}", county_ids)
        parts.append(f"(base.county_id IN ({ids}) AND {condition(r, f'{which}_{alias}_line{i}')})")
    if not rules.complete:
        others = [c for ids in groups.values() for c in ids]
        rest = condition(rules.fallback, f"{which}_{alias}_fallback")
        if others:
            rest = f"(base.county_id NOT IN ({params.values(f'{which}_{alias}_others', others)}) AND {rest})"
        parts.append(rest)
    return "(" + " OR ".join(parts) + ")" if parts else "1 = 0"


def flagged_villages(*, scope_filter: dict[str, int], year: int, year_statuses: Sequence[str], rules: ScopeRules,
                     limits: dict[int, Limits], default: Limits, late_counties: Sequence[int] | None
                     ) -> list[tuple]:
    """(village id, town id, county id, village-year id or None, status or None, red bits, yellow bits)
    of every village of the scope with a warning in `year` (1 query), ordered by town and village.

    `scope_filter` is {"town_id": …} or {"county_id": …} (or empty: every village); figures are
    checked on the village-years in `year_statuses`; `late_counties` are the counties whose deadline
    has passed (None: all of them), where a village that has not handed the year in is late.
    """
    quote = connections[read_db()].ops.quote_name
    params = Params(year=year, previous_year=year - 1, drop_pct=default.drop_percent,
                    red_pct=default.red_drop_percent, ratio=default.jump_ratio)
    limit_rows = [f"({params.value(f'l{i}_c', c)}, {params.value(f'l{i}_d', x.drop_percent)}, "
                  f"{params.value(f'l{i}_r', x.red_drop_percent)}, {params.value(f'l{i}_j', x.jump_ratio)})"
                  for i, (c, x) in enumerate(sorted(limits.items()))]
    if not limit_rows:  # a row no county matches keeps the VALUES list valid
        limit_rows = ["(0, 0, 0, 0)"]
    scope_sql = ""
    for column, value in scope_filter.items():
        scope_sql += f" AND {'v.town_id' if column == 'town_id' else 't.county_id'} = {params.value('scope_id', value)}"
    counted = f"base.status IN ({params.values('counted', year_statuses)})"

    def col(alias: str, figure: str) -> str:
        return f"base.{alias}_{figure}"

    figures = sorted({"total_income", "operating_income", "total_expense", "net_income", "investment_income",
                      "opening_undistributed", "closing_undistributed"}
                     | set().union(*(r.metrics for r in rules.by_county.values()), rules.fallback.metrics))
    slips = {figure: (f"({col('cur', figure)} > 0 AND {col('prev', figure)} > 0 AND "
                      f"({col('cur', figure)} > {col('prev', figure)} * base.ratio OR "
                      f"{col('cur', figure)} * base.ratio < {col('prev', figure)}))") for figure in SLIP_FIGURES}
    late = "1 = 1" if late_counties is None else (
        f"base.county_id IN ({params.values('late', late_counties)})" if late_counties else "1 = 0")
    # name → condition on `base`, each computed once into a 0/1 column of `prim` (`fall_*`: the fall
    # in % of last year's figure, NULL when it did not fall or looks like a unit slip).
    flags = {
        "counted": counted,
        "has_prev": "base.prev_id IS NOT NULL",
        "slipped": " OR ".join(slips.values()),
        "net_loss": f"{col('cur', 'net_income')} < 0",
        "shell": _below(rules, "cur", "shell", params),
        "weak": _below(rules, "cur", "weak", params),
        "prev_weak": _below(rules, "prev", "weak", params),
        "carry": f"{col('cur', 'opening_undistributed')} <> {col('prev', 'closing_undistributed')}",
        "no_share": f"{col('cur', 'investment_income')} <> 0 AND base.has_share = 0",
        "no_dividend": f"{col('cur', 'investment_income')} = 0 AND base.has_share = 1",
        "reopened": "base.reopened = 1",
        "late": f"(base.status IS NULL OR base.status NOT IN ({params.values('reported', REPORTED)})) AND {late}",
    }
    primitives = [f"CASE WHEN {condition} THEN 1 ELSE 0 END AS {name}" for name, condition in flags.items()]
    for figure in DROP_FIGURES.values():
        not_slip = f" AND NOT {slips[figure]}" if figure in slips else ""
        primitives.append(
            f"CASE WHEN {col('prev', figure)} > 0 AND {col('cur', figure)} < {col('prev', figure)}{not_slip} "
            # 100.0: SQLite keeps whole amounts as integers and would divide them as integers.
            f"THEN ({col('prev', figure)} - {col('cur', figure)}) * 100.0 / {col('prev', figure)} END AS fall_{figure}")

    def on(*names: str) -> str:
        return " AND ".join(f"prim.{name} = 1" for name in names)

    red = [
        ("not_reported", on("late")),
        ("unit_slip", on("counted", "has_prev", "slipped")),
        ("net_loss", on("counted", "net_loss")),
        *((code, f"{on('counted')} AND prim.fall_{figure} > prim.red_pct") for code, figure in DROP_FIGURES.items()),
        # 空壳村 is red whether new or not; its sentence says which (warnings.describe).
        ("shell", on("counted", "shell")),
        # Newly 薄弱村 this year is red; a village weak for years is yellow.
        ("weak", f"{on('counted', 'weak', 'has_prev')} AND prim.shell = 0 AND prim.prev_weak = 0"),
    ]
    yellow = [
        *((code, f"{on('counted')} AND prim.fall_{figure} > prim.drop_pct AND prim.fall_{figure} <= prim.red_pct")
          for code, figure in DROP_FIGURES.items()),
        ("weak", f"{on('counted', 'weak')} AND prim.shell = 0 AND (prim.has_prev = 0 OR prim.prev_weak = 1)"),
        ("carry_forward", on("counted", "has_prev", "carry")),
        ("investment_no_share", on("counted", "no_share")),
        ("share_no_dividend", on("counted", "no_dividend")),
        ("reopened", on("reopened")),
    ]
    vendor = connections[read_db()].vendor
    sql = WARNINGS_SQL.format(
        limits=", ".join(limit_rows), table=quote(LedgerYear._meta.db_table), village=quote(Village._meta.db_table),
        town=quote(Town._meta.db_table), share=quote(Share._meta.db_table),
        event=quote(LedgerYearEvent._meta.db_table), statuses=params.values("status", year_statuses),
        cur_columns=", ".join(f"cur.{figure_column(f, quote)} AS cur_{f}" for f in figures),
        prev_columns=", ".join(f"prev.{figure_column(f, quote)} AS prev_{f}" for f in figures),
        scope=scope_sql, red=_bits(red), yellow=_bits(yellow), primitives=",\n           ".join(primitives),
        materialized="MATERIALIZED " if vendor == "postgresql" else "",
    )
    return list(fetch_all(sql, params))
