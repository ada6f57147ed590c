"""The figures kept on every village-year (总收入, 经营性收入 …): their codes and names, in one place.

The definitions (which lines add up to which figure, per accounting system) are the reference data in
`fixtures/accounting_systems.json`, read by `ledger.systems`; every list of figures elsewhere (the
`LedgerYear` columns, the dashboards' choices, the entry page's totals, the exports) derives from
this module instead of spelling the codes again.
"""

from .systems import METRICS

# Every figure, in the order the statement and the exports show them.
FIGURES: tuple[str, ...] = tuple(METRICS)
FIGURE_NAMES: dict[str, str] = {code: spec.name for code, spec in METRICS.items()}

# The figures the entry page totals as the cadre types (the derived lines of the statement).
STATEMENT_FIGURES: tuple[str, ...] = ("total_income", "operating_income", "operating_profit", "net_income")

# Rankings and tiers offer every figure, the one most reports rank on first.
RANKING_FIGURES: tuple[str, ...] = ("operating_income", "total_income", "operating_profit", "net_income",
                                    "investment_income", "subsidy_income", "total_expense")
FIGURE_CHOICES: list[tuple[str, str]] = [(code, FIGURE_NAMES[code]) for code in RANKING_FIGURES]

assert set(RANKING_FIGURES) == set(FIGURES) and set(STATEMENT_FIGURES) <= set(FIGURES)
