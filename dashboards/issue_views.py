"""Pages of the published 比拼晾晒 issues: the list, publishing (form → preview → confirm), an issue, its print view.

Every read of an issue goes through `issues.get_issue_for_user` (404 outside the user's scope); the
only write is `issues.issue_publish`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ledger.figures import FIGURE_NAMES
from ledger.money import format_wan
from villages.access import get_county_for_user, role_of, visible_counties

from . import selectors
from .issue_forms import IssueForm
from .issues import (
    IssueError,
    IssuePreview,
    can_publish,
    default_title,
    get_issue_for_user,
    issue_preview,
    issue_publish,
    visible_issues,
)
from .models import LeagueIssue
from .selectors import UNIT_SORTS
from .views import dashboard_view

ISSUES_PER_PAGE = 30


@dashboard_view
def issue_list(request):
    issues = visible_issues(request.user).select_related("published_by")
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    publish_counties = list(visible_counties(request.user)) if can_publish(request.user) else []
    return render(request, "dashboards/issues/list.html", {
        "issues": page, "page_obj": page, "publish_counties": publish_counties, "section": "issues",
    })


def _publishing_county(request):
    if not can_publish(request.user):
        raise PermissionDenied(_("只有县级管理人员可以发布比拼晾晒。"))
    role = role_of(request.user)
    return get_county_for_user(request.user, pk=request.GET.get("county") or role.county_id)


def _table_context(*, issue: LeagueIssue | None = None, preview: IssuePreview | None = None) -> dict:
    """What the rows partial needs, for a published issue or a preview."""
    if issue is not None:
        table, metric, sort, tier_labels = issue.table, issue.metric, issue.sort, issue.tier_labels
        rows, has_previous = list(issue.rows.all()), issue.previous_issue_id is not None
    else:
        spec = preview.spec
        table, metric, sort, tier_labels = spec.table, spec.metric, spec.sort, preview.tier_labels
        rows, has_previous = preview.rows, preview.previous is not None
    return {"rows": rows, "is_towns": table == LeagueIssue.Table.TOWNS, "figure": FIGURE_NAMES[metric],
            "sort_label": UNIT_SORTS[sort][0] if table == LeagueIssue.Table.TOWNS else FIGURE_NAMES[metric],
            "tier_labels": tier_labels, "has_previous": has_previous}


@dashboard_view
@require_http_methods(["GET", "POST"])
def issue_new(request):
    """Step 1 the table, step 2 the preview of exactly what will be published, step 3 confirm."""
    county = _publishing_county(request)
    years = selectors.available_years(scope=selectors.Scope(county=county), year_statuses=selectors.APPROVED)
    context = {"county": county, "section": "issues", "years": years}
    if request.method == "GET":
        form = IssueForm(county=county, years=years, initial={
            "issuing_unit": _("%(county)s农业农村局") % {"county": county.name}, "year": years[0] if years else None})
        return render(request, "dashboards/issues/new.html", {**context, "form": form})
    form = IssueForm(request.POST, county=county, years=years)
    if not form.is_valid() or "edit" in request.POST:
        return render(request, "dashboards/issues/new.html", {**context, "form": form})
    spec = form.spec()
    title = form.cleaned_data["title"] or default_title(spec)
    try:
        if "confirm" in request.POST:
            issue = issue_publish(spec=spec, title=title, issuing_unit=form.cleaned_data["issuing_unit"],
                                  note=form.cleaned_data["note"], digest=request.POST.get("digest", ""),
                                  actor=request.user)
            messages.success(request, _("已发布 %(number)s：%(title)s") % {"number": issue.number_label,
                                                                           "title": issue.title})
            return redirect("dashboards:issue", pk=issue.pk)
        preview = issue_preview(spec=spec)
    except IssueError as exc:
        form.add_error(None, str(exc))
        return render(request, "dashboards/issues/new.html", {**context, "form": form})
    if not preview.rows:
        form.add_error("year", _("%(year)s年没有已审核的数据，不能发布。") % {"year": spec.year})
        return render(request, "dashboards/issues/new.html", {**context, "form": form})
    return render(request, "dashboards/issues/confirm.html", {
        **context, "form": form, "preview": preview, "title": title, "spec": spec,
        "scope_label": selectors.Scope(county=county, town=spec.town).label,
        "table_label": LeagueIssue.Table(spec.table).label, "today": timezone.localdate(),
        **_table_context(preview=preview),
    })


def _image_data(issue: LeagueIssue, rows) -> dict:
    """The issue as the WeChat image draws it (static/js/issue_image.js): display text only."""
    towns = issue.table == LeagueIssue.Table.TOWNS
    figure = FIGURE_NAMES[issue.metric]

    def change(row) -> str:
        value = row.issue_rank_change
        if value is None:
            return _("新") if issue.previous_issue_id else "—"
        return f"↑{value}" if value > 0 else f"↓{-value}" if value < 0 else "–"

    if towns:
        columns = [_("名次"), _("乡镇"), _("村数"), _("村均"), _("合计"), _("较上期")]
        body = [[str(r.rank), r.name, str(r.villages or 0), format_wan(r.mean), format_wan(r.value), change(r)]
                for r in rows]
    else:
        columns = [_("名次"), _("村"), _("乡镇"), figure, _("梯队"), _("较上期")]
        body = [[str(r.rank), r.name, r.parent_name, format_wan(r.value), r.tier, change(r)] for r in rows]
    return {"title": issue.title, "number": issue.number_label, "unit": issue.issuing_unit,
            "date": timezone.localtime(issue.published_at).strftime("%Y年%m月%d日"),
            "subtitle": _("%(scope)s · %(year)s年数据 · 仅已审核数据 · 金额单位：万元") % {
                "scope": issue.scope_label, "year": issue.year},
            "columns": columns, "rows": body,
            "filename": f"{issue.county.name}-比拼晾晒-{issue.issue_year}-{issue.number}.png"}


@dashboard_view
def issue_detail(request, pk: int):
    issue = get_issue_for_user(request.user, pk=pk)
    table = _table_context(issue=issue)
    previous = None
    if issue.previous_issue_id:
        previous = visible_issues(request.user).filter(pk=issue.previous_issue_id).first()
    return render(request, "dashboards/issues/detail.html", {
        "issue": issue, "previous": previous, "section": "issues", **table,
        "image_data": _image_data(issue, table["rows"]),
    })


@dashboard_view
def issue_print(request, pk: int):
    issue = get_issue_for_user(request.user, pk=pk)
    return render(request, "dashboards/issues/print.html", {"issue": issue, **_table_context(issue=issue)})
