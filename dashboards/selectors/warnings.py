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

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.figures import FIGURE_NAMES
from ledger.models import LedgerYear, LedgerYearEvent, Share
from ledger.money import format_wan
from villages.models import County, Town, Village

from ..models import WarningReview, WarningRules
from ..rules import ScopeRules
from .progress import REPORTED, Deadline, deadlines_for
from .scope import Scope

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
# The figures a 100× jump (or a fall to 1/100) most likely comes from 万元 typed as 元 or back.
SLIP_FIGURES = ("total_income", "operating_income", "total_expense")
DROP_FIGURES = {"operating_drop": "operating_income", "net_income_drop": "net_income"}
# The columns read of this year and of last year.
CURRENT_COLUMNS = ("total_income", "operating_income", "total_expense", "net_income", "investment_income",
                   "opening_undistributed")
PREVIOUS_COLUMNS = ("total_income", "operating_income", "total_expense", "net_income", "closing_undistributed")
NOT_HANDED_IN = {"draft": _("草稿"), "returned": _("已退回"), None: _("未填报")}


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


@dataclass
class VillageWarning:
    village_id: int
    town_id: int
    county_id: int
    ledger_year_id: int | None  # None: nothing entered at all
    code: str
    severity: str
    message: str
    status: str | None = None
    review: Review | None = None
    name: str = ""
    village_code: str = ""
    town_name: str = ""

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
    warnings: list[VillageWarning]  # every warning of the scope, worst first
    units: list[UnitWarnings]
    total: UnitWarnings
    deadlines: dict[int, Deadline] = field(default_factory=dict)

    def select(self, *, severity: str = "", code: str = "", state: str = "open",
               village_ids: set[int] | None = None) -> list[VillageWarning]:
        """The warnings a page's filters keep (state: "open", "verified" or "all")."""
        return [w for w in self.warnings
                if (not severity or w.severity == severity) and (not code or w.code == code)
                and (state == "all" or w.verified == (state == "verified"))
                and (village_ids is None or w.village_id in village_ids)]


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _figure_checks(row: dict, prev: dict | None, limits: WarningLimits, rules, has_share: bool):
    """(code, severity, message) for one village-year's figures against last year's."""
    found = []
    slipped = set()
    if prev is not None:
        ratio = limits.jump_ratio
        for figure in SLIP_FIGURES:
            now, before = row[figure], prev[figure]
            if now > 0 and before > 0 and (now > before * ratio or now * ratio < before):
                slipped.add(figure)
                found.append(("unit_slip", RED, _("%(figure)s %(now)s 万元，上年 %(before)s 万元，相差 %(ratio)s 倍以上，"
                                                  "疑为万元与元填错") % {
                    "figure": FIGURE_NAMES[figure], "now": format_wan(now), "before": format_wan(before),
                    "ratio": f"{ratio.normalize():f}"}))
    if row["net_income"] < 0:
        found.append(("net_loss", RED, _("收益总额（本年收益）%(now)s 万元，为亏损") % {"now": format_wan(row["net_income"])}))
    if prev is not None:
        for code, figure in DROP_FIGURES.items():
            now, before = row[figure], prev[figure]
            if figure in slipped or before <= 0 or now >= before:
                continue
            drop = _pct(before - now, before)
            if drop > limits.drop_percent:
                severity = RED if drop > limits.red_drop_percent else YELLOW
                found.append((code, severity, _("%(figure)s %(now)s 万元，较上年 %(before)s 万元下降 %(drop)s%%") % {
                    "figure": FIGURE_NAMES[figure], "now": format_wan(now), "before": format_wan(before),
                    "drop": drop}))
    if rules.is_shell(row):
        new = prev is not None and not rules.is_shell(prev)
        found.append(("shell", RED, _("空壳村（%(line)s）：%(figure)s %(now)s 万元%(new)s") % {
            "line": rules.shell_description, "figure": FIGURE_NAMES[rules.shell_metric],
            "now": format_wan(row[rules.shell_metric]), "new": _("，今年新增") if new else ""}))
    elif rules.is_weak(row):
        new = prev is not None and not rules.is_weak(prev)
        found.append(("weak", RED if new else YELLOW, _("薄弱村（%(line)s）：%(figure)s %(now)s 万元%(new)s") % {
            "line": rules.weak_description, "figure": FIGURE_NAMES[rules.weak_metric],
            "now": format_wan(row[rules.weak_metric]), "new": _("，今年新增") if new else ""}))
    if prev is not None and row["opening_undistributed"] != prev["closing_undistributed"]:
        found.append(("carry_forward", YELLOW, _("年初未分配收益 %(now)s 万元，上年年末未分配收益 %(before)s 万元") % {
            "now": format_wan(row["opening_undistributed"]), "before": format_wan(prev["closing_undistributed"])}))
    if row["investment_income"] != 0 and not has_share:
        found.append(("investment_no_share", YELLOW, _("投资收益 %(now)s 万元，但没有当年有效的入股记录") % {
            "now": format_wan(row["investment_income"])}))
    if row["investment_income"] == 0 and has_share:
        found.append(("share_no_dividend", YELLOW, _("有当年有效的入股记录，但投资收益为 0")))
    return found


