"""Reads for the entry pages, each in a fixed number of queries whatever the size of the town."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Town, Village

from .checks import item_totals
from .figures import DERIVED_ROWS, DISTRIBUTION_FIGURES, STATEMENT_FIGURES
from .metrics import figures_for
from .models import (
    AccountingSystem,
    LedgerLine,
    LedgerRules,
    LedgerYear,
    LedgerYearEvent,
    LineItem,
    Metric,
    MetricTerm,
)
from .systems import SYSTEMS_BY_CODE

NOT_ENTERED = "none"  # 未填报: no village-year row yet
YEARS_SHOWN = 6


def default_year(town_ids: list[int] | None = None) -> int:
    """The year people are entering now: last calendar year (accounts close after the year ends),
    or a later one if some village of the towns already has it."""
    year = timezone.localdate().year - 1
    if town_ids:
        latest = LedgerYear.objects.filter(town_id__in=town_ids).aggregate(latest=Max("year"))["latest"]
        if latest:
            year = max(year, min(latest, year + 1))
    return year


@dataclass
class VillageRow:
    village: Village
    years: list[tuple[int, str]]  # (year, status or NOT_ENTERED), in the order asked for


def town_year_grid(villages: QuerySet[Village], years: list[int]) -> list[VillageRow]:
    """Each village with the state of each year: two queries."""
    villages = list(villages.order_by("code"))
    status = {
        (village_id, year): value
        for village_id, year, value in LedgerYear.objects.filter(
            village__in=[v.pk for v in villages], year__in=years
        ).values_list("village_id", "year", "status")
    }
    return [VillageRow(v, [(year, status.get((v.pk, year), NOT_ENTERED)) for year in years]) for v in villages]


def town_year_counts(town: Town, year: int) -> dict[str, int]:
    """How many of the town's village-years of `year` are at each state (1 query); 草稿 and 已退回
    count only those with amounts, as only they can be submitted ("open": both together)."""
    rows = (LedgerYear.objects.filter(town=town, year=year).order_by().values("status")
            .annotate(n=Count("pk", filter=~Q(status__in=LedgerYear.OPEN_STATUSES) | Q(lines__isnull=False),
                            distinct=True)))
    counts = {row["status"]: row["n"] for row in rows}
    counts["open"] = sum(counts.get(status, 0) for status in LedgerYear.OPEN_STATUSES)
    return counts


def town_summaries(towns: QuerySet[Town], year: int) -> list[dict]:
    """Towns with their number of villages and how many of them are at each state for `year`."""
    towns = list(towns.select_related("county").annotate(village_count=Count("villages")).order_by("code"))
    counts = defaultdict(dict)
    for town_id, status, n in (LedgerYear.objects.filter(town__in=[t.pk for t in towns], year=year)
                               .values_list("town_id", "status").annotate(n=Count("pk")).order_by()):
        counts[town_id][status] = n
    rows = []
    for town in towns:
        by_status = counts[town.pk]
        entered = sum(by_status.values())
        rows.append({"town": town, "village_count": town.village_count, "not_entered": town.village_count - entered,
                     "draft": by_status.get("draft", 0), "submitted": by_status.get("submitted", 0),
                     "returned": by_status.get("returned", 0), "approved": by_status.get("approved", 0)})
    return rows


@dataclass
class FigureRow:
    code: str
    name: str
    value: Decimal
    last: Decimal | None
    line_number: int | None = None  # a derived row of the statement: its row

    @property
    def change(self) -> Decimal | None:
        return None if self.last is None else self.value - self.last

    @property
    def is_distribution_half(self) -> bool:
        return self.code in DISTRIBUTION_FIGURES


@dataclass(frozen=True)
class FoldedLine:
    """Last year's line of the previous system whose money this year's system books elsewhere
    (2023's 发包及上交收入, in 2024's 经营收入 and 投资收益)."""

    name: str
    amount: Decimal
    into: str  # the names of this year's lines that took it in (经营收入和投资收益)


@dataclass
class Statement:
    """What the village-year page shows, read in a fixed number of queries."""

    village: Village
    year: int
    ledger_year: LedgerYear | None
    system: AccountingSystem
    items: list[LineItem]
    lines: list[LedgerLine]
    last_year: LedgerYear | None
    # Last year's amounts by item code (the systems differ across 2023/2024; codes line up).
    last_by_code: dict[str, Decimal] = field(default_factory=dict)
    last_by_code_and_name: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    rules: LedgerRules | None = None
    figure_names: dict[str, str] = field(default_factory=dict)
    # item id → [(figure code, +1/−1)]: the definitions, for the page script.
    terms: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    # Last year was under the other accounting system (2023 → 2024): lines whose definition changed
    # are not compared with last year's same-named line.
    last_other_system: bool = False
    folded: list[FoldedLine] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.ledger_year.version if self.ledger_year else 0

    @property
    def carried_forward(self) -> Decimal | None:
        """Last year's 年末未分配收益, which this year's 年初未分配收益 should be (None: no last year)."""
        if self.last_year is None or not self.last_by_code:
            return None
        return self.last_year.closing_undistributed

    @property
    def last_names(self) -> dict[str, list[str]]:
        """Last year's 项目 names by item code ("" for a line without one)."""
        names: dict[str, list[str]] = {}
        for code, name in self.last_by_code_and_name:
            names.setdefault(code, []).append(name)
        return names

    def comparable(self, item: LineItem) -> bool:
        """Whether the line can be compared with last year's line of the same code."""
        return not (self.last_other_system and item.definition_changed)

    @property
    def row_numbers(self) -> dict[int, int | None]:
        """The number each item shows: the national form's 代码 where the system has them (the 2004
        system; 农业税附加返还收入 has none), else the statement's 行次."""
        with_codes = any(item.form_code for item in self.items)
        return {item.pk: item.form_code if with_codes else item.line_number for item in self.items}

    def derived(self, totals: dict[int, Decimal] | None = None) -> list[FigureRow]:
        """The derived rows of this system's statement (经营收益, 本年收益/收益总额 …) beside last year's."""
        values = figures_for((totals if totals is not None else self.stored_totals).items())
        return [FigureRow(row.metric, row.name, values[row.metric],
                          getattr(self.last_year, row.metric) if self.last_year else None, row.line_number)
                for row in DERIVED_ROWS[self.system.code]]

    @property
    def stored_totals(self) -> dict[int, Decimal]:
        return item_totals((line.item_id, line.amount) for line in self.lines)

    def figures(self, totals: dict[int, Decimal] | None = None) -> list[FigureRow]:
        """The policy figures of `totals` (default: what is stored) beside last year's."""
        values = figures_for((totals if totals is not None else self.stored_totals).items())
        return [FigureRow(code, self.figure_names.get(code, code), values[code],
                          getattr(self.last_year, code) if self.last_year else None)
                for code in STATEMENT_FIGURES]


