"""Dashboard pages for officials and towns: overview, league tables, tiers, organisations, village profile.

What a page reads from the URL, its paging and its xlsx export are in `dashboards.pages`; what it
shows comes from `dashboards.selectors`; the tier settings form is in `dashboards.forms`.
"""

from decimal import Decimal
from functools import partial, wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.db_routers import reading_replica
from ledger.figures import FIGURE_CHOICES, FIGURE_NAMES
from ledger.models import LedgerYear
from ledger.money import yuan_to_wan
from villages.access import get_county_for_user, get_village_for_user, role_of, visible_party_organizations
from villages.models import PartyOrganization, Town, UserRole, Village

from . import charts, selectors
from .filters import VillageTableFilter
from .forms import SchemeForm, ThresholdFormSet
from .pages import (
    PAGE_SIZE,
    Page,
    PageInfo,
    breadcrumbs,
    not_found,
    page_context,
    page_number,
    read_page,
    table_export,
    wan,
)
from .rules import scope_rules
from .services import ThresholdInput, TierSettingsError, tier_scheme_ensure, tier_scheme_update

TOP_CHART = 20
# The figures the village profile draws over the years.
PROFILE_TREND_FIGURES = ("total_income", "operating_income", "net_income")


def dashboard_view(view):
    """Signed-in users with a role; everyone else gets 404 (the dashboards do not exist for them)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if role_of(request.user) is None:
            raise not_found()
        if request.method != "GET":
            return view(request, *args, **kwargs)
        # Pages only read: with DATABASE_REPLICA_URL set, they read from the replica.
        with reading_replica():
            return view(request, *args, **kwargs)

    return wrapped


def _selection(page: Page, rules) -> dict:
    """The keyword arguments every read of a page's year takes."""
    return {"scope": page.scope, "year": page.year, "year_statuses": page.statuses, "metric": page.metric,
            "rules": rules}


# Overview ---------------------------------------------------------------------------------------------

@dashboard_view
def overview(request):
    page = read_page(request)
    if page.year is None:
        return render(request, "dashboards/overview.html", page_context(request, page, empty=True))
    scope, rules = page.scope, scope_rules(page.scope.county_ids)
    data = selectors.overview_page(**_selection(page, rules), years=page.years)
    summary, ranking, trend_rows = data.summary, data.villages, data.trend
    children, treemap_chart, tier_chart = None, None, None
    if scope.level == "town":
        children = ranking
        treemap_chart = charts.treemap(
            ["scope", *(f"v{r.village_id}" for r in children)], [scope.town.name, *(r.name for r in children)],
            ["", *("scope" for _child in children)], [Decimal(0), *(r.figures["total_income"] for r in children)],
            _("%(town)s 各村总收入（%(year)s年）") % {"town": scope.town.name, "year": page.year})
    else:
        children = data.units
        tier_title = (_("各县梯队分布（%(year)s年）") if scope.level == "province"
                      else _("各镇梯队分布（%(year)s年）")) % {"year": page.year}
        drawn = [u for u in children if not u.unreported]  # 未报送 units are listed in the table below
        tier_chart = charts.tier_stack([u.name for u in drawn], rules.labels, [u.bands for u in drawn], tier_title)
        if scope.level == "province":
            # Counties only: 25,000 village boxes would be unreadable (and slow); each county's
            # overview has its towns and villages.
            treemap_chart = charts.treemap(
                ["scope", *(f"c{u.pk}" for u in children)], [scope.label, *(u.name for u in children)],
                ["", *("scope" for _child in children)], [Decimal(0), *(u.total_income for u in children)],
                _("各县（市、区）总收入（%(year)s年）") % {"year": page.year})
        else:
            named = ranking
            treemap_chart = charts.treemap(
                ["scope", *(f"t{u.pk}" for u in children), *(f"v{r.village_id}" for r in named)],
                [scope.county.name, *(u.name for u in children), *(r.name for r in named)],
                ["", *("scope" for _child in children), *(f"t{r.town_id}" for r in named)],
                [Decimal(0)] * (1 + len(children)) + [r.figures["total_income"] for r in named],
                _("%(county)s 镇村总收入（%(year)s年）") % {"county": scope.county.name, "year": page.year})
    top = ranking[:10]
    # Years after the last complete one are still being reported: the trend marks them incomplete.
    last_complete = page.year_choice.last_complete if page.year_choice else None
    unreported = selectors.unreported_villages(scope=scope, year=page.year, year_statuses=page.statuses) \
        if scope.level == "town" else None
    total_name, operating_name = FIGURE_NAMES["total_income"], FIGURE_NAMES["operating_income"]
    context = page_context(
        request, page, summary=summary, children=children, top=top, rules=rules,
        unit_key="county" if scope.level == "province" else "town",
        ranking_chart=charts.ranking_bar(
            [r.name for r in top], [r.value for r in top], page.metric_name,
            _("%(figure)s 前10名（%(year)s年）") % {"figure": page.metric_name, "year": page.year}),
        trend_chart=charts.trend(
            [r["year"] for r in trend_rows],
            [(_("%(figure)s合计") % {"figure": total_name}, [r["total_income"] for r in trend_rows]),
             (_("%(figure)s合计") % {"figure": operating_name}, [r["operating_income"] for r in trend_rows])],
            _("%(scope)s 历年集体收入") % {"scope": scope.label}, last_complete=last_complete),
        mean_chart=charts.trend(
            [r["year"] for r in trend_rows],
            [(_("村均%(figure)s") % {"figure": operating_name}, [r["operating_mean"] for r in trend_rows])],
            _("村均%(figure)s") % {"figure": operating_name}, last_complete=last_complete),
        composition_chart=charts.composition(summary.composition,
                                             _("总收入构成（%(year)s年）") % {"year": page.year}),
        tier_chart=tier_chart, treemap_chart=treemap_chart, unreported=unreported,
    )
    return render(request, "dashboards/overview.html", context)


