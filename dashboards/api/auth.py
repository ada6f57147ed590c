"""Who calls the API and what part of the map they may read.

Two ways in: a county's token (`Authorization: Bearer cj_…`, for the hall screen's player and other
county systems) or the session of a signed-in user with a role (the 大屏 page in a browser). Either
reads exactly what a user of that scope reads on the dashboards: a token is a county official's view
of its county; outside it, 404.
"""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from villages.access import role_of
from villages.models import County, Town

from ..models import ApiToken
from ..pages import resolve_scope
from ..selectors import Scope
from .tokens import api_token_authenticate


class CountyToken(HttpBearer):
    """`Authorization: Bearer <key>` with an active token: the request's `auth` is the ApiToken."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return api_token_authenticate(key=token.strip())


class RoleSession(APIKeyCookie):
    """The Django session of a signed-in user who has a role (no role: refused, as on the dashboards)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        return user if user.is_authenticated and role_of(user) is not None else None


def _one(model, value: str | None, **within):
    try:
        return model.objects.select_related(*(["county"] if model is Town else [])).get(pk=int(value), **within)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("未找到，或您无权访问。")) from exc


def request_scope(request: HttpRequest) -> Scope:
    """The scope asked for by `?county=` / `?town=`, checked against the caller's own (404 outside).

    A user's scope is the dashboards' (`pages.resolve_scope`); a token's is its county and the towns in it.
    """
    caller = request.auth
    if not isinstance(caller, ApiToken):
        return resolve_scope(request)
    county: County = caller.county
    town_id, county_id = request.GET.get("town"), request.GET.get("county")
    if county_id and str(county_id) != str(county.pk):
        raise Http404(_("未找到，或您无权访问。"))
    if town_id:
        return Scope(county=county, town=_one(Town, town_id, county=county))
    return Scope(county=county)


def caller_may_read_api(request: HttpRequest) -> bool:
    """For the OpenAPI description and its docs page: a user with a role, or an active token."""
    if role_of(request.user) is not None:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    return scheme.lower() == "bearer" and api_token_authenticate(key=key.strip()) is not None
