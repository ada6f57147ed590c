"""Filters of the town's village list (django-filter): name or code, and the state of the chosen year."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from villages.models import Village

from .models import LedgerYear
from .selectors import NOT_ENTERED

STATUS_CHOICES = [(NOT_ENTERED, _("未填报")), *LedgerYear.Status.choices]


class TownVillageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("村名或代码"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=STATUS_CHOICES, method="filter_status",
                                         empty_label=_("全部"))

    class Meta:
        model = Village
        fields = []

    def __init__(self, *args, year: int, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value)) if value else queryset

    def filter_status(self, queryset, name, value):
        years = LedgerYear.objects.filter(village=OuterRef("pk"), year=self.year)
        if value == NOT_ENTERED:
            return queryset.filter(~Exists(years))
        return queryset.filter(Exists(years.filter(status=value)))
