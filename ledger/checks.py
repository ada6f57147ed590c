"""Warnings on a statement before it is saved: values that are allowed but look like typing mistakes.

A warning does not refuse the save; it asks for a short explanation (a unit slip asks instead which
amount is meant, see `unit_slips`), which is kept with the change
(四议两公开: published figures do not change without a reason). Only values changed by this save are
checked, and only when they newly cross a limit, so a cadre explains a jump once, not on every
later save of the same year.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .metrics import figures_for
from .models import LedgerRules, LineItem
from .money import CENT, YUAN_PER_WAN, format_wan


@dataclass(frozen=True)
class Warning:
    """One thing to check. A `CHANGE` is cleared by an explanation; a `UNIT` slip (the amount is off by
    orders of magnitude: 元 typed as 万元, or the reverse) only by an explicit choice between the
    `suggested` amount (元, the item's total after conversion) and the amount as typed."""

    CHANGE = "change"
    UNIT = "unit"

    key: str  # item code, or "net_income"
    message: str
    kind: str = CHANGE
    suggested: Decimal | None = None  # UNIT: the item's total, converted, in 元
    typed: Decimal | None = None  # UNIT: the item's total as typed, in 元
    question: str = ""  # UNIT: the question the page asks ("是否按元填写？")

    @property
    def is_unit_slip(self) -> bool:
        return self.kind == self.UNIT

    @property
    def factor(self) -> Decimal:
        """UNIT: what the typed amounts are multiplied by to become the suggested ones."""
        if self.suggested is None or not self.typed:
            return Decimal(1)
        return Decimal("0.0001") if abs(self.suggested) < abs(self.typed) else YUAN_PER_WAN


CARRIED_ITEM = "opening_undistributed"  # 年初未分配收益, carried from last year's 年末未分配收益


def item_totals(pairs: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, amount in pairs:
        totals[item_id] += amount
    return dict(totals)


def statement_warnings(
    *,
    items: list[LineItem],
    new: dict[int, Decimal],
    stored: dict[int, Decimal],
    last_year_by_code: dict[str, Decimal] | None,
    last_year_net_income: Decimal | None,
    rules: LedgerRules,
    last_year_other_system: bool = False,
    carried_forward: Decimal | None = None,
) -> list[Warning]:
    """Compare the typed item totals (`new`, by item id) with last year's (by item code, since last year
    may be under the other accounting system) and the county's limits.

    When last year was under the other system, lines whose definition changed (2024's 经营收入 and
    投资收益 took in the old 发包及上交收入) get no ratio warning; 本年收益（收益总额） is pre-tax in both
    systems, so its change is checked across the switch too. `carried_forward` is last year's
    年末未分配收益: a 年初未分配收益 that differs from it needs an explanation.

    Unit slips (`unit_slips`) come first, also without a last year (the county's ceiling per line)."""
    warnings = unit_slips(items=items, new=new, stored=stored, last_year_by_code=last_year_by_code or {},
                          rules=rules, last_year_other_system=last_year_other_system)
    if last_year_by_code is None:
        return warnings
    slipped = {warning.key for warning in warnings}
    ratio = rules.line_ratio
    for item in items:
        if item.code in slipped:
            continue  # the unit question comes first; a ratio warning on the same line would be noise
        if item.code == CARRIED_ITEM:
            warning = _carry_forward_warning(item, new.get(item.pk), stored.get(item.pk), carried_forward)
            warnings += [warning] if warning else []
            continue
        if last_year_other_system and item.definition_changed:
            continue
        amount = new.get(item.pk)
        last = last_year_by_code.get(item.code)
        if amount is None or not last:
            continue
        direction = _line_direction(amount, last, ratio)
        # Already explained when it was saved: only a value that newly crosses the line is asked about.
        if direction is None or direction == _line_direction(stored.get(item.pk), last, ratio):
            continue
        values = {"item": item.name, "new": format_wan(amount), "last": format_wan(last),
                  "ratio": f"{ratio.normalize():f}"}
        if direction == "up":
            warnings.append(Warning(item.code, _("%(item)s %(new)s 万元，超过上年（%(last)s 万元）的 %(ratio)s 倍。") % values))
        else:
            warnings.append(Warning(item.code, _("%(item)s %(new)s 万元，不足上年（%(last)s 万元）的 %(ratio)s 分之一。") % values))
    if last_year_net_income:
        limit = rules.net_income_change_percent
        net_income = figures_for(new.items())["net_income"]
        change = _percent_change(net_income, last_year_net_income)
        stored_change = _percent_change(figures_for(stored.items())["net_income"], last_year_net_income) if stored else None
        crossed = abs(change) > limit and not (
            stored_change is not None and abs(stored_change) > limit and (stored_change > 0) == (change > 0))
        if crossed:
            warnings.append(Warning("net_income", _(
                "本年收益 %(new)s 万元，较上年（%(last)s 万元）%(direction)s %(change)s%%，超过本县设定的 %(limit)s%%。"
            ) % {"new": format_wan(net_income), "last": format_wan(last_year_net_income),
                 "direction": _("增加") if change > 0 else _("减少"), "change": f"{abs(change):.0f}",
                 "limit": f"{limit.normalize():f}"}))
    return warnings


def _carry_forward_warning(item: LineItem, amount: Decimal | None, stored: Decimal | None,
                           carried: Decimal | None) -> Warning | None:
    # Not stated: nothing to compare. Stated as before: already explained when it was saved.
    if carried is None or amount is None or amount in (carried, stored):
        return None
    return Warning(item.code, _("%(item)s %(new)s 万元，与上年年末未分配收益（%(last)s 万元）不一致。") % {
        "item": item.name, "new": format_wan(amount), "last": format_wan(carried)})


def _line_direction(amount: Decimal | None, last: Decimal, ratio: Decimal) -> str | None:
    if amount is None:
        return None
    if amount > last * ratio:
        return "up"
    if amount * ratio < last:
        return "down"
    return None


def _percent_change(value: Decimal, last: Decimal) -> Decimal:
    return (value - last) / abs(last) * 100


def unit_slips(*, items: list[LineItem], new: dict[int, Decimal], stored: dict[int, Decimal],
               last_year_by_code: dict[str, Decimal], rules: LedgerRules,
               last_year_other_system: bool = False) -> list[Warning]:
    """Item totals off by orders of magnitude: over `UNIT_SLIP_RATIO` times last year's same line, or
    above the county's ceiling per line (`LedgerRules.line_ceiling`) → probably 元 typed on a 万元 page,
    "是否按元填写？" with the amount ÷ 10,000; under the ratio's part of last year's → probably 万元
    typed on a 元 page, "是否按万元填写？" with the amount × 10,000 (only if that stays under the ceiling).
    A total already stored as it is now was answered when it was saved and is not asked again."""
    slip_ratio = rules.UNIT_SLIP_RATIO
    ceiling = rules.line_ceiling or rules.DEFAULT_LINE_CEILING
    warnings = []
    for item in items:
        amount = new.get(item.pk)
        if not amount or amount == stored.get(item.pk):
            continue
        last = last_year_by_code.get(item.code)
        comparable = bool(last) and not (last_year_other_system and item.definition_changed)
        size, last_size = abs(amount), abs(last) if last else None
        values = {"item": item.name, "typed": format_wan(amount), "ceiling": format_wan(ceiling)}
        if size > ceiling or (comparable and size > last_size * slip_ratio):
            suggested = (amount / YUAN_PER_WAN).quantize(CENT, rounding=ROUND_HALF_UP)
            values["suggested"] = format_wan(suggested)
            if comparable and size > last_size * slip_ratio:
                values.update(last=format_wan(last), times=f"{size / last_size:,.0f}")
                message = _("%(item)s 填的是 %(typed)s 万元，是上年（%(last)s 万元）的 %(times)s 倍。") % values
            else:
                message = _("%(item)s 填的是 %(typed)s 万元，超过本县设定的单行上限 %(ceiling)s 万元。") % values
            warnings.append(Warning(item.code, message, kind=Warning.UNIT, suggested=suggested, typed=amount,
                                    question=_("是否按元填写？按元即 %(suggested)s 万元。") % values))
        elif comparable and size * slip_ratio < last_size:
            suggested = amount * YUAN_PER_WAN
            if abs(suggested) > ceiling:
                continue
            values.update(suggested=format_wan(suggested), last=format_wan(last))
            message = _("%(item)s 填的是 %(typed)s 万元，不足上年（%(last)s 万元）的百分之一。") % values
            warnings.append(Warning(item.code, message, kind=Warning.UNIT, suggested=suggested, typed=amount,
                                    question=_("是否按万元填写？按万元即 %(suggested)s 万元。") % values))
    return warnings