def warnings_report(*, scope: Scope, year: int, year_statuses: Sequence[str], rules: ScopeRules,
                    today: date | None = None) -> WarningsReport:
    """Every warning of the scope's villages for `year` and the villages by colour per town (per
    county for the province), in 10 queries whatever the size of the scope (one more when a
    deadline has passed: the scope's villages, for those that reported nothing).

    Figures are checked on the village-years counted (`year_statuses`), against last year's counted
    ones; 重新打开 and the deadline look at every village-year, whatever its state.
    """
    today = today or timezone.localdate()
    by = "county" if scope.level == "province" else "town"
    ledger_filter = scope.ledger_filter
    metrics = sorted(set().union(*(r.metrics for r in rules.by_county.values()), rules.fallback.metrics))
    current_columns = sorted(set(CURRENT_COLUMNS) | set(metrics))
    previous_columns = sorted(set(PREVIOUS_COLUMNS) | set(metrics))
    current = list(LedgerYear.objects.filter(year=year, **ledger_filter).order_by().values_list(
        "id", "village_id", "town_id", "county_id", "status", *current_columns))
    previous = {v: dict(zip(previous_columns, rest, strict=True)) for v, *rest in LedgerYear.objects.filter(
        year=year - 1, status__in=year_statuses, **ledger_filter).order_by().values_list(
        "village_id", *previous_columns)}
    share_scope = {"holder__town_id": scope.town.pk} if scope.town else (
        {"holder__town__county_id": scope.county.pk} if scope.county else {})
    holders = set(Share.objects.filter(Q(end_year__isnull=True) | Q(end_year__gte=year), start_year__lte=year,
                                       **share_scope).values_list("holder_id", flat=True))
    reopened = {}
    for ledger_year_id, at, reason in (LedgerYearEvent.objects.filter(
            action=LedgerYearEvent.Action.REOPEN, ledger_year__year=year,
            **{f"ledger_year__{k}": v for k, v in ledger_filter.items()}).order_by("at")
            .values_list("ledger_year_id", "at", "reason")):
        reopened[ledger_year_id] = (at, reason)
    reviews = {(ly, code): Review(reason=reason, by=(f"{last}{first}".strip() or username), at=at)
               for ly, code, reason, username, first, last, at in WarningReview.objects.filter(
                   ledger_year__year=year, **{f"ledger_year__{k}": v for k, v in ledger_filter.items()})
               .values_list("ledger_year_id", "code", "reason", "reviewed_by__username",
                            "reviewed_by__first_name", "reviewed_by__last_name", "reviewed_at")}
    by_county, fallback = warning_limits(scope.county_ids)
    units = _units(scope, by)
    deadlines = deadlines_for({u[4] for u in units}, year)
    counted = set(year_statuses)
    warnings: list[VillageWarning] = []
    seen = set()
    for ledger_year_id, village_id, town_id, county_id, status, *values in current:
        seen.add(village_id)
        found = []
        if status in counted:
            row = dict(zip(current_columns, values, strict=True))
            found = _figure_checks(row, previous.get(village_id), by_county.get(county_id, fallback),
                                   rules.for_county(county_id), village_id in holders)
        if ledger_year_id in reopened:
            at, reason = reopened[ledger_year_id]
            found.append(("reopened", YELLOW, _("%(at)s 审核后被重新打开（%(reason)s），当前为%(status)s") % {
                "at": timezone.localtime(at).strftime("%Y-%m-%d"), "reason": reason,
                "status": _status_name(status)}))
        deadline = deadlines.get(county_id)
        if status not in REPORTED and deadline is not None and deadline.days_left(today) < 0:
            found.append(_late(deadline, today, status))
        for code, severity, message in found:
            warnings.append(VillageWarning(village_id=village_id, town_id=town_id, county_id=county_id,
                                           ledger_year_id=ledger_year_id, code=code, severity=severity,
                                           message=str(message), status=status,
                                           review=reviews.get((ledger_year_id, code))))
    late_counties = {c for c, d in deadlines.items() if d.days_left(today) < 0}
    if late_counties:
        for village_id, town_id, county_id in (Village.objects.filter(**scope.village_filter).order_by()
                                               .values_list("pk", "town_id", "town__county_id")):
            if village_id not in seen and county_id in late_counties:
                code, severity, message = _late(deadlines[county_id], today, None)
                warnings.append(VillageWarning(village_id=village_id, town_id=town_id, county_id=county_id,
                                               ledger_year_id=None, code=code, severity=severity,
                                               message=str(message)))
    order = {code: i for i, code in enumerate(CHECKS)}
    warnings.sort(key=lambda w: (w.severity != RED, order[w.code], w.town_id, w.village_id))
    unit_rows = _count(warnings, units, by)
    total = UnitWarnings(pk=0, name=str(_("合计")), code="", villages=sum(u.villages for u in unit_rows),
                         red=sum(u.red for u in unit_rows), yellow=sum(u.yellow for u in unit_rows),
                         open=sum(u.open for u in unit_rows), verified=sum(u.verified for u in unit_rows))
    return WarningsReport(year=year, by=by, warnings=warnings, units=unit_rows, total=total, deadlines=deadlines)


