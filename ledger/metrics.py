"""The one place that turns a village-year's lines into its figures (总收入, 经营性收入 …).

The definitions are the `MetricTerm` rows (see `ledger.systems`); they change only through
migrations, so they are read once per process.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from .models import LedgerYear, MetricTerm

ZERO = Decimal("0.00")


@lru_cache(maxsize=1)
def _terms_by_item() -> dict[int, tuple[tuple[str, int], ...]]:
    terms: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for item_id, metric_code, sign in MetricTerm.objects.values_list("item_id", "metric__code", "sign"):
        terms[item_id].append((metric_code, sign))
    return {item_id: tuple(pairs) for item_id, pairs in terms.items()}


def clear_cache() -> None:
    _terms_by_item.cache_clear()


def figures_for(amounts: Iterable[tuple[int, Decimal]]) -> dict[str, Decimal]:
    """Figures from (item id, amount) pairs; items carry their system, so no system is passed."""
    terms = _terms_by_item()
    figures = dict.fromkeys(LedgerYear.FIGURES, ZERO)
    for item_id, amount in amounts:
        for metric_code, sign in terms.get(item_id, ()):
            figures[metric_code] += amount if sign > 0 else -amount
    return figures
