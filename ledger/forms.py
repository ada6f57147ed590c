"""The yearly statement as a cadre types it: line items in order, each with named sub-lines (项目).

Amounts are typed in 万元 or 元 (the page says which) and parsed by `ledger.money.parse_amount`, so the
form and the importers agree on what "1,234.5" means. The form keeps exactly what was typed, so that
any error re-renders the user's input untouched.

Field names are `line-<item id>-<row>-<field>`: rows can be added (by the small script or the
"添加项目" button) without a management form, and the server reads whatever rows arrive.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from villages.validators import has_visible_text

from .checks import CARRIED_ITEM
from .models import LedgerLine, LineItem
from .money import CENT, MAX_STATEMENT_LINES, UNITS, WAN, YUAN, AmountError, format_wan, parse_amount
from .services import LineInput

ROW_KEY = re.compile(r"^line-(\d+)-(\d+)-(?:name|amount|note|delete|offered)$")
UNIT_CHOICES = [(WAN, _("万元")), (YUAN, _("元"))]


def amount_for_input(amount: Decimal | None, unit: str) -> str:
    """元 → the text put back in an input in `unit`: exact (no rounding), no separators, two decimals or
    as many as the amount needs."""
    if amount is None:
        return ""
    value = Decimal(amount) / UNITS[unit][1]
    # Two decimals at least, as amounts are shown everywhere (395.20), more only where they count.
    return format(value.quantize(CENT) if value == value.quantize(CENT) else value.normalize(), "f")


class ReasonField(forms.CharField):
    """Free text that must say something: text with nothing visible in it (spaces, zero-width or direction
    marks, control characters) counts as empty, so a required one refuses it and an optional one is ""."""

    def to_python(self, value):
        value = super().to_python(value)
        return value if has_visible_text(value) else ""


class EntryForm(forms.Form):
    """What the statement page posts besides the lines."""

    unit = forms.ChoiceField(label=_("金额单位"), choices=UNIT_CHOICES, initial=WAN, widget=forms.RadioSelect)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    explanation = ReasonField(
        label=_("变动说明"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("数值与上年相比变化较大时必填，将记入修改记录。"),
    )


class ReasonForm(forms.Form):
    """The reason a reviewer gives for 退回 or 重新打开 (kept in the year's history)."""

    reason = ReasonField(label=_("原因"), max_length=1000,
                         error_messages={"required": _("退回或重新打开必须填写原因（只有空格或不可见字符不算）。")})


class LineRowForm(forms.Form):
    """One row: a 项目 name (blank for the item as a whole), its amount and a note."""

    name = forms.CharField(label=_("项目"), max_length=100, required=False)
    amount = forms.CharField(label=_("金额"), max_length=40, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)
    delete = forms.BooleanField(label=_("删除"), required=False)
    # A row named after one of last year's 项目, offered for this year: left without an amount it is
    # not a line (nothing to save, nothing to refuse).
    offered = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, item: LineItem, unit: str, **kwargs):
        self.item = item
        self.unit = unit
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({
            "inputmode": "decimal", "autocomplete": "off", "class": "amount", "data-item": str(item.pk),
            "placeholder": _("金额"), "aria-label": _("%(item)s 金额") % {"item": item.name},
        })
        if item.may_be_negative:
            # A loss is typed with a minus sign, which the phones' decimal keypads lack.
            self.fields["amount"].widget.attrs.update({"inputmode": "text", "data-negative": "1"})
        self.fields["name"].widget.attrs.update({"placeholder": _("项目名称（可不填）"),
                                                 "aria-label": _("%(item)s 项目名称") % {"item": item.name}})
        self.fields["note"].widget.attrs.update({"placeholder": _("备注"), "aria-label": _("备注")})

    # 元 the typing would be if it was meant in 元: set when it is too large for a line in 万元 but fits
    # in 元 (3,531,600 typed on a 万元 page), so that the page can offer the conversion.
    as_yuan: Decimal | None = None

    def clean_amount(self):
        # The page's unit unless the typing names one ("1500元" on a 万元 page); the line limit included.
        try:
            amount = parse_amount(self.cleaned_data["amount"], self.unit, allow_negative=True)
        except AmountError as exc:
            if self.unit == WAN:
                try:
                    self.as_yuan = parse_amount(self.cleaned_data["amount"], YUAN, allow_negative=True)
                except AmountError:
                    self.as_yuan = None
            if self.as_yuan is not None:
                raise forms.ValidationError(
                    _("%(error)s是否按元填写？按元即 %(amount)s 万元。") % {"error": exc, "amount": format_wan(self.as_yuan)},
                    code="unit_slip") from exc
            raise forms.ValidationError(str(exc), code="amount") from exc
        if amount is not None and amount < 0 and not self.item.may_be_negative:
            raise forms.ValidationError(
                _("金额不能为负数：“%(value)s”。%(item)s只能填正数或零；只有投资收益（投资损失）和年初未分配收益"
                  "（累计亏损）可以填负数。") % {"item": self.item.name, "value": self.cleaned_data["amount"].strip()}, code="negative")
        return amount

    def clean(self):
        data = super().clean()
        if data.get("delete"):
            return data
        if self.is_untouched_offer:
            return data
        if data.get("amount") is None and "amount" not in self.errors and (data.get("name") or data.get("note")):
            self.add_error("amount", _("请填写金额；不要这一行请勾选“删除”。"))
        return data

    @property
    def is_untouched_offer(self) -> bool:
        """A row offered with last year's 项目 name that got neither an amount nor a note."""
        if not self.is_bound:
            return bool(self.initial.get("offered")) and not self.initial.get("amount")
        return bool(self.data.get(self.add_prefix("offered"))) and not any(
            (self.data.get(self.add_prefix(f)) or "").strip() for f in ("amount", "note"))

    @property
    def is_blank(self) -> bool:
        """Nothing typed: ignored on save, kept on screen only as the empty row to type into."""
        if not self.is_bound:
            return not any(self.initial.get(f) for f in ("name", "amount", "note"))
        return not any((self.data.get(self.add_prefix(f)) or "").strip() for f in ("name", "amount", "note"))

    @property
    def is_deleted(self) -> bool:
        return self.is_bound and bool(self.data.get(self.add_prefix("delete")))

    @property
    def line(self) -> LineInput | None:
        if self.is_deleted or self.errors or self.cleaned_data.get("amount") is None or self.is_untouched_offer:
            return None
        return LineInput(item_id=self.item.pk, amount=self.cleaned_data["amount"],
                         name=self.cleaned_data.get("name", "").strip(), note=self.cleaned_data.get("note", "").strip())


