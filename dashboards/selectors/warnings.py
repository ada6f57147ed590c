"""三色预警: what looks wrong with a year's village accounts, village by village, by the county's rules.

Every check reads the figures each `LedgerYear` keeps (this year's and last year's), the villages'
shares, the workflow's 重新打开 events and the county's deadline — never the raw lines — so a
province's 25,000 villages are checked in a handful of queries. A warning an official has marked
已核实 (`WarningReview`) stays listed with the reason, and no longer colours its village.

Colours: a village is red with any open red warning, yellow with any open yellow one, green otherwise.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.figures import FIGURE_NAMES
from ledger.models import LedgerYear, LedgerYearEvent
from ledger.money import format_wan
from villages.models import County, Town, Village

from ..models import WarningReview, WarningRules
from ..rules import ScopeRules
from .progress import Deadline, deadlines_for
from .scope import Scope
from .warning_sql import BIT, CHECK_CODES, DROP_FIGURES, SLIP_FIGURES, Limits, flagged_villages

RED, YELLOW, GREEN = "red", "yellow", "green"
SEVERITY_LABELS = {RED: _("红色"), YELLOW: _("黄色"), GREEN: _("绿色")}

# Every check: code → its name. The code is what an 已核实 mark refers to.
CHECKS: dict[str, str] = {
    "not_reported": _("逾期未报送"),
    "unit_slip": _("疑似单位错误"),
    "net_loss": _("收益总额为负"),
    "operating_drop": _("经营性收入下降"),
    "net_income_drop": _("本年收益下降"),
    "shell": _("空壳村"),
    "weak": _("薄弱村"),
    "carry_forward": _("年初未分配收益与上年年末不符"),
    "investment_no_share": _("有投资收益无入股记录"),
    "share_no_dividend": _("有入股无分红"),
    "reopened": _("审核后重新打开"),
}
NOT_HANDED_IN = {"draft": _("草稿"), "returned": _("已退回"), None: _("未填报")}
SEVERITY_ORDER = (RED, YELLOW)
assert tuple(CHECKS) == CHECK_CODES


@dataclass(frozen=True)
class WarningLimits:
    drop_percent: Decimal
    red_drop_percent: Decimal
    jump_ratio: Decimal

    @classmethod
    def default(cls) -> "WarningLimits":
        return cls(WarningRules.DEFAULT_DROP_PERCENT, WarningRules.DEFAULT_RED_DROP_PERCENT,
                   WarningRules.DEFAULT_JUMP_RATIO)


def warning_limits(county_ids: Iterable[int] | None) -> tuple[dict[int, WarningLimits], WarningLimits]:
    """The counties' limits (1 query) and the defaults, for counties without their own."""
    rows = WarningRules.objects.all()
    if county_ids is not None:
        rows = rows.filter(county_id__in=list(county_ids))
    return ({r.county_id: WarningLimits(r.drop_percent, r.red_drop_percent, r.jump_ratio) for r in rows},
            WarningLimits.default())


@dataclass
class Review:
    reason: str
    by: str
    at: datetime


class VillageWarning:
    """One warning of one village-year. Its sentence is written only when shown (a province has tens
    of thousands of warnings; a page shows 50)."""

    __slots__ = ("village_id", "town_id", "county_id", "ledger_year_id", "code", "severity", "status", "args",
                 "review", "name", "village_code", "town_name")

    def __init__(self, village_id: int, town_id: int, county_id: int, ledger_year_id: int | None, code: str,
                 severity: str, status: str | None, args: tuple = (), review: "Review | None" = None):
        self.village_id, self.town_id, self.county_id = village_id, town_id, county_id
        self.ledger_year_id, self.code, self.severity, self.status = ledger_year_id, code, severity, status
        self.args, self.review = args, review
        self.name = self.village_code = self.town_name = ""

    @property
    def message(self) -> str:
        return MESSAGES[self.code](*self.args)

    @property
    def check_name(self) -> str:
        return CHECKS[self.code]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def verified(self) -> bool:
        return self.review is not None


@dataclass
class UnitWarnings:
    """One town's (a province: one county's) villages by colour, and its warnings."""

    pk: int
    name: str
    code: str
    villages: int
    red: int = 0
    yellow: int = 0
    open: int = 0
    verified: int = 0

    @property
    def green(self) -> int:
        return max(0, self.villages - self.red - self.yellow)


