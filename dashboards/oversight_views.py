"""填报进度 and 三色预警: who is late with a year's accounts, and what looks wrong in them.

Both pages read `?county=` / `?town=` and `?year=` (and `?submitted=1` for the warnings) like every
dashboard page and open on the year being reported; both export xlsx. What they show comes from
`selectors.progress` and `selectors.warnings`; deadlines, limits and 已核实 marks are written by
`warning_services`.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ledger.access import get_ledger_year_for_user
from ledger.spreadsheets import xlsx_bytes, xlsx_response
from villages.access import get_county_for_user, has_role, role_of
from villages.models import UserRole, Village

from .pages import PAGE_SIZE, Page, PageInfo, page_context, page_number, read_page, table_export
from .rules import scope_rules
from .selectors.progress import (
    PROGRESS_STATUSES,
    available_progress_years,
    progress_table,
    status_label,
    status_labels,
    village_progress,
)
from .selectors.warnings import (
    CHECKS,
    RED,
    SEVERITY_LABELS,
    YELLOW,
    warning_limits,
    warnings_report,
)
from .selectors.years import YearChoice
from .views import dashboard_view
from .warning_services import (
    WarningSettingsError,
    reporting_deadline_set,
    warning_review_create,
    warning_rules_update,
)

STATES = {"open": gettext_lazy("待核实"), "verified": gettext_lazy("已核实"), "all": gettext_lazy("全部")}


class DeadlineForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("填报截止日"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": gettext_lazy("请填写有效日期，如 2026-03-31。"),
                                               "required": gettext_lazy("请填写日期。")})


class ReviewForm(forms.Form):
    ledger_year = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.ChoiceField(choices=list(CHECKS.items()), widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("核实说明"), max_length=500,
                             error_messages={"required": gettext_lazy("请填写核实说明。"),
                                             "max_length": gettext_lazy("核实说明最多 500 个字。")})


class RulesForm(forms.Form):
    drop_percent = forms.DecimalField(label=gettext_lazy("黄色降幅（%）"), min_value=1, max_value=100, decimal_places=2)
    red_drop_percent = forms.DecimalField(label=gettext_lazy("红色降幅（%）"), min_value=1, max_value=100,
                                          decimal_places=2)
    jump_ratio = forms.DecimalField(label=gettext_lazy("单位错误倍数"), min_value=2, max_value=99999,
                                    decimal_places=2)


def _is_county_official(user) -> bool:
    role = role_of(user)
    return role is not None and role.role in (UserRole.Role.OFFICIAL, UserRole.Role.ADMIN) and not role.town_id


def _reporting_page(request: HttpRequest) -> Page:
    """The page's scope and parameters, on the year being reported unless `?year=` names one."""
    page = read_page(request, choose=False)
    years = available_progress_years(scope=page.scope)
    try:
        asked = int(request.GET.get("year", ""))
    except ValueError:
        asked = None
    page.years = years
    page.year = asked if asked in years else years[0]
    page.year_choice = None if asked in years else YearChoice(
        year=page.year, complete=True, last_complete=None, chosen_by_default=False,
        note=_("默认显示正在填报的年度：%(year)s年。") % {"year": page.year})
    return page


# 填报进度 -------------------------------------------------------------------------------------------

@dashboard_view
@require_http_methods(["GET", "POST"])
def progress(request):
    page = _reporting_page(request)
    scope, year = page.scope, page.year
    can_set = scope.county is not None and scope.town is None and _is_county_official(request.user)
    deadline_form = None
    if can_set:
        deadline_form = DeadlineForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and deadline_form.is_valid():
            try:
                reporting_deadline_set(county=scope.county, year=year, due_date=deadline_form.cleaned_data["due_date"],
                                       actor=request.user)
            except WarningSettingsError as exc:
                deadline_form.add_error("due_date", str(exc))
            else:
                messages.success(request, _("%(county)s %(year)s年的填报截止日已保存。") % {
                    "county": scope.county.name, "year": year})
                return redirect(f"{request.path}?{page.query()}")
    elif request.method == "POST":
        raise PermissionDenied(_("只有县级管理人员可以设置填报截止日。"))
    table = progress_table(scope=scope, year=year)
    villages = village_progress(town=scope.town, year=year) if scope.town else []
    labels = status_labels()
    headers = [labels[s] for s in PROGRESS_STATUSES]
    today = table.today
    if request.GET.get("export") == "xlsx":
        unit = _("乡镇") if table.by == "town" else _("县（市、区）")
        rows = [[r.name, r.code, r.villages, *r.columns, r.approved_share,
                 r.deadline.due_date if r.deadline else None, r.deadline.days_left(today) if r.deadline else None]
                for r in [*table.rows, table.total]]
        title = _("%(scope)s %(year)s年 填报进度（截至 %(today)s）") % {
            "scope": scope.label, "year": year, "today": today.strftime("%Y-%m-%d")}
        sheets = [(_("填报进度"), [unit, _("区划代码"), _("村数"), *headers, _("审核率（%）"), _("截止日"),
                                   _("剩余天数（负数为逾期）")], rows)]
        if villages:
            sheets.append((_("各村"), [_("村"), _("区划代码"), _("状态"), _("最后修改")], [
                [v.name, v.code, status_label(v.status),
                 timezone.localtime(v.updated_at).strftime("%Y-%m-%d %H:%M") if v.updated_at else ""]
                for v in villages]))
        stamp = timezone.localtime().strftime("%Y%m%d")
        return xlsx_response(xlsx_bytes(sheets, title=title),
                             _("填报进度-%(scope)s-%(year)s") % {"scope": scope.label, "year": year} + f"-{stamp}.xlsx")
    deadline = table.total.deadline
    if deadline_form is not None and request.method == "GET" and deadline:
        deadline_form = DeadlineForm(initial={"due_date": deadline.due_date})
    return render(request, "dashboards/progress.html", page_context(
        request, page, table=table, headers=headers, villages=villages, deadline=deadline,
        deadline_form=deadline_form, unit_key=table.by, today=today, statuses=PROGRESS_STATUSES,
        labels=labels, section="progress"))


