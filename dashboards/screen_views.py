"""The county's hall screen (大屏): a dark full-screen page that refreshes itself from the API.

The page holds no figures of its own: `static/js/screen.js` reads `/api/v1/` with the viewer's session
every minute (or `?refresh=` seconds, 1 to 3600: short intervals are for tests) and redraws in place.
"""

from django.shortcuts import render
from django.urls import reverse

from ledger.figures import FIGURE_NAMES

from .pages import DEFAULT_METRIC, resolve_scope
from .views import dashboard_view

DEFAULT_REFRESH_S = 60
MIN_REFRESH_S, MAX_REFRESH_S = 1, 3600


def _refresh_seconds(value: str | None) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return DEFAULT_REFRESH_S
    return min(max(seconds, MIN_REFRESH_S), MAX_REFRESH_S)


@dashboard_view
def screen(request):
    scope = resolve_scope(request)  # 404 for a scope outside the viewer's
    query = {"town": scope.town.pk} if scope.town else {"county": scope.county.pk} if scope.county else {}
    metric = request.GET.get("metric") if request.GET.get("metric") in FIGURE_NAMES else DEFAULT_METRIC
    return render(request, "dashboards/screen.html", {
        "scope": scope, "refresh": _refresh_seconds(request.GET.get("refresh")),
        "metric": metric, "metric_name": FIGURE_NAMES[metric],
        "api_base": reverse("api:overview").rsplit("/", 1)[0] + "/",
        "scope_query": "&".join(f"{k}={v}" for k, v in query.items()),
    })