def statement_for(village: Village, year: int) -> Statement:
    """The village-year (or None if nobody entered it), its system's items, lines, and last year's."""
    ledger_year = LedgerYear.objects.filter(village=village, year=year).select_related("system").first()
    system = ledger_year.system if ledger_year else AccountingSystem.for_year(year)
    items = list(LineItem.objects.filter(system=system).order_by("line_number"))
    lines = list(LedgerLine.objects.filter(ledger_year=ledger_year)) if ledger_year else []
    last_year = LedgerYear.objects.filter(village=village, year=year - 1).first()
    statement = Statement(village=village, year=year, ledger_year=ledger_year, system=system, items=items,
                          lines=lines, last_year=last_year,
                          rules=LedgerRules.for_county(village.town.county_id),
                          figure_names=dict(Metric.objects.filter(code__in=STATEMENT_FIGURES)
                                            .values_list("code", "name")))
    shown = {*STATEMENT_FIGURES, *(row.metric for row in DERIVED_ROWS[system.code])}
    for item_id, code, sign in MetricTerm.objects.filter(item__system=system, metric__code__in=shown) \
            .values_list("item_id", "metric__code", "sign"):
        statement.terms.setdefault(item_id, []).append((code, sign))
    if last_year is not None:
        by_code: dict[str, Decimal] = defaultdict(Decimal)
        names: dict[str, str] = {}
        for code, item_name, name, amount in LedgerLine.objects.filter(ledger_year=last_year).values_list(
                "item__code", "item__name", "name", "amount"):
            by_code[code] += amount
            names[code] = item_name
            statement.last_by_code_and_name[(code, name)] = amount
        statement.last_by_code = dict(by_code)
        statement.last_other_system = last_year.system_id != system.pk
        if statement.last_other_system:
            into = "和".join(item.name for item in items if item.definition_changed)
            statement.folded = [FoldedLine(names[code], by_code[code], into)
                                for code in SYSTEMS_BY_CODE[system.code]["folded_in"] if by_code.get(code)]
    return statement