# 三色预警 ---------------------------------------------------------------------------------------------

@dashboard_view
def warnings(request):
    page = _reporting_page(request)
    scope, year = page.scope, page.year
    rules = scope_rules(scope.county_ids)
    by_county, fallback = warning_limits(scope.county_ids)
    limits = by_county.get(scope.county.pk, fallback) if scope.county else fallback
    rules_form = None
    if scope.county is not None and scope.town is None and _is_county_official(request.user):
        rules_form = RulesForm(initial={"drop_percent": limits.drop_percent, "red_drop_percent": limits.red_drop_percent,
                                        "jump_ratio": limits.jump_ratio})
    report = warnings_report(scope=scope, year=year, year_statuses=page.statuses, rules=rules,
                             limits=(by_county, fallback))
    severity = request.GET.get("level") if request.GET.get("level") in (RED, YELLOW) else ""
    code = request.GET.get("check") if request.GET.get("check") in CHECKS else ""
    state = request.GET.get("state") if request.GET.get("state") in STATES else "open"
    name = (request.GET.get("q") or "").strip()[:50]
    village_ids = None
    if name:
        village_ids = set(Village.objects.filter(name__icontains=name, **scope.village_filter)
                          .values_list("pk", flat=True))
    filters = {"severity": severity, "code": code, "state": state, "village_ids": village_ids}
    if request.GET.get("export") == "xlsx":
        described = report.describe(report.select(**filters))
        return table_export(
            filename=_("三色预警-%(scope)s-%(year)s") % {"scope": scope.label, "year": year}, sheet=_("三色预警"),
            headers=[_("预警"), _("预警项"), _("村"), _("区划代码"), _("乡镇"), _("年度"), _("状态"), _("说明"),
                     _("核实"), _("核实说明"), _("核实人"), _("核实时间")],
            rows=([str(w.severity_label), str(w.check_name), w.name, w.village_code, w.town_name, year,
                   status_label(w.status) if w.status else _("未填报"), w.message,
                   _("已核实") if w.verified else _("待核实"), w.review.reason if w.review else "",
                   w.review.by if w.review else "",
                   timezone.localtime(w.review.at).strftime("%Y-%m-%d %H:%M") if w.review else ""]
                  for w in described),
            title=_("%(scope)s %(year)s年 三色预警（%(note)s，截至 %(today)s）") % {
                "scope": scope.label, "year": year, "note": page.status_note,
                "today": timezone.localdate().strftime("%Y-%m-%d")},
        )
    number = page_number(request)
    count, shown = report.page(offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, **filters)
    page_info = PageInfo(number=number, count=count)
    if number > page_info.num_pages:  # past the end: the last page
        page_info.number = number = page_info.num_pages
        count, shown = report.page(offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, **filters)
    shown = report.describe(shown)
    return render(request, "dashboards/warnings.html", page_context(
        request, page, report=report, rows=shown, page_obj=page_info, count=count, severity=severity,
        check=code, state=state, q=name, checks=list(CHECKS.items()), states=list(STATES.items()),
        levels=[(RED, SEVERITY_LABELS[RED]), (YELLOW, SEVERITY_LABELS[YELLOW])], unit_key=report.by,
        can_review=_is_county_official(request.user) or has_role(request.user, UserRole.Role.ADMIN),
        section="warnings", limits=limits, rules_form=rules_form))


@dashboard_view
@require_POST
def warning_review(request):
    """已核实: an official marks one warning of a village-year, with a reason."""
    form = ReviewForm(request.POST)
    back = _back(request)
    if not form.is_valid():
        # Scope first: an id outside the user's villages is 404 whatever else is wrong.
        if str(request.POST.get("ledger_year", "")).isdigit():
            get_ledger_year_for_user(request.user, pk=int(request.POST["ledger_year"]))
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    ledger_year = get_ledger_year_for_user(request.user, pk=form.cleaned_data["ledger_year"])
    if not (_is_county_official(request.user) or has_role(request.user, UserRole.Role.ADMIN)):
        raise PermissionDenied(_("只有县级管理人员可以核实预警。"))
    try:
        warning_review_create(ledger_year=ledger_year, code=form.cleaned_data["code"],
                              reason=form.cleaned_data["reason"], actor=request.user)
    except WarningSettingsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已核实：%(year)s %(check)s。") % {"year": ledger_year,
                                                                   "check": CHECKS[form.cleaned_data["code"]]})
    return redirect(back)



def _back(request: HttpRequest) -> str:
    """Where a form on the warnings page returns to: the page it was sent from (same site only)."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return "/dashboards/warnings/"


@dashboard_view
@require_POST
def warning_rules(request, county_pk: int):
    """The county's 三色预警 limits, set by its officials on the warnings page."""
    county = get_county_for_user(request.user, pk=county_pk)
    if not _is_county_official(request.user):
        raise PermissionDenied(_("只有县级管理人员可以修改预警规则。"))
    form = RulesForm(request.POST)
    if form.is_valid():
        try:
            warning_rules_update(county=county, actor=request.user, **form.cleaned_data)
        except WarningSettingsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(county)s的预警规则已保存。") % {"county": county.name})
    else:
        messages.error(request, "；".join(f"{form.fields[name].label}：{e}" for name, errors in form.errors.items()
                                         for e in errors))
    return redirect(_back(request))
