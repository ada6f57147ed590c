"""Dashboard pages for officials and towns: overview, league tables, tiers, organisations, village profile.

Every page reads `?county=` / `?town=` (drill-down), `?year=`, `?metric=` and `?submitted=1` (include
submitted, not yet approved figures) from the URL, so a table can be shared as a link; every table
also answers `?export=xlsx`.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import partial, wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.db_routers import reading_replica
from ledger.models import LedgerYear
from ledger.money import AmountError, parse_amount, yuan_to_wan
from ledger.spreadsheets import xlsx_bytes
from villages.access import (
    get_county_for_user,
    get_town_for_user,
    get_village_for_user,
    has_role,
    role_of,
    visible_party_organizations,
)
from villages.models import PartyOrganization, Town, UserRole, Village

from . import charts, selectors
from .filters import VillageTableFilter
from .models import FIGURE_CHOICES, FIGURE_NAMES
from .rules import scope_rules
from .services import ThresholdInput, TierSettingsError, tier_scheme_ensure, tier_scheme_update

DEFAULT_METRIC = "operating_income"
PAGE_SIZE = 50
TOP_CHART = 20


def dashboard_view(view):
    """Signed-in users with a role; everyone else gets 404 (the dashboards do not exist for them)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if role_of(request.user) is None:
            raise Http404("未找到，或您无权访问。")
        if request.method != "GET":
            return view(request, *args, **kwargs)
        # Pages only read: with DATABASE_REPLICA_URL set, they read from the replica.
        with reading_replica():
            return view(request, *args, **kwargs)

    return wrapped


def resolve_scope(request) -> selectors.Scope:
    """The scope asked for in the URL, checked by `villages.access` (404 outside the user's part of the map).

    Town users stay in their town: a county scope would show the other towns' villages.
    """
    user, role = request.user, role_of(request.user)
    town_id, county_id = request.GET.get("town"), request.GET.get("county")
    if town_id:
        town = get_town_for_user(user, pk=town_id)
        return selectors.Scope(county=town.county, town=town)
    if role.town_id:
        if county_id:
            raise Http404("未找到，或您无权访问。")
        town = get_town_for_user(user, pk=role.town_id)
        return selectors.Scope(county=town.county, town=town)
    if county_id:
        return selectors.Scope(county=get_county_for_user(user, pk=county_id))
    if role.county_id:
        return selectors.Scope(county=role.county)
    return selectors.Scope()


@dataclass
class Page:
    """What every dashboard page reads from the URL."""

    scope: selectors.Scope
    years: list[int]
    year: int | None
    include_submitted: bool
    metric: str
    statuses: tuple[str, ...]

    @property
    def metric_name(self) -> str:
        return FIGURE_NAMES[self.metric]

    @property
    def scope_query(self) -> dict:
        query = {}
        if self.scope.town:
            query["town"] = self.scope.town.pk
        elif self.scope.county:
            query["county"] = self.scope.county.pk
        return query

    @property
    def drill_query(self) -> str:
        """The parameters a drill-down link keeps: everything but the scope, which the link sets."""
        query = {"year": self.year, "metric": self.metric}
        if self.include_submitted:
            query["submitted"] = 1
        return urlencode(query)

    def query(self, **extra) -> str:
        """The page's parameters as a query string, for links that keep them."""
        query = {**self.scope_query, "year": self.year, "metric": self.metric}
        if self.include_submitted:
            query["submitted"] = 1
        query.update(extra)
        return urlencode({k: v for k, v in query.items() if v not in (None, "")})


def read_page(request, scope: selectors.Scope | None = None) -> Page:
    scope = scope or resolve_scope(request)
    include_submitted = request.GET.get("submitted") in ("1", "on", "true")
    year_statuses = selectors.statuses(include_submitted)
    years = selectors.available_years(scope, year_statuses)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = years[0] if years else None
    metric = request.GET.get("metric") if request.GET.get("metric") in FIGURE_NAMES else DEFAULT_METRIC
    return Page(scope=scope, years=years, year=year, include_submitted=include_submitted, metric=metric,
                statuses=year_statuses)


