"""What every dashboard page reads from the request and gives back besides HTML.

Every page reads `?county=` / `?town=` (drill-down), `?year=`, `?metric=`, `?submitted=1` (include
submitted, not yet approved figures) and `?page=` from the URL, so a table can be shared as a link;
every table also answers `?export=xlsx`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from ledger.figures import FIGURE_CHOICES, FIGURE_NAMES
from ledger.money import yuan_to_wan
from ledger.spreadsheets import xlsx_bytes, xlsx_response
from villages.access import get_county_for_user, get_town_for_user, has_role, role_of
from villages.models import UserRole

from .selectors import Scope, available_years, statuses
from .selectors.years import YearChoice, choose_year

DEFAULT_METRIC = "operating_income"
PAGE_SIZE = 50
# The highest page number a table accepts: more pages than a country's villages fill (620,000 / 50);
# a larger number (or text) is read as the nearest page there is instead of reaching the database.
MAX_PAGE = 100_000


def not_found() -> Http404:
    return Http404(gettext("未找到，或您无权访问。"))


def resolve_scope(request: HttpRequest) -> Scope:
    """The scope asked for in the URL, checked by `villages.access` (404 outside the user's part of the map).

    Town users stay in their town: a county scope would show the other towns' villages.
    """
    user, role = request.user, role_of(request.user)
    town_id, county_id = request.GET.get("town"), request.GET.get("county")
    if town_id:
        town = get_town_for_user(user, pk=town_id)
        return Scope(county=town.county, town=town)
    if role.town_id:
        if county_id:
            raise not_found()
        town = get_town_for_user(user, pk=role.town_id)
        return Scope(county=town.county, town=town)
    if county_id:
        return Scope(county=get_county_for_user(user, pk=county_id))
    if role.county_id:
        return Scope(county=role.county)
    return Scope()


@dataclass
class Page:
    """What every dashboard page reads from the URL."""

    scope: Scope
    years: list[int]
    year: int | None
    include_submitted: bool
    metric: str
    statuses: tuple[str, ...]
    # Which year the page shows and why: the last complete year unless one was asked for.
    year_choice: YearChoice | None = None

    @property
    def metric_name(self) -> str:
        return FIGURE_NAMES[self.metric]

    @property
    def status_note(self) -> str:
        """Which figures the page counts, for export titles."""
        return gettext("含已提交未审核数据") if self.include_submitted else gettext("仅已审核数据")

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


def read_page(request: HttpRequest, scope: Scope | None = None, *, choose: bool = True) -> Page:
    """`choose`: open on the last complete year (`selectors.years`) unless `?year=` names one."""
    scope = scope or resolve_scope(request)
    include_submitted = request.GET.get("submitted") in ("1", "on", "true")
    year_statuses = statuses(include_submitted)
    years = available_years(scope=scope, year_statuses=year_statuses)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    choice = choose_year(scope=scope, years=years, asked=year) if choose else None
    if choice is not None:
        year = choice.year
    elif year not in years:
        year = years[0] if years else None
    metric = request.GET.get("metric") if request.GET.get("metric") in FIGURE_NAMES else DEFAULT_METRIC
    return Page(scope=scope, years=years, year=year, include_submitted=include_submitted, metric=metric,
                statuses=year_statuses, year_choice=choice)


def page_number(request: HttpRequest) -> int:
    """`?page=` as a page number from 1 to MAX_PAGE: text that is not a number is page 1, a number past
    MAX_PAGE is MAX_PAGE (the table then shows the page it shows past its end)."""
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:  # not a number, or more digits than Python converts
        return 1
    return min(max(1, number), MAX_PAGE)


def breadcrumbs(scope: Scope, user) -> list[tuple[str, str | None]]:
    """county → town drill-down path (links only to levels the user may see)."""
    role = role_of(user)
    crumbs = []
    if role.role == UserRole.Role.ADMIN and role.county_id is None:
        crumbs.append((gettext("全部县（市、区）"), ""))
    if scope.county and not role.town_id:
        crumbs.append((scope.county.name, urlencode({"county": scope.county.pk})))
    if scope.town:
        crumbs.append((scope.town.name, urlencode({"town": scope.town.pk})))
    return crumbs


def page_context(request: HttpRequest, page: Page, **extra) -> dict:
    """The context every table page's layout needs (filters, figure choices, drill-down path, tabs)."""
    return {"page": page, "metric_choices": FIGURE_CHOICES, "crumbs": breadcrumbs(page.scope, request.user),
            "section": request.resolver_match.url_name,
            "can_edit_tiers": page.scope.county is not None and has_role(request.user, "official", "admin"),
            **extra}


@dataclass
class PageInfo:
    """Enough of Django's Page for the pagination partial, when the database did the slicing."""

    number: int
    count: int
    per_page: int = PAGE_SIZE

    @property
    def paginator(self) -> "PageInfo":
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


def wan(amount: Decimal | None) -> Decimal | None:
    return yuan_to_wan(amount) if amount is not None else None


def table_export(*, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence],
                 title: str, unit: str = "万元") -> HttpResponse:
    """A table as an xlsx download (`ledger.spreadsheets.xlsx_bytes`): its title with the unit and
    制表时间 on the first row, the headers frozen, amounts `#,##0.00`; the file named after what is
    in it (table, scope, year) and the day it was made."""
    now = timezone.localtime()
    data = xlsx_bytes([(sheet, headers, rows)], title=title, unit=unit, made_at=now)
    return xlsx_response(data, f"{filename}-{now:%Y%m%d}.xlsx")