@dataclass
class WarningsReport:
    year: int
    by: str
    year_statuses: tuple[str, ...]
    rows: list[tuple]  # `warning_sql.flagged_villages`: the villages with a warning, by town and village
    reviews: dict[tuple[int, str], Review]
    units: list[UnitWarnings]
    total: UnitWarnings
    deadlines: dict[int, Deadline] = field(default_factory=dict)
    today: date | None = None

    def select(self, *, severity: str = "", code: str = "", state: str = "open",
               village_ids: set[int] | None = None) -> list[tuple[int, str, str]]:
        """The warnings a page's filters keep (state: "open", "verified" or "all"), worst first, as
        (row index, check, colour); `describe` writes the ones shown."""
        return [(i, check, colour) for colour, check, indexes in
                self._selected(severity=severity, code=code, state=state, village_ids=village_ids) for i in indexes]

    def page(self, *, offset: int, limit: int, **filters) -> tuple[int, list[tuple[int, str, str]]]:
        """How many warnings the filters keep, and those of one page (without listing the others)."""
        total, shown = 0, []
        for colour, check, indexes in self._selected(**filters):
            start, end = max(0, offset - total), max(0, offset + limit - total)
            shown += [(i, check, colour) for i in indexes[start:end]]
            total += len(indexes)
        return total, shown

    def _selected(self, *, severity: str = "", code: str = "", state: str = "open",
                  village_ids: set[int] | None = None):
        """(colour, check, row indexes) in page order, filtered."""
        reviews = self.reviews
        buckets = self._buckets()
        for colour in SEVERITY_ORDER:
            if severity and colour != severity:
                continue
            for check in CHECK_CODES:
                if code and check != code:
                    continue
                indexes = buckets.get((colour, check), [])
                if village_ids is not None:
                    indexes = [i for i in indexes if self.rows[i][0] in village_ids]
                if state != "all" and reviews:
                    wanted = state == "verified"
                    indexes = [i for i in indexes if ((self.rows[i][3], check) in reviews) == wanted]
                elif state == "verified":
                    indexes = []
                if indexes:
                    yield colour, check, indexes

    def _buckets(self) -> dict[tuple[str, str], list[int]]:
        """Row indexes per (colour, check), in row order (one pass over the rows, kept)."""
        if self._bucket_cache is None:
            buckets: dict[tuple[str, str], list[int]] = {}
            for index, row in enumerate(self.rows):
                for colour, mask in ((RED, row[5]), (YELLOW, row[6])):
                    while mask:
                        low = mask & -mask
                        buckets.setdefault((colour, CHECK_CODES[low.bit_length() - 1]), []).append(index)
                        mask ^= low
            self._bucket_cache = buckets
        return self._bucket_cache

    def describe(self, selection: Sequence[tuple[int, str, str]]) -> list[VillageWarning]:
        """The selected warnings with their villages' names and their sentences (4 queries)."""
        rows = [self.rows[index] for index, _check, _colour in selection]
        ledger_year_ids = {row[3] for row in rows if row[3]}
        current = {ly.pk: ly for ly in LedgerYear.objects.filter(pk__in=ledger_year_ids)}
        previous = {ly.village_id: ly for ly in LedgerYear.objects.filter(
            village_id__in={row[0] for row in rows}, year=self.year - 1, status__in=self.year_statuses)}
        events = {}
        for ledger_year_id, at, reason in (LedgerYearEvent.objects.filter(
                action=LedgerYearEvent.Action.REOPEN, ledger_year_id__in=ledger_year_ids).order_by("at")
                .values_list("ledger_year_id", "at", "reason")):
            events[ledger_year_id] = (at, reason)
        names = {pk: (name, code, town) for pk, name, code, town in Village.objects.filter(
            pk__in={row[0] for row in rows}).values_list("pk", "name", "code", "town__name")}
        warnings = []
        for row, (_index, check, colour) in zip(rows, selection, strict=True):
            village_id, town_id, county_id, ledger_year_id, status = row[:5]
            warning = VillageWarning(village_id, town_id, county_id, ledger_year_id, check, colour, status,
                                     review=self.reviews.get((ledger_year_id, check)))
            warning.args = self._arguments(warning, current.get(ledger_year_id), previous.get(village_id),
                                           events.get(ledger_year_id))
            warning.name, warning.village_code, warning.town_name = names.get(village_id, ("", "", ""))
            warnings.append(warning)
        return warnings

    def _arguments(self, w: VillageWarning, ly: LedgerYear | None, prev: LedgerYear | None, event) -> tuple:
        """What the sentence of a warning says: the amounts, the line, the date."""
        code = w.code
        if code == "not_reported":
            deadline = self.deadlines[w.county_id]
            return (deadline.due_date, -deadline.days_left(self.today), w.status)
        if code == "reopened":
            return (*(event or (None, "")), w.status)
        rules = self.rules_for(w.county_id)
        if code == "unit_slip":
            ratio = self.limits_for(w.county_id).jump_ratio
            figure = next((f for f in SLIP_FIGURES if prev and getattr(prev, f) > 0 and getattr(ly, f) > 0 and (
                getattr(ly, f) > getattr(prev, f) * ratio or getattr(ly, f) * ratio < getattr(prev, f))),
                SLIP_FIGURES[0])
            return (figure, getattr(ly, figure), getattr(prev, figure) if prev else None, f"{ratio.normalize():f}")
        if code in DROP_FIGURES:
            figure = DROP_FIGURES[code]
            return (getattr(ly, figure), getattr(prev, figure))
        if code == "net_loss":
            return (ly.net_income,)
        if code == "shell":
            new = prev is not None and getattr(prev, rules.shell_metric) >= rules.shell_line
            return (rules.shell_description, rules.shell_metric, getattr(ly, rules.shell_metric), new)
        if code == "weak":
            new = prev is not None and getattr(prev, rules.weak_metric) >= rules.weak_line
            return (rules.weak_description, rules.weak_metric, getattr(ly, rules.weak_metric), new)
        if code == "carry_forward":
            return (ly.opening_undistributed, prev.closing_undistributed if prev else None)
        if code == "investment_no_share":
            return (ly.investment_income,)
        return ()

    # Set by `warnings_report`: each county's tier rules and limits, for the sentences.
    rules_for = None
    limits_for = None
    _bucket_cache = None