def _status_name(status: str | None) -> str:
    if status is None:
        return str(NOT_HANDED_IN[None])
    try:
        return str(LedgerYear.Status(status).label)
    except ValueError:
        return str(NOT_HANDED_IN.get(status, status))


def _late(deadline: Deadline, today: date, status: str | None):
    return ("not_reported", RED, _("填报截止日 %(date)s 已过 %(days)s 天，仍为%(status)s") % {
        "date": deadline.due_date.strftime("%Y-%m-%d"), "days": -deadline.days_left(today),
        "status": _status_name(status)})


def _units(scope: Scope, by: str) -> list[tuple]:
    """(pk, name, code, villages, county id) of the scope's towns, or of every county (1 query)."""
    if by == "town":
        units = Town.objects.filter(**({"pk": scope.town.pk} if scope.town else {"county_id": scope.county.pk}))
        return list(units.annotate(n=Count("villages")).order_by("code")
                    .values_list("pk", "name", "code", "n", "county_id"))
    return list(County.objects.annotate(n=Count("towns__villages")).order_by("code")
                .values_list("pk", "name", "code", "n", "pk"))


def _count(warnings: Sequence[VillageWarning], units: Sequence[tuple], by: str) -> list[UnitWarnings]:
    rows = {pk: UnitWarnings(pk=pk, name=name, code=code, villages=n) for pk, name, code, n, _ in units if n}
    colour: dict[int, str] = {}
    unit_of: dict[int, int] = {}
    for w in warnings:
        unit = w.town_id if by == "town" else w.county_id
        row = rows.get(unit)
        if row is None:
            continue
        if w.verified:
            row.verified += 1
            continue
        row.open += 1
        unit_of[w.village_id] = unit
        if colour.get(w.village_id) != RED:
            colour[w.village_id] = w.severity
    for village_id, severity in colour.items():
        row = rows[unit_of[village_id]]
        if severity == RED:
            row.red += 1
        else:
            row.yellow += 1
    return list(rows.values())


def name_warnings(warnings: Sequence[VillageWarning]) -> None:
    """Fill in the villages' names and codes and their towns' names (1 query), for the rows shown."""
    names = {pk: (name, code, town) for pk, name, code, town in Village.objects.filter(
        pk__in={w.village_id for w in warnings}).values_list("pk", "name", "code", "town__name")}
    for w in warnings:
        w.name, w.village_code, w.town_name = names.get(w.village_id, ("", "", ""))


def village_colours(warnings: Iterable[VillageWarning]) -> dict[int, str]:
    """Each village's colour from its open warnings (villages without any are green)."""
    colours: dict[int, str] = {}
    for w in warnings:
        if not w.verified and colours.get(w.village_id) != RED:
            colours[w.village_id] = w.severity
    return colours
