"""填报进度: per town (or county) how many villages have not started, have a draft, have submitted, were
sent back or are approved for a year, against the county's deadline; and one town's villages.

Statuses are counted by their stored value, so a status the workflow adds later (已退回) is counted
in its own column as soon as rows carry it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min
from django.utils import timezone

from ledger.models import LedgerYear
from villages.models import County, Town, Village

from ..models import ReportingDeadline, default_deadline
from .scope import Scope

NOT_STARTED = "none"
RETURNED = "returned"  # 已退回: added to LedgerYear.Status by the workflow; counted by value here
# The columns of the table, in the order of the workflow.
PROGRESS_STATUSES = (NOT_STARTED, "draft", "submitted", RETURNED, "approved")
# Counted as reported (报送) for the deadline: the town has handed the year in.
REPORTED = ("submitted", "approved")


@dataclass(frozen=True)
class Deadline:
    due_date: date
    custom: bool  # set by the county; otherwise the default of settings.REPORT_DEADLINE

    def days_left(self, today: date) -> int:
        """Days until the deadline (0 on the day itself), negative when overdue."""
        return (self.due_date - today).days


def deadlines_for(county_ids: Iterable[int], year: int) -> dict[int, Deadline]:
    """Each county's deadline for `year` (1 query): its own date, or the default."""
    county_ids = list(county_ids)
    custom = dict(ReportingDeadline.objects.filter(county_id__in=county_ids, year=year)
                  .values_list("county_id", "due_date"))
    fallback = Deadline(default_deadline(year), custom=False)
    return {c: Deadline(custom[c], custom=True) if c in custom else fallback for c in county_ids}


def share_pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ProgressRow:
    pk: int | None  # None for the total row
    name: str
    code: str
    villages: int
    counts: dict[str, int] = field(default_factory=dict)  # status value → villages
    deadline: Deadline | None = None  # None on a province's total row (counties differ)
    last_change: datetime | None = None

    @property
    def columns(self) -> list[int]:
        return [self.counts.get(status, 0) for status in PROGRESS_STATUSES]

    @property
    def approved(self) -> int:
        return self.counts.get("approved", 0)

    @property
    def reported(self) -> int:
        return sum(self.counts.get(status, 0) for status in REPORTED)

    @property
    def approved_share(self) -> Decimal | None:
        return share_pct(self.approved, self.villages)

    @property
    def behind(self) -> int:
        """Villages that have not handed the year in (未填报, 草稿, 已退回)."""
        return self.villages - self.reported


@dataclass
class ProgressTable:
    year: int
    today: date
    by: str  # "town" or "county"
    rows: list[ProgressRow]
    total: ProgressRow


def available_progress_years(*, scope: Scope, today: date | None = None) -> list[int]:
    """Years a progress page offers, newest first: every year with a village-year in scope (any
    status), and the year being reported now (last calendar year) even before anyone starts (1 query)."""
    today = today or timezone.localdate()
    bounds = LedgerYear.objects.filter(**scope.ledger_filter).aggregate(first=Min("year"), last=Max("year"))
    last = max(bounds["last"] or 0, today.year - 1)
    first = min(bounds["first"] or last, last)
    return list(range(last, first - 1, -1))


def progress_table(*, scope: Scope, year: int, today: date | None = None) -> ProgressTable:
    """Per town of a county or a town (per county of the province): villages, their statuses for
    `year`, the deadline and the latest change; and the total row (4 queries)."""
    today = today or timezone.localdate()
    by = "county" if scope.level == "province" else "town"
    if by == "town":
        units = Town.objects.filter(**({"pk": scope.town.pk} if scope.town else {"county_id": scope.county.pk}))
        units = units.annotate(villages_n=Count("villages")).values_list("pk", "name", "code", "villages_n",
                                                                          "county_id")
    else:
        units = County.objects.annotate(villages_n=Count("towns__villages")).values_list(
            "pk", "name", "code", "villages_n", "pk")
    units = [u for u in units if u[3]]
    counts: dict[int, dict[str, int]] = {}
    changes: dict[int, datetime] = {}
    for unit, status, n, changed in (LedgerYear.objects.filter(year=year, **scope.ledger_filter).order_by()
                                     .values_list(f"{by}_id", "status").annotate(n=Count("*"),
                                                                                 changed=Max("updated_at"))):
        counts.setdefault(unit, {})[status] = n
        if changed and (unit not in changes or changed > changes[unit]):
            changes[unit] = changed
    deadlines = deadlines_for({u[4] for u in units}, year)
    rows = []
    for pk, name, code, villages, county_id in sorted(units, key=lambda u: u[2]):
        found = counts.get(pk, {})
        row_counts = {**found, NOT_STARTED: max(0, villages - sum(found.values()))}
        rows.append(ProgressRow(pk=pk, name=name, code=code, villages=villages, counts=row_counts,
                                deadline=deadlines[county_id], last_change=changes.get(pk)))
    total_counts: dict[str, int] = {}
    for row in rows:
        for status, n in row.counts.items():
            total_counts[status] = total_counts.get(status, 0) + n
    distinct = set(deadlines.values())
    total = ProgressRow(pk=None, name="合计", code="", villages=sum(r.villages for r in rows), counts=total_counts,
                        deadline=distinct.pop() if len(distinct) == 1 else None,
                        last_change=max(changes.values(), default=None))
    return ProgressTable(year=year, today=today, by=by, rows=rows, total=total)


@dataclass
class VillageProgress:
    village_id: int
    name: str
    code: str
    status: str  # a LedgerYear status value, or NOT_STARTED
    updated_at: datetime | None
    submitted_at: datetime | None
    approved_at: datetime | None


def village_progress(*, town: Town, year: int) -> list[VillageProgress]:
    """Every village of a town with its status for `year` (2 queries), those furthest behind first."""
    years = {r["village_id"]: r for r in LedgerYear.objects.filter(town=town, year=year).values(
        "village_id", "status", "updated_at", "submitted_at", "approved_at")}
    rows = []
    for pk, name, code in Village.objects.filter(town=town).order_by("code").values_list("pk", "name", "code"):
        found = years.get(pk, {})
        rows.append(VillageProgress(village_id=pk, name=name, code=code, status=found.get("status", NOT_STARTED),
                                    updated_at=found.get("updated_at"), submitted_at=found.get("submitted_at"),
                                    approved_at=found.get("approved_at")))
    order = {status: i for i, status in enumerate(PROGRESS_STATUSES)}
    rows.sort(key=lambda r: (order.get(r.status, -1), r.code))
    return rows


def status_labels() -> dict[str, str]:
    """Column headings by status value (已退回 named even before the workflow has the status)."""
    labels = {NOT_STARTED: "未填报", RETURNED: "已退回"}
    labels.update({value: str(label) for value, label in LedgerYear.Status.choices})
    return labels


def status_label(status: str) -> str:
    return status_labels().get(status, status)