def _figure_name(figure: str) -> str:
    return FIGURE_NAMES[figure]


def _wan(amount: Decimal | None) -> str:
    return format_wan(amount)


# Each check's sentence from the numbers the check kept (amounts in 分, as read).
MESSAGES = {
    "unit_slip": lambda figure, now, before, ratio: str(_(
        "%(figure)s %(now)s 万元，上年 %(before)s 万元，相差 %(ratio)s 倍以上，疑为万元与元填错") % {
        "figure": _figure_name(figure), "now": _wan(now), "before": _wan(before), "ratio": ratio}),
    "net_loss": lambda now: str(_("收益总额（本年收益）%(now)s 万元，为亏损") % {"now": _wan(now)}),
    "operating_drop": lambda now, before: str(_("%(figure)s %(now)s 万元，较上年 %(before)s 万元下降 %(drop)s%%") % {
        "figure": _figure_name("operating_income"), "now": _wan(now), "before": _wan(before),
        "drop": _drop(now, before)}),
    "net_income_drop": lambda now, before: str(_("%(figure)s %(now)s 万元，较上年 %(before)s 万元下降 %(drop)s%%") % {
        "figure": _figure_name("net_income"), "now": _wan(now), "before": _wan(before), "drop": _drop(now, before)}),
    "shell": lambda description, figure, now, new: str(_("空壳村（%(line)s）：%(figure)s %(now)s 万元%(new)s") % {
        "line": description, "figure": _figure_name(figure), "now": _wan(now), "new": _("，今年新增") if new else ""}),
    "weak": lambda description, figure, now, new: str(_("薄弱村（%(line)s）：%(figure)s %(now)s 万元%(new)s") % {
        "line": description, "figure": _figure_name(figure), "now": _wan(now), "new": _("，今年新增") if new else ""}),
    "carry_forward": lambda now, before: str(_("年初未分配收益 %(now)s 万元，上年年末未分配收益 %(before)s 万元") % {
        "now": _wan(now), "before": _wan(before)}),
    "investment_no_share": lambda now: str(_("投资收益 %(now)s 万元，但没有当年有效的入股记录") % {"now": _wan(now)}),
    "share_no_dividend": lambda: str(_("有当年有效的入股记录，但投资收益为 0")),
    "reopened": lambda at, reason, status: str(_("%(at)s 审核后被重新打开（%(reason)s），当前为%(status)s") % {
        "at": timezone.localtime(at).strftime("%Y-%m-%d"), "reason": reason, "status": _status_name(status)}),
    "not_reported": lambda due, days, status: str(_("填报截止日 %(date)s 已过 %(days)s 天，仍为%(status)s") % {
        "date": due.strftime("%Y-%m-%d"), "days": days, "status": _status_name(status)}),
}
assert set(MESSAGES) == set(CHECKS)


