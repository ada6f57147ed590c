"""A village's profile (村档案): its years with its rank in county and town, its statement line by line
over the years, its shares and dividends, its party organisations and enterprises."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ledger.figures import FIGURE_NAMES, FIGURES
from ledger.models import LedgerLine, LedgerYear, Share
from villages.models import Enterprise, PartyOrganization, Village

from ..rules import Rules
from .scope import ZERO


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
    amounts: dict[int, Decimal]  # year → 元
    level: int = 0  # 0 item, 1 sub-line (项目), 2 figure
    kind: str = ""


@dataclass
class Profile:
    village: Village
    metric: str
    years: list[ProfileYear]
    statement: list[StatementRow]
    shares: list[Share]
    dividends: dict[tuple[int, int], Decimal]  # (share id, year) → 元
    organizations: list[PartyOrganization]
    enterprises: list[Enterprise]
    composition: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def year_numbers(self) -> list[int]:
        return [y.ledger_year.year for y in self.years]


def _rank_subquery(metric: str, year_statuses: Sequence[str], area: str, above: bool) -> Coalesce:
    """How many village-years of the same year and area are ahead of this one (`above`), or there are."""
    condition = {f"{metric}__gt": OuterRef(metric)} if above else {}
    counted = (LedgerYear.objects.filter(status__in=year_statuses, year=OuterRef("year"),
                                         **{f"{area}_id": OuterRef(f"{area}_id")}, **condition)
               .order_by().values(f"{area}_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


def village_profile(*, village: Village, year_statuses: Sequence[str], metric: str, rules: Rules) -> Profile:
    """A village's years with its rank in county and town each year (counted in the database: 1 + the
    village-years ahead of it), its statement, shares and groups (6 queries)."""
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
                    tier=rules.tier_of({f: getattr(ly, f) for f in FIGURES}))
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
    for code in FIGURES:
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
