"""What the public pages read: only counties that publish, only approved years, no people's names.

Every read here filters on the county's `DisclosureSetting.enabled` and on `LedgerYear.Status.APPROVED`
(the statement itself comes from `ledger.annual_report`, which sums approved years only), so nothing
else can reach a public page. Each function is a fixed number of queries; a place the public may not
see is `Http404`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from ledger.annual_report import StatementReport, statement_report
from ledger.models import LedgerYear, LedgerYearEvent
from villages.models import County, Town, Village

from .models import DisclosureSetting

APPROVED = LedgerYear.Status.APPROVED
NOT_PUBLISHED = "未公开，或该县（市、区）未开通财务公开。"


@dataclass(frozen=True)
class PlaceRow:
    code: str
    name: str
    villages: int = 0
    published: int = 0  # villages with at least one approved year
    latest_year: int | None = None


@dataclass(frozen=True)
class PublicYear:
    year: int
    approved_at: datetime
    reviewer_unit: str  # 审核单位: a town or county, never a person
    published_at: datetime  # approved, or the county turned disclosure on, whichever was later


@dataclass(frozen=True)
class VillageDisclosure:
    village: Village
    years: tuple[PublicYear, ...]  # approved, newest first
    correcting: tuple[int, ...]  # years reopened after approval and not approved again

    def year(self, year: int) -> PublicYear | None:
        return next((y for y in self.years if y.year == year), None)


def _not_published() -> Http404:
    return Http404(NOT_PUBLISHED)


def publishing_counties() -> QuerySet[County]:
    return County.objects.filter(disclosure__enabled=True)


def public_county(code: str) -> County:
    county = publishing_counties().filter(code=code).first()
    if county is None:
        raise _not_published()
    return county


def public_town(code: str) -> Town:
    town = Town.objects.select_related("county").filter(code=code, county__disclosure__enabled=True).first()
    if town is None:
        raise _not_published()
    return town


def public_village(code: str) -> Village:
    village = (Village.objects.select_related("town__county__disclosure")
               .filter(code=code, town__county__disclosure__enabled=True).first())
    if village is None:
        raise _not_published()
    return village


def county_rows() -> list[PlaceRow]:
    return [PlaceRow(code, name) for code, name in publishing_counties().order_by("code").values_list("code", "name")]


def town_rows(county: County) -> list[PlaceRow]:
    towns = (Town.objects.filter(county=county).order_by("code")
             .annotate(n=Count("villages", distinct=True),
                       published=Count("villages", filter=Q(villages__ledger_years__status=APPROVED), distinct=True))
             .values_list("code", "name", "n", "published"))
    return [PlaceRow(code, name, n, published) for code, name, n, published in towns]


def village_rows(town: Town) -> list[PlaceRow]:
    villages = (Village.objects.filter(town=town).order_by("code")
                .annotate(latest=Max("ledger_years__year", filter=Q(ledger_years__status=APPROVED)))
                .values_list("code", "name", "latest"))
    return [PlaceRow(code, name, latest_year=latest) for code, name, latest in villages]


def village_disclosure(village: Village) -> VillageDisclosure:
    """The village's published years and the years being corrected (one query). `village` comes from
    `public_village` (its county's setting loaded with it)."""
    setting: DisclosureSetting = village.town.county.disclosure
    reopened = LedgerYearEvent.objects.filter(ledger_year=OuterRef("pk"), action=LedgerYearEvent.Action.REOPEN)
    rows = (LedgerYear.objects.filter(village=village).filter(Q(status=APPROVED) | Exists(reopened))
            .order_by("-year")
            .values_list("year", "status", "approved_at", "approved_by__role__town__name",
                         "approved_by__role__county__name"))
    years, correcting = [], []
    for year, status, approved_at, reviewer_town, reviewer_county in rows:
        if status != APPROVED:
            correcting.append(year)
            continue
        # 村账镇管: the town reviews; a reviewer without a town is the county's.
        unit = reviewer_town or reviewer_county or village.town.name
        published = max(approved_at, setting.enabled_at) if setting.enabled_at else approved_at
        years.append(PublicYear(year, approved_at, unit, published))
    return VillageDisclosure(village, tuple(years), tuple(correcting))


def village_statement(village: Village, year: int) -> StatementReport:
    """The village's approved statement of `year`, in the form's lines (approved years only)."""
    return statement_report(villages=Village.objects.filter(pk=village.pk), year=year)