def breadcrumbs(scope: selectors.Scope, user) -> list[tuple[str, str]]:
    """county → town drill-down path (links only to levels the user may see)."""
    role = role_of(user)
    crumbs = []
    if role.role == UserRole.Role.ADMIN and role.county_id is None:
        crumbs.append(("全部县（市、区）", ""))
    if scope.county and not role.town_id:
        crumbs.append((scope.county.name, urlencode({"county": scope.county.pk})))
    if scope.town:
        crumbs.append((scope.town.name, urlencode({"town": scope.town.pk})))
    return crumbs


def _context(request, page: Page, **extra) -> dict:
    return {"page": page, "metric_choices": FIGURE_CHOICES, "crumbs": breadcrumbs(page.scope, request.user),
            "section": request.resolver_match.url_name,
            "can_edit_tiers": page.scope.county is not None and has_role(request.user, "official", "admin"),
            **extra}


def xlsx_response(filename: str, sheet: str, headers: list[str], rows, title: str) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes([(sheet, headers, rows)], title=title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(f'{filename}-{stamp}.xlsx')}"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _wan(amount):
    return yuan_to_wan(amount) if amount is not None else None


def _status_note(page: Page) -> str:
    return "含已提交未审核数据" if page.include_submitted else "仅已审核数据"


# Overview ---------------------------------------------------------------------------------------------

@dashboard_view
def overview(request):
    page = read_page(request)
    if page.year is None:
        return render(request, "dashboards/overview.html", _context(request, page, empty=True))
    scope, rules = page.scope, scope_rules(page.scope.county_ids)
    data = selectors.overview_page(scope, page.year, page.statuses, page.metric, rules, years=page.years)
    summary, ranking, trend_rows = data.summary, data.villages, data.trend
    children, treemap_chart, tier_chart = None, None, None
    if scope.level == "town":
        children = ranking
        treemap_chart = charts.treemap(
            ["scope", *(f"v{r.village_id}" for r in children)], [scope.town.name, *(r.name for r in children)],
            ["", *("scope" for _ in children)], [Decimal(0), *(r.figures["total_income"] for r in children)],
            f"{scope.town.name} 各村总收入（{page.year}年）")
    else:
        children = data.units
        tier_chart = charts.tier_stack([u.name for u in children], rules.labels, [u.bands for u in children],
                                       f"各{'县' if scope.level == 'province' else '镇'}梯队分布（{page.year}年）")
        if scope.level == "province":
            # Counties only: 25,000 village boxes would be unreadable (and slow); each county's
            # overview has its towns and villages.
            treemap_chart = charts.treemap(
                ["scope", *(f"c{u.pk}" for u in children)], [scope.label, *(u.name for u in children)],
                ["", *("scope" for _ in children)], [Decimal(0), *(u.total_income for u in children)],
                f"各县（市、区）总收入（{page.year}年）")
        else:
            named = ranking
            treemap_chart = charts.treemap(
                ["scope", *(f"t{u.pk}" for u in children), *(f"v{r.village_id}" for r in named)],
                [scope.county.name, *(u.name for u in children), *(r.name for r in named)],
                ["", *("scope" for _ in children), *(f"t{r.town_id}" for r in named)],
                [Decimal(0)] * (1 + len(children)) + [r.figures["total_income"] for r in named],
                f"{scope.county.name} 镇村总收入（{page.year}年）")
    top = ranking[:10]
    context = _context(
        request, page, summary=summary, children=children, top=top, rules=rules,
        unit_key="county" if scope.level == "province" else "town",
        ranking_chart=charts.ranking_bar([r.name for r in top], [r.value for r in top], page.metric_name,
                                         f"{page.metric_name} 前10名（{page.year}年）"),
        trend_chart=charts.trend(
            [r["year"] for r in trend_rows],
            [("总收入合计", [r["total_income"] for r in trend_rows]),
             ("经营性收入合计", [r["operating_income"] for r in trend_rows])],
            f"{scope.label} 历年集体收入"),
        mean_chart=charts.trend([r["year"] for r in trend_rows],
                                [("村均经营性收入", [r["operating_mean"] for r in trend_rows])], "村均经营性收入"),
        composition_chart=charts.composition(summary.composition, f"总收入构成（{page.year}年）"),
        tier_chart=tier_chart, treemap_chart=treemap_chart,
    )
    return render(request, "dashboards/overview.html", context)


