"""The 收益分配统计表 page: the national form of a town, a county or everything an administrator sees,
summed from approved village statements (`ledger.annual_report`), with its downloads and print view.

The scope comes from `?town=` / `?county=` as on every dashboard page (`dashboards.pages.resolve_scope`,
404 outside the user's part of the map); 单位负责人, 填表人 and 报出日期 are typed on the page and carried
into the print view and the xlsx through the URL (nothing is stored).
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.annual_report import ReportError, StatementReport, statement_report
from ledger.annual_report_files import Signature, report_csv, report_xlsx
from ledger.models import LedgerYear
from ledger.spreadsheets import xlsx_response
from villages.models import Village

from .pages import breadcrumbs, resolve_scope
from .selectors import Scope, available_years
from .views import dashboard_view

ALL_STATUSES = tuple(LedgerYear.Status.values)
# Missing villages listed on the page; the xlsx lists them all.
MISSING_SHOWN = 200
SIGNATURE_MAX = 30


def _signature(request: HttpRequest, scope: Scope) -> Signature:
    def text(name: str) -> str:
        return " ".join(request.GET.get(name, "").split())[:SIGNATURE_MAX]

    try:
        reported_on = date.fromisoformat(request.GET.get("reported_on", ""))
    except ValueError:
        reported_on = timezone.localdate()
    return Signature(unit=scope.label, head=text("head"), preparer=text("preparer"), reported_on=reported_on)


def _read(request: HttpRequest) -> tuple[Scope, list[int], int | None, StatementReport | None, Signature]:
    scope = resolve_scope(request)
    # Every year with accounts, approved or not: the county sees whom to chase before anything is approved.
    years = available_years(scope=scope, year_statuses=ALL_STATUSES)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = years[0] if years else None
    report = None
    if year is not None:
        try:
            report = statement_report(villages=Village.objects.filter(**scope.village_filter), year=year)
        except ReportError:
            report = None
    return scope, years, year, report, _signature(request, scope)


def _query(scope: Scope, year: int | None, signature: Signature, **extra) -> str:
    query = {"town": scope.town.pk} if scope.town else {"county": scope.county.pk} if scope.county else {}
    query.update(year=year, head=signature.head, preparer=signature.preparer,
                 reported_on=signature.reported_on.isoformat() if signature.reported_on else "", **extra)
    return urlencode({k: v for k, v in query.items() if v not in (None, "")})


@dataclass(frozen=True)
class ReportNav:
    """What the dashboards' layout reads of a page (`page.query`, the data basis line) for this one."""

    scope: Scope
    year: int | None
    include_submitted: bool = False

    def query(self) -> str:
        query = {"town": self.scope.town.pk} if self.scope.town else (
            {"county": self.scope.county.pk} if self.scope.county else {})
        return urlencode({**query, **({"year": self.year} if self.year else {})})


def _filename(scope: Scope, year: int, suffix: str) -> str:
    return _("收益分配统计表-%(scope)s-%(year)s年.%(suffix)s") % {"scope": scope.label, "year": year, "suffix": suffix}


@dashboard_view
def report(request: HttpRequest) -> HttpResponse:
    scope, years, year, statement, signature = _read(request)
    export = request.GET.get("export")
    if statement is not None and export == "xlsx":
        return xlsx_response(report_xlsx(statement, signature), _filename(scope, year, "xlsx"))
    if statement is not None and export == "csv":
        response = HttpResponse(report_csv(statement), content_type="text/csv; charset=utf-8")
        # The real (Chinese) name as RFC 5987 gives it, and an ASCII one for old clients.
        response["Content-Disposition"] = (f'attachment; filename="report-{year}.csv"; '
                                           f"filename*=UTF-8''{quote(_filename(scope, year, 'csv'), safe='')}")
        return response
    return render(request, "dashboards/report.html", {
        "scope": scope, "years": years, "year": year, "report": statement, "signature": signature,
        "query": _query(scope, year, signature), "section": "report",
        "missing_shown": statement.missing[:MISSING_SHOWN] if statement else (),
        "crumbs": breadcrumbs(scope, request.user), "page": ReportNav(scope, year),
    })


@dashboard_view
def report_print(request: HttpRequest) -> HttpResponse:
    scope, years, year, statement, signature = _read(request)
    return render(request, "dashboards/report_print.html", {
        "scope": scope, "year": year, "report": statement, "signature": signature,
        "back": _query(scope, year, signature),
    })
