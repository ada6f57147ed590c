"""What every dashboard read shares: the scope a page covers, the statuses it counts, and the arithmetic
of its figures (growth, means, competition ranks)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext

from ledger.models import LedgerYear
from villages.models import County, Town

APPROVED = (LedgerYear.Status.APPROVED,)
APPROVED_AND_SUBMITTED = (LedgerYear.Status.APPROVED, LedgerYear.Status.SUBMITTED)
CENT = Decimal("0.01")
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


def money(value) -> Decimal | None:
    """A money column as Decimal 元: PostgreSQL returns Decimal, SQLite int or float for the same column."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENT)


def rank_in_place(rows: list, key: Callable) -> None:
    """Competition ranking (1, 2, 2, 4) over rows already sorted best first."""
    previous_value, previous_rank = object(), 0
    for index, row in enumerate(rows, start=1):
        value = key(row)
        row.rank = previous_rank if value == previous_value else index
        previous_value, previous_rank = value, row.rank


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
        return self.county.name if self.county else gettext("全部县（市、区）")

    @property
    def ledger_filter(self) -> dict[str, int]:
        """The scope as a condition on LedgerYear's own copies of town and county (column → id)."""
        if self.town:
            return {"town_id": self.town.pk}
        if self.county:
            return {"county_id": self.county.pk}
        return {}

    @property
    def village_filter(self) -> dict[str, int]:
        """The scope as a condition on Village."""
        if self.town:
            return {"town_id": self.town.pk}
        if self.county:
            return {"town__county_id": self.county.pk}
        return {}

    @property
    def county_ids(self) -> list[int] | None:
        if self.town:
            return [self.town.county_id]
        return [self.county.pk] if self.county else None

    def ledger_years(self, year_statuses: Sequence[str]) -> QuerySet[LedgerYear]:
        return LedgerYear.objects.filter(status__in=year_statuses, **self.ledger_filter)


def available_years(*, scope: Scope, year_statuses: Sequence[str]) -> list[int]:
    """Years with data in scope, newest first (1 query: min and max come from an index)."""
    bounds = scope.ledger_years(year_statuses).aggregate(first=Min("year"), last=Max("year"))
    if bounds["last"] is None:
        return []
    return list(range(bounds["last"], bounds["first"] - 1, -1))