def _drop(now: Decimal, before: Decimal) -> Decimal:
    return (Decimal(before - now) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def warnings_report(*, scope: Scope, year: int, year_statuses: Sequence[str], rules: ScopeRules,
                    today: date | None = None,
                    limits: tuple[dict[int, WarningLimits], WarningLimits] | None = None) -> WarningsReport:
    """Every warning of the scope's villages for `year` and the villages by colour per town (per
    county for the province), in 6 queries whatever the size of the scope (5 given `limits`, the
    counties' `warning_limits`): the checks themselves are one statement (`warning_sql`).

    Figures are checked on the village-years counted (`year_statuses`), against last year's counted
    ones; 重新打开 and the deadline look at every village-year, whatever its state.
    """
    today = today or timezone.localdate()
    by = "county" if scope.level == "province" else "town"
    by_county, fallback = limits or warning_limits(scope.county_ids)
    units = _units(scope, by)
    deadlines = deadlines_for({u[4] for u in units}, year)
    late = [c for c, d in deadlines.items() if d.days_left(today) < 0]
    rows = flagged_villages(scope_filter=scope.ledger_filter, year=year, year_statuses=year_statuses, rules=rules,
                            limits={c: Limits(x.drop_percent, x.red_drop_percent, x.jump_ratio)
                                    for c, x in by_county.items()},
                            default=Limits(fallback.drop_percent, fallback.red_drop_percent, fallback.jump_ratio),
                            late_counties=None if len(late) == len(deadlines) and scope.level != "province" else late)
    reviews = {(ly, code): Review(reason=reason, by=(f"{last}{first}".strip() or username), at=at)
               for ly, code, reason, username, first, last, at in WarningReview.objects.filter(
                   ledger_year__year=year, **{f"ledger_year__{k}": v for k, v in scope.ledger_filter.items()})
               .values_list("ledger_year_id", "code", "reason", "reviewed_by__username",
                            "reviewed_by__first_name", "reviewed_by__last_name", "reviewed_at")}
    unit_rows = _count(rows, reviews, units, by)
    total = UnitWarnings(pk=0, name=str(_("合计")), code="", villages=sum(u.villages for u in unit_rows),
                         red=sum(u.red for u in unit_rows), yellow=sum(u.yellow for u in unit_rows),
                         open=sum(u.open for u in unit_rows), verified=sum(u.verified for u in unit_rows))
    report = WarningsReport(year=year, by=by, year_statuses=tuple(year_statuses), rows=rows, reviews=reviews,
                            units=unit_rows, total=total, deadlines=deadlines, today=today)
    report.rules_for = rules.for_county
    report.limits_for = lambda county_id: by_county.get(county_id, fallback)
    return report


def _status_name(status: str | None) -> str:
    if status is None:
        return str(NOT_HANDED_IN[None])
    try:
        return str(LedgerYear.Status(status).label)
    except ValueError:
        return str(NOT_HANDED_IN.get(status, status))


def _units(scope: Scope, by: str) -> list[tuple]:
    """(pk, name, code, villages, county id) of the scope's towns, or of every county (1 query)."""
    if by == "town":
        units = Town.objects.filter(**({"pk": scope.town.pk} if scope.town else {"county_id": scope.county.pk}))
        return list(units.annotate(n=Count("villages")).order_by("code")
                    .values_list("pk", "name", "code", "n", "county_id"))
    return list(County.objects.annotate(n=Count("towns__villages")).order_by("code")
                .values_list("pk", "name", "code", "n", "pk"))


def _count(rows: Sequence[tuple], reviews: dict, units: Sequence[tuple], by: str) -> list[UnitWarnings]:
    """Villages by colour and warnings per unit; a verified warning counts as verified, not open."""
    found = {pk: UnitWarnings(pk=pk, name=name, code=code, villages=n) for pk, name, code, n, _ in units if n}
    reviewed: dict[int, int] = {}
    for ledger_year_id, check in reviews:
        reviewed[ledger_year_id] = reviewed.get(ledger_year_id, 0) | BIT[check]
    unit_index = 1 if by == "town" else 2
    for row in rows:
        unit = found.get(row[unit_index])
        if unit is None:
            continue
        red, yellow = row[5], row[6]
        done = reviewed.get(row[3], 0) if row[3] else 0
        if done:
            unit.verified += ((red | yellow) & done).bit_count()
            red, yellow = red & ~done, yellow & ~done
        unit.open += red.bit_count() + yellow.bit_count()
        if red:
            unit.red += 1
        elif yellow:
            unit.yellow += 1
    return list(found.values())