@dataclass
class HistoryEntry:
    """One change of one amount (or one workflow step), as the history list shows it."""

    at: datetime
    who: str
    kind: str  # 新增 / 修改 / 删除, or the workflow action
    item: str = ""
    name: str = ""
    old: Decimal | None = None
    new: Decimal | None = None
    old_note: str | None = None
    new_note: str | None = None
    source: str = ""
    reason: str = ""
    is_event: bool = False


WORKFLOW_ACTIONS = {"submit", "withdraw", "approve", "reject", "reopen"}
_KIND = {"+": _("新增"), "~": _("修改"), "-": _("删除")}
# What history reads of the people it names (`person_name`), in the same query.
PERSON_RELATED = ("role__town", "role__county")


def person_name(user) -> str:
    """How a person is named on the pages: the full name given in their account (扬中市经管统计), else
    their role and place (八桥镇 镇审核人), never the login name unless nothing else is known."""
    if user is None:
        return str(_("系统"))
    if name := user.get_full_name().strip():
        return name
    try:
        role = user.role
    except ObjectDoesNotExist:
        return user.username
    place = role.town or role.county
    return f"{place.name} {role.get_role_display()}" if place else role.get_role_display()


_who = person_name


def ledger_year_history(ledger_year: LedgerYear | None, *, after: datetime | None = None,
                        limit: int = 300) -> list[HistoryEntry]:
    """Every change of an amount (from the simple-history rows of the lines) and every workflow step,
    newest first. `after` keeps only what happened later (the changes a late save would overwrite)."""
    if ledger_year is None:
        return []
    Historical = LedgerLine.history.model
    rows = Historical.objects.filter(ledger_year_id=ledger_year.pk).select_related(
        "history_user", *(f"history_user__{path}" for path in PERSON_RELATED)).order_by(
        "history_date", "history_id")
    items = dict(LineItem.objects.filter(system_id=ledger_year.system_id).values_list("pk", "name"))
    source_labels = dict(Historical._meta.get_field("history_source").choices)
    entries = []
    previous: dict[int, object] = {}
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        if after is not None and row.history_date <= after:
            continue
        old = before.amount if before is not None and row.history_type != "+" else None
        new = row.amount if row.history_type != "-" else None
        if row.history_type == "-":
            old = row.amount
        entries.append(HistoryEntry(
            at=row.history_date, who=_who(row.history_user), kind=str(_KIND.get(row.history_type, row.history_type)),
            item=items.get(row.item_id, ""), name=row.name, old=old, new=new,
            old_note=before.note if before is not None else None, new_note=row.note,
            source=source_labels.get(row.history_source, row.history_source),
            reason=row.history_change_reason or "",
        ))
    events = LedgerYearEvent.objects.filter(ledger_year=ledger_year).select_related(
        "actor", *(f"actor__{path}" for path in PERSON_RELATED))
    if after is not None:
        events = events.filter(at__gt=after)
    for event in events:
        if event.action == LedgerYearEvent.Action.SAVE and not event.reason:
            continue  # a plain save is already told by its line changes
        entries.append(HistoryEntry(at=event.at, who=_who(event.actor), kind=event.get_action_display(),
                                    source="审核流程" if event.action in WORKFLOW_ACTIONS else "",
                                    reason=event.reason, is_event=True))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def version_opened_at(ledger_year: LedgerYear, version: int) -> datetime | None:
    """When the village-year reached `version` (None: before it existed)."""
    if version <= 0:
        return None
    row = (LedgerYear.history.filter(id=ledger_year.pk, version=version).order_by("-history_date")
           .values_list("history_date", flat=True).first())
    return row
