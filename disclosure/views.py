"""财务公开 pages, open to everybody: county → town → village, a village's approved statements by year,
the A4 poster for the 公开栏 and its QR code. Places are named by their division codes; the reads in
`disclosure.selectors` only ever reach counties that publish and years that are approved."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import selectors
from .http import public_page
from .qr import qr_svg


@public_page
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/index.html", {"counties": selectors.county_rows()})


@public_page
def county(request: HttpRequest, county_code: str) -> HttpResponse:
    place = selectors.public_county(county_code)
    return render(request, "disclosure/county.html", {"county": place, "towns": selectors.town_rows(place)})


@public_page
def town(request: HttpRequest, town_code: str) -> HttpResponse:
    place = selectors.public_town(town_code)
    return render(request, "disclosure/town.html", {"town": place, "villages": selectors.village_rows(place)})


def _village_year(village_code: str, year: int | None):
    village = selectors.public_village(village_code)
    disclosure = selectors.village_disclosure(village)
    if year is None:
        shown = disclosure.years[0] if disclosure.years else None
    else:
        shown = disclosure.year(year)
        if shown is None and year not in disclosure.correcting:
            raise Http404(selectors.NOT_PUBLISHED)
    statement = selectors.village_statement(village, shown.year) if shown else None
    return village, disclosure, shown, statement, year


def village_url(request: HttpRequest, village_code: str) -> str:
    """The village's public page as a full URL (PUBLIC_BASE_URL when set: posters leave the intranet)."""
    path = reverse("disclosure:village", args=[village_code])
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


@public_page
def village(request: HttpRequest, village_code: str, year: int | None = None) -> HttpResponse:
    place, disclosure, shown, statement, asked = _village_year(village_code, year)
    return render(request, "disclosure/village.html", {
        "village": place, "disclosure": disclosure, "shown": shown, "statement": statement,
        "correcting_asked": asked if asked in disclosure.correcting else None,
    })


@public_page
def poster(request: HttpRequest, village_code: str, year: int | None = None) -> HttpResponse:
    place, disclosure, shown, statement, asked = _village_year(village_code, year)
    return render(request, "disclosure/poster.html", {
        "village": place, "disclosure": disclosure, "shown": shown, "statement": statement,
        "page_url": village_url(request, village_code),
    })


@public_page
def qr(request: HttpRequest, village_code: str) -> HttpResponse:
    selectors.public_village(village_code)
    return HttpResponse(qr_svg(village_url(request, village_code)), content_type="image/svg+xml")