# Village league table -------------------------------------------------------------------------------------

@dataclass
class PageInfo:
    """Enough of Django's Page for the pagination partial, when the database did the slicing."""

    number: int
    count: int
    per_page: int = PAGE_SIZE

    @property
    def paginator(self):
        return self

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


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
    villages = Village.objects.filter(**selectors.village_filter(scope))
    filterset = VillageTableFilter(request.GET, queryset=villages, years=page.years, towns=towns,
                                   organizations=organizations, tier_labels=rules.labels)
    filterset.form.is_valid()
    data = filterset.form.cleaned_data
    sort = data.get("sort") or "rank"
    top = int(data["top"]) if data.get("top") else None
    rows, total, page_info = [], 0, None
    if page.year is not None:
        ranked = partial(
            selectors.ranked_villages, scope, page.year, page.statuses, page.metric, rules,
            villages=filterset.qs if filterset.narrows else None,
            condition=selectors.village_condition(rules, tier=data.get("tier") or "", weak_only=bool(data.get("weak"))),
        )
        if request.GET.get("export") == "xlsx":
            rows, total = ranked(sort="rank" if top else sort, limit=top)
        elif top:
            rows, total = ranked(sort="rank", limit=top)
        else:
            number = _page_number(request)
            rows, total = ranked(sort=sort, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
            if not rows and number > 1:
                number = 1
                rows, total = ranked(sort=sort, limit=PAGE_SIZE)
            page_info = PageInfo(number=number, count=total)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"村排名-{scope.label}-{page.year}", "村排名",
            ["名次", "上年名次", "名次变化", "村", "区划代码", "乡镇", f"{page.metric_name}（万元）",
             f"上年{page.metric_name}（万元）", "增长率（%）", "梯队", "薄弱村", "空壳村", "状态"],
            ([r.rank, r.previous_rank, r.rank_change, r.name, r.code, r.town_name, _wan(r.value),
              _wan(r.previous_value), r.growth, r.tier, "是" if r.weak else "", "是" if r.shell else "",
              LedgerYear.Status(r.status).label] for r in rows),
            f"{scope.label} {page.year}年 村{page.metric_name}排名（{_status_note(page)}）",
        )
    chart_rows = sorted(rows, key=lambda r: r.rank)[:TOP_CHART]
    hidden_filters = {"province": ["town", "organization"], "county": [], "town": ["town"]}[scope.level]
    return render(request, "dashboards/villages.html", _context(
        request, page, filterset=filterset, rows=rows, page_obj=page_info, total=total, sort=sort,
        hidden_filters=hidden_filters,
        ranking_chart=charts.ranking_bar([r.name for r in chart_rows], [r.value for r in chart_rows],
                                         page.metric_name, f"{page.metric_name}排名（{page.year}年）")
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
        rows = selectors.unit_table(scope, page.year, page.statuses, page.metric, rules, by=by, sort=sort)
    elif page.year is not None:
        table = partial(selectors.unit_table_page, scope, page.year, page.statuses, page.metric, rules, by=by,
                        sort=sort, limit=PAGE_SIZE)
        number = _page_number(request)
        rows, total = table(offset=(number - 1) * PAGE_SIZE)
        if not rows and number > 1:  # past the end: the last page, as Django's Paginator.get_page does
            number = PageInfo(number=1, count=total).num_pages
            rows, total = table(offset=(number - 1) * PAGE_SIZE)
        page_info = PageInfo(number=number, count=total)
    main = rules.main
    unit_name = "县（市、区）" if by == "county" else "乡镇"
    if export:
        return xlsx_response(
            f"{unit_name}比拼-{scope.label}-{page.year}", f"{unit_name}比拼",
            ["名次", unit_name, "上级", "报送村数", f"{page.metric_name}合计（万元）", "村均（万元）", "中位数（万元）",
             "最高（万元）", *(f"{t.label}占比（%）" for t in main.tiers), "薄弱村数", "空壳村数",
             "合计增长率（%）", "村均增长率（%）"],
            ([r.rank, r.name, r.parent_name, r.villages, _wan(r.total), _wan(r.mean), _wan(r.median),
              _wan(r.highest), *r.over_line_shares, r.weak, r.shell, r.growth, r.mean_growth] for r in rows),
            f"{scope.label} {page.year}年 {unit_name}{page.metric_name}比拼（{_status_note(page)}）",
        )
    return render(request, "dashboards/towns.html", _context(
        request, page, rows=rows, page_obj=page_info, rules=rules, main=main, sort=sort, by=by,
        show_parent=scope.level == "province" and by == "town",
        unit_name=unit_name, sorts=[(k, v[0]) for k, v in selectors.UNIT_SORTS.items()],
        chart=charts.ranking_bar([r.name for r in rows[:TOP_CHART]], [r.mean for r in rows[:TOP_CHART]],
                                 f"村均{page.metric_name}", f"各{unit_name}村均{page.metric_name}（{page.year}年）")
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
        rows = selectors.unit_table(scope, page.year, page.statuses, page.metric, rules, by=by, sort="villages")
        rows.sort(key=lambda r: r.code)
    labels = rules.labels
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"梯队分布-{scope.label}-{page.year}", "梯队分布",
            ["乡镇" if by == "town" else "县（市、区）", "报送村数", *labels, "薄弱村", "空壳村"],
            ([r.name, r.villages, *r.bands, r.weak, r.shell] for r in rows),
            f"{scope.label} {page.year}年 梯队分布（{_status_note(page)}）",
        )
    totals = [sum(r.bands[i] for r in rows) for i in range(len(labels))]
    return render(request, "dashboards/tiers.html", _context(
        request, page, rows=rows, labels=labels, totals=totals, rules=rules, by=by,
        weak_total=sum(r.weak for r in rows), shell_total=sum(r.shell for r in rows),
        chart=charts.tier_stack([r.name for r in rows], labels, [r.bands for r in rows],
                                f"梯队分布（{page.year}年）") if rows else None,
    ))


class SchemeForm(forms.Form):
    weak_metric = forms.ChoiceField(label="薄弱村口径", choices=FIGURE_CHOICES)
    weak_line = forms.CharField(label="薄弱村线（万元）", help_text="低于此数为薄弱村（含空壳村）")
    shell_metric = forms.ChoiceField(label="空壳村口径", choices=FIGURE_CHOICES)
    shell_line = forms.CharField(label="空壳村线（万元）", help_text="低于此数（含无收入）为空壳村")

    def _wan_field(self, name):
        try:
            value = parse_amount(self.cleaned_data[name], "wan")
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if value is None:
            raise forms.ValidationError("请填写金额。")
        return value

    def clean_weak_line(self):
        return self._wan_field("weak_line")

    def clean_shell_line(self):
        return self._wan_field("shell_line")


class ThresholdForm(forms.Form):
    label = forms.CharField(label="梯队名称", max_length=30, required=False)
    metric = forms.ChoiceField(label="口径", choices=FIGURE_CHOICES)
    min_amount = forms.CharField(label="起点（万元）", required=False)

    def clean(self):
        data = super().clean()
        if data.get("label") and not data.get("min_amount"):
            self.add_error("min_amount", "请填写起点金额。")
        if data.get("min_amount"):
            try:
                data["min_amount"] = parse_amount(data["min_amount"], "wan")
            except AmountError as exc:
                self.add_error("min_amount", str(exc))
        return data


ThresholdFormSet = formset_factory(ThresholdForm, extra=2, max_num=8)


@dashboard_view
@require_http_methods(["GET", "POST"])
def tier_settings(request, county_pk: int):
    """County officials (and administrators) set the tiers and the 薄弱村/空壳村 lines of their county."""
    county = get_county_for_user(request.user, pk=county_pk)
    role = role_of(request.user)
    if role.role not in (UserRole.Role.OFFICIAL, UserRole.Role.ADMIN) or role.town_id:
        raise PermissionDenied("只有县级管理人员可以修改梯队标准。")
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
                messages.success(request, f"{county.name}的梯队标准已保存。")
                return redirect(f"{request.path}")
    else:
        form = SchemeForm(initial={
            "weak_metric": scheme.weak_metric, "weak_line": f"{yuan_to_wan(scheme.weak_line, 6).normalize():f}",
            "shell_metric": scheme.shell_metric, "shell_line": f"{yuan_to_wan(scheme.shell_line, 6).normalize():f}",
        })
        formset = ThresholdFormSet(prefix="tiers", initial=[
            {"label": t.label, "metric": t.metric, "min_amount": f"{yuan_to_wan(t.min_amount, 6).normalize():f}"}
            for t in thresholds])
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
        rows = selectors.organization_ranking(scope, page.year, page.statuses, page.metric, sort=sort)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"党组织排名-{scope.label}-{page.year}", "党组织排名",
            ["名次", "党组织", "类型", "主导产业", "涵盖村数", "报送村数", f"{page.metric_name}合计（万元）",
             "村均（万元）", "增长率（%）"],
            ([r.rank, r.name, r.kind, r.industry, r.members, r.reporting, _wan(r.total), _wan(r.mean), r.growth]
             for r in rows),
            f"{scope.label} {page.year}年 党组织/组团{page.metric_name}排名（{_status_note(page)}）",
        )
    chart_rows = rows[:TOP_CHART]
    key = (lambda r: r.mean) if sort == "mean" else (lambda r: r.total)
    return render(request, "dashboards/organizations.html", _context(
        request, page, rows=rows, sort=sort,
        chart=charts.ranking_bar([r.name for r in chart_rows], [key(r) for r in chart_rows],
                                 page.metric_name, "党组织/组团排名") if chart_rows else None,
    ))


# Village profile ------------------------------------------------------------------------------------------

@dashboard_view
def village_profile(request, pk: int):
    village = get_village_for_user(request.user, pk=pk)
    page = read_page(request, scope=selectors.Scope(county=village.town.county, town=village.town))
    rules = scope_rules([village.town.county_id]).for_county(village.town.county_id)
    profile = selectors.village_profile(village, page.statuses, page.metric, rules)
    years = profile.year_numbers
    statement_years = years[-6:]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"村年度收益-{village.name}", "历年收益",
            ["项目", *(f"{y}年（万元）" for y in years)],
            ([("　" * row.level if row.level == 1 else "") + row.label,
              *(_wan(row.amounts.get(y)) for y in years)] for row in profile.statement),
            f"{village.town.county.name}{village.town.name}{village.name} 历年收益及分配（{_status_note(page)}）",
        )
    return render(request, "dashboards/village.html", {
        "page": page, "village": village, "profile": profile, "statement_years": statement_years,
        "metric_choices": FIGURE_CHOICES, "crumbs": breadcrumbs(page.scope, request.user) + [(village.name, None)],
        "trend_chart": charts.trend(years, [
            ("总收入", [y.ledger_year.total_income for y in profile.years]),
            ("经营性收入", [y.ledger_year.operating_income for y in profile.years]),
            ("本年收益", [y.ledger_year.net_income for y in profile.years]),
        ], f"{village.name} 历年收入") if years else None,
        "rank_chart": charts.rank_trend(years, [y.county_rank for y in profile.years],
                                        f"{page.metric_name}县内名次") if years else None,
        "composition_chart": charts.composition(profile.composition, f"收入构成（{years[-1]}年）")
        if years else None,
    })
