"""The county official's switch for 财务公开 (signed in; officials and administrators of the county)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from villages.access import visible_counties

from .access import get_county_to_manage, may_manage
from .models import DisclosureSetting
from .services import disclosure_set


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    if not may_manage(request.user):
        raise Http404("未找到，或您无权访问。")
    if request.method == "POST":
        county = get_county_to_manage(request.user, code=request.POST.get("county", ""))
        enabled = request.POST.get("enabled") == "1"
        disclosure_set(county=county, enabled=enabled, actor=request.user)
        messages.success(request, f"{county.name}的财务公开已{'开启' if enabled else '关闭'}。")
        return redirect(request.path)
    counties = list(visible_counties(request.user).order_by("code"))
    settings = {s.county_id: s for s in DisclosureSetting.objects.filter(county__in=[c.pk for c in counties])}
    rows = [(county, settings.get(county.pk)) for county in counties]
    return render(request, "disclosure/manage.html", {"rows": rows})
