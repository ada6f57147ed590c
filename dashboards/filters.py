"""The village league table's filters (django-filter): they narrow the villages shown, never the ranks."""

import django_filters
from django import forms

from villages.models import PartyOrganization, Town, Village

from .models import FIGURE_CHOICES

SORT_CHOICES = [
    ("rank", "名次"), ("-rank", "名次（倒序）"), ("growth", "增长率（高在前）"), ("-growth", "增长率（低在前）"),
    ("change", "名次上升多的在前"), ("-change", "名次下降多的在前"), ("town", "按乡镇"),
]
TOP_CHOICES = [("10", "前10名"), ("20", "前20名"), ("50", "前50名"), ("100", "前100名")]


def _keep(queryset, name, value):
    # Display parameters (year, figure, order, TOP-N): read by the view, not a condition on villages.
    return queryset


class VillageTableFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label="年度", method=_keep, empty_label=None)
    metric = django_filters.ChoiceFilter(label="排名指标", choices=FIGURE_CHOICES, method=_keep, empty_label=None)
    town = django_filters.ModelChoiceFilter(label="乡镇", queryset=Town.objects.none(), empty_label="全部乡镇")
    organization = django_filters.ModelChoiceFilter(
        label="党组织/组团", field_name="party_organizations", queryset=PartyOrganization.objects.none(),
        empty_label="全部")
    tier = django_filters.ChoiceFilter(label="梯队", method=_keep, empty_label="全部梯队")
    weak = django_filters.BooleanFilter(label="只看薄弱村", method=_keep, widget=forms.CheckboxInput)
    q = django_filters.CharFilter(label="村名", field_name="name", lookup_expr="icontains")
    sort = django_filters.ChoiceFilter(label="排序", choices=SORT_CHOICES, method=_keep, empty_label=None)
    top = django_filters.ChoiceFilter(label="TOP", choices=TOP_CHOICES, method=_keep, empty_label="全部（分页）")
    submitted = django_filters.BooleanFilter(label="含已提交未审核", method=_keep, widget=forms.CheckboxInput)

    NARROWING = ("town", "organization", "q")

    class Meta:
        model = Village
        fields = []

    def __init__(self, data=None, *, years, towns, organizations, tier_labels, **kwargs):
        super().__init__(data, queryset=kwargs.pop("queryset"), **kwargs)
        self.filters["year"].extra["choices"] = [(y, f"{y}年") for y in years]
        self.filters["town"].queryset = towns
        self.filters["organization"].queryset = organizations
        self.filters["tier"].extra["choices"] = [(label, label) for label in tier_labels]

    @property
    def narrows(self) -> bool:
        return any(self.form.cleaned_data.get(name) for name in self.NARROWING)
