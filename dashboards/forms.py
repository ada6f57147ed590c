"""The tier settings form (梯队标准): the 薄弱村/空壳村 lines and the tiers, typed in 万元."""

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ledger.figures import FIGURE_CHOICES
from ledger.money import WAN, AmountError, parse_amount

MAX_TIERS = 8


def parse_line(text: str) -> Decimal | None:
    """A line typed in 万元 as 元 (None when blank); ValidationError, in Chinese, for anything else."""
    try:
        value = parse_amount(text, WAN)
    except AmountError as exc:  # names the text: exponents, stray digits, above MAX_LINE_AMOUNT (100亿元)
        raise forms.ValidationError(str(exc)) from exc
    return value


class SchemeForm(forms.Form):
    weak_metric = forms.ChoiceField(label=_("薄弱村口径"), choices=FIGURE_CHOICES)
    weak_line = forms.CharField(label=_("薄弱村线（万元）"), help_text=_("低于此数为薄弱村（含空壳村）"))
    shell_metric = forms.ChoiceField(label=_("空壳村口径"), choices=FIGURE_CHOICES)
    shell_line = forms.CharField(label=_("空壳村线（万元）"), help_text=_("低于此数（含无收入）为空壳村"))

    def _line(self, name: str) -> Decimal:
        value = parse_line(self.cleaned_data[name])
        if value is None:
            raise forms.ValidationError(gettext("请填写金额。"))
        return value

    def clean_weak_line(self) -> Decimal:
        return self._line("weak_line")

    def clean_shell_line(self) -> Decimal:
        return self._line("shell_line")


class ThresholdForm(forms.Form):
    label = forms.CharField(label=_("梯队名称"), max_length=30, required=False)
    metric = forms.ChoiceField(label=_("口径"), choices=FIGURE_CHOICES)
    min_amount = forms.CharField(label=_("起点（万元）"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("label") and not data.get("min_amount"):
            self.add_error("min_amount", gettext("请填写起点金额。"))
        if data.get("min_amount"):
            try:
                data["min_amount"] = parse_line(data["min_amount"])
            except forms.ValidationError as exc:
                self.add_error("min_amount", exc)
        return data


ThresholdFormSet = formset_factory(ThresholdForm, extra=2, max_num=MAX_TIERS)
