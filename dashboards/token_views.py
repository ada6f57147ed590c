"""The API tokens page: a county official makes a token (its key shown once) and revokes tokens."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from villages.access import get_county_for_user, role_of, visible_counties

from .api.tokens import TokenError, api_token_create, api_token_revoke
from .issues import can_publish
from .models import ApiToken
from .views import dashboard_view


def _manager_check(request) -> None:
    # The same people who publish for the county: its officials and the administrators.
    if not can_publish(request.user):
        raise PermissionDenied(_("只有县级管理人员可以管理接口令牌。"))


def _get_token_for_user(user, pk: int) -> ApiToken:
    try:
        return ApiToken.objects.select_related("county").get(pk=pk, county__in=visible_counties(user))
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("未找到，或您无权访问。")) from exc


@dashboard_view
@require_http_methods(["GET", "POST"])
def token_list(request):
    _manager_check(request)
    role = role_of(request.user)
    county = get_county_for_user(request.user, pk=request.GET.get("county") or role.county_id)
    new_key, error, name = None, None, ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            token, new_key = api_token_create(county=county, name=name, actor=request.user)
        except TokenError as exc:
            error = str(exc)
        else:
            name = ""
            messages.success(request, _("已创建令牌“%(name)s”。") % {"name": token.name})
    tokens = ApiToken.objects.filter(county=county).select_related("created_by", "revoked_by")
    response = render(request, "dashboards/tokens/list.html", {
        "county": county, "tokens": tokens, "new_key": new_key, "error": error, "name": name,
        "counties": visible_counties(request.user) if role.county_id is None else [], "section": "api_tokens",
    })
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is in this page only
    return response


@dashboard_view
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int):
    _manager_check(request)
    token = _get_token_for_user(request.user, pk)
    back = reverse("dashboards:api_tokens") + "?" + urlencode({"county": token.county_id})
    if request.method == "POST":
        api_token_revoke(token=token, actor=request.user)
        messages.success(request, _("令牌“%(name)s”已吊销，使用它的系统将无法再读取数据。") % {"name": token.name})
        return redirect(back)
    return render(request, "dashboards/tokens/revoke.html", {"token": token, "back": back, "section": "api_tokens"})