@dataclass
class ItemRows:
    item: LineItem
    rows: list[LineRowForm] = field(default_factory=list)


class StatementForm:
    """All rows of one village-year's statement, grouped by line item in the order of the statement."""

    def __init__(self, *, items: list[LineItem], unit: str, data=None, lines: list[LedgerLine] = (),
                 add_row_for: int | None = None, carried_forward: Decimal | None = None,
                 last_names: dict[str, list[str]] | None = None):
        """`carried_forward`: last year's 年末未分配收益, put in this year's 年初未分配收益 when it has none yet.
        `last_names`: last year's 项目 names by item code, offered as rows of an item with no lines yet."""
        self.items = items
        self.unit = unit
        self.data = data
        self.groups = [ItemRows(item) for item in items]
        by_item = {group.item.pk: group for group in self.groups}
        if data is not None:
            indices = defaultdict(set)
            for key in data:
                match = ROW_KEY.match(key)
                if match and int(match[1]) in by_item:
                    indices[int(match[1])].add(int(match[2]))
            for item_id, group in by_item.items():
                for n in sorted(indices[item_id]):
                    group.rows.append(LineRowForm(data, prefix=f"line-{item_id}-{n}", item=group.item, unit=unit))
        else:
            stored = defaultdict(list)
            for line in lines:
                stored[line.item_id].append(line)
            for item_id, group in by_item.items():
                for n, line in enumerate(sorted(stored[item_id], key=lambda line: (line.name != "", line.name))):
                    group.rows.append(LineRowForm(
                        prefix=f"line-{item_id}-{n}", item=group.item, unit=unit,
                        initial={"name": line.name, "amount": amount_for_input(line.amount, unit), "note": line.note},
                    ))
        self.prefilled: LineItem | None = None
        if data is None and last_names:
            for group in self.groups:
                if group.rows or group.item.code == CARRIED_ITEM:
                    continue
                for n, name in enumerate(sorted(last_names.get(group.item.code, []), key=lambda name: (name != "", name))):
                    initial = {"name": name, "offered": True} if name else {}
                    group.rows.append(LineRowForm(prefix=f"line-{group.item.pk}-{n}", item=group.item, unit=unit,
                                                  initial=initial))
        for group in self.groups:
            # An item without rows gets one to type into; "添加项目" asks for one more.
            if not group.rows or group.item.pk == add_row_for:
                initial = {}
                if (data is None and not group.rows and carried_forward is not None
                        and group.item.code == CARRIED_ITEM):
                    initial = {"amount": amount_for_input(carried_forward, unit)}
                    self.prefilled = group.item
                n = 1 + max((int(row.prefix.rsplit("-", 1)[1]) for row in group.rows), default=-1)
                group.rows.append(LineRowForm(prefix=f"line-{group.item.pk}-{n}", item=group.item, unit=unit,
                                              initial=initial))
        self._valid = None

    def is_valid(self) -> bool:
        if self._valid is None:
            valid = all(row.is_valid() for group in self.groups for row in group.rows if row.is_bound and not row.is_deleted)
            seen = {}
            for group in self.groups:
                for row in group.rows:
                    line = row.line if row.is_bound and not row.is_deleted and not row.errors else None
                    if line is None:
                        continue
                    if len(seen) == MAX_STATEMENT_LINES:
                        # So that the figures, sums of at most this many lines, fit (ledger.money.MAX_FIGURE).
                        row.add_error("amount", _("一个村年度最多 %(count)s 行明细，请合并部分项目。")
                                      % {"count": MAX_STATEMENT_LINES})
                        valid = False
                        continue
                    if line.key in seen:
                        row.add_error("name", _("同一科目下项目名称重复，请合并或改名。") if line.name
                                      else _("同一科目下只能有一行不写项目名称。"))
                        valid = False
                    seen[line.key] = row
            self._valid = valid
        return self._valid

    def oversized(self) -> dict[str, list[LineRowForm]]:
        """Rows too large for a line in 万元 that fit in 元 (`LineRowForm.as_yuan`), by item code."""
        found: dict[str, list[LineRowForm]] = {}
        for group in self.groups:
            for row in group.rows:
                if row.is_bound and not row.is_deleted and row.as_yuan is not None and "amount" in row.errors:
                    found.setdefault(group.item.code, []).append(row)
        return found

    @property
    def error_count(self) -> int:
        return sum(len(row.errors) for group in self.groups for row in group.rows if row.is_bound)

    def lines(self) -> list[LineInput]:
        """The complete statement as typed (call after `is_valid`)."""
        return [row.line for group in self.groups for row in group.rows if row.is_bound and row.line is not None]
