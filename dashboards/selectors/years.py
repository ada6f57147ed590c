"""Which year a dashboard opens on: the last complete one, and why.

A year is complete when more than half of the scope's villages have approved it, or when the
county has set a 填报截止日 for it and that day has passed (whatever is missing then is late and
shown as 未报送). The default deadline of `settings.REPORT_DEADLINE` drives 填报进度 and the overdue
warnings, but does not by itself make a year complete: a year nobody has closed is still open.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext

from ledger.models import LedgerYear
from villages.models import Village

from ..models import ReportingDeadline
from .scope import Scope

# How many of the newest years are looked at for the last complete one.
LOOKBACK = 4


@dataclass(frozen=True)
class YearState:
    year: int
    villages: int
    approved: int
    deadline_passed: date | None  # the county's own deadline, when it has passed

    @property
    def complete(self) -> bool:
        return self.approved * 2 > self.villages or self.deadline_passed is not None

    @property
    def why(self) -> str:
        if self.deadline_passed is not None:
            return gettext("填报截止日 %(date)s 已过") % {"date": self.deadline_passed.strftime("%Y-%m-%d")}
        return gettext("已审核 %(approved)s / %(villages)s 个村") % {"approved": self.approved,
                                                                    "villages": self.villages}


@dataclass(frozen=True)
class YearChoice:
    """The year a page shows, whether it is complete, and the sentence that says so."""

    year: int
    complete: bool
    last_complete: int | None
    note: str
    chosen_by_default: bool


def year_states(*, scope: Scope, years: Sequence[int], today: date | None = None) -> dict[int, YearState]:
    """Villages, approved village-years and passed county deadlines for each of `years` (2 queries)."""
    today = today or timezone.localdate()
    # The scope's villages ride along with the counts (with no approved year, there is nothing to weigh).
    in_scope = Village.objects.filter(**scope.village_filter).order_by().values(
        one=Value(1, output_field=IntegerField())).annotate(n=Count("*")).values("n")
    rows = (LedgerYear.objects.filter(status=LedgerYear.Status.APPROVED, year__in=list(years), **scope.ledger_filter)
            .order_by().values_list("year").annotate(n=Count("*"), villages=Subquery(in_scope)))
    approved, villages = {}, 0
    for year, n, in_scope_n in rows:
        approved[year], villages = n, in_scope_n or 0
    deadlines = ReportingDeadline.objects.filter(year__in=list(years))
    if scope.county_ids is not None:
        deadlines = deadlines.filter(county_id__in=scope.county_ids)
    by_year: dict[int, list[date]] = {}
    for year, due in deadlines.values_list("year", "due_date"):
        by_year.setdefault(year, []).append(due)
    counties = len(scope.county_ids) if scope.county_ids is not None else None
    states = {}
    for year in years:
        dues = by_year.get(year, [])
        # Every county of the scope has closed the year (for the province: every county with a date).
        closed = bool(dues) and (counties is None or len(dues) >= counties) and max(dues) < today
        states[year] = YearState(year=year, villages=villages, approved=approved.get(year, 0),
                                 deadline_passed=max(dues) if closed else None)
    return states


def choose_year(*, scope: Scope, years: Sequence[int], asked: int | None, today: date | None = None
                ) -> YearChoice | None:
    """The year asked for if it has data, else the last complete year (else the newest); with a note
    that says which and why. `years` are the years with data, newest first."""
    if not years:
        return None
    looked = list(years[:LOOKBACK])
    if asked in years and asked not in looked:
        looked.append(asked)
    states = year_states(scope=scope, years=looked, today=today)
    last_complete = next((y for y in years[:LOOKBACK] if states[y].complete), None)
    newer = [states[y] for y in years[:LOOKBACK] if last_complete is None or y > last_complete]
    if asked in years:
        state = states[asked]
        if state.complete:
            note = gettext("%(year)s年数据完整（%(why)s）。") % {"year": asked, "why": state.why}
        else:
            note = gettext("%(year)s年尚在填报（%(why)s），数据不完整，同比只比较两年都报送的村。") % {
                "year": asked, "why": state.why}
        return YearChoice(year=asked, complete=state.complete, last_complete=last_complete, note=note,
                          chosen_by_default=False)
    year = last_complete if last_complete is not None else years[0]
    if last_complete is None:
        note = gettext("近年都未完整，显示最近的 %(year)s年（%(why)s）。") % {"year": year, "why": states[year].why}
    else:
        note = gettext("默认显示最近一个完整年度：%(year)s年（%(why)s）。") % {"year": year,
                                                                     "why": states[year].why}
        if newer:
            note += gettext("%(years)s尚在填报（%(why)s）。") % {
                "years": "、".join(gettext("%(year)s年") % {"year": s.year} for s in newer),
                "why": "；".join(s.why for s in newer)}
    return YearChoice(year=year, complete=last_complete is not None, last_complete=last_complete, note=note,
                      chosen_by_default=True)
