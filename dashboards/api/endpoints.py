"""The routes of `/api/v1/`: each reads through the dashboards' selectors (the same reads as the pages,
no second copy of a query) for the scope the caller may read (`auth.request_scope`).

Every route takes `?county=` / `?town=` (ids, as the dashboards' links do; a token reads its own
county and its towns), `?year=` (default: the latest year with data), `?metric=` (a figure code) and
`?submitted=1` (count submitted, not yet approved figures too; approved only by default).
"""

from functools import wraps
from typing import Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.renderers import JSONRenderer

from config.db_routers import reading_replica
from ledger.annual_report import ReportError, statement_report
from ledger.figures import FIGURE_NAMES, RANKING_FIGURES
from villages.models import Village

from .. import selectors
from ..pages import Page, read_page
from ..rules import scope_rules
from . import schemas
from .auth import CountyToken, RoleSession, caller_may_read_api, request_scope

MAX_LIMIT = 500


def _docs_guard(view):
    """The OpenAPI description and its docs page: for callers of the API only (401 for anyone else)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not caller_may_read_api(request):
            return JsonResponse({"detail": _("请先登录，或在请求头提供有效的接口令牌。")}, status=401)
        return view(request, *args, **kwargs)

    return guarded


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # names readable in the answer, not \\u escapes


api = NinjaAPI(
    title="村级集体经济台账系统 只读接口",
    version="1.0.0",
    description=(
        "县级大屏和县内其他系统读取排行与看板数据的只读接口。认证：请求头 `Authorization: Bearer <令牌>`"
        "（县级管理人员在“接口令牌”页面创建），或已登录用户的会话。令牌只能读取本县（及本县乡镇）的数据。"
        "金额单位：元（两位小数，以字符串表示）。"
    ),
    urls_namespace="api",
    auth=[CountyToken(), RoleSession()],
    docs_decorator=_docs_guard,
    renderer=ChineseJSONRenderer(),
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("请先登录，或在请求头提供有效的接口令牌。")}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


class Selection(Schema):
    county: int | None = None
    town: int | None = None
    year: int | None = None
    metric: str = "operating_income"
    submitted: bool = False


def _page(request: HttpRequest, selection: Selection) -> Page:
    if selection.metric not in FIGURE_NAMES:
        raise HttpError(422, _("未知的指标：%(metric)s（可用：%(choices)s）") % {
            "metric": selection.metric, "choices": ", ".join(RANKING_FIGURES)})
    page = read_page(request, scope=request_scope(request))
    if page.year is None:
        raise HttpError(404, _("该范围还没有数据。"))
    if selection.year is not None and selection.year != page.year:
        raise HttpError(404, _("该范围没有%(year)s年的数据。") % {"year": selection.year})
    return page


def _selection_out(page: Page) -> dict:
    scope = page.scope
    return {"scope": {"level": scope.level, "label": scope.label, "county_id": scope.county.pk if scope.county else None,
                      "town_id": scope.town.pk if scope.town else None},
            "year": page.year, "metric": page.metric, "metric_name": page.metric_name,
            "include_submitted": page.include_submitted, "years": page.years}


def _reads(page: Page) -> dict:
    return {"scope": page.scope, "year": page.year, "year_statuses": page.statuses, "metric": page.metric,
            "rules": scope_rules(page.scope.county_ids)}


def _town_out(row: selectors.UnitRow) -> dict:
    return {"rank": row.rank, "town_id": row.pk, "name": row.name, "code": row.code, "villages": row.villages,
            "total": row.total, "mean": row.mean, "median": row.median, "highest": row.highest, "growth": row.growth,
            "mean_growth": row.mean_growth, "weak": row.weak, "shell": row.shell, "bands": row.bands}


def _units_by(page: Page) -> str:
    return "county" if page.scope.level == "province" else "town"


@api.get("/overview", response=schemas.OverviewOut, summary="总览：报送村数、总收入、村均经营性收入、梯队、薄弱村/空壳村")
def overview(request: HttpRequest, selection: Query[Selection]):
    with reading_replica():
        page = _page(request, selection)
        data = selectors.overview_page(**_reads(page), years=page.years)
    s = data.summary
    return {**_selection_out(page), "villages_in_scope": s.villages_in_scope, "reporting": s.reporting,
            "total_income": s.total_income, "operating_income": s.operating_income,
            "operating_mean": s.operating_mean, "previous_reporting": s.previous_reporting,
            "previous_total_income": s.previous_total_income, "previous_operating_mean": s.previous_operating_mean,
            "total_growth": s.total_growth, "operating_mean_growth": s.operating_mean_growth,
            "tiers": [{"label": label, "description": description, "villages": n}
                      for label, description, n in s.tier_counts],
            "weak": s.weak, "shell": s.shell, "as_of": s.as_of}


@api.get("/rankings/villages", response=schemas.VillageRankingOut, summary="村排名（名次、上年名次、梯队）")
def village_ranking(request: HttpRequest, selection: Query[Selection], limit: int = 50, offset: int = 0):
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise HttpError(422, _("limit 应在 1–%(max)s 之间，offset 不能为负。") % {"max": MAX_LIMIT})
    with reading_replica():
        page = _page(request, selection)
        rows, total = selectors.ranked_villages(**_reads(page), limit=limit, offset=offset)
    return {**_selection_out(page), "total": total, "limit": limit, "offset": offset, "rows": [
        {"rank": r.rank, "previous_rank": r.previous_rank, "rank_change": r.rank_change, "village_id": r.village_id,
         "name": r.name, "code": r.code, "town_id": r.town_id, "town_name": r.town_name, "value": r.value,
         "previous_value": r.previous_value, "growth": r.growth, "tier": r.tier, "weak": r.weak, "shell": r.shell,
         "status": r.status} for r in rows]}


@api.get("/rankings/towns", response=schemas.TownRankingOut,
         summary="镇比拼晾晒（县为范围时各镇，全省时各县）")
def town_ranking(request: HttpRequest, selection: Query[Selection],
                 sort: Literal["mean", "total", "median", "growth", "weak", "villages"] = "mean"):
    with reading_replica():
        page = _page(request, selection)
        reads = _reads(page)
        rows = selectors.unit_table(**reads, by=_units_by(page), sort=sort)
    return {**_selection_out(page), "sort": sort, "tier_labels": reads["rules"].labels,
            "rows": [_town_out(r) for r in rows]}


@api.get("/tiers", response=schemas.TiersOut, summary="梯队分布（各镇各梯队村数）")
def tiers(request: HttpRequest, selection: Query[Selection]):
    with reading_replica():
        page = _page(request, selection)
        reads = _reads(page)
        rows = selectors.unit_table(**reads, by=_units_by(page), sort="villages")
    rows.sort(key=lambda r: r.code)
    labels = reads["rules"].labels
    return {**_selection_out(page), "labels": labels,
            "totals": [sum(r.bands[i] for r in rows) for i in range(len(labels))],
            "weak": sum(r.weak for r in rows), "shell": sum(r.shell for r in rows),
            "units": [_town_out(r) for r in rows]}


@api.get("/trends", response=schemas.TrendsOut, summary="历年趋势：报送村数、总收入、经营性收入、村均经营性收入")
def trends(request: HttpRequest, selection: Query[Selection]):
    with reading_replica():
        page = read_page(request, scope=request_scope(request))
        rows = selectors.yearly_trend(scope=page.scope, year_statuses=page.statuses, years=page.years)
    return {"scope": _selection_out(page)["scope"], "include_submitted": page.include_submitted, "rows": [
        {"year": r["year"], "reporting": r["n"], "total_income": r["total_income"],
         "operating_income": r["operating_income"], "operating_mean": r["operating_mean"]} for r in rows]}


@api.get("/report", summary="收益分配统计表：审核通过的村账目之和（代码、指标名称、金额、附报村数、平衡关系、未汇入的村）")
def report(request: HttpRequest, selection: Query[Selection]):
    """Amounts in 元 as strings with 2 decimals, counts of villages as integers; `missing` lists the
    villages of the scope that are not in the sum (their year is not approved)."""
    with reading_replica():
        page = _page(request, selection)
        villages = Village.objects.filter(**page.scope.village_filter)
        try:
            statement = statement_report(villages=villages, year=page.year)
        except ReportError as error:
            raise HttpError(422, str(error)) from error
    return {**_selection_out(page), "report": statement.as_dict()}
