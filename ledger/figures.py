"""The figures kept on every village-year (总收入, 经营性收入 …): their codes and names, in one place.

The definitions (which lines add up to which figure, per accounting system) are the reference data in
`fixtures/accounting_systems.json`, read by `ledger.systems`; every list of figures elsewhere (the
`LedgerYear` columns, the dashboards' choices, the entry page's totals, the exports) derives from
this module instead of spelling the codes again.
"""

from .systems import METRICS, SYSTEMS_BY_CODE, DerivedSpec

# Every figure, in the order the statement and the exports show them.
FIGURES: tuple[str, ...] = tuple(METRICS)
FIGURE_NAMES: dict[str, str] = {code: spec.name for code, spec in METRICS.items()}

# The policy figures shown below the statement (and in the exports after the lines).
STATEMENT_FIGURES: tuple[str, ...] = ("total_income", "operating_income", "operating_profit", "net_income")

# The derived rows of each system's statement (经营收益, 本年收益 …), computed as the cadre types.
DERIVED_ROWS: dict[str, tuple[DerivedSpec, ...]] = {code: tuple(spec["derived"]) for code, spec in SYSTEMS_BY_CODE.items()}

# The derived figures of the 收益分配 half (可分配收益 and below).
DISTRIBUTION_FIGURES: frozenset[str] = frozenset({"distributable", "distributions", "closing_undistributed"})

# Rankings and tiers offer these, the one most reports rank on first. The distribution half's
# balances (年初/年末未分配收益, 可分配收益, 各项分配) are kept and summed, not ranked.
RANKING_FIGURES: tuple[str, ...] = ("operating_income", "total_income", "operating_profit", "net_income",
                                    "net_profit", "investment_income", "subsidy_income", "total_expense")
FIGURE_CHOICES: list[tuple[str, str]] = [(code, FIGURE_NAMES[code]) for code in RANKING_FIGURES]

# Figures that cannot be below zero (sums of lines that cannot): the database checks them.
NON_NEGATIVE_FIGURES: tuple[str, ...] = ("subsidy_income", "total_expense")

assert set(RANKING_FIGURES) <= set(FIGURES) and set(STATEMENT_FIGURES) <= set(FIGURES)
assert all(row.metric in METRICS for rows in DERIVED_ROWS.values() for row in rows)