# Village league table -------------------------------------------------------------------------------------

@dashboard_view
def village_table(request):
    page = read_page(request)
    scope = page.scope
    # Choices only where they are a short list: at province level one narrows by county first.
    towns, organizations = Town.objects.none(), PartyOrganization.objects.none()
    if scope.level != "province":
        towns = Town.objects.filter(**({"pk": scope.town.pk} if scope.town else {"county": scope.county}))
        organizations = visible_party_organizations(request.user).filter(kind__in=PartyOrganization.SPANNING_KINDS)
        if not scope.town:
            organizations = organizations.filter(county=scope.county)
    rules = scope_rules(scope.county_ids)
    villages = Village.objects.filter(**scope.village_filter)
    filterset = VillageTableFilter(request.GET, queryset=villages, years=page.years, towns=towns,
                                   organizations=organizations, tier_labels=rules.labels)
    filterset.form.is_valid()
    data = filterset.form.cleaned_data
    sort = data.get("sort") or "rank"
    top = int(data["top"]) if data.get("top") else None
    export = request.GET.get("export") == "xlsx"
    rows, total, page_info = [], 0, None
    if page.year is not None:
        ranked = partial(
            selectors.ranked_villages, **_selection(page, rules),
            villages=filterset.qs if filterset.narrows else None,
            condition=selectors.village_condition(rules, tier=data.get("tier") or "", weak_only=bool(data.get("weak"))),
        )
        if export:
            rows, total = ranked(sort="rank" if top else sort, limit=top)
        elif top:
            rows, total = ranked(sort="rank", limit=top)
        else:
            number = page_number(request)
            rows, total = ranked(sort=sort, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
            if not rows and number > 1:
                number = 1
                rows, total = ranked(sort=sort, limit=PAGE_SIZE)
            page_info = PageInfo(number=number, count=total)
    if export:
        figure = page.metric_name
        return table_export(
            filename=_("村排名-%(scope)s-%(year)s") % {"scope": scope.label, "year": page.year}, sheet=_("村排名"),
            headers=[_("名次"), _("上年名次"), _("名次变化"), _("村"), _("区划代码"), _("乡镇"),
                     _("%(figure)s（万元）") % {"figure": figure}, _("上年%(figure)s（万元）") % {"figure": figure},
                     _("增长率（%）"), _("梯队"), _("薄弱村"), _("空壳村"), _("状态")],
            rows=([r.rank, r.previous_rank, r.rank_change, r.name, r.code, r.town_name, wan(r.value),
                   wan(r.previous_value), r.growth, r.tier, _("是") if r.weak else "", _("是") if r.shell else "",
                   LedgerYear.Status(r.status).label] for r in rows),
            title=_("%(scope)s %(year)s年 村%(figure)s排名（%(note)s）") % {
                "scope": scope.label, "year": page.year, "figure": figure, "note": page.status_note},
        )
    chart_rows = sorted(rows, key=lambda r: r.rank)[:TOP_CHART]
    # Villages without figures this year are listed as 未报送, not silently missing from the table.
    unreported = selectors.unreported_villages(scope=scope, year=page.year, year_statuses=page.statuses) \
        if page.year is not None else None
    hidden_filters = {"province": ["town", "organization"], "county": [], "town": ["town"]}[scope.level]
    return render(request, "dashboards/villages.html", page_context(
        request, page, filterset=filterset, rows=rows, page_obj=page_info, total=total, sort=sort,
        hidden_filters=hidden_filters, unreported=unreported,
        ranking_chart=charts.ranking_bar(
            [r.name for r in chart_rows], [r.value for r in chart_rows], page.metric_name,
            _("%(figure)s排名（%(year)s年）") % {"figure": page.metric_name, "year": page.year})
        if chart_rows else None,
    ))


# Town league table (比拼晾晒) ------------------------------------------------------------------------------

@dashboard_view
def town_table(request):
    page = read_page(request)
    scope, rules = page.scope, scope_rules(page.scope.county_ids)
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.UNIT_SORTS else "mean"
    by = "county" if scope.level == "province" and request.GET.get("by") == "county" else "town"
    export = request.GET.get("export") == "xlsx"
    rows, page_info = [], None
    if page.year is not None and export:
        rows = selectors.unit_table(**_selection(page, rules), by=by, sort=sort, include_empty=scope.level != "province")
    elif page.year is not None:
        table = partial(selectors.unit_table_page, **_selection(page, rules), by=by, sort=sort, limit=PAGE_SIZE,
                        include_empty=True)
        number = page_number(request)
        rows, total = table(offset=(number - 1) * PAGE_SIZE)
        if not rows and number > 1:  # past the end: the last page, as Django's Paginator.get_page does
            number = PageInfo(number=1, count=total).num_pages
            rows, total = table(offset=(number - 1) * PAGE_SIZE)
        page_info = PageInfo(number=number, count=total)
    main = rules.main
    unit_name = _("县（市、区）") if by == "county" else _("乡镇")
    figure = page.metric_name
    if export:
        return table_export(
            filename=_("%(unit)s比拼-%(scope)s-%(year)s") % {"unit": unit_name, "scope": scope.label,
                                                            "year": page.year},
            sheet=_("%(unit)s比拼") % {"unit": unit_name},
            headers=[_("名次"), unit_name, _("上级"), _("报送村数"), _("%(figure)s合计（万元）") % {"figure": figure},
                     _("村均（万元）"), _("中位数（万元）"), _("最高（万元）"),
                     *(_("%(tier)s占比（%%）") % {"tier": t.label} for t in main.tiers), _("薄弱村数"), _("空壳村数"),
                     _("合计增长率（%）"), _("村均增长率（%）")],
            rows=([r.rank or _("未报送"), r.name, r.parent_name, r.villages, wan(r.total), wan(r.mean), wan(r.median),
                   wan(r.highest), *r.over_line_shares, r.weak, r.shell, r.growth, r.mean_growth] for r in rows),
            title=_("%(scope)s %(year)s年 %(unit)s%(figure)s比拼（%(note)s）") % {
                "scope": scope.label, "year": page.year, "unit": unit_name, "figure": figure,
                "note": page.status_note},
        )
    comparable = selectors.comparable_sums(scope=scope, year=page.year, year_statuses=page.statuses) \
        if page.year is not None else {}
    return render(request, "dashboards/towns.html", page_context(
        request, page, rows=rows, page_obj=page_info, rules=rules, main=main, sort=sort, by=by,
        comparable=comparable.get(page.year, {}).get("n", 0),
        show_parent=scope.level == "province" and by == "town",
        unit_name=unit_name, sorts=[(k, v[0]) for k, v in selectors.UNIT_SORTS.items()],
        chart=charts.ranking_bar(
            [r.name for r in rows[:TOP_CHART] if not r.unreported],
            [r.mean for r in rows[:TOP_CHART] if not r.unreported],
            _("村均%(figure)s") % {"figure": figure},
            _("各%(unit)s村均%(figure)s（%(year)s年）") % {"unit": unit_name, "figure": figure, "year": page.year})
        if rows else None,
    ))


# Tiers (梯队) -----------------------------------------------------------------------------------------------

@dashboard_view
def tiers(request):
    page = read_page(request)
    scope, rules = page.scope, scope_rules(page.scope.county_ids)
    by = "county" if scope.level == "province" else "town"
    rows = []
    if page.year is not None:
        rows = selectors.unit_table(**_selection(page, rules), by=by, sort="villages", include_empty=True)
        rows.sort(key=lambda r: r.code)
    labels = rules.labels
    if request.GET.get("export") == "xlsx":
        return table_export(
            filename=_("梯队分布-%(scope)s-%(year)s") % {"scope": scope.label, "year": page.year},
            sheet=_("梯队分布"),
            headers=[_("乡镇") if by == "town" else _("县（市、区）"), _("报送村数"), *labels, _("薄弱村"), _("空壳村")],
            rows=[*([r.name, r.villages, *r.bands, r.weak, r.shell] for r in rows),
                  [_("合计"), sum(r.villages for r in rows),
                   *(sum(r.bands[i] for r in rows) for i in range(len(labels))),
                   sum(r.weak for r in rows), sum(r.shell for r in rows)]],
            title=_("%(scope)s %(year)s年 梯队分布（%(note)s）") % {
                "scope": scope.label, "year": page.year, "note": page.status_note},
        )
    totals = [sum(r.bands[i] for r in rows) for i in range(len(labels))]
    return render(request, "dashboards/tiers.html", page_context(
        request, page, rows=rows, labels=labels, totals=totals, rules=rules, by=by,
        villages_total=sum(r.villages for r in rows),
        weak_total=sum(r.weak for r in rows), shell_total=sum(r.shell for r in rows),
        chart=charts.tier_stack([r.name for r in rows if not r.unreported], labels,
                                [r.bands for r in rows if not r.unreported],
                                _("梯队分布（%(year)s年）") % {"year": page.year}) if rows else None,
    ))


def _wan_text(amount: Decimal) -> str:
    """An amount in 元 as the 万元 an official typed (no trailing zeros)."""
    return f"{yuan_to_wan(amount, 6).normalize():f}"


@dashboard_view
@require_http_methods(["GET", "POST"])
def tier_settings(request, county_pk: int):
    """County officials (and administrators) set the tiers and the 薄弱村/空壳村 lines of their county."""
    county = get_county_for_user(request.user, pk=county_pk)
    role = role_of(request.user)
    if role.role not in (UserRole.Role.OFFICIAL, UserRole.Role.ADMIN) or role.town_id:
        raise PermissionDenied(_("只有县级管理人员可以修改梯队标准。"))
    scheme = tier_scheme_ensure(county=county)
    thresholds = list(scheme.thresholds.all())
    if request.method == "POST":
        form = SchemeForm(request.POST)
        formset = ThresholdFormSet(request.POST, prefix="tiers")
        if form.is_valid() and formset.is_valid():
            inputs = [ThresholdInput(label=f.cleaned_data["label"], metric=f.cleaned_data["metric"],
                                     min_amount=f.cleaned_data["min_amount"])
                      for f in formset.forms if f.cleaned_data.get("label")]
            try:
                tier_scheme_update(county=county, thresholds=inputs, actor=request.user,
                                   **{k: form.cleaned_data[k] for k in
                                      ("weak_metric", "weak_line", "shell_metric", "shell_line")})
            except TierSettingsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(county)s的梯队标准已保存。") % {"county": county.name})
                return redirect(f"{request.path}")
    else:
        form = SchemeForm(initial={
            "weak_metric": scheme.weak_metric, "weak_line": _wan_text(scheme.weak_line),
            "shell_metric": scheme.shell_metric, "shell_line": _wan_text(scheme.shell_line),
        })
        formset = ThresholdFormSet(prefix="tiers", initial=[
            {"label": t.label, "metric": t.metric, "min_amount": _wan_text(t.min_amount)} for t in thresholds])
    return render(request, "dashboards/tier_settings.html", {
        "county": county, "scheme": scheme, "form": form, "formset": formset,
        "crumbs": [(county.name, urlencode({"county": county.pk}))],
    })


# Party organisations and clusters ------------------------------------------------------------------------

@dashboard_view
def organizations(request):
    page = read_page(request)
    scope = page.scope
    sort = "mean" if request.GET.get("sort") == "mean" else "total"
    rows = []
    if page.year is not None:
        rows = selectors.organization_ranking(scope=scope, year=page.year, year_statuses=page.statuses,
                                              metric=page.metric, sort=sort)
    figure = page.metric_name
    if request.GET.get("export") == "xlsx":
        return table_export(
            filename=_("党组织排名-%(scope)s-%(year)s") % {"scope": scope.label, "year": page.year},
            sheet=_("党组织排名"),
            headers=[_("名次"), _("党组织"), _("类型"), _("主导产业"), _("涵盖村数"), _("报送村数"),
                     _("%(figure)s合计（万元）") % {"figure": figure}, _("村均（万元）"), _("增长率（%）")],
            rows=([r.rank, r.name, r.kind, r.industry, r.members, r.reporting, wan(r.total), wan(r.mean), r.growth]
                  for r in rows),
            title=_("%(scope)s %(year)s年 党组织/组团%(figure)s排名（%(note)s）") % {
                "scope": scope.label, "year": page.year, "figure": figure, "note": page.status_note},
        )
    chart_rows = rows[:TOP_CHART]
    key = (lambda r: r.mean) if sort == "mean" else (lambda r: r.total)
    return render(request, "dashboards/organizations.html", page_context(
        request, page, rows=rows, sort=sort,
        chart=charts.ranking_bar([r.name for r in chart_rows], [key(r) for r in chart_rows],
                                 figure, _("党组织/组团排名")) if chart_rows else None,
    ))


# Village profile ------------------------------------------------------------------------------------------

@dashboard_view
def village_profile(request, pk: int):
    village = get_village_for_user(request.user, pk=pk)
    page = read_page(request, scope=selectors.Scope(county=village.town.county, town=village.town), choose=False)
    rules = scope_rules([village.town.county_id]).for_county(village.town.county_id)
    profile = selectors.village_profile(village=village, year_statuses=page.statuses, metric=page.metric,
                                        rules=rules)
    years = profile.year_numbers
    statement_years = years[-6:]
    if request.GET.get("export") == "xlsx":
        return table_export(
            filename=_("村年度收益-%(village)s") % {"village": village.name}, sheet=_("历年收益"),
            headers=[_("项目"), *(_("%(year)s年（万元）") % {"year": y} for y in years)],
            rows=([("　" * row.level if row.level == 1 else "") + row.label,
                   *(wan(row.amounts.get(y)) for y in years)] for row in profile.statement),
            title=_("%(place)s 历年收益及分配（%(note)s）") % {
                "place": f"{village.town.county.name}{village.town.name}{village.name}", "note": page.status_note},
        )
    return render(request, "dashboards/village.html", {
        "page": page, "village": village, "profile": profile, "statement_years": statement_years,
        "metric_choices": FIGURE_CHOICES, "crumbs": breadcrumbs(page.scope, request.user) + [(village.name, None)],
        "trend_chart": charts.trend(years, [
            (FIGURE_NAMES[code], [getattr(y.ledger_year, code) for y in profile.years])
            for code in PROFILE_TREND_FIGURES
        ], _("%(village)s 历年收入") % {"village": village.name}) if years else None,
        "rank_chart": charts.rank_trend(years, [y.county_rank for y in profile.years],
                                        _("%(figure)s县内名次") % {"figure": page.metric_name}) if years else None,
        "composition_chart": charts.composition(profile.composition,
                                                _("收入构成（%(year)s年）") % {"year": years[-1]}) if years else None,
    })
