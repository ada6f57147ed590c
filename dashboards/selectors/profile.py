"""A village's profile (村档案): its years with its rank in county and town, its whole statement (收益
and 收益分配, losses included) line by line over the years, its shares and dividends, its party
organisations and enterprises.

Across the change of accounting system (2023 → 2024) a line whose definition changed (经营收入, 投资收益
took in the old 发包及上交收入) is not the same thing in both years: its 2024 cell carries a note with
where 2023's 发包及上交收入 went, and the page says so under the table."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ledger.figures import FIGURE_NAMES, FIGURES
from ledger.models import LedgerLine, LedgerYear, Share
from ledger.money import format_wan
from ledger.systems import SYSTEMS, SYSTEMS_BY_CODE
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
    code: str = ""  # item or figure code
    notes: dict[int, str] = field(default_factory=dict)  # year → why this cell is not last year's kind


@dataclass(frozen=True)
class SystemChange:
    """The first year of the village's statements under another accounting system, and what moved."""

    year: int
    document: str  # 财会〔2023〕14号
    changed: tuple[str, ...]  # lines whose definition changed (经营收入, 投资收益)
    folded: tuple[tuple[str, Decimal], ...]  # last year's lines booked in them now (发包及上交收入, 元)

    @property
    def into(self) -> str:
        return "和".join(self.changed)

    @property
    def summary(self) -> str:
        """What the page says under the statement, and each changed cell's note."""
        moved = "；".join(f"{self.year - 1} 年的{name} {format_wan(amount)} 万元并入{self.into}"
                         for name, amount in self.folded)
        return (f"{self.year} 年起执行{self.document}，{moved + '；' if moved else ''}"
                f"{'、'.join(self.changed)}的口径与 {self.year - 1} 年不同，两年不能直接比较。")


def _line_order() -> dict[str, int]:
    """Every item code of both systems in one order: the older system's form, with each line only the
    newer one has placed after the line it follows there (税金及附加 after 经营支出 …)."""
    order: list[str] = []
    for spec in SYSTEMS:
        previous = None
        for item in spec["items"]:
            if item.code not in order:
                order.insert(order.index(previous) + 1 if previous else 0, item.code)
            previous = item.code
    return {code: position for position, code in enumerate(order)}


LINE_ORDER = _line_order()
# The derived rows where the statement has them (before the line named), then the policy figures.
DERIVED_BEFORE = (("operating_profit", "agricultural_tax_rebate"), ("net_income", "income_tax"),
                  ("net_profit", "opening_undistributed"), ("distributable", "reserve_fund"),
                  ("distributions", "reserve_fund"))
TRAILING_FIGURES = ("closing_undistributed", "total_income", "operating_income", "total_expense")


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
    system_changes: list[SystemChange] = field(default_factory=list)

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
        LedgerYear.objects.filter(village=village, status__in=year_statuses).select_related("system")
        .order_by("year").annotate(
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
             .values_list("ledger_year__year", "item__code", "item__name", "item__kind", "name", "amount",
                          "share_id"))
    items: dict[str, StatementRow] = {}
    sub_lines: dict[tuple[str, str], StatementRow] = {}
    dividends: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for year, code, item_name, kind, name, amount, share_id in lines:
        row = items.setdefault(code, StatementRow(label=item_name, amounts={}, kind=kind, code=code))
        row.amounts[year] = row.amounts.get(year, ZERO) + amount
        if name:
            sub = sub_lines.setdefault((code, name), StatementRow(label=name, amounts={}, level=1, kind=kind))
            sub.amounts[year] = sub.amounts.get(year, ZERO) + amount
        if share_id:
            dividends[(share_id, year)] += amount
    changes = _system_changes(years, items)
    statement = _statement_rows(years, items, sub_lines, changes)
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
        composition=composition, system_changes=changes,
    )


def _figure_row(code: str, years: list[LedgerYear]) -> StatementRow:
    return StatementRow(label=FIGURE_NAMES[code], level=2, code=code,
                        amounts={ly.year: getattr(ly, code) for ly in years})


def _statement_rows(years: list[LedgerYear], items: dict[str, StatementRow],
                    sub_lines: dict[tuple[str, str], StatementRow], changes: list[SystemChange]) -> list[StatementRow]:
    """Both halves in the form's order: lines (with their 项目 under them), the derived rows where the
    statement has them, then 年末未分配收益 and the policy figures."""
    codes = sorted(items, key=lambda code: LINE_ORDER.get(code, len(LINE_ORDER)))
    # A derived row stands before the first line of the order that is not before its place.
    pending = list(DERIVED_BEFORE)
    statement: list[StatementRow] = []
    for code in codes:
        while pending and LINE_ORDER[pending[0][1]] <= LINE_ORDER.get(code, len(LINE_ORDER)):
            statement.append(_figure_row(pending.pop(0)[0], years))
        statement.append(items[code])
        statement += [row for (parent, _), row in sorted(sub_lines.items()) if parent == code]
    statement += [_figure_row(figure, years) for figure, _ in pending]
    statement += [_figure_row(code, years) for code in TRAILING_FIGURES]
    for change in changes:
        for row in statement:
            if row.level == 0 and row.label in change.changed and change.year in row.amounts:
                row.notes[change.year] = change.summary
            elif row.level == 0 and any(row.label == name for name, _ in change.folded):
                row.notes[change.year - 1] = f"{change.year} 年起并入{change.into}"
    return statement


def _system_changes(years: list[LedgerYear], items: dict[str, StatementRow]) -> list[SystemChange]:
    """Where two consecutive years of the village fall under different systems."""
    changes = []
    for last, this in zip(years, years[1:], strict=False):
        if this.year != last.year + 1 or this.system_id == last.system_id:
            continue
        spec = SYSTEMS_BY_CODE[this.system.code]
        folded = tuple((items[code].label, items[code].amounts[last.year]) for code in spec["folded_in"]
                       if code in items and items[code].amounts.get(last.year))
        changes.append(SystemChange(
            year=this.year, document=spec["document"], folded=folded,
            changed=tuple(item.name for item in spec["items"] if item.definition_changed)))
    return changes
