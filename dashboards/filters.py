"""The village league table's filters (django-filter): they narrow the villages shown, never the ranks."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.figures import FIGURE_CHOICES
from villages.models import PartyOrganization, Town, Village

SORT_CHOICES = [
    ("rank", _("名次")), ("-rank", _("名次（倒序）")), ("growth", _("增长率（高在前）")), ("-growth", _("增长率（低在前）")),
    ("change", _("名次上升多的在前")), ("-change", _("名次下降多的在前")), ("town", _("按乡镇")),
]
TOP_CHOICES = [("10", _("前10名")), ("20", _("前20名")), ("50", _("前50名")), ("100", _("前100名"))]


def _keep(queryset, name, value):
    # Display parameters (year, figure, order, TOP-N): read by the view, not a condition on villages.
    return queryset


class VillageTableFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label=_("年度"), method=_keep, empty_label=None)
    metric = django_filters.ChoiceFilter(label=_("排名指标"), choices=FIGURE_CHOICES, method=_keep, empty_label=None)
    town = django_filters.ModelChoiceFilter(label=_("乡镇"), queryset=Town.objects.none(), empty_label=_("全部乡镇"))
    organization = django_filters.ModelChoiceFilter(
        label=_("党组织/组团"), field_name="party_organizations", queryset=PartyOrganization.objects.none(),
        empty_label=_("全部"))
    tier = django_filters.ChoiceFilter(label=_("梯队"), method=_keep, empty_label=_("全部梯队"))
    weak = django_filters.BooleanFilter(label=_("只看薄弱村"), method=_keep, widget=forms.CheckboxInput)
    q = django_filters.CharFilter(label=_("村名"), field_name="name", lookup_expr="icontains")
    sort = django_filters.ChoiceFilter(label=_("排序"), choices=SORT_CHOICES, method=_keep, empty_label=None)
    top = django_filters.ChoiceFilter(label="TOP", choices=TOP_CHOICES, method=_keep, empty_label=_("全部（分页）"))
    submitted = django_filters.BooleanFilter(label=_("含已提交未审核"), method=_keep, widget=forms.CheckboxInput)

    NARROWING = ("town", "organization", "q")

    class Meta:
        model = Village
        fields = []

    def __init__(self, data=None, *, years, towns, organizations, tier_labels, **kwargs):
        super().__init__(data, queryset=kwargs.pop("queryset"), **kwargs)
        self.filters["year"].extra["choices"] = [(y, _("%(year)s年") % {"year": y}) for y in years]
        self.filters["town"].queryset = towns
        self.filters["organization"].queryset = organizations
        self.filters["tier"].extra["choices"] = [(label, label) for label in tier_labels]

    @property
    def narrows(self) -> bool:
        return any(self.form.cleaned_data.get(name) for name in self.NARROWING)
