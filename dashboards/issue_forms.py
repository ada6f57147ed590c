"""The form a county official fills to publish a 比拼晾晒 issue (dashboards.issues.issue_publish)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.figures import FIGURE_CHOICES
from villages.models import County, Town

from .issues import TOWN_SORTS, VILLAGE_SORT, IssueSpec
from .models import LeagueIssue
from .selectors import UNIT_SORTS


class IssueForm(forms.Form):
    table = forms.ChoiceField(label=_("榜单"), choices=LeagueIssue.Table.choices, initial=LeagueIssue.Table.VILLAGES)
    town = forms.ModelChoiceField(label=_("范围"), queryset=Town.objects.none(), required=False,
                                  empty_label=_("全县"), help_text=_("村排名可只排一个乡镇的村；镇比拼总是全县。"))
    metric = forms.ChoiceField(label=_("指标"), choices=FIGURE_CHOICES)
    sort = forms.ChoiceField(label=_("镇比拼排序"), choices=[(k, UNIT_SORTS[k][0]) for k in TOWN_SORTS],
                             required=False, initial="mean")
    year = forms.TypedChoiceField(label=_("数据年度"), coerce=int, choices=[])
    title = forms.CharField(label=_("标题"), max_length=100, required=False,
                            help_text=_("留空则按榜单自动生成。"))
    issuing_unit = forms.CharField(label=_("发布单位"), max_length=60)
    note = forms.CharField(label=_("说明"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, county: County, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        self.fields["town"].queryset = Town.objects.filter(county=county).order_by("code")
        self.fields["year"].choices = [(y, f"{y}年") for y in years]

    def spec(self) -> IssueSpec:
        data = self.cleaned_data
        table = data["table"]
        return IssueSpec(county=self.county, town=data["town"] if table == LeagueIssue.Table.VILLAGES else None,
                         table=table, metric=data["metric"],
                         sort=VILLAGE_SORT if table == LeagueIssue.Table.VILLAGES else (data["sort"] or "mean"),
                         year=data["year"])
